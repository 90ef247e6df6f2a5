import type { LanguageModelMiddleware } from 'ai';
import { AnswerBuilder, partsOf, streamOf } from './answer-stream.js';
import { defaultCacheStore } from './cache-store.js';
import type { Adapter } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode } from './errors.js';
import { CallGuard } from './guarded-call.js';
import {
  answerData,
  answerSummary,
  fromAfter,
  type ModelCallOptions,
  type ModelRedirect,
  modelAdapter,
  modelCall,
} from './model-call.js';
import type {
  CallOptions,
  GenerateResult,
  Model,
  StreamPart,
  StreamResult,
  TokenUsage,
} from './model-types.js';
import { resultWithChanges, toGenerateResult } from './model-values.js';
import type { GuardOptions } from './options.js';
import { MODEL_CALL_POINTS } from './points.js';
import { observeStream } from './stream-observer.js';

/** Options of {@link hookspellMiddleware}. */
export interface HookspellMiddlewareOptions extends GuardOptions {
  /** Component name of every fire (`{ type: 'agent', name }`). @default the model id */
  name?: string;
  /**
   * What after-hooks of a streamed call (`streamText`) can do.
   * - `'observe'` (default): chunks reach the caller as the model sends them; after-hooks see the
   *   final text and usage once the stream ends, before its `finish` part. A `cancel` there adds an
   *   `error` part (a `CallCancelledError`) before `finish`; `modified`, `replace`, `retry` and
   *   `redirect` cannot change what was already sent and are reported to `onWarning`.
   * - `'buffer'`: the whole answer is read first, after-hooks act on it exactly as for
   *   `generateText` (change, replace, cancel, retry), then it is streamed. The first chunk waits
   *   for the whole answer.
   * @default 'observe'
   */
  stream?: 'observe' | 'buffer';
  /** Resolves a hook's `redirect(target)`: the model that answers instead (e.g. `(t) => models[t]`). */
  redirect?: ModelRedirect;
  /** Prices a call for the after data's `cost` and `model.call.finished`'s `cost` (e.g. from your price table). */
  cost?: (usage: TokenUsage) => number | undefined;
}

/** An answer read whole from a stream (`stream: 'buffer'`): its parts, and its final form. */
interface Buffered {
  readonly parts: readonly StreamPart[];
  readonly result: GenerateResult;
  readonly request?: StreamResult['request'];
  readonly response?: StreamResult['response'];
}
const BUFFERED = Symbol('buffered');

/**
 * A language-model middleware that puts every model call through hookspell's hook points:
 * `BeforeAgentExecution` before the call (data: `model`, `provider`, `mode`, `prompt`, `settings`,
 * `tools`, `attempt`), `AfterAgentExecution` after it (plus `text`, `content`, `finishReason`,
 * `usage`, `token_usage`, `cost` when known), `AgentError` when it throws (plus `error`). Every hook
 * result is honoured: `cancel` throws a `CallCancelledError` (`HOOKSPELL_MODEL_CALL_CANCELLED`),
 * `modified` changes the prompt or settings (before) or the answer's `text`/`content` (after),
 * `replace`/`cache` answer without calling the model, `retry` calls again, `redirect` calls the model
 * `options.redirect` names, `fork` runs through `options.fork`.
 *
 * @example
 * ```ts
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: hookspellMiddleware({ executor }) });
 * await generateText({ model, prompt: 'Hello' });
 * ```
 */
export function hookspellMiddleware(options: HookspellMiddlewareOptions): LanguageModelMiddleware {
  checkOptions(options);
  const mode = options.stream ?? 'observe';
  // One store for both guards: an answer cached by generateText serves streamText, and back.
  const shared: HookspellMiddlewareOptions = {
    ...options,
    cacheStore: options.cacheStore ?? defaultCacheStore(),
  };
  const modelOptions: ModelCallOptions = {
    name: options.name,
    redirect: options.redirect,
    cost: options.cost,
  };
  const generate = new CallGuard(modelAdapter(modelOptions), shared);
  const buffered = mode === 'buffer' ? new CallGuard(bufferedAdapter(modelOptions), shared) : undefined;
  const bus = shared.bus !== undefined;
  const warned = new Set<string>();

  return {
    specificationVersion: 'v3',
    wrapGenerate: ({ params, model }) =>
      generate.run(modelCall('generate', params, model, modelOptions, bus)),
    wrapStream: async ({ params, model }) => {
      const call = modelCall('stream', params, model, modelOptions, bus);
      if (buffered === undefined) return observeStream(generate, call, warned);
      const answer = await buffered.run({
        ...call,
        run: async (d, outcome) => readWhole(await model.doStream(call.paramsFor(d, outcome))),
        redirect: async (to, d, phase) =>
          readWhole(await (await call.redirectModel(to, phase)).doStream(call.paramsFor(d, undefined))),
      });
      return { stream: streamOf(answer.parts), request: answer.request, response: answer.response };
    },
  };
}

/** Reads a model's whole stream; a stream that reports an error throws it (the error point handles it). */
async function readWhole(streamed: StreamResult): Promise<Buffered> {
  const builder = new AnswerBuilder();
  const parts: StreamPart[] = [];
  const reader = streamed.stream.getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    builder.add(next.value);
    if (builder.hasError) {
      await reader.cancel().catch(() => {});
      throw builder.error;
    }
    parts.push(next.value);
  }
  return buffer(parts, builder.result(), streamed.request, streamed.response);
}

function buffer(
  parts: readonly StreamPart[],
  result: GenerateResult,
  request?: StreamResult['request'],
  response?: StreamResult['response'],
): Buffered {
  const b: Buffered = { parts, result, request, response };
  Object.defineProperty(b, BUFFERED, { value: true });
  return b;
}

function isBuffered(value: unknown): value is Buffered {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BUFFERED] === true;
}

/** The model adapter over whole streamed answers: the same data and rules, parts rebuilt when changed. */
function bufferedAdapter(options: ModelCallOptions): Adapter<Buffered> {
  return {
    kind: 'model',
    points: MODEL_CALL_POINTS,
    eventPrefix: 'model.call',
    toResult: (value, from) => {
      if (isBuffered(value)) return value;
      const result = toGenerateResult(value, from);
      return buffer(partsOf(result), result);
    },
    afterData: (data, b, call) =>
      answerData(data, b.result, call.data.provider as string, call.target, options),
    resultOf: (given, o, b) => {
      const result = resultWithChanges(given, o.data, b.result, () => fromAfter(o));
      return result === b.result ? b : buffer(partsOf(result), result, b.request, b.response);
    },
    resultSummary: (b, state) => answerSummary(b.result, state, options),
    // Cached as a GenerateResult, so generateText and streamText share entries.
    cacheValue: (b) => b.result,
  };
}

function checkOptions(options: HookspellMiddlewareOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.executor?.fire !== 'function') {
    throw new AiSdkError(
      AiSdkErrorCode.INVALID_ARGUMENT,
      'hookspellMiddleware(): `executor` is required: pass `{ executor: new HookExecutor(registry) }`.',
    );
  }
  if (options.stream !== undefined && options.stream !== 'observe' && options.stream !== 'buffer') {
    throw new AiSdkError(
      AiSdkErrorCode.INVALID_ARGUMENT,
      `hookspellMiddleware(): \`stream\` is ${JSON.stringify(options.stream)}; use 'observe' (chunks as they come, after-hooks observe) or 'buffer' (after-hooks may change the answer).`,
    );
  }
}

export type { CallOptions, Model };
