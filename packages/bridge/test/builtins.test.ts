import { BUILTINS, rateLimit, security } from '@hookspell/builtins';
import type { HookspellEvent } from '@hookspell/events';
import { describe, expect, it } from 'vitest';
import { BridgeError, type BuiltinGrants, ScriptError } from '../src/index.js';
import { world } from './helpers.js';

const tool = (data: Record<string, unknown> = {}) => ({
  component: { type: 'tool' as const, name: 'search' },
  data,
});

describe('Hook.builtin: built-in hooks the host grants, registered by name from scripts', () => {
  it('Lua: rateLimit with capacity 1 cancels the second fire; dispose unregisters it', async () => {
    const w = world({}, { builtins: BUILTINS });
    const script = await w.script(
      `handles = Hook.builtin("rateLimit", { capacity = 1, burst = 0, refill_interval_ms = 60000, action = "cancel" })
       points = {}
       for i, h in ipairs(handles) do points[i] = h:hook_point() .. "=" .. h:name() end
       print(#handles, table.concat(points, ","))`,
      { name: 'limit.lua' },
    );
    expect(script.logs[0]!.message).toBe(
      '3\tBeforeAgentExecution=rate-limit,BeforeToolExecution=rate-limit,BeforeWorkflowStart=rate-limit',
    );
    expect(script.hooks.map((h) => h.point)).toEqual([
      'BeforeAgentExecution',
      'BeforeToolExecution',
      'BeforeWorkflowStart',
    ]);
    // A native hook, tagged as the built-in it is, under the built-in's own name.
    const [info] = w.registry.list({ point: 'BeforeToolExecution' });
    expect(info).toMatchObject({ name: 'rate-limit', language: 'native', tags: ['builtin', 'rate-limit'] });

    expect((await w.fire('BeforeToolExecution', tool())).decision.type).toBe('continue');
    const second = await w.fire('BeforeToolExecution', tool());
    expect(second.decision).toMatchObject({ type: 'cancel', reason: expect.stringMatching(/Retry-After/) });
    expect(second.metadata['X-RateLimit-Retry-After']).toBeDefined();

    await script.dispose();
    expect(w.registry.list()).toEqual([]);
    expect((await w.fire('BeforeToolExecution', tool())).decision.type).toBe('continue');
  });

  it('JavaScript: security masks sensitive data; handles unregister like Hook.register handles', async () => {
    const w = world({}, { builtins: { security } });
    const script = await w.script(
      `const handles = Hook.builtin('security', { points: ['BeforeToolExecution'], sensitiveKeys: ['api_key'] });
       print(Array.isArray(handles), handles.length, handles[0].hookPoint, handles[0].name, Object.isFrozen(handles));
       globalThis.handles = handles;`,
      { name: 'guard.js' },
    );
    expect(script.logs[0]!.message).toBe('true 1 BeforeToolExecution security true');
    const outcome = await w.fire('BeforeToolExecution', tool({ api_key: 's3cret', query: 'weather' }));
    expect(outcome.data).toMatchObject({ api_key: '***', query: 'weather' });

    await w.script(
      `const [h] = Hook.list('BeforeToolExecution');
       print(h.name, h.language, h.tags.join(','))`,
      { name: 'lister.js' },
    );
    expect(w.runtime.scripts[1]!.logs[0]!.message).toBe('security native builtin,security');
    expect(script.hooks).toHaveLength(1);
    await script.dispose();
    expect(w.registry.list()).toEqual([]);
  });

  it('Lua snake_case lists (sensitive_keys, an empty table as an empty list) and Hook.unregister of a handle', async () => {
    const w = world({}, { builtins: BUILTINS });
    const script = await w.script(
      `local hs = Hook.builtin("security", { points = { "ToolValidation" }, sensitive_keys = {}, mask_with = "[x]" })
       print(Hook.unregister(hs[1]), #Hook.list("ToolValidation"))`,
      { name: 'unreg.lua' },
    );
    expect(script.logs[0]!.message).toBe('true\t0');
    expect(script.hooks).toEqual([]);
  });

  it('passes the runtime bus to built-ins that publish events (rate_limit.exceeded)', async () => {
    const w = world({}, { builtins: { rateLimit } });
    const seen: HookspellEvent[] = [];
    w.bus.subscribe('rate_limit.*', (e) => {
      seen.push(e);
    });
    await w.script(`Hook.builtin('rateLimit', { capacity: 1, burst: 0, points: ['BeforeToolExecution'] })`, {
      name: 'events.js',
    });
    await w.fire('BeforeToolExecution', tool());
    await w.fire('BeforeToolExecution', tool());
    expect(seen.map((e) => e.type)).toContain('rate_limit.exceeded');
  });

  it('counts each registered point toward limits.registrations', async () => {
    const w = world({ registrations: 2 }, { builtins: BUILTINS });
    const script = await w.script(
      `local ok, err = pcall(Hook.builtin, "rateLimit")
       print(ok, err, #Hook.list())`,
      { name: 'full.lua' },
    );
    expect(script.logs[0]!.message).toMatch(/^false\t.*already holds 2 hooks.*limits\.registrations.*\t0$/);
  });
});

describe('Hook.builtin errors say what, where and what to do', () => {
  const caught = async (source: string, name: string, builtins?: BuiltinGrants): Promise<string> => {
    const w = world({}, builtins === undefined ? {} : { builtins });
    const script = await w.script(source, { name });
    return script.logs[0]!.message;
  };

  it('without a `builtins` grant: says how the host grants them', async () => {
    const lua = await caught(
      'print(select(2, pcall(function() return Hook.builtin("rateLimit") end)))',
      'none.lua',
    );
    expect(lua).toMatch(/^none\.lua:1: Hook\.builtin: .*built-in `rateLimit` is not available/);
    expect(lua).toContain('new ScriptRuntime({ builtins: BUILTINS })');
    const js = await caught(`try { Hook.builtin('rateLimit') } catch (e) { print(e.message) }`, 'none.js');
    expect(js).toMatch(/this runtime grants scripts no built-in hooks.*'@hookspell\/builtins'/);
  });

  it('a built-in the host did not grant, and a typo with the nearest name', async () => {
    const notGranted = await caught('print(select(2, pcall(Hook.builtin, "caching")))', 'subset.lua', {
      rateLimit,
      security,
    });
    expect(notGranted).toMatch(
      /built-in `caching` is not granted.*Granted: rateLimit, security\..*`builtins` option/,
    );
    const typo = await caught(`try { Hook.builtin('rateLimt') } catch (e) { print(e.message) }`, 'typo.js', {
      rateLimit,
    });
    expect(typo).toMatch(/unknown built-in `rateLimt`\. Did you mean `rateLimit`\? Granted: rateLimit\./);
    const proto = await caught('print(select(2, pcall(Hook.builtin, "toString")))', 'proto.lua', BUILTINS);
    expect(proto).toMatch(/unknown built-in `toString`/);
  });

  it('function-valued options are refused naming the option, in both languages', async () => {
    const lua = await caught(
      'print(select(2, pcall(function() Hook.builtin("rateLimit", { cost = function() return 2 end }) end)))',
      'fn.lua',
      BUILTINS,
    );
    expect(lua).toMatch(/^fn\.lua:1: Hook\.builtin: .*built-in `rateLimit`: option `cost` takes a function/);
    expect(lua).toContain('register rateLimit({ cost }) itself');
    const js = await caught(
      `try { Hook.builtin('security', { validate: () => [] }) } catch (e) { print(e.message) }`,
      'fn.js',
      BUILTINS,
    );
    expect(js).toMatch(/built-in `security`: option `validate` takes a function/);
    // A function-only option given as data is refused too (the factory would call it).
    const data = await caught(
      'print(select(2, pcall(Hook.builtin, "caching", { key = "x" })))',
      'k.lua',
      BUILTINS,
    );
    expect(data).toMatch(/option `key` takes a function/);
    const host = await caught(
      'print(select(2, pcall(Hook.builtin, "logging", { logger = {} })))',
      'h.lua',
      BUILTINS,
    );
    expect(host).toMatch(/option `logger` is a host object/);
  });

  it('unknown option names get the nearest one; bad values get the factory’s own error', async () => {
    const unknown = await caught(
      'print(select(2, pcall(Hook.builtin, "rateLimit", { capacty = 1 })))',
      'opt.lua',
      BUILTINS,
    );
    expect(unknown).toMatch(
      /unknown option `capacty`\. Did you mean `capacity`\? Options that can be set here: name, /,
    );
    const bad = await caught(
      'print(select(2, pcall(Hook.builtin, "rateLimit", { capacity = -1 })))',
      'v.lua',
      BUILTINS,
    );
    expect(bad).toMatch(/rateLimit\(\): `capacity` must be a finite number > 0; got -1/);
    const list = await caught(
      `try { Hook.builtin('security', { sensitiveKeys: 'token' }) } catch (e) { print(e.message) }`,
      'l.js',
      BUILTINS,
    );
    expect(list).toMatch(/option `sensitiveKeys` must be a list; got string "token"/);
  });

  it('an uncaught Hook.builtin error fails the top level with the script line; the host goes on', async () => {
    const w = world({}, { builtins: BUILTINS });
    const error = await w.script('\n\nHook.builtin("metrcs")', { name: 'top.lua' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).line).toBe(3);
    expect((error as Error).message).toMatch(/Did you mean `metrics`\?/);
    expect(BridgeError.isInstance(error)).toBe(true);
    expect(w.registry.list()).toEqual([]);
  });

  it('the runtime refuses a `builtins` option that is not an object', () => {
    expect(() => world({}, { builtins: 'all' as never })).toThrow(/`builtins` must be an object/);
  });
});
