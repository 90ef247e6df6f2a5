import type { AnyHookExecutor, FireRecorder } from '@hookspell/hooks';
import { HookError } from '@hookspell/hooks';
import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { type CallTracer, callTracer } from './call-spans.js';
import { CorrelationTraces } from './correlation-traces.js';
import { OtelError, OtelErrorCode } from './errors.js';
import { type ObservedEvent, recordEvent } from './event-spans.js';
import { recordFire } from './fire-spans.js';

/** The tracer name (and instrumentation scope) of the spans this package makes. */
export const TRACER_NAME = '@hookspell/otel';

/** Anything with `subscribe(pattern, handler)`: an `EventBus` of `@hookspell/events`. */
export interface EventSource {
  subscribe(
    pattern: string,
    handler: (event: ObservedEvent) => unknown,
    options?: { name?: string },
  ): {
    unsubscribe(): unknown;
  };
}

/** Options of {@link instrumentHookspell}. */
export interface InstrumentOptions {
  /** Its finished fires become spans (through `executor.attachRecorder`). */
  executor: AnyHookExecutor;
  /** Its events become span events (hook lifecycle events excepted: those are the spans). */
  bus?: EventSource;
  /** Which events of the `bus` to record (a pattern of `@hookspell/events`). @default '**' */
  events?: string;
  /** The tracer to use. @default `tracerProvider.getTracer('@hookspell/otel')` */
  tracer?: Tracer;
  /** Where to get the tracer. @default the global provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /**
   * A correlation's root span (`hookspell.correlation`, for what is recorded with no span around
   * it) ends this long after the last fire or event of the correlation. @default 2000
   */
  traceIdleMs?: number;
  /** At most this many correlation root spans open at once; past it the least recently used ends. @default 1000 */
  maxOpenTraces?: number;
  /**
   * Failures while recording (a tracer that throws): the fire or event goes on, the failure comes
   * here. @default a process warning, once per instrumentation
   */
  onError?: (error: unknown) => void;
}

/** What {@link instrumentHookspell} returns: stop recording (also `using`). */
export interface HookspellInstrumentation {
  /** Detaches from the executor and the bus, and ends every open correlation root span. */
  dispose(): void;
  [Symbol.dispose](): void;
  /** Ends the root span of one correlation now (e.g. when a run is over), instead of after `traceIdleMs`. */
  endTrace(correlationId: string): void;
  /**
   * Pass as `callTracer` to `hookspellMiddleware`, `guardTools` or `guardMcpClient`: each model
   * call becomes a span `chat <model>`, each tool call `execute_tool <tool>` (GenAI attributes,
   * usage at the end, ERROR when it failed or was cancelled), with the call's fires inside it.
   */
  readonly callTracer: CallTracer;
}

/**
 * Sends what hookspell does to OpenTelemetry, through `@opentelemetry/api` (so any SDK and exporter
 * works): each fire of `executor` is a span `hookspell.fire <point>`, each hook execution a child
 * span `hookspell.hook <name>` (status, result type, breaker state), each event of `bus` a span
 * event. Fires around model and tool calls carry the GenAI semantic-convention attributes
 * (`gen_ai.request.model`, `gen_ai.usage.input_tokens`, `gen_ai.tool.name`…). Spans nest under the
 * span active where the fire ran (an AI SDK step, your agent's span); with none, a correlation id
 * is one trace. Recording never fails a fire or a publish.
 *
 * @example
 * ```ts
 * const otel = instrumentHookspell({ executor, bus });
 * await withCorrelation('run-1', () => agent.run());
 * otel.dispose();
 * ```
 */
export function instrumentHookspell(options: InstrumentOptions): HookspellInstrumentation {
  const { executor, bus } = checkOptions(options);
  const tracer =
    options.tracer ?? (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  const traces = new CorrelationTraces(tracer, options.traceIdleMs ?? 2000, options.maxOpenTraces ?? 1000);
  let warned = false;
  const onError =
    options.onError ??
    ((error: unknown) => {
      if (warned) return;
      warned = true;
      process.emitWarning(
        `[hookspell] [otel] recording a fire or an event failed (${String((error as Error)?.message ?? error)}); hookspell went on. Further failures of this instrumentation are not reported.`,
        { code: 'HOOKSPELL_OTEL_RECORD_FAILED' },
      );
    });
  const failed = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // An error handler that throws has nowhere left to report to.
    }
  };

  const recorder: FireRecorder = {
    record(fire) {
      try {
        recordFire(fire, tracer, executor, traces);
      } catch (error) {
        failed(error);
      }
    },
  };
  // Shares the executor with any other recorder (a hook journal): each gets every fire.
  const detach = executor.attachRecorder(recorder);

  let subscription: { unsubscribe(): unknown } | undefined;
  if (bus !== undefined) {
    try {
      subscription = bus.subscribe(
        options.events ?? '**',
        (event) => {
          try {
            const type = event.type;
            // Fires and hook executions are spans already.
            if (type.startsWith('hook.fire.') || type.startsWith('hook.execution.')) return;
            recordEvent(event, tracer, traces);
          } catch (error) {
            failed(error);
          }
        },
        { name: 'hookspell-otel' },
      );
    } catch (error) {
      detach();
      throw error;
    }
  }

  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    detach();
    try {
      subscription?.unsubscribe();
    } catch (error) {
      failed(error);
    }
    traces.endAll();
  };
  return {
    dispose,
    [Symbol.dispose]: dispose,
    endTrace: (id) => traces.end(id),
    callTracer: callTracer(tracer, failed),
  };
}

function checkOptions(options: InstrumentOptions): InstrumentOptions {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.executor?.attachRecorder !== 'function'
  ) {
    throw new OtelError(
      OtelErrorCode.INVALID_ARGUMENT,
      'instrumentHookspell(): `executor` is required: pass `{ executor: new HookExecutor(registry) }`.',
    );
  }
  if (options.bus !== undefined && typeof options.bus?.subscribe !== 'function') {
    throw new OtelError(
      OtelErrorCode.INVALID_ARGUMENT,
      'instrumentHookspell(): `bus` has no `subscribe(pattern, handler)`; pass an EventBus of @hookspell/events, or leave it out.',
    );
  }
  if (options.tracer !== undefined && typeof options.tracer?.startSpan !== 'function') {
    throw new OtelError(
      OtelErrorCode.INVALID_ARGUMENT,
      'instrumentHookspell(): `tracer` has no `startSpan`; pass a Tracer of @opentelemetry/api (e.g. `trace.getTracer("my-app")`).',
    );
  }
  for (const key of ['traceIdleMs', 'maxOpenTraces'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && v >= 1 && Number.isFinite(v))) {
      throw new OtelError(
        OtelErrorCode.INVALID_ARGUMENT,
        `instrumentHookspell(): \`${key}\` must be a number ≥ 1; got ${String(v)}.`,
      );
    }
  }
  return options;
}
