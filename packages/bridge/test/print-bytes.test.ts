import { afterAll, describe, expect, it } from 'vitest';
import { type Script, type ScriptLogEntry, ScriptRuntime } from '../src/index.js';
import { type World, world } from './helpers.js';

/**
 * `print` and `log.*` output a script keeps is bounded in bytes (`limits.printBytes`), not only
 * in lines: one script used to hold 320 MiB (Lua) / 160 MiB (JavaScript) of printed text with a
 * 16 MiB memory bound. The oldest lines go first; a first entry says what was dropped.
 */
const MiB = 1024 * 1024;
const worlds: World[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.runtime.dispose()));
});

function make(limits: Record<string, number> = {}): World {
  const w = world({ callbackMs: 10_000, scriptMs: 10_000, memoryBytes: 16 * MiB, ...limits });
  worlds.push(w);
  return w;
}

const bytesOf = (logs: readonly ScriptLogEntry[]) =>
  logs.reduce((sum, l) => sum + Buffer.byteLength(l.message, 'utf8'), 0);
const marker = (logs: readonly ScriptLogEntry[]) =>
  /^… (\d+) bytes of output dropped \((\d+) earlier lines, (\d+) lines cut short\)/.exec(
    logs[0]?.message ?? '',
  );

const sources = {
  lua: (point: string, lines: number, size: number) =>
    `local s = string.rep("x", ${size})
     Hook.register('${point}', function(ctx) for i = 1, ${lines} do print(i, s) end end)`,
  javascript: (point: string, lines: number, size: number) =>
    `const s = 'x'.repeat(${size});
     Hook.register('${point}', () => { for (let i = 1; i <= ${lines}; i++) print(i, s); });`,
};

describe.each(['lua', 'javascript'] as const)('%s print() output is bounded in bytes', (language) => {
  const name = (n: string) => `${n}.${language === 'lua' ? 'lua' : 'js'}`;

  it('320 MiB printed over forty calls keeps the last MiB, and says so', async () => {
    // Room for the garbage a MiB-long print leaves (the heap meter counts it until collected).
    const w = make({ memoryBytes: 64 * MiB });
    const point = `custom:flood_${language}` as const;
    const script: Script = await w.script(sources[language](point, 8, MiB), { name: name('flood') });
    for (let call = 0; call < 40; call++) {
      const r = (await w.fire(point)).records[0]!;
      expect(r.status, String(r.error)).toBe('ok');
    }

    const logs = script.logs;
    const kept = logs.slice(1);
    // Every kept line is whole, the latest last; together within the 1 MiB default.
    expect(bytesOf(kept)).toBeLessThanOrEqual(MiB);
    expect(kept.at(-1)!.message).toMatch(/^8[\t ]x+$/);
    const m = marker(logs);
    expect(m, logs[0]?.message.slice(0, 200)).not.toBeNull();
    const [dropped, lines, cut] = [Number(m![1]), Number(m![2]), Number(m![3])];
    const printed = 320 * (MiB + 3); // "n\t" and a MiB per line
    expect(dropped + bytesOf(kept)).toBeGreaterThanOrEqual(320 * MiB);
    expect(dropped + bytesOf(kept)).toBeLessThanOrEqual(printed);
    expect(lines + cut).toBeGreaterThanOrEqual(319);
    expect(logs[0]!.message).toMatch(/limits\.printBytes/);
  });

  it('a line longer than printBytes keeps its head, cut between characters', async () => {
    const w = make({ printBytes: 1000 });
    const text = language === 'lua' ? `string.rep("é", 2000)` : `'é'.repeat(2000)`;
    const script = await w.script(language === 'lua' ? `print(${text})` : `print(${text});`, {
      name: name('long'),
    });
    const [first, line] = script.logs;
    expect(line!.message).toBe('é'.repeat(500)); // 2 bytes each
    expect(marker(script.logs)![1]).toBe(String(4000 - 1000));
    expect(first!.message).toMatch(/0 earlier lines, 1 lines cut short/);
  });

  it('maxLogLines drops the oldest lines and the marker counts them', async () => {
    const w = make();
    const runtime = new ScriptRuntime({ registry: w.registry, maxLogLines: 10 });
    const loop =
      language === 'lua'
        ? 'for i = 1, 25 do print("line", i) end'
        : 'for (let i = 1; i <= 25; i++) print("line", i);';
    const script = await runtime.load(loop, { name: name('lines') });
    await script.run();
    expect(script.logs).toHaveLength(11);
    expect(script.logs.slice(1).map((l) => l.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line${language === 'lua' ? '\t' : ' '}${i + 16}`),
    );
    expect(marker(script.logs)![2]).toBe('15');
    await runtime.dispose();
  });

  it('log.* lines count too, and reach the host logger cut to printBytes', async () => {
    const w = make({ printBytes: 64 });
    const script = await w.script(
      language === 'lua'
        ? 'log.info(string.rep("a", 100)) log.warn("short")'
        : "log.info('a'.repeat(100)); log.warn('short');",
      { name: name('log') },
    );
    expect(w.logged.map((l) => l.message)).toEqual(['a'.repeat(64), 'short']);
    expect(script.logs.slice(1).map((l) => [l.level, l.message])).toEqual([['warn', 'short']]);
    expect(bytesOf(script.logs.slice(1))).toBeLessThanOrEqual(64);
  });

  it('output under the budget is kept whole, with no marker', async () => {
    const w = make();
    const script = await w.script(language === 'lua' ? 'print("a") print("b")' : "print('a'); print('b');", {
      name: name('small'),
    });
    expect(script.logs.map((l) => l.message)).toEqual(['a', 'b']);
  });
});

describe('limits.printBytes', () => {
  it('is validated like the other limits', async () => {
    const w = make();
    expect(() => new ScriptRuntime({ registry: w.registry, limits: { printBytes: 0 } })).toThrow(
      /limits\.printBytes` must be a number > 0/,
    );
    expect(new ScriptRuntime({ registry: w.registry }).limits.printBytes).toBe(MiB);
  });
});
