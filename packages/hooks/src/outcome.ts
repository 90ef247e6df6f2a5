import type { HookPoint } from './hook-points.js';
import type { HookResult } from './hook-result.js';
import { formatFireId } from './ids.js';
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

  toJSON(): HookOutcome {
    return {
      point: this.point,
      decision: this.decision,
      data: this.data,
      records: this.records,
      directives: this.directives,
      correlationId: this.correlationId,
      durationMs: this.durationMs,
      conflicts: this.conflicts,
    };
  }
}
