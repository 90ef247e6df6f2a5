export { isUnserializable, type UnserializableType, type UnserializableValue } from '@hookspell/core';
export { auditHooks, type HookAuditFinding, isGuardPoint } from './audit.js';
export {
  BREAKER_PRESETS,
  type BreakerConfig,
  type BreakerPreset,
  type BreakerSnapshot,
  type BreakerState,
  CircuitBreaker,
} from './circuit-breaker.js';
export { type Clock, systemClock } from './clock.js';
export { firstMatch } from './composites/first-match.js';
export { type ParallelCompositeOptions, parallel } from './composites/parallel.js';
export type { CompositeOptions } from './composites/run-child.js';
export { sequential } from './composites/sequential.js';
export { type TieBreaker, type VotingOptions, voting } from './composites/voting.js';
export {
  type Correlation,
  correlationStorageCreated,
  currentCorrelation,
  withCorrelation,
} from './correlation.js';
export { nearestName } from './edit-distance.js';
export { HookCancelledError } from './errors/hook-cancelled-error.js';
export { HookError, HookErrorCode } from './errors/hook-error.js';
export { type AnyHookExecutor, HookExecutor } from './executor.js';
export type { FireRecorder, RecordedFire, RecordedHook } from './fire-recorder.js';
export {
  type BuiltinHookPoint,
  HOOK_POINTS,
  type HookPoint,
  isBuiltinHookPoint,
  isHookPoint,
  suggestHookPoint,
} from './hook-points.js';
export {
  type CacheResult,
  type CancelResult,
  type ContinueResult,
  type ForkOperation,
  type ForkResult,
  HookResult,
  type HookResultType,
  type ModifiedResult,
  RESULT_RANK,
  type RedirectResult,
  type ReplaceResult,
  type RetryResult,
  type SkippedResult,
} from './hook-result.js';
export type { HookMetrics } from './metrics.js';
export type {
  AgentStepData,
  BuiltinPointData,
  DataOf,
  DefaultPoints,
  EventEmitData,
  HookData,
  PointMap,
  PointOf,
  ToolCallData,
} from './point-data.js';
export { PRIORITY, type Priority, type PriorityName } from './priority.js';
export { type AnyHookRegistry, HookRegistry } from './registry.js';
export type { HookRun, RunHookInput } from './run-hook.js';
export { describeThrown, type ThrownDescription } from './thrown-value.js';
export type {
  ComponentRef,
  ComponentType,
  DataConflict,
  ExecutionMode,
  ExecutionStatus,
  ExecutorOptions,
  FireOptions,
  Hook,
  HookBatch,
  HookContext,
  HookExecutionRecord,
  HookFilter,
  HookFunction,
  HookHandle,
  HookInfo,
  HookInput,
  HookLanguage,
  HookLifecycleEventType,
  HookObject,
  HookOutcome,
  HookRegistration,
  HookReturn,
  LifecycleMeta,
  LifecycleSink,
  Operation,
  PointConfig,
  ProgressCallback,
  RegisterOptions,
} from './types.js';
export type { ForkOutcome, WrapCacheStore, WrapOptions, WrapPhase } from './wrap.js';
