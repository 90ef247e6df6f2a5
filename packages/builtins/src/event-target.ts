/**
 * How a built-in reports events (cost alerts, security violations, rate-limit warnings) without
 * importing `@hookspell/events`: give it the bus, or any function.
 */
export interface BuiltinEventOptions {
  /** An `EventBus` (or anything with `publish(type, data)`). */
  bus?: { publish(type: string, data: Record<string, unknown>): unknown };
  /** Called with each event; used instead of `bus` when both are given. */
  emit?: (type: string, data: Record<string, unknown>) => void;
}

/** A function that sends an event to what the options name; it never throws nor rejects. */
export function eventEmitter(
  options: BuiltinEventOptions,
): (type: string, data: Record<string, unknown>) => void {
  const { bus, emit } = options;
  if (emit !== undefined) {
    return (type, data) => {
      try {
        emit(type, data);
      } catch {
        // an observer's failure must not change the hook's decision
      }
    };
  }
  if (bus !== undefined) {
    return (type, data) => {
      try {
        const sent = bus.publish(type, data);
        if (sent instanceof Promise) sent.catch(() => {});
      } catch {
        // same
      }
    };
  }
  return () => {};
}
