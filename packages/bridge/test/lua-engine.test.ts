import { HOOK_POINTS } from '@hookspell/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptError, ScriptTimeoutError } from '../src/index.js';
import { ticks, type World, world } from './helpers.js';

let w: World;
afterEach(async () => {
  await w.runtime.dispose();
});

describe('Lua: Hook', () => {
  it('registers real hooks that the executor fires, listed with language lua', async () => {
    w = world();
    const s = await w.script(
      `local h = Hook.register('BeforeToolExecution', function(ctx)
         if ctx.component.name == 'shell' then return { type = 'cancel', reason = 'no ' .. ctx.data.cmd } end
       end, 'high')
       print(h:id(), h:hook_point(), h:name())`,
      { name: 'deny.lua' },
    );
    const [info] = w.registry.list({ point: 'BeforeToolExecution' });
    expect(info).toMatchObject({ language: 'lua', priority: -100, name: 'deny.lua#1' });
    expect(s.hooks).toEqual([{ id: info!.id, name: 'deny.lua#1', point: 'BeforeToolExecution' }]);
    expect(s.logs[0]!.message).toBe(`${info!.id}\tBeforeToolExecution\tdeny.lua#1`);
    const out = await w.fire('BeforeToolExecution', {
      component: { type: 'tool', name: 'shell' },
      data: { cmd: 'ls' },
    });
    expect(out.decision).toEqual({ type: 'cancel', reason: 'no ls' });
  });

  it('accepts every built-in point and custom points, with TypeScript registration options', async () => {
    w = world();
    const points = JSON.stringify(HOOK_POINTS).replace('[', '{').replace(']', '}');
    await w.script(
      `for _, p in ipairs(${points}) do Hook.register(p, function() end) end
       Hook.register('custom:agent_paused', function() end, { name = 'a', priority = 5, tags = { 'x' }, timeout_ms = 100, on_failure = 'cancel' })
       Hook.register('custom:agent_paused', function() end, { name = 'b', depends_on = { 'a' } })`,
      { name: 'all.lua' },
    );
    expect(w.registry.list({ language: 'lua' })).toHaveLength(45);
    expect(w.registry.get('a@custom:agent_paused')).toMatchObject({
      priority: 5,
      tags: ['x'],
      timeoutMs: 100,
      onFailure: 'cancel',
    });
    expect(w.registry.get('b@custom:agent_paused')!.dependsOn).toEqual(['a']);
  });

  it('raises catchable errors for bad registrations, with the nearest point name', async () => {
    w = world();
    const s = await w.script(
      `local ok, err = pcall(Hook.register, 'BeforeToolExecutoin', function() end)
       print(ok, err)
       print(pcall(Hook.unregister, 'not a handle'))`,
      { name: 'typo.lua' },
    );
    expect(s.logs[0]!.message).toMatch(/^false\t.*HOOKSPELL|Did you mean 'BeforeToolExecution'/);
    expect(s.logs[1]!.message).toMatch(/^false\t.*expected a hook handle/);
  });

  it('unregisters by handle and by Hook.unregister; list shows hook_point and priority names', async () => {
    w = world();
    const s = await w.script(
      `local a = Hook.register('SystemStartup', function() end, 'low')
       local b = Hook.register('SystemShutdown', function() end)
       local list = Hook.list()
       print(#list, list[1].hook_point, list[1].priority, list[1].language)
       print(#Hook.list('SystemShutdown'), #Hook.list({ priority = 'low' }), list[1].hookPoint)
       local stats = Event.get_stats()
       print(math.type(stats.script_subscriptions), math.type(stats.handler_errors), math.type(stats.rate_limited))
       print(a:unregister(), a:unregister(), Hook.unregister(b), #Hook.list())`,
      { name: 'u.lua' },
    );
    expect(s.logs.map((l) => l.message)).toEqual([
      '2\tSystemStartup\tlow\tlua',
      '1\t1\tnil',
      'integer\tinteger\tinteger',
      'true\tfalse\ttrue\t0',
    ]);
    expect(w.registry.list()).toHaveLength(0);
  });

  it('keeps a hook whose handle the script dropped', async () => {
    w = world();
    await w.script(
      `Hook.register('custom:kept', function() return { type = 'cancel', reason = 'still here' } end)
      for i = 1, 1000 do local t = { i } end`,
      { name: 'drop.lua' },
    );
    expect((await w.fire('custom:kept')).decision.type).toBe('cancel');
  });

  it('records a script error with the script stack and line', async () => {
    w = world();
    await w.script(`\n\nHook.register('custom:e', function(ctx)\n  local x = nil\n  return x.field\nend)`, {
      name: 'err.lua',
    });
    const out = await w.fire('custom:e');
    const error = out.records[0]!.error as ScriptError;
    expect(out.records[0]!.status).toBe('error');
    expect(error.code).toBe('HOOKSPELL_SCRIPT_ERROR');
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/err\.lua:5: attempt to index a nil value/);
    expect(error.scriptStack).toMatch(/stack traceback:\n\terr\.lua:5: in function/);
  });

  it('interrupts a callback past callbackMs with an uncatchable timeout, and the script keeps working', async () => {
    w = world({ callbackMs: 30 });
    await w.script(
      `local calls = 0
       Hook.register('custom:loop', function(ctx)
         calls = calls + 1
         if ctx.data.spin then while true do pcall(function() while true do end end) end end
         return { type = 'replace', value = calls }
       end)`,
      { name: 'spin.lua' },
    );
    const out = await w.fire('custom:loop', { data: { spin: true } });
    expect(out.records[0]!.status).toBe('error');
    expect(ScriptTimeoutError.isInstance(out.records[0]!.error)).toBe(true);
    expect((out.records[0]!.error as ScriptTimeoutError).line).toBe(4);
    const again = await w.fire('custom:loop', { data: {} });
    expect(again.decision).toEqual({ type: 'replace', value: 2 });
  });
});

describe('Lua: top level', () => {
  it('skips a #! line and keeps line numbers', async () => {
    w = world();
    const s = await w.runtime.load('#!/usr/bin/env lua\nprint("ok")\nerror("boom")', { name: 'bang.lua' });
    await expect(s.run()).rejects.toThrow(/bang\.lua:3: boom/);
    expect(s.logs[0]!.message).toBe('ok');
  });

  it('rejects a syntax error at load with its line', async () => {
    w = world();
    const error = await w.runtime.load('local x = 1\nlocal = 2', { name: 'syntax.lua' }).catch((e) => e);
    expect(ScriptError.isInstance(error)).toBe(true);
    expect(error.line).toBe(2);
  });

  it('stops a top level past scriptMs and unregisters what it registered', async () => {
    w = world({ scriptMs: 40 });
    const s = await w.runtime.load(`Hook.register('custom:a', function() end)\nwhile true do end`, {
      name: 'slow.lua',
    });
    const error = await s.run().catch((e) => e);
    expect(error.code).toBe('HOOKSPELL_SCRIPT_TIMEOUT');
    expect(error.line).toBe(2);
    expect(w.registry.list()).toHaveLength(0);
    expect(s.disposed).toBe(true);
  });

  it('gives math.random ranges up to 2^53 and a per-script seed', async () => {
    w = world();
    const s = await w.script(
      `local big = math.random(0, 2^53)
       print(big >= 0 and big <= 2^53, math.type(math.random(1, 10)))
       math.randomseed(42) local a = math.random(1, 1000000)
       math.randomseed(42) local b = math.random(1, 1000000)
       print(a == b)
       local uuid = string.gsub('xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx', '[xy]', function(c)
         local v = (c == 'x') and math.random(0, 0xf) or math.random(8, 0xb)
         return string.format('%x', v)
       end)
       print(#uuid)`,
      { name: 'rand.lua' },
    );
    expect(s.logs.map((l) => l.message)).toEqual(['true\tinteger', 'true', '36']);
  });

  it('sends log.* to the host logger with the script name and keeps print in script.logs', async () => {
    w = world();
    const s = await w.script(`log.info('hello', { n = 1 }) log.error('bad') print('a', nil, true, 1.5)`, {
      name: 'log.lua',
    });
    expect(w.logged).toEqual([
      { level: 'info', message: 'hello', script: 'log.lua', data: { n: 1 } },
      { level: 'error', message: 'bad', script: 'log.lua' },
    ]);
    expect(s.logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'hello'],
      ['error', 'bad'],
      ['print', 'a\tnil\ttrue\t1.5'],
    ]);
  });

  it('JSON.encode / JSON.decode round-trip with arrays and null', async () => {
    w = world();
    const s = await w.script(
      `local t = JSON.decode('{"a":[1,2,{"b":null}],"e":[],"o":{}}')
       print(JSON.encode(t), #t.a, math.type(t.a[1]))
       print(pcall(JSON.encode, { f = print }))`,
      { name: 'json.lua' },
    );
    expect(s.logs[0]!.message).toBe('{"a":[1,2,{}],"e":[],"o":{}}\t3\tinteger');
    expect(s.logs[1]!.message).toMatch(/^false\t.*value\.f is a function/);
  });
});

describe('Lua: Event and State', () => {
  it('subscribes with a callback, receives queued events, unsubscribes for real', async () => {
    w = world();
    const s = await w.script(
      `seen = {}
       local cb = Event.subscribe('tool.*', function(e)
         seen[#seen + 1] = e.event_type .. ':' .. e.data.n .. ':' .. e.metadata.correlation_id
       end)
       queue = Event.subscribe('job.**')
       Hook.register('custom:drain', function()
         local got = {}
         while true do
           local e = Event.receive(queue, 10)
           if e == nil then break end
           got[#got + 1] = e.type
         end
         Event.unsubscribe(cb)
         return { type = 'replace', value = { got = got, seen = seen, unknown = Event.unsubscribe('nope'), subs = #Event.list_subscriptions() } }
       end)`,
      { name: 'ev.lua' },
    );
    expect(s.subscriptions.map((x) => [x.pattern, x.callback])).toEqual([
      ['tool.*', true],
      ['job.**', false],
    ]);
    await w.bus.publish('tool.start', { n: 1 }, { correlationId: 'c-1' });
    await w.bus.publish('job.a.b', {});
    await w.bus.publish('job', {});
    const out = await w.fire('custom:drain');
    expect(out.decision).toEqual({
      type: 'replace',
      value: { got: ['job.a.b', 'job'], seen: ['tool.start:1:c-1'], unknown: false, subs: 1 },
    });
    await w.bus.publish('tool.again', { n: 2 });
    await ticks();
    expect(s.subscriptions).toHaveLength(1);
  });

  it('raises on Event.receive of an unknown id', async () => {
    w = world();
    const s = await w.script(`print(pcall(Event.receive, 'nope', 1))`, { name: 'r.lua' });
    expect(s.logs[0]!.message).toMatch(/^false\t.*no subscription "nope"/);
  });

  it('publishes events TypeScript subscribers receive, with options', async () => {
    w = world();
    const got: unknown[] = [];
    w.bus.subscribe('agent.*', (e) =>
      got.push([e.type, e.data, e.language, e.metadata.correlationId, e.metadata.tags]),
    );
    await w.script(
      `print(Event.publish('agent.started', { id = 7 }, { correlation_id = 'c-9', tags = { 'a' } }))`,
      {
        name: 'pub.lua',
      },
    );
    expect(got).toEqual([['agent.started', { id: 7 }, 'lua', 'c-9', ['a']]]);
  });

  it('saves, loads, deletes and lists state, with the older aliases', async () => {
    w = world();
    const s = await w.script(
      `State.save('user:alice', 'theme', { dark = true })
       print(State.load('user:alice', 'theme').dark, State.load('user:alice', 'missing'))
       print(#State.list_keys('user:alice'), State.delete('user:alice', 'theme'), #State.list_keys('user:alice'))
       State.set('count', 3)
       State.set('session:1', 'k', 'v')
       print(State.get('count'), State.get('session:1', 'k'), State.list()[1], State.delete('count'), #State.list())
       print(pcall(State.save, 'nowhere', 'k', 1))`,
      { name: 'state.lua' },
    );
    expect(s.logs.map((l) => l.message).slice(0, 3)).toEqual([
      'true\tnil',
      '1\ttrue\t0',
      '3\tv\tcount\ttrue\t0',
    ]);
    // Any string is a scope, as in the original (issue 16): a free-form one is kept apart.
    expect(s.logs[3]!.message).toBe('true\ttrue');
    expect(await w.state.load('session:1', 'k')).toBe('v');
    expect(await w.state.load('custom:=nowhere', 'k')).toBe(1);
  });
});
