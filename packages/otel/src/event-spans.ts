import { context, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { ATTR, eventAttributes } from './attributes.js';
import { type CorrelationTraces, isFireOwnId } from './correlation-traces.js';
import { wallNow } from './fire-spans.js';

/** What an event looks like to the instrumentation (`@hookspell/events`' envelope, read defensively). */
export interface ObservedEvent {
  readonly id: string;
  readonly type: string;
  readonly data?: unknown;
  readonly timestamp?: number;
  readonly metadata?: { readonly correlationId?: string };
}

/**
 * Records one bus event as a span event named after its type, with its scalar data fields as
 * attributes: on the span active where it was published (a subscriber that is idle is called in
 * the publisher's turn), else on its correlation's root span, else — an event that belongs to no
 * run — on a span of its own, `hookspell.event <type>`.
 */
export function recordEvent(event: ObservedEvent, tracer: Tracer, traces: CorrelationTraces): void {
  const type = String(event.type);
  const ts =
    typeof event.timestamp === 'number' && Number.isFinite(event.timestamp) ? event.timestamp : wallNow();
  const attrs = eventAttributes(event.data);
  attrs[ATTR.EVENT_ID] = String(event.id);
  const active = trace.getSpan(context.active());
  if (active?.isRecording()) {
    active.addEvent(type, attrs, ts);
    return;
  }
  const corr = event.metadata?.correlationId;
  if (typeof corr === 'string' && corr !== event.id && !isFireOwnId(corr)) {
    traces.contextFor(corr, ts, ts);
    traces.spanOf(corr)?.addEvent(type, attrs, ts);
    return;
  }
  const span = tracer.startSpan(`hookspell.event ${type}`, {
    kind: SpanKind.INTERNAL,
    startTime: ts,
    attributes: { [ATTR.EVENT_TYPE]: type, [ATTR.EVENT_ID]: String(event.id) },
  });
  span.addEvent(type, attrs, ts);
  span.end(ts);
}
