import type { Attributes, AttributeValue } from '@opentelemetry/api';

/**
 * Attribute names. `hookspell.*` are ours; `gen_ai.*` are the OpenTelemetry GenAI semantic
 * conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/), written here as strings so the
 * package needs no `@opentelemetry/semantic-conventions` (whose GenAI names are still incubating).
 */
export const ATTR = Object.freeze({
  POINT: 'hookspell.point',
  MODE: 'hookspell.mode',
  COMPONENT_TYPE: 'hookspell.component.type',
  COMPONENT_NAME: 'hookspell.component.name',
  CORRELATION_ID: 'hookspell.correlation_id',
  DECISION: 'hookspell.decision',
  HOOK_NAME: 'hookspell.hook.name',
  HOOK_LANGUAGE: 'hookspell.hook.language',
  HOOK_STATUS: 'hookspell.hook.status',
  HOOK_RESULT_TYPE: 'hookspell.hook.result_type',
  HOOK_REASON: 'hookspell.hook.reason',
  BREAKER_STATE: 'hookspell.hook.breaker_state',
  EVENT_ID: 'hookspell.event.id',
  EVENT_TYPE: 'hookspell.event.type',
  GEN_AI_OPERATION: 'gen_ai.operation.name',
  GEN_AI_PROVIDER: 'gen_ai.provider.name',
  GEN_AI_REQUEST_MODEL: 'gen_ai.request.model',
  GEN_AI_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  GEN_AI_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  GEN_AI_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  GEN_AI_TOOL_NAME: 'gen_ai.tool.name',
  GEN_AI_TOOL_CALL_ID: 'gen_ai.tool.call.id',
});

const MODEL_POINTS = new Set(['BeforeAgentExecution', 'AfterAgentExecution', 'AgentError']);
const TOOL_POINTS = new Set(['BeforeToolExecution', 'AfterToolExecution', 'ToolError']);

/** `data.settings` keys (the AI SDK's call settings) → GenAI request attributes. */
const SETTINGS: readonly (readonly [string, string])[] = [
  ['maxOutputTokens', 'gen_ai.request.max_tokens'],
  ['temperature', 'gen_ai.request.temperature'],
  ['topP', 'gen_ai.request.top_p'],
  ['topK', 'gen_ai.request.top_k'],
  ['presencePenalty', 'gen_ai.request.presence_penalty'],
  ['frequencyPenalty', 'gen_ai.request.frequency_penalty'],
  ['seed', 'gen_ai.request.seed'],
  ['stopSequences', 'gen_ai.request.stop_sequences'],
];

/** How long a string attribute may be: a hook's reason or a model id, never a whole prompt. */
const MAX_STRING = 512;

/** Reads `object[key]` without letting a getter or proxy trap throw into the recorder. */
export function read(object: unknown, key: string): unknown {
  if ((typeof object !== 'object' && typeof object !== 'function') || object === null) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A string, number or boolean as an attribute value (long strings cut); anything else undefined. */
export function scalar(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    default:
      return undefined;
  }
}

function put(attrs: Attributes, key: string, value: unknown): void {
  const v = scalar(value);
  if (v !== undefined) attrs[key] = v;
}

/** A list of strings (stop sequences), or undefined when it is not one. */
function strings(value: unknown): string[] | undefined {
  try {
    if (!Array.isArray(value) || value.length > 64) return undefined;
    const out: string[] = [];
    for (const v of value) {
      if (typeof v !== 'string') return undefined;
      out.push(v.slice(0, MAX_STRING));
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The GenAI semantic-convention attributes of a fire around a model call or a tool call, read
 * from the data the fire's hooks saw (the keys `@hookspell/ai-sdk` and Claude Code hooks use:
 * `model`, `provider`, `settings`, `usage`, `finishReason`; `tool_name`, `tool_use_id`). Nothing
 * for other points, or when the data has none of these keys. Never throws.
 */
export function genAiAttributes(point: string, data: unknown): Attributes | undefined {
  if (MODEL_POINTS.has(point)) {
    const model = read(data, 'model');
    if (typeof model !== 'string') return undefined;
    const attrs: Attributes = { [ATTR.GEN_AI_OPERATION]: 'chat' };
    put(attrs, ATTR.GEN_AI_REQUEST_MODEL, model);
    const provider = read(data, 'provider');
    put(attrs, ATTR.GEN_AI_PROVIDER, provider);
    const settings = read(data, 'settings');
    for (const [key, name] of SETTINGS) {
      const value = read(settings, key);
      if (key === 'stopSequences') {
        const list = strings(value);
        if (list !== undefined) attrs[name] = list;
      } else put(attrs, name, value);
    }
    const usage = read(data, 'usage');
    put(attrs, ATTR.GEN_AI_INPUT_TOKENS, read(usage, 'inputTokens'));
    put(attrs, ATTR.GEN_AI_OUTPUT_TOKENS, read(usage, 'outputTokens'));
    const finish = read(data, 'finishReason');
    if (typeof finish === 'string') attrs[ATTR.GEN_AI_FINISH_REASONS] = [finish];
    return attrs;
  }
  if (TOOL_POINTS.has(point)) {
    const tool = read(data, 'tool_name');
    if (typeof tool !== 'string') return undefined;
    const attrs: Attributes = { [ATTR.GEN_AI_OPERATION]: 'execute_tool' };
    put(attrs, ATTR.GEN_AI_TOOL_NAME, tool);
    put(attrs, ATTR.GEN_AI_TOOL_CALL_ID, read(data, 'tool_use_id'));
    return attrs;
  }
  return undefined;
}

/**
 * An event's data as span-event attributes: its scalar top-level fields (`data.<key>`), at most
 * `max` of them, and the GenAI ones where they apply (`model.call.finished`'s `usage`). Never throws.
 */
export function eventAttributes(data: unknown, max = 32): Attributes {
  const attrs: Attributes = {};
  if (typeof data !== 'object' || data === null) {
    put(attrs, 'data', data);
    return attrs;
  }
  let keys: string[];
  try {
    keys = Object.keys(data);
  } catch {
    return attrs;
  }
  let n = 0;
  for (const key of keys) {
    if (n >= max) break;
    const value = read(data, key);
    const v = scalar(value);
    if (v !== undefined) {
      attrs[`data.${key}`] = v;
      n++;
    }
  }
  const usage = read(data, 'usage');
  put(attrs, ATTR.GEN_AI_INPUT_TOKENS, read(usage, 'inputTokens'));
  put(attrs, ATTR.GEN_AI_OUTPUT_TOKENS, read(usage, 'outputTokens'));
  return attrs;
}
