import { describeThrown } from '@hookspell/hooks';
import { AiSdkError, AiSdkErrorCode } from './errors.js';
import type { EventSink, GuardOptions } from './options.js';

/** What a warning handler gets when none is given: a process warning (printed once per code by Node). */
export function defaultWarning(warning: Error): void {
  process.emitWarning(warning);
}

/**
 * Publishes lifecycle events of guarded calls on the `bus`, if there is one. A bus that throws or
 * rejects never reaches the call: the failure becomes a warning.
 */
export class Reporter {
  readonly enabled: boolean;
  private readonly bus: EventSink | undefined;
  private readonly warn: (warning: Error) => void;

  constructor(options: GuardOptions) {
    this.bus = options.bus;
    this.enabled = options.bus !== undefined;
    this.warn = options.onWarning ?? defaultWarning;
  }

  publish(type: string, data: Record<string, unknown>): void {
    if (this.bus === undefined) return;
    try {
      const sent = this.bus.publish(type, data);
      // Not awaited: a `block` subscriber must not hold the model call up.
      if (isThenable(sent)) sent.then(undefined, (error) => this.failed(type, error));
    } catch (error) {
      this.failed(type, error);
    }
  }

  warning(warning: Error): void {
    try {
      this.warn(warning);
    } catch {
      // A warning handler that throws has nowhere left to report to; the call goes on.
    }
  }

  private failed(type: string, error: unknown): void {
    this.warning(
      new AiSdkError(
        AiSdkErrorCode.EVENT_PUBLISH_FAILED,
        `the bus refused the event '${type}' (${messageOf(error)}); the call went on. Check the bus's subscribers and bounds.`,
        { cause: error },
      ),
    );
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A short, never-throwing description of a thrown value (a hostile one included). */
export function messageOf(error: unknown): string {
  return describeThrown(error).message;
}
