import { parseScope, type Scope } from '@hookspell/storage';
import { invalidArgument } from './errors.js';
import type { ScriptLanguage } from './types.js';

/**
 * Prefix of the `custom:` scope a free-form scope is stored under. `=` never starts a scope id a
 * script would write by hand, so `custom:=…` keeps free-form scopes apart from the others.
 */
const FREE_FORM = 'custom:=';

/**
 * The storage scope of a script's scope. The original (rs-llmspell, `llmspell-bridge/src/lua/
 * globals/state.rs`) accepted any string as a scope — `system`, `agent_1`, `""` — while
 * `@hookspell/storage` knows `global` and `kind:id`. A scope storage accepts is used as it is;
 * any other string is stored under `custom:=<percent-encoded scope>` (`""` → `custom:=`), so
 * every string is a scope of its own and two different strings never share one. Non-strings
 * raise, in the script's own words (`nil`, not `undefined`).
 */
export function storageScope(scope: unknown, language: ScriptLanguage, what: string): Scope {
  if (typeof scope !== 'string')
    throw invalidArgument(`${what}: \`scope\` must be a string (got ${typeName(scope, language)}).`);
  if (!scope.startsWith(FREE_FORM)) {
    try {
      parseScope(scope);
      return scope as Scope;
    } catch {
      // not one of storage's forms: a free-form scope
    }
  }
  return `${FREE_FORM}${encode(scope)}` as Scope;
}

/** A state key must be a string; said in the script's words. */
export function checkStateKey(key: unknown, language: ScriptLanguage, what: string): string {
  if (typeof key !== 'string')
    throw invalidArgument(`${what}: \`key\` must be a string (got ${typeName(key, language)}).`);
  return key;
}

/** Percent-encoding that also escapes `.` (storage refuses `..`) and the few marks URI leaves. */
function encode(scope: string): string {
  return encodeURIComponent(scope.normalize('NFC')).replace(
    /[.!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The name of a value's type as the script's language says it. */
export function typeName(value: unknown, language: ScriptLanguage): string {
  if (value === undefined || value === null) return language === 'lua' ? 'nil' : String(value);
  if (Array.isArray(value)) return language === 'lua' ? 'a table' : 'an array';
  if (typeof value === 'object') return language === 'lua' ? 'a table' : 'an object';
  if (typeof value === 'function') return 'a function';
  return `a ${typeof value}`;
}
