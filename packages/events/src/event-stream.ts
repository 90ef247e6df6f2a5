import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import type { EventHandler, OverflowStrategy, SubscribeOptions, Subscription } from './subscription.js';

export interface StreamOptions {
  /** Ends the iteration (and unsubscribes) when aborted. */
  signal?: AbortSignal;
  /** Events buffered while the consumer is busy. @default 1000 */
  queueSize?: number;
  /** @default 'drop-oldest' */
  overflow?: OverflowStrategy;
}

/** An async iterator over events; `return()` (e.g. `break`) unsubscribes. */
export interface EventStream<E extends HookspellEvent = HookspellEvent> extends AsyncIterableIterator<E> {
  readonly subscription: Subscription;
}

type Subscribe = (handler: EventHandler, options: SubscribeOptions) => Subscription;

/**
 * The stream is a subscription whose handler does not settle until the consumer takes the event:
 * the subscription's bounded queue and overflow strategy then do the buffering.
 */
export function createEventStream<E extends HookspellEvent>(
  subscribe: Subscribe,
  options: StreamOptions,
): EventStream<E> {
  let handed: { event: E; taken: () => void } | undefined;
  let waiting: ((result: IteratorResult<E>) => void) | undefined;
  let done = false;

  const finish = () => {
    if (done) return;
    done = true;
    subscription.unsubscribe();
    handed?.taken();
    handed = undefined;
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
  };

  const subscription = subscribe(
    (event) =>
      new Promise<void>((taken) => {
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ value: event as E, done: false });
          taken();
        } else {
          handed = { event: event as E, taken };
        }
      }),
    { queueSize: options.queueSize, overflow: options.overflow, signal: options.signal },
  );
  options.signal?.addEventListener('abort', finish, { once: true });
  if (options.signal?.aborted) finish();

  const stream: EventStream<E> = {
    subscription,
    next() {
      if (handed) {
        const { event, taken } = handed;
        handed = undefined;
        taken();
        return Promise.resolve({ value: event, done: false });
      }
      if (done || !subscription.active) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

export interface OnceOptions<E extends HookspellEvent = HookspellEvent> {
  /** Rejects with `HOOKSPELL_EVENT_TIMEOUT` after this many milliseconds. */
  timeoutMs?: number;
  /** Only an event for which this returns true resolves the promise. */
  filter?: (event: E) => boolean;
  signal?: AbortSignal;
}

export function waitForEvent<E extends HookspellEvent>(
  subscribe: (handler: EventHandler<E>) => Subscription,
  pattern: string,
  options: OnceOptions<E>,
): Promise<E> {
  return new Promise<E>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      cleanup();
      reject(
        new EventError(EventErrorCode.ABORTED, `Waiting for ${JSON.stringify(pattern)} was aborted.`, {
          cause: options.signal?.reason,
        }),
      );
    };
    const cleanup = () => {
      subscription.unsubscribe();
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const subscription = subscribe((event) => {
      if (options.filter && !options.filter(event)) return;
      cleanup();
      resolve(event);
    });
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        cleanup();
        reject(
          new EventError(
            EventErrorCode.EVENT_TIMEOUT,
            `No event matching ${JSON.stringify(pattern)} arrived within ${options.timeoutMs} ms.`,
          ),
        );
      }, options.timeoutMs);
    }
  });
}
