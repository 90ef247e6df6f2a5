import type { HookResult } from './hook-result.js';
import { formatExecutionId } from './ids.js';
import { inspectView } from './inspect-view.js';
import type { ExecutionStatus, HookExecutionRecord } from './types.js';

/**
 * One hook's record in one fire. The execution id is formatted on first read (or given up front
 * when correlation or a sink needed it during the fire).
 * @internal
 */
export class ExecutionRecord implements HookExecutionRecord {
  readonly hookId: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly result: HookResult | undefined;
  readonly error: unknown;
  readonly startedAt: number;
  readonly durationMs: number;
  private execId: string | undefined;
  private readonly fireSeq: number;
  private readonly index: number;

  constructor(
    hookId: string,
    name: string,
    status: ExecutionStatus,
    result: HookResult | undefined,
    error: unknown,
    startedAt: number,
    durationMs: number,
    fireSeq: number,
    index: number,
    execId: string | undefined,
  ) {
    this.hookId = hookId;
    this.name = name;
    this.status = status;
    this.result = result;
    this.error = error;
    this.startedAt = startedAt;
    this.durationMs = durationMs;
    this.fireSeq = fireSeq;
    this.index = index;
    this.execId = execId;
  }

  get executionId(): string {
    if (this.execId === undefined) this.execId = formatExecutionId(this.fireSeq, this.index);
    return this.execId;
  }

  /** What `console.log` shows: the public shape, with the error as thrown. */
  [inspectView](): HookExecutionRecord {
    return { ...this.toJSON(), error: this.error };
  }

  toJSON(): HookExecutionRecord {
    return {
      hookId: this.hookId,
      name: this.name,
      executionId: this.executionId,
      status: this.status,
      result: this.result,
      error:
        this.error instanceof Error ? { name: this.error.name, message: this.error.message } : this.error,
      startedAt: this.startedAt,
      durationMs: this.durationMs,
    };
  }
}
