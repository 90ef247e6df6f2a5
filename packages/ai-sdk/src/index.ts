export type { ResultSource } from './call-spec.js';
export { AiSdkError, AiSdkErrorCode, CallCancelledError, type CallKind, type CallPhase } from './errors.js';
export { type GuardToolsOptions, guardTools } from './guard-tools.js';
export { type HookspellMiddlewareOptions, hookspellMiddleware } from './middleware.js';
export type { ModelRedirect } from './model-call.js';
export type {
  CallOptions,
  Content,
  FinishReason,
  GenerateResult,
  Model,
  Prompt,
  StreamPart,
  StreamResult,
  TokenUsage,
  Usage,
  UsageSummary,
} from './model-types.js';
export { SETTING_KEYS, type Settings } from './model-values.js';
export type { CallScope, CallTracer, EventSink, GuardOptions, TracedCall, TracedCallEnd } from './options.js';
export { type CallPoints, MODEL_CALL_POINTS, TOOL_CALL_POINTS, TOOL_DISCOVERY_POINTS } from './points.js';
