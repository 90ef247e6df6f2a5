import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { EventError, EventErrorCode } from '../errors.js';
import type { HookspellEvent } from '../event.js';
import type { CompiledPattern } from '../pattern.js';
import type { GroupSettle, GroupSubscribeOptions } from '../transport.js';
import { fromWireJSON } from '../wire.js';
import { subjectsForPattern } from './subject.js';

// One member of a worker group on JetStream. A group is a set of durable pull consumers on the
// stream, shared by every member in every process (so each event goes to one member):
//
// - ordered (default): one consumer per key partition, `<group>-p<i>`, each with
//   max_ack_pending 1 — a partition's next event is handed out only once the previous one was
//   acknowledged, so a correlation id's events are handled in publish order even when a member dies
//   and its event is redelivered elsewhere; the partitions run in parallel;
// - unordered: one consumer `<group>` with max_ack_pending = the subscription's queue bound.
//
// An event is acknowledged when its handler settled; a failure is negatively acknowledged (handed
// out again after a short delay) until `maxDeliver`, then published to the dead-letter subject and
// terminated. A handler still running keeps its delivery alive (`working()`), so a long handler is
// not redelivered while it runs; a dead process's events come back after `ackWait`.

export interface GroupContext {
  readonly connection: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: Promise<JetStreamManager>;
  readonly stream: string;
  readonly prefix: string;
  readonly partitions: number;
  readonly report: (error: EventError) => void;
}

const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_DELIVER = 5;

/** Starts consuming in the background; the returned function stops (unacknowledged events are redelivered). */
export function startGroupMember(
  ctx: GroupContext,
  pattern: CompiledPattern,
  options: GroupSubscribeOptions,
  onEvent: (event: HookspellEvent, settle: GroupSettle) => void,
): () => void {
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const deadLetter = options.deadLetterSubject ?? `hookspell.dead-letter.${ctx.stream}.${options.group}`;
  const running: ConsumerMessages[] = [];
  let stopped = false;

  const handle = (msg: JsMsg) => {
    let event: HookspellEvent;
    try {
      event = fromWireJSON(msg.string());
    } catch (cause) {
      msg.term(); // no reason: servers before 2.10.4 ignore a +TERM that carries one
      ctx.report(
        new EventError(
          EventErrorCode.INVALID_WIRE_EVENT,
          `Worker group ${JSON.stringify(options.group)} dropped message ${msg.seq} on ${JSON.stringify(msg.subject)}: it is not a hookspell wire event (${describe(cause)}).`,
          { cause },
        ),
      );
      return;
    }
    // The consumer's subject filter is coarse (`**` inside a pattern): the pattern decides.
    if (!pattern.matches(event.type)) return msg.ack();
    const deliveryCount = msg.info.deliveryCount;
    event = { ...event, metadata: { ...event.metadata, deliveryCount } };
    let done = false;
    let keepAlive: NodeJS.Timeout | undefined;
    const settle: GroupSettle = (ok, error) => {
      if (done) return;
      done = true;
      if (keepAlive !== undefined) clearTimeout(keepAlive);
      if (ok) msg.ack();
      else if (deliveryCount >= maxDeliver) deadLetterOf(msg, event, error);
      else msg.nak(Math.min(100 * deliveryCount, 2000));
    };
    onEvent(event, settle);
    if (!done) {
      // Still running: tell the server at half the ack wait, again and again, until it settles.
      const tick = () => {
        if (done || stopped) return;
        msg.working();
        keepAlive = setTimeout(tick, ackWaitMs / 2);
        keepAlive.unref();
      };
      keepAlive = setTimeout(tick, ackWaitMs / 2);
      keepAlive.unref();
    }
  };

  const deadLetterOf = (msg: JsMsg, event: HookspellEvent, error: unknown) => {
    const h = headers();
    h.set('Hookspell-Group', options.group);
    h.set('Hookspell-Deliveries', String(msg.info.deliveryCount));
    h.set(
      'Hookspell-Error',
      describe(error)
        .slice(0, 1000)
        .replace(/[\r\n]+/g, ' '),
    );
    // Stored when a stream covers the subject; otherwise delivered to whoever listens now.
    ctx.js.publish(deadLetter, msg.data, { headers: h, msgID: `${event.id}:${options.group}` }).catch(() => {
      try {
        ctx.connection.publish(deadLetter, msg.data, { headers: h });
      } catch (cause) {
        ctx.report(
          new EventError(
            EventErrorCode.TRANSPORT_ERROR,
            `Worker group ${JSON.stringify(options.group)} could not publish event ${event.id} to its dead-letter subject ${JSON.stringify(deadLetter)}: ${describe(cause)}. The event is in the stream still (sequence ${msg.seq}).`,
            { cause },
          ),
        );
      }
    });
    msg.term(); // no reason: servers before 2.10.4 ignore a +TERM that carries one
    ctx.report(
      new EventError(
        EventErrorCode.TRANSPORT_ERROR,
        `Worker group ${JSON.stringify(options.group)} gave up on event ${JSON.stringify(event.type)} (${event.id}) after ${msg.info.deliveryCount} deliveries (maxDeliver ${maxDeliver}); it was published to ${JSON.stringify(deadLetter)}. Last error: ${describe(error)}`,
        { cause: error },
      ),
    );
  };

  const consumers = options.ordered
    ? Array.from({ length: ctx.partitions }, (_, p) => ({
        name: `${options.group}-p${p}`,
        filter: filterOf(`${ctx.prefix}.${p}`, pattern),
        maxAckPending: 1,
      }))
    : [
        {
          name: options.group,
          filter: filterOf(`${ctx.prefix}.*`, pattern),
          maxAckPending: options.maxInFlight,
        },
      ];
  if (options.ordered && options.maxInFlight < ctx.partitions) {
    // A member may hold one event per partition at once: they must fit in its queue.
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `Worker group ${JSON.stringify(options.group)}: \`queueSize\` ${options.maxInFlight} is below the stream's ${ctx.partitions} partitions (a member may hold one event of each). Raise queueSize, or use \`ordered: false\`.`,
    );
  }

  void (async () => {
    const jsm = await ctx.jsm;
    for (const c of consumers) {
      if (stopped) return;
      const config: Partial<ConsumerConfig> = {
        durable_name: c.name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ackWaitMs * 1_000_000,
        max_deliver: maxDeliver,
        max_ack_pending: c.maxAckPending,
        filter_subject: c.filter,
      };
      await ensureConsumer(jsm, ctx.stream, config, options.group);
      const consumer = await ctx.js.consumers.get(ctx.stream, c.name);
      if (stopped) return;
      const messages = await consumer.consume({
        max_messages: Math.min(Math.max(c.maxAckPending, 1), 1000),
        callback: (msg) => {
          if (stopped) return; // not acknowledged: handed out again
          try {
            handle(msg);
          } catch (cause) {
            ctx.report(
              new EventError(
                EventErrorCode.TRANSPORT_ERROR,
                `Worker group ${JSON.stringify(options.group)}: ${describe(cause)}`,
                { cause },
              ),
            );
          }
        },
      });
      running.push(messages);
    }
  })().catch((cause: unknown) => {
    ctx.report(
      cause instanceof EventError
        ? cause
        : new EventError(
            EventErrorCode.TRANSPORT_ERROR,
            `Worker group ${JSON.stringify(options.group)} could not start consuming stream ${JSON.stringify(ctx.stream)}: ${describe(cause)}. The subscription receives nothing; check the stream (\`nats stream info ${ctx.stream}\`).`,
            { cause },
          ),
    );
  });

  return () => {
    stopped = true;
    for (const messages of running) messages.stop();
  };
}

/**
 * The one subject filter of a consumer (servers before 2.10 take one): the pattern's own subject
 * when it maps to one, else everything under the partition (the pattern filters the rest).
 */
function filterOf(prefix: string, pattern: CompiledPattern): string {
  const subjects = subjectsForPattern(prefix, pattern);
  return subjects.length === 1 ? subjects[0]! : `${prefix}.>`;
}

/** Creates the durable consumer, or brings an existing one's limits to `config`. */
async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig>,
  group: string,
): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
    return;
  } catch (cause) {
    let existing: ConsumerConfig | undefined;
    try {
      existing = (await jsm.consumers.info(stream, config.durable_name!)).config;
    } catch {
      throw cause; // not a conflict with an existing consumer
    }
    if (existing.filter_subject !== config.filter_subject) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `Worker group ${JSON.stringify(group)} already consumes ${JSON.stringify(existing.filter_subject)} on stream ${JSON.stringify(stream)}, not ${JSON.stringify(config.filter_subject)}: every member of a group must subscribe to the same pattern. Use another group name for another pattern.`,
        { cause },
      );
    }
    await jsm.consumers.update(stream, config.durable_name!, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
