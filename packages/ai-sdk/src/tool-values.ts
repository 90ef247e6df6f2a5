import type { ValueSource } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode } from './errors.js';

/**
 * Why `value` cannot be a tool's output, or undefined. An output goes back to the model as JSON,
 * so it must serialise: no functions, symbols, BigInts or cycles. `undefined` is allowed (the AI SDK
 * sends `null`). Only checked for values hooks put in place (replace, modified, cache, redirect).
 */
export function jsonValueProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') return `it is a ${type}`;
  try {
    JSON.stringify(value);
    return undefined;
  } catch (error) {
    return `it does not serialise to JSON (${error instanceof Error ? error.message : String(error)})`;
  }
}

const JSON_SHAPE =
  "A tool's output goes to the model as JSON: give a string, number, boolean, null, or an array or plain object of those";

export function toolInvalid(
  from: ValueSource,
  field: string,
  problem: string,
  shape = JSON_SHAPE,
): AiSdkError {
  const who = from.hook === undefined ? `a hook at ${from.point}` : `hook '${from.hook}' at ${from.point}`;
  const what =
    from.via === 'modified'
      ? `answered modified({ ${field} }) and it`
      : from.via === 'cache'
        ? 'answered cache() and the cached value'
        : from.via === 'redirect'
          ? "answered redirect() and the redirect's answer"
          : 'answered replace()';
  const noun = field === 'tool_response' ? 'output' : field;
  return new AiSdkError(
    AiSdkErrorCode.INVALID_HOOK_VALUE,
    `${who} ${what} is not a valid ${noun}: ${problem}. ${shape}.`,
  );
}
