import type { HookPoint } from './hook-points.js';
import { formatFireId } from './ids.js';
import { inspectView } from './inspect-view.js';
import type { ComponentRef, HookContext, HookLanguage, Operation } from './types.js';

const HOST: ComponentRef = Object.freeze({ type: 'system', name: 'host' });

/**
 * The context a fire hands its hooks. A class (one shape, one allocation) whose correlation id
 * is formatted only when read: most hooks never read it, and formatting costs as much as the
 * rest of the context.
 * @internal
 */
export class FireContext implements HookContext {
  readonly point: HookPoint;
  readonly component: ComponentRef;
  data: Record<string, unknown>;
  metadata: Record<string, string>;
  readonly language: HookLanguage;
  readonly timestamp: number;
  readonly operation: Operation | undefined;
  readonly parent: HookContext | undefined;
  /** The given/inherited correlation id, or undefined until formatted from `fireSeq`. */
  corr: string | undefined;
  readonly fireSeq: number;

  constructor(
    point: HookPoint,
    component: ComponentRef | undefined,
    data: Record<string, unknown>,
    metadata: Record<string, string> | undefined,
    language: HookLanguage | undefined,
    timestamp: number,
    operation: Operation | undefined,
    parent: HookContext | undefined,
    corr: string | undefined,
    fireSeq: number,
  ) {
    this.point = point;
    this.component = component ?? HOST;
    this.data = data;
    this.metadata = metadata ?? {};
    this.language = language ?? 'native';
    this.timestamp = timestamp;
    this.operation = operation;
    this.parent = parent;
    this.corr = corr;
    this.fireSeq = fireSeq;
  }

  get correlationId(): string {
    if (this.corr === undefined) this.corr = formatFireId(this.fireSeq);
    return this.corr;
  }

  /**
   * A context for a nested point: same component, language and correlation id, a copy of the
   * metadata, empty data, and this context as `parent`.
   *
   * @example
   * ```ts
   * registry.register('BeforeWorkflowStage', async (ctx) => {
   *   await executor.fire('custom:stage_check', ctx.child('custom:stage_check'));
   * });
   * ```
   */
  child(point: HookPoint): HookContext {
    return new FireContext(
      point,
      this.component,
      {},
      { ...this.metadata },
      this.language,
      this.timestamp,
      this.operation,
      this,
      this.correlationId,
      this.fireSeq,
    );
  }

  /**
   * A context for one hook of a parallel fire: its own data (the input plus its prerequisites'
   * modifications), the fire's one metadata object. Metadata is the annotation channel of a fire
   * (rate-limit headers, cache stamps): what a hook writes is seen by the hooks that start after
   * it and ends up in `outcome.metadata`, in both modes; deterministic merging is `data`'s job.
   */
  fork(data: Record<string, unknown>): FireContext {
    const ctx = new FireContext(
      this.point,
      this.component,
      data,
      this.metadata,
      this.language,
      this.timestamp,
      this.operation,
      this.parent,
      this.corr,
      this.fireSeq,
    );
    return ctx;
  }

  /** What `console.log` shows: the public shape, with the parent as a context. */
  [inspectView](): Record<string, unknown> {
    return { ...this.toJSON(), parent: this.parent };
  }

  toJSON(): Record<string, unknown> {
    return {
      point: this.point,
      component: this.component,
      data: this.data,
      metadata: this.metadata,
      language: this.language,
      correlationId: this.correlationId,
      timestamp: this.timestamp,
      operation: this.operation,
      parent: this.parent === undefined ? undefined : { point: this.parent.point },
    };
  }
}
