import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookRegistry } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { BridgeError, ScriptRuntime } from '../src/index.js';
import { world } from './helpers.js';

describe('ScriptRuntime', () => {
  it('loads files and picks the language from the extension', async () => {
    const w = world();
    const dir = await mkdtemp(join(tmpdir(), 'bridge-'));
    await writeFile(join(dir, 'a.lua'), 'print("lua")');
    await writeFile(join(dir, 'b.js'), 'print("js")');
    await writeFile(join(dir, 'c.mjs'), 'print(await Promise.resolve("mjs"))');
    for (const [file, line] of [
      ['a.lua', 'lua'],
      ['b.js', 'js'],
      ['c.mjs', 'mjs'],
    ] as const) {
      const s = await w.runtime.loadFile(join(dir, file));
      await s.run();
      expect(s.name).toBe(file);
      expect(s.logs[0]!.message).toBe(line);
    }
    expect(w.runtime.scripts).toHaveLength(3);
    await w.runtime.dispose();
    expect(w.runtime.scripts).toHaveLength(0);
  });

  it('asks for a language it cannot tell, and rejects bad options', async () => {
    const runtime = new ScriptRuntime({ registry: new HookRegistry() });
    await expect(runtime.load('x', { name: 'policy' })).rejects.toThrow(
      /cannot tell the language of "policy"/,
    );
    await expect(runtime.load('x', { name: 'p', language: 'python' as never })).rejects.toThrow(
      /must be 'lua' or 'javascript'/,
    );
    expect(() => new ScriptRuntime({ registry: new HookRegistry(), limits: { callbackMs: -1 } })).toThrow(
      /limits\.callbackMs/,
    );
    expect(() => new ScriptRuntime({} as never)).toThrow(/registry/);
  });

  it('runs each script in its own engine: no shared globals', async () => {
    const w = world();
    await w.script('shared = "from a"', { name: 'a.lua' });
    const b = await w.script('print(shared)', { name: 'b.lua' });
    await w.script('globalThis.shared = "from c"', { name: 'c.js' });
    const d = await w.script('print(typeof shared)', { name: 'd.js' });
    expect(b.logs[0]!.message).toBe('nil');
    expect(d.logs[0]!.message).toBe('undefined');
    await w.runtime.dispose();
  });

  it('explains a missing bus or state in a catchable error', async () => {
    const runtime = new ScriptRuntime({ registry: new HookRegistry() });
    const s = await runtime.load(
      'print(pcall(Event.publish, "a.b", {})) print(pcall(State.load, "global", "k"))',
      {
        name: 'x.lua',
      },
    );
    await s.run();
    expect(s.logs[0]!.message).toMatch(/^false\t.*created without a `bus`/);
    expect(s.logs[1]!.message).toMatch(/^false\t.*created without a `state`/);
    await runtime.dispose();
  });

  it('run() runs once; a disposed script refuses to run', async () => {
    const w = world();
    const s = await w.runtime.load('n = (n or 0) + 1 print(n)', { name: 'once.lua' });
    await Promise.all([s.run(), s.run()]);
    expect(s.logs).toHaveLength(1);
    await s.dispose();
    const error = await s.run().catch((e) => e);
    expect(BridgeError.isInstance(error)).toBe(true);
    expect(error.code).toBe('HOOKSPELL_SCRIPT_DISPOSED');
  });
});
