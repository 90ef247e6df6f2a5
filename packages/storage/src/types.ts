// The StorageBackend contract lives in @hookspell/core (adapters and logs are written against it
// without depending on the backends); re-exported here so existing imports keep working.
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
} from '@hookspell/core';
