import { describeThrown, nearestName } from '@hookspell/hooks';
import type { ValueSource } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode } from './errors.js';
import type {
  CallOptions,
  Content,
  FinishReason,
  GenerateResult,
  Prompt,
  TokenUsage,
  Usage,
  UsageSummary,
} from './model-types.js';

/**
 * The call settings hooks see as `data.settings` and may change with `modified({ settings })`.
 * Everything else of a call (the abort signal, the tools offered) is the host's.
 */
export const SETTING_KEYS = [
  'maxOutputTokens',
  'temperature',
  'stopSequences',
  'topP',
  'topK',
  'presencePenalty',
  'frequencyPenalty',
  'responseFormat',
  'seed',
  'toolChoice',
  'headers',
  'providerOptions',
] as const satisfies readonly (keyof CallOptions)[];

type SettingKey = (typeof SETTING_KEYS)[number];
export type Settings = Partial<Pick<CallOptions, SettingKey>>;

const SETTING_SET = new Set<string>(SETTING_KEYS);
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const FINISH_REASONS = new Set(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other']);

/** The settings a call was made with (only those set). */
export function settingsOf(params: CallOptions): Settings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (params[key] !== undefined) out[key] = params[key];
  return out as Settings;
}

/** The text of the last user message of a prompt: what hooks see (and may change) as `data.prompt`. */
export function lastUserText(prompt: Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const m = prompt[i]!;
    if (m.role !== 'user') continue;
    let text = '';
    for (const part of m.content) if (part.type === 'text') text += part.text;
    return text;
  }
  return '';
}

/** `prompt` with the text of its last user message replaced by `text` (other parts kept), or one added. */
function withLastUserText(prompt: Prompt, text: string): Prompt {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const m = prompt[i]!;
    if (m.role !== 'user') continue;
    const content: typeof m.content = [];
    let placed = false;
    for (const part of m.content) {
      if (part.type !== 'text') content.push(part);
      else if (!placed) {
        content.push({ ...part, text });
        placed = true;
      }
    }
    if (!placed) content.unshift({ type: 'text', text });
    const next = [...prompt];
    next[i] = { ...m, content };
    return next;
  }
  return [...prompt, { role: 'user', content: [{ type: 'text', text }] }];
}

/** What the before-hooks were given, to tell what they changed. */
export interface GivenRequest {
  readonly messages: Prompt;
  readonly prompt: string;
  readonly settings: Settings;
}

/**
 * The call options after the before-hooks: `params` itself when they changed neither the messages,
 * the prompt text nor the settings (no copy), else a copy with the new `messages` (validated), the
 * new `prompt` text put in the last user message, and the new `settings` merged over the call's (a
 * setting given as `undefined` or `null` is removed).
 */
export function paramsFrom(
  params: CallOptions,
  data: Record<string, unknown>,
  given: GivenRequest,
  from: (key: string) => Omit<ValueSource, 'via'>,
): CallOptions {
  const { messages, prompt, settings } = data;
  if (messages === given.messages && prompt === given.prompt && settings === given.settings) return params;
  const next: CallOptions = { ...params };
  if (messages !== given.messages) next.prompt = checkMessages(messages, from);
  if (prompt !== given.prompt) {
    if (typeof prompt !== 'string') {
      throw invalid(from('prompt'), 'modified', 'prompt', `it is ${kind(prompt)}`, PROMPT_TEXT_SHAPE);
    }
    next.prompt = withLastUserText(next.prompt, prompt);
  }
  if (settings !== given.settings) {
    const s = checkSettings(settings, from) as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      if (s[key] === undefined || s[key] === null) delete (next as Record<string, unknown>)[key];
      else (next as Record<string, unknown>)[key] = s[key];
    }
  }
  return next;
}

function checkMessages(value: unknown, from: (key: string) => Omit<ValueSource, 'via'>): Prompt {
  const problem = readSafely(() => messagesProblem(value));
  if (problem !== undefined) throw invalid(from('messages'), 'modified', 'messages', problem, MESSAGES_SHAPE);
  return value as Prompt;
}

function messagesProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `it is ${kind(value)}, not an array of messages`;
  for (let i = 0; i < value.length; i++) {
    const m = value[i] as { role?: unknown; content?: unknown } | null;
    if (typeof m !== 'object' || m === null) return `messages[${i}] is ${kind(m)}, not a message object`;
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
      return `messages[${i}].role is ${JSON.stringify(m.role)}, not one of system, user, assistant, tool`;
    }
    if (m.role === 'system' ? typeof m.content !== 'string' : !Array.isArray(m.content)) {
      return `messages[${i}].content must be ${m.role === 'system' ? 'a string' : 'an array of parts'}`;
    }
  }
  return undefined;
}

const MESSAGES_SHAPE =
  "`messages` must stay an array of messages: { role: 'system', content: string } or { role: 'user' | 'assistant' | 'tool', content: [parts] } (read `ctx.data.messages` for the form)";
const PROMPT_TEXT_SHAPE =
  '`prompt` is the text of the last user message: give a string (change `messages` to rewrite the whole conversation)';

function checkSettings(value: unknown, from: (key: string) => Omit<ValueSource, 'via'>): Settings {
  if (!isRecord(value)) {
    throw invalid(
      from('settings'),
      'modified',
      'settings',
      `it is ${kind(value)}`,
      '`settings` must be an object',
    );
  }
  for (const key of Object.keys(value)) {
    if (!SETTING_SET.has(key)) {
      const near = nearestName(key, SETTING_KEYS);
      throw invalid(
        from('settings'),
        'modified',
        'settings',
        `'${key}' is not a call setting${near ? ` (did you mean '${near}'?)` : ''}`,
        `settings are ${SETTING_KEYS.join(', ')}`,
      );
    }
  }
  return value as Settings;
}

/** The text of an answer: its text parts, joined. */
export function textOf(content: readonly Content[]): string {
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}

/** `usage` flattened as the AI SDK reports it to users. */
export function usageSummary(usage: Usage | undefined): UsageSummary {
  const input = usage?.inputTokens?.total;
  const output = usage?.outputTokens?.total;
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input === undefined && output === undefined ? undefined : (input ?? 0) + (output ?? 0),
    reasoningTokens: usage?.outputTokens?.reasoning,
    cachedInputTokens: usage?.inputTokens?.cacheRead,
  };
}

/** `usage` in the shape of the `costTracking` built-in's `data.token_usage`. */
export function tokenUsage(summary: UsageSummary, model: string, provider: string): TokenUsage {
  const input = summary.inputTokens ?? 0;
  const output = summary.outputTokens ?? 0;
  return { input_tokens: input, output_tokens: output, total_tokens: input + output, model, provider };
}

/** `openai.chat` → `openai`: the name price tables use. */
export function providerName(provider: string): string {
  const dot = provider.indexOf('.');
  return dot === -1 ? provider : provider.slice(0, dot);
}

/** No tokens: what a replaced or cached answer cost. */
export const NO_USAGE: Usage = Object.freeze({
  inputTokens: Object.freeze({ total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }),
  outputTokens: Object.freeze({ total: 0, text: 0, reasoning: 0 }),
}) as Usage;

const STOP: FinishReason = Object.freeze({ unified: 'stop', raw: undefined }) as FinishReason;

export const ANSWER_SHAPE =
  "a model answer is a string (its text), or { text?, content?: [parts], finishReason?: 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other', usage? } with `text` or `content` (the parts of a LanguageModelV3 result: { type: 'text', text }, { type: 'tool-call', toolCallId, toolName, input: '<json>' }, …)";

/**
 * A `replace` value, a cached value or a redirected model's answer as a model result. A string is
 * the answer's text; an object needs `text` or `content` and may give `finishReason` (a string or
 * `{ unified, raw }`), `usage` (v3 usage), `warnings`, `providerMetadata`, `response`. Anything
 * else is `HOOKSPELL_INVALID_HOOK_VALUE` naming the hook.
 */
export function toGenerateResult(value: unknown, from: ValueSource): GenerateResult {
  try {
    return generateResultOf(value, from);
  } catch (error) {
    if (AiSdkError.isInstance(error)) throw error;
    // A hostile value (a throwing getter, a revoked Proxy): still a typed error naming the hook.
    throw invalid(
      from,
      from.via,
      'answer',
      `it could not be read (${describeThrown(error).message})`,
      ANSWER_SHAPE,
    );
  }
}

function generateResultOf(value: unknown, from: ValueSource): GenerateResult {
  if (typeof value === 'string') {
    return { content: [{ type: 'text', text: value }], finishReason: STOP, usage: NO_USAGE, warnings: [] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(from, from.via, 'answer', `it is ${kind(value)}`, ANSWER_SHAPE);
  }
  const v = value as Record<string, unknown>;
  let content: Content[];
  if (v.content !== undefined) {
    const problem = contentProblem(v.content);
    if (problem !== undefined) throw invalid(from, from.via, 'answer', problem, ANSWER_SHAPE);
    content = v.content as Content[];
  } else if (typeof v.text === 'string') {
    content = [{ type: 'text', text: v.text }];
  } else {
    throw invalid(
      from,
      from.via,
      'answer',
      'it has neither `text` (a string) nor `content` (an array)',
      ANSWER_SHAPE,
    );
  }
  const finishReason = finishReasonOf(v.finishReason, from);
  const result: GenerateResult = {
    content,
    finishReason,
    usage: v.usage === undefined ? NO_USAGE : checkUsage(v.usage, from),
    warnings: Array.isArray(v.warnings) ? (v.warnings as GenerateResult['warnings']) : [],
  };
  if (v.providerMetadata !== undefined)
    result.providerMetadata = v.providerMetadata as GenerateResult['providerMetadata'];
  if (typeof v.response === 'object' && v.response !== null)
    result.response = v.response as GenerateResult['response'];
  if (typeof v.request === 'object' && v.request !== null)
    result.request = v.request as GenerateResult['request'];
  return result;
}

function finishReasonOf(value: unknown, from: ValueSource): FinishReason {
  if (value === undefined) return STOP;
  if (typeof value === 'string' && FINISH_REASONS.has(value))
    return { unified: value as FinishReason['unified'], raw: value };
  const unified = (value as { unified?: unknown } | null)?.unified;
  if (typeof unified === 'string' && FINISH_REASONS.has(unified)) return value as FinishReason;
  throw invalid(
    from,
    from.via,
    'answer',
    `finishReason ${JSON.stringify(value)} is not a finish reason`,
    ANSWER_SHAPE,
  );
}

function checkUsage(value: unknown, from: ValueSource): Usage {
  const u = value as { inputTokens?: unknown; outputTokens?: unknown } | null;
  if (
    typeof u === 'object' &&
    u !== null &&
    typeof u.inputTokens === 'object' &&
    u.inputTokens !== null &&
    typeof u.outputTokens === 'object' &&
    u.outputTokens !== null
  ) {
    return value as Usage;
  }
  throw invalid(
    from,
    from.via,
    'answer',
    '`usage` must be { inputTokens: { total, … }, outputTokens: { total, … } } (v3 usage)',
    ANSWER_SHAPE,
  );
}

/** Why `value` is not an array of answer parts, or undefined. */
export function contentProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `content is ${kind(value)}, not an array of parts`;
  for (let i = 0; i < value.length; i++) {
    const p = value[i] as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || typeof p.type !== 'string') {
      return `content[${i}] is not a part object with a \`type\``;
    }
    switch (p.type) {
      case 'text':
      case 'reasoning':
        if (typeof p.text !== 'string') return `content[${i}] (${p.type}) needs a string \`text\``;
        break;
      case 'tool-call':
        if (
          typeof p.toolCallId !== 'string' ||
          typeof p.toolName !== 'string' ||
          typeof p.input !== 'string'
        ) {
          return `content[${i}] (tool-call) needs string \`toolCallId\`, \`toolName\` and \`input\` (JSON text)`;
        }
        break;
      case 'file':
      case 'source':
      case 'tool-result':
      case 'tool-approval-request':
        break;
      default:
        return `content[${i}] has the unknown type ${JSON.stringify(p.type)}`;
    }
  }
  return undefined;
}

/**
 * The result an after fire left: `content` if a hook changed it (validated), else `text` if a hook
 * changed it (the text parts become one part holding the new text, other parts kept), else `result`.
 */
export function resultWithChanges(
  given: Record<string, unknown>,
  data: Record<string, unknown>,
  result: GenerateResult,
  from: () => Omit<ValueSource, 'via'>,
): GenerateResult {
  if (data.content !== given.content) {
    const problem = readSafely(() => contentProblem(data.content));
    if (problem !== undefined) throw invalid(from(), 'modified', 'content', problem, ANSWER_SHAPE);
    return { ...result, content: data.content as Content[] };
  }
  if (data.text !== given.text) {
    if (typeof data.text !== 'string') {
      throw invalid(from(), 'modified', 'text', `it is ${kind(data.text)}`, '`text` must be a string');
    }
    return { ...result, content: withText(result.content, data.text) };
  }
  return result;
}

/** `content` with its text parts replaced by one part holding `text`, where the first one was. */
export function withText(content: readonly Content[], text: string): Content[] {
  const out: Content[] = [];
  let placed = false;
  for (const part of content) {
    if (part.type !== 'text') out.push(part);
    else if (!placed) {
      out.push({ type: 'text', text });
      placed = true;
    }
  }
  if (!placed) out.push({ type: 'text', text });
  return out;
}

export function invalid(
  from: Omit<ValueSource, 'via'>,
  via: ValueSource['via'],
  field: string,
  problem: string,
  shape: string,
): AiSdkError {
  const who = from.hook === undefined ? `a hook at ${from.point}` : `hook '${from.hook}' at ${from.point}`;
  const what =
    via === 'modified'
      ? `answered modified({ ${field} }) with a value that is not one`
      : via === 'cache'
        ? `answered cache() and the value cached under its key is not a valid ${field}`
        : via === 'redirect'
          ? `answered redirect() and the redirect's ${field} is not valid`
          : `answered replace() with a value that is not a valid ${field}`;
  return new AiSdkError(AiSdkErrorCode.INVALID_HOOK_VALUE, `${who} ${what}: ${problem}. ${shape}.`);
}

/** `read()`'s answer, or the problem of a value that throws when read (a getter, a revoked Proxy). */
export function readSafely<T>(read: () => T): T | string {
  try {
    return read();
  } catch (error) {
    return `it could not be read (${describeThrown(error).message})`;
  }
}

/** What `value` is, for messages; never throws (a revoked Proxy is 'an unreadable object'). */
export function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an unreadable object';
  }
}

/** A plain object (not null, not an array); false for one that cannot be inspected. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false;
  }
}
