import type { BuiltinHook } from '@hookspell/builtins';
import { nearestName } from '@hookspell/hooks';
import { KNOWN_BUILTINS } from './builtin-options.js';
import { BridgeError, BridgeErrorCode } from './errors.js';

/**
 * A built-in's factory, as `@hookspell/builtins` exports them (`rateLimit`, `security`…)
 * or as a host writes one (`(o) => rateLimit({ ...o, capacity: 5 })`). The bridge calls it with
 * the options a script gave, converted; checking their values is the factory's job.
 */
export type BuiltinFactory = (options?: never) => BuiltinHook;

/** What a host grants scripts: built-in factories by the name scripts use in `Hook.builtin`. */
export type BuiltinGrants = Readonly<Record<string, BuiltinFactory>>;

const HOW_TO_GRANT =
  "The host grants built-ins with `new ScriptRuntime({ builtins: BUILTINS })` (BUILTINS from '@hookspell/builtins') or a subset such as `{ builtins: { rateLimit, security } }`.";

/**
 * The factory granted under `name`, or an error that says what is wrong (no grants, not granted,
 * a typo with the nearest name) and what to do.
 */
export function grantedBuiltin(name: unknown, grants: BuiltinGrants | undefined): BuiltinFactory {
  if (typeof name !== 'string' || name === '')
    throw grantError(
      `\`name\` (argument #1) must be the name of a built-in hook such as "rateLimit"; got ${typeof name}.`,
    );
  // Own properties only: `toString` or `constructor` must not reach Object.prototype.
  if (grants !== undefined && Object.hasOwn(grants, name) && typeof grants[name] === 'function')
    return grants[name];
  const granted = grants === undefined ? [] : Object.keys(grants);
  if (granted.length === 0)
    throw grantError(
      `built-in \`${name}\` is not available: this runtime grants scripts no built-in hooks. ${HOW_TO_GRANT}`,
    );
  const list = `Granted: ${granted.join(', ')}.`;
  if (KNOWN_BUILTINS.includes(name))
    throw grantError(
      `built-in \`${name}\` is not granted to scripts of this runtime. ${list} The host adds it to the \`builtins\` option of ScriptRuntime.`,
    );
  const guess = nearestName(name, [...granted, ...KNOWN_BUILTINS.filter((k) => !granted.includes(k))]);
  const hint =
    guess === undefined
      ? ''
      : ` Did you mean \`${guess}\`${granted.includes(guess) ? '' : ' (not granted)'}?`;
  throw grantError(`unknown built-in \`${name}\`.${hint} ${list}`);
}

function grantError(message: string): BridgeError {
  return new BridgeError(BridgeErrorCode.INVALID_ARGUMENT, message);
}
