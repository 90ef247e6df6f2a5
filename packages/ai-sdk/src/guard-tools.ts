import type { ToolExecutionOptions, ToolSet } from 'ai';
import { type Adapter, type CallSpec, RETRY } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode, CallCancelledError, type CallPhase } from './errors.js';
import { CallGuard } from './guarded-call.js';
import type { GuardOptions } from './options.js';
import { TOOL_CALL_POINTS } from './points.js';
import { jsonValueProblem, toolInvalid } from './tool-values.js';

/** Options of {@link guardTools}. */
export interface GuardToolsOptions extends GuardOptions {
  /**
   * Resolves a hook's `redirect(target)`: the output of the call made elsewhere.
   * @default runs the tool named `target` of the same set (its own `execute`, unguarded) with the input
   */
  redirect?: (
    target: string,
    input: unknown,
    context: { tool: string; toolCallId: string; phase: CallPhase },
  ) => unknown;
  /**
   * What a cancelled call gives the model. By default `execute` throws the `CallCancelledError`: the
   * AI SDK records a `tool-error` (the error object, for your code) and the model reads its message
   * as the tool's error result, and can react to it — the generation goes on. Return an output
   * here to have the model read that instead, as an ordinary tool result.
   */
  onCancel?: (error: CallCancelledError) => unknown;
}

type Execute = (input: unknown, options: ToolExecutionOptions) => unknown;

/**
 * Wraps the tools of an AI SDK tool set so each `execute` goes through hookspell's tool points:
 * `BeforeToolExecution` (data `{ tool_name, tool_input, tool_use_id, attempt }`: the
 * field names Claude Code's hooks use; component `{ type: 'tool', name }`), `AfterToolExecution`
 * (plus `tool_response`), `ToolError` (plus `error`), every result honoured: `cancel` (see
 * `onCancel`), `modified` (`tool_input` before, `tool_response` after),
 * `replace`/`cache` (the output, without running the tool), `retry`, `redirect`, `fork`. Tools
 * without `execute` (client-side and provider-executed tools) are returned as they are.
 *
 * @example
 * ```ts
 * const tools = guardTools({ weather, deleteFile }, { executor });
 * await generateText({ model, tools, stopWhen: stepCountIs(5), prompt });
 * ```
 */
export function guardTools<T extends ToolSet>(tools: T, options: GuardToolsOptions): T {
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
    throw new AiSdkError(
      AiSdkErrorCode.INVALID_ARGUMENT,
      'guardTools(): `tools` must be an AI SDK tool set, an object of tools by name (`{ weather: tool({ … }) }`).',
    );
  }
  if (typeof options !== 'object' || options === null || typeof options.executor?.fire !== 'function') {
    throw new AiSdkError(
      AiSdkErrorCode.INVALID_ARGUMENT,
      'guardTools(): `executor` is required: pass `{ executor: new HookExecutor(registry) }`.',
    );
  }
  const guard = new CallGuard<unknown>(toolAdapter, options);
  const originals = new Map<string, Execute>();
  for (const [name, t] of Object.entries(tools)) {
    if (typeof t?.execute === 'function') originals.set(name, t.execute.bind(t) as Execute);
  }
  const redirect = (
    target: string,
    input: unknown,
    context: { tool: string; toolCallId: string; phase: CallPhase },
    execOptions: ToolExecutionOptions,
  ) => {
    if (options.redirect !== undefined) return options.redirect(target, input, context);
    const other = originals.get(target);
    if (other === undefined) {
      throw new AiSdkError(
        AiSdkErrorCode.REDIRECT_UNHANDLED,
        `a hook at the ${context.phase} point of tool '${context.tool}' answered redirect('${target}'), and the tool set has no tool '${target}' with an execute (it has ${[...originals.keys()].map((k) => `'${k}'`).join(', ') || 'none'}). Redirect to one of them, or pass a \`redirect\` option.`,
      );
    }
    return lastOf(other(input, execOptions));
  };

  const out: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(tools)) {
    const original = originals.get(name);
    if (original === undefined) {
      out[name] = t;
      continue;
    }
    const call = (
      input: unknown,
      execOptions: ToolExecutionOptions,
      run: CallSpec<unknown>['run'],
    ): CallSpec<unknown> => ({
      target: name,
      component: { type: 'tool', name },
      data: { tool_name: name, tool_input: input, tool_use_id: execOptions.toolCallId },
      summary: guard.reporter.enabled ? { tool: name, toolCallId: execOptions.toolCallId } : undefined,
      signal: execOptions.abortSignal,
      run,
      redirect: async (target, d, phase) =>
        redirect(
          target,
          d.tool_input,
          { tool: name, toolCallId: execOptions.toolCallId, phase },
          execOptions,
        ),
    });
    const cancelled = (error: unknown): unknown => {
      if (options.onCancel !== undefined && CallCancelledError.isInstance(error))
        return options.onCancel(error);
      throw error;
    };
    const execute = isAsyncGeneratorFunction(t.execute)
      ? async function* guardedStreamingExecute(input: unknown, execOptions: ToolExecutionOptions) {
          try {
            yield* streamingCall(guard, call(input, execOptions, unused), original, execOptions);
          } catch (error) {
            yield cancelled(error);
          }
        }
      : async (input: unknown, execOptions: ToolExecutionOptions) => {
          try {
            return await guard.run(
              call(input, execOptions, async (d) => lastOf(original(d.tool_input, execOptions))),
            );
          } catch (error) {
            return cancelled(error);
          }
        };
    out[name] = { ...t, execute };
  }
  return out as T;
}

const unused = async (): Promise<never> => {
  throw new Error('unreachable: a streaming tool is run by streamingCall');
};

/**
 * A streaming tool (`async function* execute`): before-hooks first; every value it yields passes
 * on as it comes (the AI SDK shows them as preliminary results); the last one is the output the
 * after-hooks see, and if they change or replace it, the new output is yielded last.
 */
async function* streamingCall(
  guard: CallGuard<unknown>,
  call: CallSpec<unknown>,
  original: Execute,
  execOptions: ToolExecutionOptions,
): AsyncGenerator<unknown, void, undefined> {
  const state = guard.start(call);
  try {
    for (let n = 1; ; n++) {
      state.attempts = n;
      const step = await guard.before(state, n);
      if (step === RETRY) continue;
      if (step.done) {
        state.source = step.source;
        guard.finished(state, step.value);
        yield step.value;
        return;
      }
      let last: unknown;
      try {
        if (step.redirect !== undefined) {
          state.source = 'redirect';
          last = await guard.redirected(state, step.redirect, step.data, 'before', step.outcome);
          yield last;
        } else {
          const produced = original(step.data.tool_input, execOptions);
          if (isAsyncIterable(produced)) {
            for await (const value of produced) yield (last = value);
          } else {
            yield (last = await produced);
          }
        }
      } catch (thrown) {
        if (step.forked !== undefined) guard.options.onFork?.(await step.forked, 'before');
        const recovered = await guard.error(state, n, step.data, thrown);
        if (recovered === RETRY) continue;
        guard.finished(state, recovered);
        yield recovered;
        return;
      }
      const output = await guard.after(state, n, step, last);
      if (output === RETRY) continue;
      guard.finished(state, output);
      if (output !== last) yield output;
      return;
    }
  } catch (error) {
    guard.failed(state, error);
    throw error;
  }
}

/** The tool adapter: outputs are any JSON value. */
const toolAdapter: Adapter<unknown> = {
  kind: 'tool',
  points: TOOL_CALL_POINTS,
  eventPrefix: 'tool.call',
  toResult: (value, from) => {
    const problem = jsonValueProblem(value);
    if (problem !== undefined) throw toolInvalid(from, 'output', problem);
    return value;
  },
  afterData: (data, output) => ({ ...data, tool_response: output }),
  resultOf: (given, o, output) => {
    const changed = o.data.tool_response;
    if (changed === given.tool_response) return output;
    const problem = jsonValueProblem(changed);
    if (problem !== undefined) {
      const hook = o.records.find(
        (r) => r.result?.type === 'modified' && 'tool_response' in r.result.data,
      )?.name;
      throw toolInvalid({ phase: 'after', point: o.point, hook, via: 'modified' }, 'tool_response', problem);
    }
    return changed;
  },
};

/** A tool that returned an async iterable without being an async generator function: its last value. */
async function lastOf(produced: unknown): Promise<unknown> {
  const value = await produced;
  if (!isAsyncIterable(value)) return value;
  let last: unknown;
  for await (const v of value) last = v;
  return last;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}

function isAsyncGeneratorFunction(fn: unknown): boolean {
  return (
    typeof fn === 'function' &&
    (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'AsyncGeneratorFunction'
  );
}
