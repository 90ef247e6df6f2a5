import type { HookPoint } from './hook-points.js';
import type { HookResult } from './hook-result.js';
import { formatFireId } from './ids.js';
import { inspectView } from './inspect-view.js';
import type { DataConflict, HookExecutionRecord, HookOutcome } from './types.js';

/** Shared by every outcome that has none: never mutated. */
export const NONE: readonly never[] = Object.freeze([]);

/**
 * What a fire resolves to. A class so the correlation id can be formatted on first read: a fire
 * of a point with no hooks is otherwise a handful of field writes.
 * @internal
 */
export class FireOutcome implements HookOutcome {
  readonly point: HookPoint;
  readonly decision: HookResult;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, string>;
  readonly records: readonly HookExecutionRecord[];
  readonly directives: readonly HookResult[];
  readonly durationMs: number;
  readonly conflicts: readonly DataConflict[];
  private corr: string | undefined;
  private readonly fireSeq: number;

  constructor(
    point: HookPoint,
    decision: HookResult,
    data: Record<string, unknown>,
    metadata: Record<string, string>,
    records: readonly HookExecutionRecord[],
    directives: readonly HookResult[],
    durationMs: number,
    conflicts: readonly DataConflict[],
    corr: string | undefined,
    fireSeq: number,
  ) {
    this.point = point;
    this.decision = decision;
    this.data = data;
    this.metadata = metadata;
    this.records = records;
    this.directives = directives;
    this.durationMs = durationMs;
    this.conflicts = conflicts;
    this.corr = corr;
    this.fireSeq = fireSeq;
  }

  get correlationId(): string {
    if (this.corr === undefined) this.corr = formatFireId(this.fireSeq);
    return this.corr;
  }

  /** What `console.log` shows: the public shape. */
  [inspectView](): HookOutcome {
    return this.toJSON();
  }

  toJSON(): HookOutcome {
    return {
      point: this.point,
      decision: this.decision,
      data: this.data,
      metadata: this.metadata,
      records: this.records,
      directives: this.directives,
      correlationId: this.correlationId,
      durationMs: this.durationMs,
      conflicts: this.conflicts,
    };
  }
}

// Resolving the fire's promise with an outcome makes V8 look up `outcome.then` (the promise
// protocol: a thenable would be adopted). The lookup is generic and walks the whole prototype
// chain, Object.prototype included — ~5 % of a one-hook fire in profiles. A non-callable `then`
// on this prototype ends the walk one step up; the outcome is still not a thenable (`then` is
// not a function), `await` and `Promise.resolve` treat it as a plain value, and it is neither
// enumerable nor serialised.
Object.defineProperty(FireOutcome.prototype, 'then', { value: undefined, enumerable: false });
