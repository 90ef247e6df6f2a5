// @hookspell/journal — every hook execution recorded on a StorageBackend, queried, kept within a
// retention policy, and replayed against the hooks registered now.

export { isUnserializable, type UnserializableType, type UnserializableValue } from '@hookspell/core';
export {
  type CompareOptions,
  type Comparison,
  compareResults,
  type Difference,
  TIME_KEYS,
} from './compare.js';
export { ExecutionPrunedError } from './execution-pruned-error.js';
export {
  DEFAULT_MAX_ENTRY_BYTES,
  type ExecutionLookup,
  HookJournal,
  type HookJournalOptions,
  type JournalFilter,
  type JournalPruneEvent,
  type JournalSink,
  type JournalStats,
} from './hook-journal.js';
export type { JournalEntry, JournalError, UnsequencedEntry } from './journal-entry.js';
export type { JournalPage, JournalQuery } from './journal-reader.js';
export type { JournalPruneInfo } from './prune-record.js';
export {
  type CorrelationReplay,
  type FireReplay,
  ReplayEngine,
  type ReplayedExecution,
  type ReplayMode,
  type ReplayOptions,
  type ReplayResult,
} from './replay-engine.js';
export {
  RETENTION_PRESETS,
  type RetentionPolicy,
  type RetentionPreset,
} from './retention.js';
