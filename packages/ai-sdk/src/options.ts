import type {
  FireOptions,
  ForkOperation,
  ForkOutcome,
  HookExecutor,
  HookOutcome,
  WrapCacheStore,
} from '@hookspell/hooks';
import type { CallPhase } from './errors.js';

/** Where lifecycle events of guarded calls go: an `EventBus`, or anything with `publish(type, data)`. */
export interface EventSink {
  publish(type: string, data: Record<string, unknown>): unknown;
}

/** Options every integration of this package takes. */
export interface GuardOptions {
  /** Fires the hook points. Register hooks on its registry (TypeScript, Lua, JavaScript, commands). */
  executor: Pick<HookExecutor, 'fire'>;
  /**
   * Publishes `<kind>.started` and one of `.finished` / `.failed` / `.cancelled` per call
   * (`model.call.*`, `tool.call.*`, `tool.discovery.*`), with a summary (never the prompt or the
   * tool input). Publishing never delays or fails a call: an error goes to `onError`.
   */
  bus?: EventSink;
  /** Metadata of every fire; each call gets its own copy, shared by its before/after/error fires. */
  metadata?: Record<string, string>;
  /** Options of every fire (mode, timeoutMs…). A call's abort signal is added when it has one. */
  fireOptions?: FireOptions;
  /** Where `cache` results are kept. @default an LRU of 1000 entries per integration instance */
  cacheStore?: WrapCacheStore;
  /** Runs one operation of a `fork` result; without it a `fork` result fails the call (`HOOKSPELL_FORK_UNHANDLED`). */
  fork?: (operation: ForkOperation, context: { phase: CallPhase; data: Record<string, unknown> }) => unknown;
  /** Receives the settled fork results (they are also in the after fire's `data.forks`). */
  onFork?: (results: readonly ForkOutcome[], phase: CallPhase) => void;
  /** Sees every outcome of every fire (e.g. to log `skipped` records, or results a stream could not act on). */
  onOutcome?: (phase: CallPhase, outcome: HookOutcome) => void;
  /**
   * Problems that must not fail the call: a bus that throws or rejects, a streamed answer's
   * after-hook result that could not be acted on. @default process.emitWarning
   */
  onWarning?: (warning: Error) => void;
}
