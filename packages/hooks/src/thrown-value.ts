import { HookError, HookErrorCode } from './errors/hook-error.js';

// Hooks are other people's code: what they throw or return may be anything — a null-prototype
// object, an Error whose `message` getter throws, a revoked Proxy, a symbol. Everything here reads
// such values without letting a getter, `toString`, `toJSON` or proxy trap throw into hookspell,
// and only ever runs on the failure path (a hook that behaves costs none of it).

/** A serialisable description of any thrown value. */
export interface ThrownDescription {
  /** `Error`, `TypeError`… for errors; `typeof` (or `null`, `array`, `proxy`) otherwise. */
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/** Describes a thrown value without ever throwing. */
export function describeThrown(value: unknown): ThrownDescription {
  try {
    if (value === null) return { name: 'null', message: 'null' };
    const type = typeof value;
    if (type === 'string') return { name: 'string', message: value as string };
    if (type === 'symbol') return { name: 'symbol', message: safeSymbol(value as symbol) };
    if (type === 'bigint') return { name: 'bigint', message: `${(value as bigint).toString()}n` };
    if (type !== 'object' && type !== 'function') return { name: type, message: String(value) };
    const error = readError(value as object);
    if (error !== undefined) return error;
    return { name: kindOf(value as object), message: safeJson(value) ?? tagOf(value as object) };
  } catch {
    // Every read above is guarded; this is the last line against something unforeseen.
    return { name: 'unknown', message: 'a value that could not be read' };
  }
}

/** The message of a thrown value, for reasons and events. Never throws. */
export function thrownText(value: unknown): string {
  return typeof value === 'string' ? value : describeThrown(value).message;
}

/**
 * What a hook's failure is recorded as: the thrown value itself when it is safe to keep and
 * serialise (an Error whose fields read normally, a primitive other than symbol/BigInt, a
 * JSON-serialisable object); otherwise a `HookError` (`HOOKSPELL_HOOK_THREW`) that describes it.
 */
export function recordableError(value: unknown, hook: string, point: string): unknown {
  if (isRecordable(value)) return value;
  const d = describeThrown(value);
  return new HookError(
    HookErrorCode.HOOK_THREW,
    `hook '${hook}' at ${point} threw a value that cannot be kept as an error (${d.name}: ${truncate(d.message)}). Throw an Error instance with a string message.`,
  );
}

function isRecordable(value: unknown): boolean {
  try {
    const type = typeof value;
    if (type === 'symbol' || type === 'bigint') return false;
    if (value === null || (type !== 'object' && type !== 'function')) return true;
    if (value instanceof Error) {
      // The reads a reporter, a journal or console.log will make.
      const { message, name, stack } = value;
      void value.toString;
      void (value as { toJSON?: unknown }).toJSON;
      return (
        typeof message === 'string' &&
        typeof name === 'string' &&
        (stack === undefined || typeof stack === 'string')
      );
    }
    return safeJson(value) !== undefined;
  } catch {
    return false;
  }
}

function readError(value: object): ThrownDescription | undefined {
  let isError = false;
  try {
    isError = value instanceof Error;
  } catch {
    return { name: 'proxy', message: 'a revoked Proxy' };
  }
  if (!isError) return undefined;
  const name = readString(value, 'name') ?? 'Error';
  const message = readString(value, 'message') ?? `an ${name} whose message cannot be read`;
  const stack = readString(value, 'stack');
  const code = readString(value, 'code');
  const out: { name: string; message: string; stack?: string; code?: string } = { name, message };
  if (stack !== undefined) out.stack = stack;
  if (code !== undefined) out.code = code;
  return out;
}

function readString(value: object, key: string): string | undefined {
  try {
    const v = (value as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(value: object): string {
  try {
    if (Array.isArray(value)) return 'array';
  } catch {
    return 'proxy';
  }
  return typeof value;
}

function safeJson(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

function tagOf(value: object): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'a revoked Proxy';
  }
}

function safeSymbol(value: symbol): string {
  try {
    return value.toString();
  } catch {
    return 'Symbol()';
  }
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
