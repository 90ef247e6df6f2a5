import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { type BridgeError, ScriptError, ScriptMemoryError, ScriptTimeoutError } from '../errors.js';
import type { ScriptLimits } from '../types.js';
import { bridgeValueProblem } from './quickjs-values.js';

const MAX_TRACE_LINES = 24;
/** Characters of a thrown message (or of a thrown value's JSON) kept in the host's error. */
const MAX_MESSAGE = 2000;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}… (${text.length} characters)` : text;
}

/** What reading a guest exception needs from its instance. @internal */
export interface GuestErrorContext {
  vm: QuickJSContext;
  script: string;
  limits: ScriptLimits;
  toHost(handle: QuickJSHandle, path: string): unknown;
}

/**
 * Turns a guest exception into the right `BridgeError`: an interrupt is a timeout, QuickJS's
 * "out of memory" and stack overflows are memory errors, the guest half of the value conversion
 * reports a `BridgeValueError`, and anything else (an Error or any thrown value) is a
 * `ScriptError` with the script's stack and line. Reads run script getters: call it in a slice.
 * @internal
 */
export function guestError(
  ctx: GuestErrorContext,
  handle: QuickJSHandle,
  what: string,
  budgetMs: number,
  interrupted: boolean,
): BridgeError {
  const { vm, script, limits } = ctx;
  if (interrupted)
    // An interrupt lands wherever the loop is; QuickJS names the last position it recorded.
    return new ScriptTimeoutError(budgetMs, what, {
      script,
      ...guestStack(vm, handle, script),
      lineAtOrAfter: true,
    });
  let name = '';
  let message = '';
  let thrown: unknown;
  if (vm.typeof(handle) === 'object') {
    const read = (key: string) => {
      const h = vm.getProp(handle, key);
      const v = vm.typeof(h) === 'string' ? vm.getString(h) : undefined;
      h.dispose();
      return v;
    };
    const marker = vm.getProp(handle, '__bridgeValue');
    const isValueProblem = vm.typeof(marker) === 'boolean' && vm.dump(marker) === true;
    marker.dispose();
    if (isValueProblem) {
      const problem = bridgeValueProblem({
        __bridgeValue: true,
        path: read('path'),
        problem: read('problem'),
      })!;
      return problem.withLocation({ script });
    }
    name = read('name') ?? '';
    message = read('message') ?? '';
  }
  const location = { script, ...guestStack(vm, handle, script) };
  if (name === 'InternalError' && /out of memory/i.test(message))
    return new ScriptMemoryError(
      limits.memoryBytes,
      `${what} ran out of memory (limit ${limits.memoryBytes} bytes)`,
      location,
    );
  if (name === 'InternalError' && /^string too long$/i.test(message))
    return new ScriptMemoryError(
      limits.memoryBytes,
      `${what} built a string longer than QuickJS allows (2^30 - 1 characters)`,
      location,
    );
  if ((name === 'InternalError' || name === 'RangeError') && /stack overflow|call stack/i.test(message))
    return new ScriptMemoryError(
      0,
      `${what} overflowed the stack (limit ${limits.stackBytes} bytes)`,
      location,
    );
  if (name === '' && message === '') {
    try {
      const text = ctx.toHost(handle, 'error');
      thrown = text;
      message = `threw ${clip(JSON.stringify(text) ?? String(text))}`;
    } catch {
      message = `threw a ${vm.typeof(handle)} value`;
    }
    return new ScriptError(`${what} failed: ${message}`, location, { thrown });
  }
  message = clip(message);
  return new ScriptError(`${what} failed: ${name ? `${name}: ` : ''}${message}`, location, {
    thrown: message,
  });
}

/** The script's stack trace and line from a guest exception, when it has one. @internal */
export function guestStack(
  vm: QuickJSContext,
  handle: QuickJSHandle,
  script: string,
): { scriptStack?: string; line?: number } {
  if (vm.typeof(handle) !== 'object') return {};
  const h = vm.getProp(handle, 'stack');
  const stack = vm.typeof(h) === 'string' ? vm.getString(h) : undefined;
  h.dispose();
  if (stack === undefined) return {};
  const lines = stack.split('\n').filter((l) => l.trim() !== '');
  const trimmed = lines.length > MAX_TRACE_LINES ? [...lines.slice(0, MAX_TRACE_LINES), '    …'] : lines;
  const m = /:(\d+)(?::\d+)?\)?\s*$/m.exec(trimmed.find((l) => l.includes(script)) ?? '');
  return { scriptStack: trimmed.join('\n'), ...(m && { line: Number(m[1]) }) };
}
