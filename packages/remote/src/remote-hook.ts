import type { HookContext, HookObject, HookResult } from '@hookspell/hooks';
import { ConnectionSource, type NatsOptions } from './nats-connection.js';
import { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';
import { isNoResponders, RequestMux } from './request-mux.js';
import { assertSubject } from './subject.js';
import { decodeReply, encodeRequest, type RemoteDecisionReply } from './wire.js';

/** Options of {@link remoteHook}. */
export interface RemoteHookOptions extends NatsOptions {
  /** The subject the policy service (`serveHooks`, `hookspell serve-hooks`) listens on. */
  subject: string;
  /**
   * The hook's timeout: the executor stops waiting after it (a `timeout` record, a `cancel` where
   * the hook fails closed), and the service fires with 90 % of it so that its answer arrives in
   * time. A `timeoutMs` given at registration wins. @default the executor's timeout
   */
  timeoutMs?: number;
  /** The hook's default name at registration. @default `remote:<subject>` */
  name?: string;
}

/** What {@link remoteHook} returns: a hook object to register, plus its subject and `close()`. */
export interface RemoteHook extends HookObject {
  readonly name: string;
  readonly subject: string;
  readonly timeoutMs: number | undefined;
  execute(ctx: HookContext, signal: AbortSignal): Promise<HookResult>;
  /** Closes the NATS connection if the hook made it. Later calls fail (an `error` record). */
  close(): Promise<void>;
}

/** Waits between asks while no service listens: from the first to the last, doubling. */
const NO_RESPONDER_WAIT = { first: 10, last: 250 } as const;

/**
 * A hook whose decision is made by another process: a policy service (`serveHooks`) reached over
 * NATS request/reply. The hook sends its context (point, component, data, metadata, operation,
 * correlation id) to `subject`; the service fires that point through its own registry and answers
 * with the decision, which this hook returns — so the executor checks it like any hook's result
 * (an invalid one is an `error` record), and merges what the service's hooks wrote into metadata.
 * `remote:<subject>` in the metadata says which instance answered and what its hooks did.
 *
 * The executor's timeout, circuit breaker and fail-closed rules govern it exactly as a local hook:
 * while no service listens the hook keeps asking until its deadline (a `timeout` record; `cancel`
 * at a fail-closed point), a service killed mid-fire ends the same way, and a reply that comes
 * after the deadline is dropped. A service's error reply, or anything that is not a reply, is an
 * `error` record with a `RemoteHookError`.
 *
 * NATS is reached on first use (`servers`, default nats://127.0.0.1:4222, or your `connection`).
 *
 * @example
 * const policy = remoteHook({ subject: 'policy.tools', timeoutMs: 2_000 });
 * registry.configurePoint('BeforeToolExecution', { failClosed: true });
 * registry.register('BeforeToolExecution', policy);
 * // … on shutdown
 * await policy.close();
 */
export function remoteHook(options: RemoteHookOptions): RemoteHook {
  if (typeof options !== 'object' || options === null) {
    throw new RemoteHookError(
      RemoteHookErrorCode.INVALID_ARGUMENT,
      'remoteHook() needs an options object: remoteHook({ subject, timeoutMs? }).',
    );
  }
  const { subject, timeoutMs } = options;
  assertSubject(subject, 'remoteHook()', false);
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs < 2 ** 31)) {
    throw new RemoteHookError(
      RemoteHookErrorCode.INVALID_ARGUMENT,
      `remoteHook(): \`timeoutMs\` must be a number of milliseconds > 0; got ${String(timeoutMs)}.`,
    );
  }
  const name = options.name ?? `remote:${subject}`;
  if (typeof name !== 'string' || name === '') {
    throw new RemoteHookError(
      RemoteHookErrorCode.INVALID_ARGUMENT,
      'remoteHook(): `name` must be a non-empty string.',
    );
  }
  const source = new ConnectionSource(options, `hookspell-remote-hook ${subject}`);
  const safetyMs = Math.max(2 * (timeoutMs ?? 0), SAFETY_MS);
  let mux: RequestMux | undefined;

  const ask = async (ctx: HookContext, signal: AbortSignal): Promise<HookResult> => {
    const payload = encodeRequest(ctx, timeoutMs);
    const nc = await source.get();
    if (signal.aborted) throw signal.reason;
    if (mux?.connection !== nc) {
      mux?.close();
      mux = new RequestMux(nc);
    }
    let wait: number = NO_RESPONDER_WAIT.first;
    for (;;) {
      const msg = await mux.request(subject, payload, signal);
      if (!isNoResponders(msg)) {
        const reply = decodeReply(msg.data, subject);
        takeMetadata(ctx.metadata, subject, reply);
        return reply.decision as HookResult;
      }
      // Nobody listens yet (a service starting or restarting): ask again until the deadline.
      await sleep(wait, signal);
      wait = Math.min(wait * 2, NO_RESPONDER_WAIT.last);
    }
  };

  return {
    name,
    subject,
    timeoutMs,
    // Two parameters: the executor gives the hook its own signal, aborted at its deadline.
    execute: (ctx, signal) => bounded(signal, safetyMs, subject, (bound) => ask(ctx, bound)),
    close: async () => {
      mux?.close();
      mux = undefined;
      await source.close();
    },
  };
}

/** Copies what the service's hooks wrote into metadata, and who answered, into the caller's. */
function takeMetadata(metadata: Record<string, string>, subject: string, reply: RemoteDecisionReply): void {
  for (const key of Object.keys(reply.metadata)) {
    if (key === '__proto__') continue;
    const value = reply.metadata[key]!;
    if (metadata[key] !== value) metadata[key] = value;
  }
  metadata[`remote:${subject}`] = JSON.stringify({
    service: reply.service,
    durationMs: reply.durationMs,
    records: reply.records,
  });
}

/**
 * The executor always ends a hook's wait at its deadline; a hook registered with `signal: false`,
 * or called by hand, gets a signal that never aborts. This bound keeps such a call from asking
 * forever while no service listens.
 */
const SAFETY_MS = 120_000;

function bounded<T>(
  signal: AbortSignal,
  ms: number,
  subject: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const control = new AbortController();
  const onAbort = () => control.abort(signal.reason);
  if (signal.aborted) control.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    control.abort(
      new RemoteHookError(
        RemoteHookErrorCode.TRANSPORT_ERROR,
        `no policy service answered on '${subject}' within ${ms} ms, and the hook's signal never aborted (call it through an executor, which applies the hook's timeout).`,
      ),
    );
  }, ms);
  timer.unref();
  return run(control.signal).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
