import type {
  ComponentRef,
  FireOptions,
  ForkOperation,
  ForkOutcome,
  HookExecutor,
  HookOutcome,
  WrapCacheStore,
} from '@hookspell/hooks';
import type { CallKind, CallPhase } from './errors.js';

/** Where lifecycle events of guarded calls go: an `EventBus`, or anything with `publish(type, data)`. */
export interface EventSink {
  publish(type: string, data: Record<string, unknown>): unknown;
}

/** One guarded call as a {@link CallTracer} sees it when it starts. */
export interface TracedCall {
  readonly kind: CallKind;
  /** Model id, tool name or MCP server name. */
  readonly target: string;
  readonly component: ComponentRef;
  /** The data of the call's before fire (prompt, model, settings; tool name and input). Read-only. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** How a traced call ended: its result's summary (usage, finish reason…), or the error it threw. */
export interface TracedCallEnd {
  readonly error?: unknown;
  readonly summary?: Readonly<Record<string, unknown>>;
}

/** A started call's scope: the call runs inside it; `end` is called once. */
export interface CallScope {
  run<T>(fn: () => T): T;
  end(how: TracedCallEnd): void;
}

/**
 * Gives each guarded call a scope that runs it — e.g. an OpenTelemetry span made active around
 * the call, so the call's fires nest under it (`@hookspell/otel`'s `instrumentation.callTracer`).
 * A tracer that throws never fails the call (the failure goes to `onWarning`).
 */
export interface CallTracer {
  start(call: TracedCall): CallScope | undefined;
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
  /**
   * Runs each call in a scope of its own (`@hookspell/otel`: a span per model or tool call, with the
   * call's fires inside it). Not for streaming tools (async-iterable `execute`), whose fires nest
   * where the tool is read. @default none
   */
  callTracer?: CallTracer;
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
