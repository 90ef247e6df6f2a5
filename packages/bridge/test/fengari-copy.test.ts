import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { world } from './helpers.js';

// The host loads fengari before the bridge's Lua engine does (the engine is imported on the
// first Lua script): the bridge must still run its own copy with its string guard and fixes.
const require = createRequire(import.meta.url);
const hostFengari = require('fengari');
const hostLstring = require('fengari/src/lstring.js');

const w = world({ callbackMs: 1_000, memoryBytes: 8 * 1024 * 1024 });
afterAll(() => w.runtime.dispose());

describe('fengari loaded by the host first', () => {
  it('the bridge runs its own copy: the string guard and the byte-exact keys are in place', async () => {
    await w.script(
      `Hook.register('custom:double', function() local s = "xxxxxxxxxxxxxxxx" while true do s = s .. s end end)
       Hook.register('custom:keys', function()
         local t = {} t["\\5\\0"] = 1
         return { type = 'replace', value = { t["P"] == nil, "\\15" < "\\16" } }
       end)`,
      { name: 'own-copy.lua' },
    );
    const bomb = (await w.fire('custom:double')).records[0]!.error as Error & { code: string };
    expect(bomb.code).toBe('HOOKSPELL_SCRIPT_MEMORY');
    expect(bomb.message).toMatch(/built a string of 16777216 bytes, over its memory bound of 8388608 bytes/);
    expect((await w.fire('custom:keys')).decision).toEqual({ type: 'replace', value: [true, true] });
  });

  it("the host's copy is its own, unchanged", () => {
    expect(require('fengari')).toBe(hostFengari);
    expect(require('fengari/src/lstring.js')).toBe(hostLstring);
    // fengari's own key for a string: hex digits of its bytes (the bridge's copy uses latin1).
    expect(hostLstring.luaS_hash(new Uint8Array([0x50]))).toBe('|50');
  });
});
