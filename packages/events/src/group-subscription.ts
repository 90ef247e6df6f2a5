import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import { quote } from './limits.js';
import type { EventHandler, SubscribeOptions } from './subscription.js';
import type { EventTransport, GroupSettle, GroupSubscribeOptions } from './transport.js';

// What `bus.subscribe(pattern, handler, { group, durable: true })` adds to a plain subscription:
// the options checked against the transport, and a handler that tells the transport when it is
// done with each event (so the broker acknowledges only what was handled).

/** Group names become JetStream consumer names: no dots, wildcards or spaces. */
const GROUP_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Throws `HOOKSPELL_INVALID_ARGUMENT` for group options the bus cannot honour, and returns what the
 * transport is asked for.
 */
export function groupOptionsOf(
  pattern: string,
  options: SubscribeOptions,
  transport: EventTransport | undefined,
): GroupSubscribeOptions {
  const where = `subscribe(${quote(pattern)}, …, { group })`;
  const fail = (what: string): never => {
    throw new EventError(EventErrorCode.INVALID_ARGUMENT, `${where}: ${what}`);
  };
  const { group } = options;
  if (typeof group !== 'string' || !GROUP_NAME.test(group))
    fail(
      `\`group\` must be 1–64 letters, digits, \`_\` or \`-\` (it names the durable consumer); got ${JSON.stringify(group)}.`,
    );
  if (options.durable !== true)
    fail(
      '`durable: true` is required with `group` (a worker group is a durable JetStream consumer; without a group, leave both out).',
    );
  if (transport?.subscribeGroup === undefined)
    fail(
      'worker groups need a transport that has them: create the bus with `transport: await natsTransport({ jetstream: { stream } })` from @hookspell/events/nats.',
    );
  if (options.filter !== undefined)
    fail(
      '`filter` cannot be used with `group` (a filtered-out event would never be acknowledged): narrow the pattern, or return early in the handler.',
    );
  if (options.overflow !== undefined && options.overflow !== 'block')
    fail(
      `\`overflow: '${options.overflow}'\` cannot be used with \`group\`: the broker never gives a member more than \`queueSize\` unacknowledged events, so nothing overflows or is dropped. Leave \`overflow\` out.`,
    );
  const count = (name: 'ackWaitMs' | 'maxDeliver', min: number) => {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= min))
      fail(`\`${name}\` must be an integer ≥ ${min}; got ${String(value)}.`);
    return value;
  };
  if (options.deadLetterSubject !== undefined && !/^[^\s*>]+$/.test(options.deadLetterSubject))
    fail(
      `\`deadLetterSubject\` must be a NATS subject without wildcards or spaces; got ${JSON.stringify(options.deadLetterSubject)}.`,
    );
  return {
    group: group as string,
    maxInFlight: options.queueSize ?? 1000,
    ackWaitMs: count('ackWaitMs', 100),
    maxDeliver: count('maxDeliver', 1),
    deadLetterSubject: options.deadLetterSubject,
    ordered: options.ordered ?? true,
  };
}

/**
 * Wraps `handler` so that each event's `settle` (kept in `settles` by the bus when the transport
 * delivered it) is called once the handler returned (ok), threw or rejected (not ok). The result
 * and the error pass through unchanged, so the subscription counts and reports them as usual.
 */
export function settlingHandler(
  handler: EventHandler,
  settles: WeakMap<HookspellEvent, GroupSettle>,
): EventHandler {
  const settle = (event: HookspellEvent, ok: boolean, error?: unknown) => {
    const done = settles.get(event);
    settles.delete(event);
    done?.(ok, error);
  };
  return (event) => {
    let result: unknown;
    try {
      result = handler(event);
    } catch (error) {
      settle(event, false, error);
      throw error;
    }
    if (result !== null && typeof result === 'object' && 'then' in result) {
      // Any thenable, adopted once by a native promise (a hostile one cannot settle it twice).
      return Promise.resolve(result).then(
        (value) => {
          settle(event, true);
          return value;
        },
        (error: unknown) => {
          settle(event, false, error);
          throw error;
        },
      );
    }
    settle(event, true);
    return result;
  };
}
