import { HookResult } from '@hookspell/hooks';
import { BridgeValueError, type ScriptLocation } from './errors.js';

/**
 * Turns what a script hook returned (already converted to a host value) into a `HookResult`:
 * `nil`/`undefined`/`null`/`"continue"` → continue; a table/object keyed by `type` with
 * snake_case (`delay_ms`, `max_attempts`, `ttl_ms`) or camelCase fields → that result. Anything
 * else is a `BridgeValueError` naming the bad field, which the executor records as `error`.
 *
 * @example
 * ```ts
 * toHookResult({ type: 'retry', delay_ms: 250 }); // { type: 'retry', delayMs: 250, maxAttempts: 3 }
 * ```
 */
export function toHookResult(value: unknown, path = 'result', script?: string): HookResult {
  const loc = script === undefined ? undefined : { script };
  const bad = (at: string, problem: string) => new BridgeValueError(at, problem, loc);
  const text = (v: unknown, at: string, fallback?: string) => textField(v, at, fallback, loc);
  if (value === undefined || value === null || value === 'continue') return HookResult.continue();
  if (typeof value === 'string') {
    throw bad(
      path,
      `is the string ${JSON.stringify(value)}; return nil/undefined, "continue", or a table with a \`type\` field`,
    );
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw bad(path, `is ${describe(value)}; return nothing, "continue", or a result with a \`type\``);
  }
  const r = value as Record<string, unknown>;
  const field = <T>(snake: string, camel: string): T | undefined => (r[snake] ?? r[camel]) as T | undefined;
  switch (r.type) {
    case 'continue':
      return HookResult.continue();
    case 'modified': {
      const data = r.data;
      if (typeof data !== 'object' || data === null || Array.isArray(data))
        throw bad(`${path}.data`, `must be a table/object of fields (got ${describe(data)})`);
      return HookResult.modified(data as Record<string, unknown>);
    }
    case 'cancel':
      return HookResult.cancel(text(r.reason, `${path}.reason`, 'cancelled by script'));
    case 'skipped':
      return HookResult.skipped(text(r.reason, `${path}.reason`, 'skipped by script'));
    case 'redirect':
      return HookResult.redirect(text(r.target, `${path}.target`));
    case 'replace': {
      // The original's scripts write `{ type = "replace", data = … }`; hookspell's own form is
      // `value`. Either works; both at once is ambiguous and refused rather than one dropped.
      if (r.value !== undefined && r.data !== undefined)
        throw bad(path, 'has both `value` and `data`; a replace result takes one of them (the replacement)');
      return HookResult.replace(r.value ?? r.data ?? null);
    }
    case 'retry': {
      const delay = field<number>('delay_ms', 'delayMs') ?? 1000;
      const attempts = field<number>('max_attempts', 'maxAttempts') ?? 3;
      if (typeof delay !== 'number' || !(delay >= 0))
        throw bad(`${path}.delay_ms`, `must be a number ≥ 0 (got ${describe(delay)})`);
      if (!Number.isInteger(attempts) || attempts < 1)
        throw bad(`${path}.max_attempts`, `must be an integer ≥ 1 (got ${describe(attempts)})`);
      return HookResult.retry(delay, attempts);
    }
    case 'fork': {
      const ops = r.operations;
      if (!Array.isArray(ops)) throw bad(`${path}.operations`, `must be an array (got ${describe(ops)})`);
      return HookResult.fork(
        ops.map((op, i) => {
          const o = op as Record<string, unknown>;
          const at = `${path}.operations[${i}]`;
          if (typeof o !== 'object' || o === null) throw bad(at, 'must be a table/object');
          return {
            id: text(o.id, `${at}.id`),
            type: text(o.type, `${at}.type`),
            ...(o.parameters !== undefined && { parameters: o.parameters as Record<string, unknown> }),
          };
        }),
      );
    }
    case 'cache': {
      const key = text(r.key, `${path}.key`);
      const ms = field<number>('ttl_ms', 'ttlMs');
      const ttl = ms ?? (typeof r.ttl === 'number' ? r.ttl * 1000 : undefined);
      if (typeof ttl !== 'number' || !(ttl > 0))
        throw bad(`${path}.ttl_ms`, `must be a number > 0 (got ${describe(ttl)})`);
      return HookResult.cache(key, ttl);
    }
    default:
      throw bad(
        `${path}.type`,
        `is ${describe(r.type)}; expected one of continue, modified, cancel, redirect, replace, retry, fork, cache, skipped`,
      );
  }
}

function textField(
  value: unknown,
  path: string,
  fallback: string | undefined,
  loc: ScriptLocation | undefined,
): string {
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw new BridgeValueError(path, `must be a string (got ${describe(value)})`, loc);
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nil/undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
