import {
  type ComponentRef,
  HOOK_POINTS,
  type HookContext,
  type HookLanguage,
  type HookPoint,
  systemClock,
} from '@hookspell/hooks';
import {
  type BuiltinHook,
  type BuiltinOptions,
  defineBuiltin,
  isoAt,
  positiveOption,
} from './builtin-hook.js';
import { OperationTimer } from './operation-timer.js';
import { RingBuffer } from './ring-buffer.js';
import { truncated } from './truncate.js';

export interface DebuggingOptions extends BuiltinOptions {
  /** Traces kept. @default 1000 */
  maxTraces?: number;
  /** Data kept per trace, JSON bytes (longer data is kept as a truncated string). @default 4096 */
  maxDataBytes?: number;
}

/** One captured point. */
export interface DebugTrace {
  /** Epoch ms (the hook's clock). */
  readonly at: number;
  readonly point: HookPoint;
  readonly component: ComponentRef;
  readonly language: HookLanguage;
  readonly correlationId: string;
  /** A copy of the data as it was when this (lowest-priority) hook saw it. */
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, string>>;
  /** At an after-point: time since its before-point (same component and correlation), ms. */
  readonly durationMs?: number;
}

export interface TraceQuery {
  point?: HookPoint;
  /** Component name (or `type:name`). */
  component?: string;
  correlationId?: string;
  from?: number;
  to?: number;
  /** Newest first, at most this many. @default all */
  limit?: number;
}

/** What `debugging()` returns. */
export interface DebuggingHook extends BuiltinHook {
  /** Traces matching `query`, newest first. */
  traces(query?: TraceQuery): DebugTrace[];
  /** The same as `traces(query)`, under the name the other built-ins' readers suggest. */
  query(query?: TraceQuery): DebugTrace[];
  clear(): void;
}

/**
 * Captures a trace of every point it sees — point, component, language, correlation id, a copy of
 * the data (bounded) and metadata, and for after-points the duration since the before-point — in
 * a ring of the last `maxTraces`. Query by point, component, correlation or time. Writes
 * `debug_traced_at` and `debug_correlation_id`. Priority `lowest`: it sees what every other hook did.
 *
 * @example
 * ```ts
 * const debug = debugging({ maxTraces: 200 });
 * debug.register(registry);
 * debug.traces({ component: 'shell', limit: 10 });
 * ```
 */
export function debugging(options: DebuggingOptions = {}): DebuggingHook {
  const { clock = systemClock } = options;
  const maxTraces = positiveOption(options.maxTraces, 1000, 'debugging', 'maxTraces');
  const maxDataBytes = positiveOption(options.maxDataBytes, 4096, 'debugging', 'maxDataBytes');
  const traces = new RingBuffer<DebugTrace>(maxTraces);
  const timer = new OperationTimer(maxTraces);

  const execute = (ctx: HookContext): void => {
    const at = clock.now();
    ctx.metadata.debug_traced_at = isoAt(clock);
    ctx.metadata.debug_correlation_id = ctx.correlationId;
    const durationMs = timer.observe(ctx, at);
    // A copy: the trace must not change when the host or a later hook mutates the data.
    const data = truncated(ctx.data, maxDataBytes, true);
    const trace: DebugTrace = {
      at,
      point: ctx.point,
      component: ctx.component,
      language: ctx.language,
      correlationId: ctx.correlationId,
      data,
      metadata: { ...ctx.metadata },
      ...(durationMs === undefined ? {} : { durationMs }),
    };
    traces.push(trace);
  };

  const find = (query: TraceQuery = {}): DebugTrace[] => {
    const out: DebugTrace[] = [];
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    for (const t of traces.items(true)) {
      if (out.length >= limit) break;
      if (query.point !== undefined && t.point !== query.point) continue;
      if (
        query.component !== undefined &&
        t.component.name !== query.component &&
        `${t.component.type}:${t.component.name}` !== query.component
      )
        continue;
      if (query.correlationId !== undefined && t.correlationId !== query.correlationId) continue;
      if (query.from !== undefined && t.at < query.from) continue;
      if (query.to !== undefined && t.at > query.to) continue;
      out.push(t);
    }
    return out;
  };

  return defineBuiltin(
    { name: 'debugging', priority: 'lowest', points: HOOK_POINTS, options, execute },
    {
      traces: find,
      query: find,
      clear() {
        traces.clear();
        timer.clear();
      },
    },
  );
}
