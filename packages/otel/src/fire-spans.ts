import {
  type AnyHookExecutor,
  describeThrown,
  type HookInfo,
  RESULT_RANK,
  type RecordedFire,
} from '@hookspell/hooks';
import { type Attributes, context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { ATTR, genAiAttributes, read, scalar } from './attributes.js';
import { type CorrelationTraces, isFireOwnId } from './correlation-traces.js';

/** Epoch milliseconds with sub-millisecond precision (what span times are given in). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Turns one finished fire into spans: the fire is a span `hookspell.fire <point>`, each planned
 * hook a child span `hookspell.hook <name>` with its status, result type and breaker state. Called
 * synchronously at the end of the fire (the executor's recorder), so the active context is the
 * firing code's: the fire nests under whatever span surrounds the call (an AI SDK step, the host's
 * agent span). With none, it goes into its correlation's trace (CorrelationTraces).
 */
export function recordFire(
  fire: RecordedFire,
  tracer: Tracer,
  executor: AnyHookExecutor,
  traces: CorrelationTraces,
): void {
  const end = wallNow();
  // The executor's clock may be any monotonic millisecond clock (an injected one in tests): its
  // times are placed relative to now, the moment the fire completed.
  let lastEnd = fire.timestamp;
  for (const r of fire.records)
    if (r.startedAt > 0 && r.startedAt + r.durationMs > lastEnd) lastEnd = r.startedAt + r.durationMs;
  const offset = end - lastEnd;
  const start = Math.min(end, fire.timestamp + offset);

  let parent = context.active();
  const corr = fire.correlationId;
  if (trace.getSpan(parent) === undefined && !isFireOwnId(corr)) parent = traces.contextFor(corr, start, end);

  const attributes: Attributes = {
    [ATTR.POINT]: fire.point,
    [ATTR.MODE]: fire.mode,
    [ATTR.CORRELATION_ID]: corr,
    [ATTR.HOOKS]: fire.entries.length,
  };
  const component = fire.component;
  if (component !== undefined) {
    const type = scalar(read(component, 'type'));
    const name = scalar(read(component, 'name'));
    if (type !== undefined) attributes[ATTR.COMPONENT_TYPE] = type;
    if (name !== undefined) attributes[ATTR.COMPONENT_NAME] = name;
  }
  const data = fire.views.find((v) => v !== undefined);
  const genAi = genAiAttributes(fire.point, data);
  if (genAi !== undefined) Object.assign(attributes, genAi);

  const span = tracer.startSpan(
    `hookspell.fire ${fire.point}`,
    { kind: SpanKind.INTERNAL, startTime: start, attributes },
    parent,
  );
  // A tracer that throws half-way must not leave the fire's span open (it would never be exported).
  try {
    const inFire = trace.setSpan(parent, span);
    let decision = 'continue';
    let rank = 0;
    for (let i = 0; i < fire.entries.length; i++) {
      const entry = fire.entries[i]!;
      const record = fire.records[i];
      if (record === undefined) continue;
      const info: HookInfo | undefined = executor.registry.get(entry.id);
      const failsClosed = info?.onFailure === 'cancel';
      const failed = record.status === 'error' || record.status === 'timeout';
      const resultType = record.result?.type;
      // What this hook made of the fire: its result, or a cancel when it failed closed.
      const refused = resultType === 'skipped' && record.startedAt === 0;
      const effective = failsClosed && (failed || refused) ? 'cancel' : resultType;
      if (effective !== undefined && effective !== 'skipped' && RESULT_RANK[effective] > rank) {
        rank = RESULT_RANK[effective];
        decision = effective;
      }
      const started = record.startedAt > 0;
      const hookStart = started ? Math.min(end, record.startedAt + offset) : start;
      const hookAttrs: Attributes = {
        [ATTR.HOOK_NAME]: entry.name,
        [ATTR.HOOK_ID]: entry.id,
        [ATTR.HOOK_LANGUAGE]: entry.language,
        [ATTR.POINT]: fire.point,
        [ATTR.HOOK_STATUS]: record.status,
        [ATTR.HOOK_DURATION_MS]: record.durationMs,
        [ATTR.BREAKER_STATE]: info === undefined ? 'unknown' : (info.breaker?.state ?? 'none'),
      };
      if (resultType !== undefined) hookAttrs[ATTR.HOOK_RESULT_TYPE] = resultType;
      const reason = scalar(read(record.result, 'reason'));
      if (reason !== undefined) hookAttrs[ATTR.HOOK_REASON] = reason;
      const child = tracer.startSpan(
        `hookspell.hook ${entry.name}`,
        { kind: SpanKind.INTERNAL, startTime: hookStart, attributes: hookAttrs },
        inFire,
      );
      if (failed) {
        const thrown = describeThrown(record.error);
        child.recordException({ name: thrown.name, message: thrown.message }, hookStart);
        child.setStatus({ code: SpanStatusCode.ERROR, message: `${record.status}: ${thrown.message}` });
      }
      child.end(started ? hookStart + record.durationMs : hookStart);
    }
    span.setAttribute(ATTR.DECISION, decision);
  } finally {
    span.end(end);
  }
}
