import type {
  CacheResult,
  ComponentRef,
  FireOptions,
  ForkOutcome,
  HookOutcome,
  HookPoint,
} from '@hookspell/hooks';
import type { CallKind, CallPhase } from './errors.js';
import type { CallScope } from './options.js';
import type { CallPoints } from './points.js';

// What a guarded call is made of — its spec, the adapter that knows its kind, its running state —
// apart from the CallGuard that runs it (guarded-call.ts).

/** How a call's result came about (in `*.finished` events). */
export type ResultSource = 'call' | 'replace' | 'cache' | 'redirect' | 'recovered';

/** Which hook result a value came from, for error messages that name it. */
export interface ValueSource {
  readonly phase: CallPhase;
  readonly point: HookPoint;
  readonly hook: string | undefined;
  readonly via: 'replace' | 'cache' | 'redirect' | 'modified';
}

/** What one integration knows about its calls and results; one per integration instance. */
export interface Adapter<R> {
  readonly kind: CallKind;
  readonly points: CallPoints;
  /** Prefix of the lifecycle events: `model.call`, `tool.call`, `tool.discovery`. */
  readonly eventPrefix: string;
  /** A `replace` value (or a redirect's answer) as a result; throws `HOOKSPELL_INVALID_HOOK_VALUE` when it is not one. */
  toResult(value: unknown, from: ValueSource, call: CallSpec<R>): R;
  /** Data of the after fire: the data the call ran with, plus the result's fields. */
  afterData(data: Record<string, unknown>, result: R, call: CallSpec<R>): Record<string, unknown>;
  /** The result an after fire left: `given` is the data it was fired with (to tell what changed). */
  resultOf(given: Record<string, unknown>, outcome: HookOutcome, result: R, call: CallSpec<R>): R;
  /** What the lifecycle events say about the result (usage, finish reason…). */
  resultSummary?(result: R, state: CallState<R>): Record<string, unknown>;
  /** What a `cache` result keeps of a result. @default the result itself */
  cacheValue?(result: R): unknown;
}

/** One call to guard. */
export interface CallSpec<R> {
  /** Model id, tool name or server name: what messages and errors name. */
  readonly target: string;
  readonly component: ComponentRef;
  /** Data of the before fire (`attempt` is added per attempt). */
  readonly data: Record<string, unknown>;
  /** What the lifecycle events say about the call. */
  readonly summary: Record<string, unknown> | undefined;
  /** The call's abort signal: given to every fire, and it ends a retry's wait. */
  readonly signal: AbortSignal | undefined;
  /** Makes the call with the data the before-hooks left (`outcome`: their fire, to name a hook in errors). */
  run(data: Record<string, unknown>, outcome: HookOutcome): Promise<R>;
  /** Resolves a `redirect(target)` result: the call made elsewhere (validated by `toResult`). */
  redirect(target: string, data: Record<string, unknown>, phase: CallPhase): Promise<unknown>;
}

/** What the before phase decided. */
export type BeforeStep<R> =
  | { readonly done: true; readonly value: R; readonly source: ResultSource }
  | {
      readonly done: false;
      /** The data the call runs with (the before-hooks' modifications merged in). */
      readonly data: Record<string, unknown>;
      readonly redirect: string | undefined;
      readonly cache: CacheResult | undefined;
      readonly forked: Promise<ForkOutcome[]> | undefined;
      readonly outcome: HookOutcome;
    };

/** Starts a new attempt. */
export const RETRY: unique symbol = Symbol('retry');

/** The per-call state shared by the phases of one call. */
export interface CallState<R> {
  readonly call: CallSpec<R>;
  /** This call's copy of the options' metadata, shared by its fires. */
  readonly metadata: Record<string, string>;
  readonly fireOptions: FireOptions | undefined;
  readonly startedAt: number;
  attempts: number;
  source: ResultSource;
  done: boolean;
  /** The call's trace scope (a `callTracer` was given), ended with the call. */
  scope?: CallScope | undefined;
}
