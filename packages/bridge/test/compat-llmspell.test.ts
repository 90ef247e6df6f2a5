import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HookRegistry } from '@hookspell/hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { llmspellMatches } from '../src/compat/llmspell.js';
import { ScriptRuntime } from '../src/index.js';
import { world } from './helpers.js';

const dir = join(import.meta.dirname, 'llmspell');
const compat = { compat: 'llmspell' } as const;

describe("compat: 'llmspell' — scripts in the original's style", () => {
  for (const file of ['hooks-priority.lua', 'patterns.lua', 'state-stats.lua']) {
    it(`${file} passes its own check`, async () => {
      const w = world({ scriptMs: 3_000 }, compat);
      const s = await w.runtime.load(await readFile(join(dir, file), 'utf8'), { name: file });
      const out = await s.run();
      expect(out, s.logs.map((l) => l.message).join('\n')).toEqual([true]);
      await w.runtime.dispose();
    });
  }

  it('state-stats.lua: its replace hook answers with data', async () => {
    const w = world({ scriptMs: 3_000 }, compat);
    await w.script(await readFile(join(dir, 'state-stats.lua'), 'utf8'), { name: 'state-stats.lua' });
    const out = await w.fire('BeforeToolExecution');
    expect(out.decision).toEqual({ type: 'replace', value: { cached: true, mask: 4294967295 } });
  });

  it('failing-check.lua returns false', async () => {
    const w = world({}, compat);
    const s = await w.runtime.load(await readFile(join(dir, 'failing-check.lua'), 'utf8'), { name: 'f.lua' });
    expect(await s.run()).toEqual([false]);
  });

  it("without the profile, hookspell's own rules hold (documented side by side)", async () => {
    const w = world({ scriptMs: 3_000 });
    const s = await w.runtime.load(
      `local star = Event.subscribe("*.error")
       local tail = Event.subscribe("test.*")
       Event.publish("app.error", {})
       Event.publish("test.pattern.example", {})
       local e = Event.receive(star, 200)
       local t = Event.receive(tail, 50)
       Hook.register("BeforeAgentExecution", function() end, "low")
       local list = Hook.list()
       local ok = pcall(Hook.list, { priority = "Priority(100)" })
       local stats = Event.get_stats()
       return e and e.event_type, t == nil, list[1].priority, list[1].version, ok,
              stats.event_bus_stats == nil, Event.list_subscriptions()[1].language`,
      { name: 'own.lua' },
    );
    expect(await s.run()).toEqual(['app.error', true, 'low', '1.0.0', false, true, 'lua']);
  });

  it('JavaScript gets the same shapes under the profile', async () => {
    const w = world({ scriptMs: 3_000 }, compat);
    const s = await w.runtime.load(
      `Hook.register('BeforeAgentExecution', () => undefined, 'Priority(100)');
       const sub = Event.subscribe('test.*');
       await Event.publish('test.a.b', {});
       const got = await Event.receive(sub, 200);
       const stats = Event.getStats();
       export default [Hook.list({ priority: 'Priority(100)' }).map((h) => h.priority), got.type,
         Event.listSubscriptions()[0].language, stats.bridge_stats.subscriptions_by_language];`,
      { name: 'c.mjs' },
    );
    expect(await s.run()).toEqual([[['Priority(100)'], 'test.a.b', 'JavaScript', { JavaScript: 1 }]]);
  });

  it('a typo in a priority is still an error under the profile', async () => {
    const w = world({}, compat);
    const s = await w.runtime.load(
      'return pcall(Hook.register, "BeforeAgentExecution", function() end, "medium")',
      {
        name: 'p.lua',
      },
    );
    const [ok, err] = await s.run();
    expect(ok).toBe(false);
    expect(err).toMatch(/"Priority\(N\)" string/);
  });

  it('refuses an unknown profile', () => {
    expect(() => new ScriptRuntime({ registry: new HookRegistry(), compat: 'rs' as never })).toThrow(
      /`compat` must be 'llmspell'/,
    );
  });
});

describe("llmspellMatches (the original's PatternMatcher::matches)", () => {
  it('matches as pattern.rs does', () => {
    expect(llmspellMatches('*', 'anything.at.all')).toBe(true);
    expect(llmspellMatches('test.*', 'test.pattern.example')).toBe(true);
    expect(llmspellMatches('test.*', 'test')).toBe(false);
    expect(llmspellMatches('api.v*', 'api.v1.response')).toBe(true);
    expect(llmspellMatches('api.v*.response', 'api.v1.response')).toBe(false);
    expect(llmspellMatches('*.error', 'app.error')).toBe(false);
    expect(llmspellMatches('exact', 'exact')).toBe(true);
    expect(llmspellMatches('exact', 'exact.match')).toBe(false);
    expect(llmspellMatches('', 'x')).toBe(false);
  });

  it('property: a trailing * is exactly a prefix test; anything else exact equality', () => {
    const text = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(text, text, (prefix, rest) => {
        expect(llmspellMatches(`${prefix}*`, prefix + rest)).toBe(true);
        if (!prefix.endsWith('*') && prefix !== '')
          expect(llmspellMatches(prefix, prefix + rest)).toBe(rest === '');
      }),
    );
    fc.assert(
      fc.property(text, text, (p, t) => {
        const expected = p === '*' || (p.endsWith('*') ? t.startsWith(p.slice(0, -1)) : t === p);
        expect(llmspellMatches(p, t)).toBe(expected);
      }),
    );
  });
});
