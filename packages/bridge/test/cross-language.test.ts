import type { HookspellEvent } from '@hookspell/events';
import { describe, expect, it } from 'vitest';
import { world } from './helpers.js';

const DATA = { n: 1, f: 1.5, s: 'héllo 😀', list: [1, 'two', { three: 3 }], empty: [], nested: { ok: true } };

describe('events cross languages with the same data', () => {
  it('Lua → JavaScript and TypeScript, and JavaScript → Lua and TypeScript', async () => {
    const w = world();
    const ts: Array<[string, unknown, string]> = [];
    w.bus.subscribe('x.**', (e: HookspellEvent) => ts.push([e.type, e.data, e.language]));
    const lua = await w.script(
      `Event.subscribe('x.from_js', function(e) State.save('global', 'lua_got', e.data) end)
       Hook.register('custom:send', function(ctx) Event.publish('x.from_lua', ctx.data) end)`,
      { name: 'lua-side.lua' },
    );
    const js = await w.script(
      `Event.subscribe('x.from_lua', async (e) => { await State.save('global', 'js_got', e.data); });
       Hook.register('custom:send', async (ctx) => { await Event.publish('x.from_js', ctx.data); });`,
      { name: 'js-side.js' },
    );
    await w.fire('custom:send', { data: DATA });
    await w.bus.flush();
    expect(await w.state.load('global', 'js_got')).toEqual(DATA);
    expect(await w.state.load('global', 'lua_got')).toEqual(DATA);
    expect(ts).toEqual([
      ['x.from_lua', DATA, 'lua'],
      ['x.from_js', DATA, 'javascript'],
    ]);
    expect(lua.subscriptions).toHaveLength(1);
    expect(js.subscriptions).toHaveLength(1);
    await w.runtime.dispose();
  });

  it('TypeScript → both, with the wire names in Lua and camelCase in JavaScript', async () => {
    const w = world();
    await w.script(
      `Event.subscribe('y.*', function(e)
         State.save('global', 'lua', { type = e.event_type, corr = e.metadata.correlation_id, tags = e.metadata.tags, v = e.schema_version })
       end)`,
      { name: 'l.lua' },
    );
    await w.script(
      `Event.subscribe('y.*', (e) => State.save('global', 'js', { type: e.type, corr: e.metadata.correlationId, tags: e.metadata.tags, v: e.schemaVersion }));`,
      { name: 'j.js' },
    );
    await w.bus.publish('y.z', DATA, { correlationId: 'c-7', tags: ['t'] });
    await w.bus.flush();
    const expected = { type: 'y.z', corr: 'c-7', tags: ['t'], v: '1.0' };
    expect(await w.state.load('global', 'lua')).toEqual(expected);
    expect(await w.state.load('global', 'js')).toEqual(expected);
    await w.runtime.dispose();
  });
});
