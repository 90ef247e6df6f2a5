export { ATTR, eventAttributes, genAiAttributes } from './attributes.js';
export type { CallScope, CallTracer, TracedCall } from './call-spans.js';
export { OtelError, OtelErrorCode } from './errors.js';
export type { ObservedEvent } from './event-spans.js';
export {
  type EventSource,
  type HookspellInstrumentation,
  type InstrumentOptions,
  instrumentHookspell,
  TRACER_NAME,
} from './instrument.js';
