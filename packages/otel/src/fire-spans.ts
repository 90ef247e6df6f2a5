import {
  type AnyHookExecutor,
  describeThrown,
  type HookExecutionRecord,
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
 *
 * Attributes are few on purpose: the SDK checks every attribute of every span, and that — not
 * making the span — is most of a span's cost (benchmarks/README.md, "integrations"). What a span
 * already says (its parent's point, its duration) is not repeated as an attribute.
 */
export function recordFire(
  fire: RecordedFire,
  tracer: Tracer,
  executor: AnyHookExecutor,
  traces: CorrelationTraces,
): void {
  const end = wallNow();
  const records = fire.records;
  const entries = fire.entries;
  // The executor's clock may be any monotonic millisecond clock (an injected one in tests): its
  // times are placed relative to now, the moment the fire completed.
  let lastEnd = fire.timestamp;
  for (const r of records)
    if (r.startedAt > 0 && r.startedAt + r.durationMs > lastEnd) lastEnd = r.startedAt + r.durationMs;
  const offset = end - lastEnd;
  const start = Math.min(end, fire.timestamp + offset);

  // First what each hook made of the fire (its result, or a cancel when it failed closed), so the
  // fire's span starts with its decision among its attributes.
  const infos: (HookInfo | undefined)[] = new Array(entries.length);
  let decision = 'continue';
  let rank = 0;
  for (let i = 0; i < entries.length; i++) {
    const record = records[i];
    if (record === undefined) continue;
    const info = executor.registry.get(entries[i]!.id);
    infos[i] = info;
    const type = record.result?.type;
    const failed = record.status === 'error' || record.status === 'timeout';
    const refused = type === 'skipped' && record.startedAt === 0;
    const effective = info?.onFailure === 'cancel' && (failed || refused) ? 'cancel' : type;
    if (effective !== undefined && effective !== 'skipped' && RESULT_RANK[effective] > rank) {
      rank = RESULT_RANK[effective];
      decision = effective;
    }
  }

  let parent = context.active();
  const corr = fire.correlationId;
  if (trace.getSpan(parent) === undefined && !isFireOwnId(corr)) parent = traces.contextFor(corr, start, end);

  const attributes: Attributes = {
    [ATTR.POINT]: fire.point,
    [ATTR.CORRELATION_ID]: corr,
    [ATTR.DECISION]: decision,
  };
  if (fire.mode === 'parallel') attributes[ATTR.MODE] = 'parallel';
  const component = fire.component;
  if (component !== undefined) {
    const type = scalar(read(component, 'type'));
    const name = scalar(read(component, 'name'));
    if (type !== undefined) attributes[ATTR.COMPONENT_TYPE] = type;
    if (name !== undefined) attributes[ATTR.COMPONENT_NAME] = name;
  }
  const genAi = genAiAttributes(
    fire.point,
    fire.views.find((v) => v !== undefined),
  );
  if (genAi !== undefined) Object.assign(attributes, genAi);

  const span = tracer.startSpan(
    `hookspell.fire ${fire.point}`,
    { kind: SpanKind.INTERNAL, startTime: start, attributes },
    parent,
  );
  // A tracer that throws half-way must not leave the fire's span open (it would never be exported).
  try {
    const inFire = trace.setSpan(parent, span);
    for (let i = 0; i < entries.length; i++) {
      const record = records[i];
      if (record !== undefined) hookSpan(tracer, inFire, entries[i]!, record, infos[i], start, end, offset);
    }
  } finally {
    span.end(end);
  }
}

function hookSpan(
  tracer: Tracer,
  inFire: ReturnType<typeof trace.setSpan>,
  entry: RecordedFire['entries'][number],
  record: HookExecutionRecord,
  info: HookInfo | undefined,
  fireStart: number,
  fireEnd: number,
  offset: number,
): void {
  const started = record.startedAt > 0;
  const hookStart = started ? Math.min(fireEnd, record.startedAt + offset) : fireStart;
  const attrs: Attributes = {
    [ATTR.HOOK_NAME]: entry.name,
    [ATTR.HOOK_LANGUAGE]: entry.language,
    [ATTR.HOOK_STATUS]: record.status,
    [ATTR.BREAKER_STATE]: info === undefined ? 'unknown' : (info.breaker?.state ?? 'none'),
  };
  const type = record.result?.type;
  if (type !== undefined) attrs[ATTR.HOOK_RESULT_TYPE] = type;
  if (type === 'cancel' || type === 'skipped') {
    const reason = scalar(read(record.result, 'reason'));
    if (reason !== undefined) attrs[ATTR.HOOK_REASON] = reason;
  }
  const child = tracer.startSpan(
    `hookspell.hook ${entry.name}`,
    { kind: SpanKind.INTERNAL, startTime: hookStart, attributes: attrs },
    inFire,
  );
  if (record.status === 'error' || record.status === 'timeout') {
    const thrown = describeThrown(record.error);
    child.recordException({ name: thrown.name, message: thrown.message }, hookStart);
    child.setStatus({ code: SpanStatusCode.ERROR, message: `${record.status}: ${thrown.message}` });
  }
  child.end(started ? hookStart + record.durationMs : hookStart);
}
