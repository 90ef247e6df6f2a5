import { formatFireId } from '@hookspell/core';
import { type Context, ROOT_CONTEXT, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { ATTR } from './attributes.js';

/** This process's fire-id prefix: a fire outside any correlation scope gets `<prefix>-<seq>` as its id. */
const FIRE_ID = new RegExp(`^${formatFireId(0).split('-')[0]}-[0-9a-z]+$`);

/** True for a correlation id the executor made up for one fire (no correlation scope, none given). */
export function isFireOwnId(correlationId: string): boolean {
  return FIRE_ID.test(correlationId);
}

interface OpenTrace {
  readonly span: Span;
  readonly context: Context;
  /** Latest end (epoch ms) of anything recorded in it: the root span ends there. */
  lastEnd: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * One trace per correlation id. What hookspell records with no active span around it — a fire, an
 * event — goes under a root span `hookspell.correlation` opened for its correlation id on first
 * sight, so a run's fires and events are one trace even when the host traces nothing. The root
 * ends `idleMs` after the last thing recorded in it (its end time is that thing's end), when more
 * than `maxOpen` are open (the least recently used one), or at `endAll()`.
 */
export class CorrelationTraces {
  private readonly open = new Map<string, OpenTrace>();

  constructor(
    private readonly tracer: Tracer,
    private readonly idleMs: number,
    private readonly maxOpen: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** The context to start a span of `correlationId` in, covering `start`…`end` (epoch ms). */
  contextFor(correlationId: string, start: number, end: number): Context {
    let t = this.open.get(correlationId);
    if (t === undefined) {
      const span = this.tracer.startSpan(
        'hookspell.correlation',
        {
          kind: SpanKind.INTERNAL,
          startTime: start,
          root: true,
          attributes: { [ATTR.CORRELATION_ID]: correlationId },
        },
        ROOT_CONTEXT,
      );
      const timer = setTimeout(() => this.end(correlationId), this.idleMs);
      timer.unref();
      t = { span, context: trace.setSpan(ROOT_CONTEXT, span), lastEnd: end, timer };
      this.open.set(correlationId, t);
      if (this.open.size > this.maxOpen) {
        const oldest = this.open.keys().next().value;
        if (oldest !== undefined) this.end(oldest);
      }
    } else {
      // Most recently used last: the first key is the one to end when too many are open.
      this.open.delete(correlationId);
      this.open.set(correlationId, t);
      if (end > t.lastEnd) t.lastEnd = end;
      t.timer.refresh();
    }
    return t.context;
  }

  /** The open root span of `correlationId`, if there is one (events are added to it). */
  spanOf(correlationId: string): Span | undefined {
    return this.open.get(correlationId)?.span;
  }

  /** Ends the trace of `correlationId` now (its root span ends at its last recorded end). */
  end(correlationId: string): void {
    const t = this.open.get(correlationId);
    if (t === undefined) return;
    this.open.delete(correlationId);
    clearTimeout(t.timer);
    t.span.end(t.lastEnd);
  }

  endAll(): void {
    for (const id of [...this.open.keys()]) this.end(id);
  }
}
