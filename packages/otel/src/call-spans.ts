import { type Attributes, context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { ATTR, genAiAttributes, read, scalar } from './attributes.js';

/**
 * A guarded call as `@hookspell/ai-sdk` hands it to a call tracer (its `TracedCall`, restated here
 * so this package needs no `@hookspell/ai-sdk`).
 */
export interface TracedCall {
  readonly kind: string;
  readonly target: string;
  readonly component: { readonly type?: string; readonly name?: string } | undefined;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What `@hookspell/ai-sdk`'s `callTracer` option takes (its `CallTracer`). */
export interface CallTracer {
  start(call: TracedCall): CallScope | undefined;
}
export interface CallScope {
  run<T>(fn: () => T): T;
  end(how: { readonly error?: unknown; readonly summary?: Readonly<Record<string, unknown>> }): void;
}

/**
 * Spans for model and tool calls, named as the GenAI conventions name them — `chat <model>`,
 * `execute_tool <tool>` — with their attributes, made active around the call so its fires (and
 * anything else the call does) nest inside. At the end: the usage and finish reason of a model
 * call; status ERROR for a failed or cancelled call. MCP tool listings get no span (the fires
 * and events still are recorded).
 */
export function callTracer(tracer: Tracer, failed: (error: unknown) => void): CallTracer {
  return {
    start(call) {
      try {
        const model = call.kind === 'model';
        if (!model && call.kind !== 'tool') return undefined;
        const point = model ? 'BeforeAgentExecution' : 'BeforeToolExecution';
        const attributes: Attributes = genAiAttributes(point, call.data) ?? {};
        const type = scalar(read(call.component, 'type'));
        const name = scalar(read(call.component, 'name'));
        if (type !== undefined) attributes[ATTR.COMPONENT_TYPE] = type;
        if (name !== undefined) attributes[ATTR.COMPONENT_NAME] = name;
        const what = model ? call.target : String(read(call.data, 'tool_name') ?? call.target);
        const parent = context.active();
        const span = tracer.startSpan(
          `${model ? 'chat' : 'execute_tool'} ${what}`,
          { kind: model ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes },
          parent,
        );
        const inCall = trace.setSpan(parent, span);
        return {
          run: (fn) => context.with(inCall, fn),
          end(how) {
            try {
              const summary = how.summary;
              const usage = read(summary, 'usage');
              const input = scalar(read(usage, 'inputTokens'));
              const output = scalar(read(usage, 'outputTokens'));
              if (input !== undefined) span.setAttribute(ATTR.GEN_AI_INPUT_TOKENS, input);
              if (output !== undefined) span.setAttribute(ATTR.GEN_AI_OUTPUT_TOKENS, output);
              const finish = read(summary, 'finishReason');
              if (typeof finish === 'string') span.setAttribute(ATTR.GEN_AI_FINISH_REASONS, [finish]);
              if (how.error !== undefined) {
                const code = read(how.error, 'code');
                span.setStatus({
                  code: SpanStatusCode.ERROR,
                  message: String(scalar(read(how.error, 'message')) ?? 'failed'),
                });
                span.setAttribute(
                  'error.type',
                  String(scalar(code) ?? scalar(read(how.error, 'name')) ?? 'Error'),
                );
              } else if (read(summary, 'isError') === true) {
                span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool answered an error result' });
                span.setAttribute('error.type', 'tool_error');
              }
            } catch (error) {
              failed(error);
            } finally {
              span.end();
            }
          },
        };
      } catch (error) {
        failed(error);
        return undefined;
      }
    },
  };
}
