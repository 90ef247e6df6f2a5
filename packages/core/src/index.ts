// @hookspell/core — the kernel every hookspell package builds on. It depends on nothing.
export { type Clock, systemClock } from './clock.js';
export {
  type Correlation,
  type CorrelationStorage,
  correlationStorage,
  correlationStorageCreated,
  currentCorrelation,
  withCorrelation,
} from './correlation.js';
export { ErrorCode, pickCodes } from './errors/error-codes.js';
export { HookspellError, type HookspellErrorOptions } from './errors/hookspell-error.js';
export { formatExecutionId, formatFireId, nextFireSeq } from './ids.js';
export {
  isUnserializable,
  safeStringify,
  threw,
  type UnserializableType,
  type UnserializableValue,
  unserializable,
} from './safe-json.js';
export type {
  BatchOp,
  DriverListOptions,
  EncodedBatchOp,
  EncodedEntry,
  JsonObject,
  JsonPrimitive,
  JsonValue,
  ListEntry,
  ListOptions,
  MaybePromise,
  StorageBackend,
  StorageCapabilities,
  StorageDriver,
} from './storage-types.js';
