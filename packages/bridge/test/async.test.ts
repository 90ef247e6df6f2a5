import { describe, expect, it } from 'vitest';
import { ticks, world } from './helpers.js';

describe('scripts that wait never block the host', () => {
  it('two scripts wait in Event.receive while a third publishes', async () => {
    const w = world({ callbackMs: 200 });
    const waiter = (name: string) =>
      w.script(
        `local q = Event.subscribe('work.ready')
         Hook.register('custom:${name}', function(ctx)
           local e = Event.receive(q, 2000)
           return { type = 'replace', value = { who = '${name}', got = e and e.data.n } }
         end)`,
        { name: `${name}.lua` },
      );
    await waiter('a');
    await w.script(
      `const q = Event.subscribe('work.ready');
       Hook.register('custom:b', async () => {
         const e = await Event.receive(q, 2000);
         return { type: 'replace', value: { who: 'b', got: e && e.data.n } };
       });`,
      { name: 'b.js' },
    );
    await w.script(
      `Hook.register('custom:go', function(ctx) Event.publish('work.ready', { n = 42 }) return 'continue' end)`,
      { name: 'publisher.lua' },
    );
    const a = w.fire('custom:a');
    const b = w.fire('custom:b');
    // The event loop keeps turning while both wait: timers fire, other hooks run.
    let turned = 0;
    const timer = setInterval(() => turned++, 1);
    await new Promise((r) => setTimeout(r, 20));
    w.registry.register('custom:native', () => undefined);
    const native = await w.fire('custom:native');
    expect(native.records[0]!.status).toBe('ok');
    await w.fire('custom:go');
    const [outA, outB] = await Promise.all([a, b]);
    clearInterval(timer);
    expect(turned).toBeGreaterThan(0);
    expect(outA.decision).toEqual({ type: 'replace', value: { who: 'a', got: 42 } });
    expect(outB.decision).toEqual({ type: 'replace', value: { who: 'b', got: 42 } });
    await w.runtime.dispose();
  });

  it('a Lua hook waits on an async state backend through pcall and a user coroutine', async () => {
    const w = world();
    await w.state.save('global', 'v', 7);
    await w.script(
      `Hook.register('custom:s', function()
         local ok, v = pcall(State.load, 'global', 'v')
         local co = coroutine.wrap(function(k) coroutine.yield(State.load('global', k) * 2) end)
         local doubled = co('v')
         local t = { coroutine.resume(coroutine.create(function() return State.load('global', 'v') + 1 end)) }
         return { type = 'replace', value = { ok = ok, v = v, doubled = doubled, resumed = t } }
       end)`,
      { name: 's.lua' },
    );
    const out = await w.fire('custom:s');
    expect(out.decision).toEqual({
      type: 'replace',
      value: { ok: true, v: 7, doubled: 14, resumed: [true, 8] },
    });
    await w.runtime.dispose();
  });

  it('refuses to wait where Lua cannot yield, with a clear error', async () => {
    const w = world();
    await w.script(
      `Hook.register('custom:s', function()
         return { type = 'replace', value = select(2, pcall(function()
           return (string.gsub('a', 'a', function() return State.load('global', 'x') end))
         end)) }
       end)`,
      { name: 'g.lua' },
    );
    const out = await w.fire('custom:s');
    expect(String((out.decision as { value: unknown }).value)).toMatch(/cannot wait for the host here/);
    await w.runtime.dispose();
  });

  it('a subscriber that waits gets later events queued, in order', async () => {
    const w = world();
    const s = await w.script(
      `Event.subscribe('t.*', function(e)
         local n = (State.load('global', 'n') or 0) + 1
         State.save('global', 'n', n)
         print(e.type, n)
       end)`,
      { name: 'sub.lua' },
    );
    for (let i = 0; i < 5; i++) await w.bus.publish(`t.e${i}`, {});
    await w.bus.flush();
    await ticks();
    expect(s.logs.map((l) => l.message)).toEqual(['t.e0\t1', 't.e1\t2', 't.e2\t3', 't.e3\t4', 't.e4\t5']);
    await w.runtime.dispose();
  });
});
