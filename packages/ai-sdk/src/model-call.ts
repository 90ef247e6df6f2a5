import type { HookOutcome } from '@hookspell/hooks';
import type { Adapter, CallSpec, CallState, ValueSource } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode, type CallPhase } from './errors.js';
import type { CallOptions, GenerateResult, Model, TokenUsage } from './model-types.js';
import {
  type GivenRequest,
  lastUserText,
  paramsFrom,
  providerName,
  resultWithChanges,
  settingsOf,
  textOf,
  toGenerateResult,
  tokenUsage,
  usageSummary,
} from './model-values.js';
import { MODEL_CALL_POINTS } from './points.js';

/** Resolves a hook's `redirect(target)` to the model that answers instead. */
export type ModelRedirect = (
  target: string,
  context: { params: CallOptions; model: Model },
) => Model | undefined | PromiseLike<Model | undefined>;

/** What the model adapter needs of the middleware's options. */
export interface ModelCallOptions {
  name?: string | undefined;
  redirect?: ModelRedirect | undefined;
  cost?: ((usage: TokenUsage) => number | undefined) | undefined;
}

/** One model call as the engine guards it; `paramsFor` applies the before-hooks' changes. */
export interface ModelCall extends CallSpec<GenerateResult> {
  readonly params: CallOptions;
  readonly model: Model;
  /** `outcome`: the before fire, to name the hook of a bad modification. */
  paramsFor(data: Record<string, unknown>, outcome: HookOutcome | undefined): CallOptions;
  /** The model a `redirect(target)` names (a typed error when none). */
  redirectModel(target: string, phase: CallPhase): Promise<Model>;
}

/** The name of the hook whose `modified` result wrote `key`, for error messages. */
export function modifierOf(o: HookOutcome, key: string): string | undefined {
  return o.records.find((r) => r.result?.type === 'modified' && key in r.result.data)?.name;
}

/** Builds the guarded form of one call to `model`. */
export function modelCall(
  mode: 'generate' | 'stream',
  params: CallOptions,
  model: Model,
  options: ModelCallOptions,
  withSummary: boolean,
): ModelCall {
  const given: GivenRequest = {
    messages: params.prompt,
    prompt: lastUserText(params.prompt),
    settings: settingsOf(params),
  };
  const tools = params.tools === undefined ? [] : params.tools.map((t) => t.name);
  const target = model.modelId;
  const data: Record<string, unknown> = {
    model: target,
    provider: model.provider,
    mode,
    prompt: given.prompt,
    messages: given.messages,
    settings: given.settings,
    tools,
  };
  const paramsFor = (d: Record<string, unknown>, outcome: HookOutcome | undefined): CallOptions =>
    paramsFrom(params, d, given, (key) => ({
      phase: 'before',
      point: MODEL_CALL_POINTS.before,
      hook: outcome === undefined ? undefined : modifierOf(outcome, key),
    }));
  const redirectModel = async (to: string, phase: CallPhase): Promise<Model> => {
    const other = options.redirect === undefined ? undefined : await options.redirect(to, { params, model });
    if (other === undefined || other === null) {
      throw new AiSdkError(
        AiSdkErrorCode.REDIRECT_UNHANDLED,
        `a hook at the ${phase} point of model '${target}' answered redirect('${to}'), and ${
          options.redirect === undefined
            ? 'hookspellMiddleware was given no `redirect` option'
            : "the middleware's `redirect` option gave no model for it"
        }. Pass \`redirect: (target) => models[target]\` returning a language model.`,
      );
    }
    return other;
  };
  return {
    target,
    component: { type: 'agent', name: options.name ?? target },
    data,
    summary: withSummary ? { model: target, provider: model.provider, mode } : undefined,
    signal: params.abortSignal,
    params,
    model,
    paramsFor,
    redirectModel,
    run: async (d, outcome) => model.doGenerate(paramsFor(d, outcome)),
    // The other model gets the prompt and settings the before-hooks left.
    redirect: async (to, d, phase) => (await redirectModel(to, phase)).doGenerate(paramsFor(d, undefined)),
  };
}

/** The model adapter: answers validated as `GenerateResult`s, after data with text, usage and cost. */
export function modelAdapter(options: ModelCallOptions): Adapter<GenerateResult> {
  return {
    kind: 'model',
    points: MODEL_CALL_POINTS,
    eventPrefix: 'model.call',
    toResult: (value, from) => toGenerateResult(value, from),
    afterData: (data, result, call) =>
      answerData(data, result, call.data.provider as string, call.target, options),
    resultOf: (given, o, result) => resultWithChanges(given, o.data, result, () => fromAfter(o)),
    resultSummary: (result, state) => answerSummary(result, state, options),
  };
}

export function fromAfter(o: HookOutcome): Omit<ValueSource, 'via'> {
  return { phase: 'after', point: o.point, hook: modifierOf(o, 'content') ?? modifierOf(o, 'text') };
}

/** The after data of an answer: the call's data plus text, content, finish reason, usage and cost. */
export function answerData(
  data: Record<string, unknown>,
  result: GenerateResult,
  provider: string,
  modelId: string,
  options: ModelCallOptions,
): Record<string, unknown> {
  const usage = usageSummary(result.usage);
  const token_usage = tokenUsage(usage, modelId, providerName(provider));
  const out: Record<string, unknown> = {
    ...data,
    text: textOf(result.content),
    content: result.content,
    finishReason: result.finishReason.unified,
    usage,
    token_usage,
  };
  const cost = options.cost?.(token_usage);
  if (cost !== undefined) out.cost = cost;
  return out;
}

/** What `model.call.finished` says: finish reason, usage and, when known, cost. */
export function answerSummary(
  result: GenerateResult,
  state: CallState<unknown>,
  options: ModelCallOptions,
): Record<string, unknown> {
  const usage = usageSummary(result.usage);
  const out: Record<string, unknown> = { finishReason: result.finishReason.unified, usage };
  const provider = providerName(String(state.call.data.provider));
  const cost = options.cost?.(tokenUsage(usage, state.call.target, provider));
  // Else what the costTracking built-in priced, if it ran at AfterAgentExecution.
  const tracked = state.metadata.cost_total;
  if (cost !== undefined) out.cost = cost;
  else if (tracked !== undefined && Number.isFinite(Number(tracked))) out.cost = Number(tracked);
  return out;
}
