import { createRequire } from 'node:module';

/**
 * fengari, loaded with one guard added: every string the VM builds by concatenation (`..`) goes
 * through `luaS_bless`, and a string longer than the running script's memory bound ends that
 * script at once. Without it, `s = s .. s` doubles past any bound between two count-hook checks
 * (a check every 1000 instructions lets ~250 doublings through, i.e. gigabytes). The guard is
 * installed by replacing `luaS_bless` on fengari's `lstring` module before its VM module is
 * loaded (the VM keeps a reference taken at load time). If fengari was already loaded by someone
 * else, the guard cannot be installed: `stringGuardInstalled` is false and the heap meter alone
 * bounds memory.
 * @internal
 */
const require = createRequire(import.meta.url);

type Guard = (L: unknown, size: number) => void;
let guard: Guard | undefined;
let guardLimit = Number.POSITIVE_INFINITY;

/** Sets the guard for the slice about to run; returns the previous one (slices nest). */
export function setStringGuard(next: Guard | undefined, limit: number): [Guard | undefined, number] {
  const previous: [Guard | undefined, number] = [guard, guardLimit];
  guard = next;
  guardLimit = next === undefined ? Number.POSITIVE_INFINITY : limit;
  return previous;
}

const alreadyLoaded = require.resolve('fengari/src/lvm.js') in require.cache;
export const stringGuardInstalled = !alreadyLoaded;
if (!alreadyLoaded) {
  const lstring = require('fengari/src/lstring.js');
  const bless = lstring.luaS_bless;
  lstring.luaS_bless = function luaS_bless(L: unknown, str: Uint8Array) {
    if (str.length > guardLimit && guard !== undefined) guard(L, str.length);
    return bless(L, str);
  };
}

const fengari = require('fengari');
export default fengari;
