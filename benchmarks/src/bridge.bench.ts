/**
 * The cost of the script bridge: firing a point with one Lua hook and with one QuickJS hook
 * that read `ctx.data` and return continue, and publishing to one Lua and one QuickJS
 * subscriber — each side by side with a raw fengari / raw QuickJS call that converts the same
 * context or event by hand (the floor). Target: the bridge within 2× of its floor.
 *
 * The bridge cases go through everything a user gets: `executor.fire()` (context, record,
 * breaker, metrics) or `bus.emit()` (event envelope), a coroutine per Lua call with the count
 * hook armed (deadline + memory meter), the QuickJS interrupt handler, value conversion with
 * the bridge's rules, and result checking. The floors do only the call and the conversion.
 *
 *   pnpm --filter @hookspell/benchmarks bench bridge
 */

import { createRequire } from 'node:module';
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
} from 'quickjs-emscripten-core';
import { type CaseResult, compare, formatRate } from './harness.js';

// fengari ships no types: load it through require (it is CommonJS anyway).
const fengari = createRequire(import.meta.url)('fengari');
const { lua, lauxlib, lualib, to_luastring } = fengari;

const input = {
  component: { type: 'tool' as const, name: 'shell' },
  data: { cmd: 'ls', args: ['-l', '/tmp'] },
};
const eventData = { tool: 'calc', n: 1 };

// ---- bridge ------------------------------------------------------------------------------
const registry = new HookRegistry();
const executor = new HookExecutor(registry, { defaultTimeoutMs: 5_000 });
const bus = new EventBus();
const runtime = new ScriptRuntime({ registry, executor, bus });
let seen = 0;
await (
  await runtime.load(
    `Hook.register('custom:lua', function(ctx) local d = ctx.data return nil end)
     Event.subscribe('lua.event', function(e) local d = e.data end)`,
    { name: 'bench.lua' },
  )
).run();
await (
  await runtime.load(
    `Hook.register('custom:js', (ctx) => { const d = ctx.data; return undefined; });
     Event.subscribe('js.event', (e) => { const d = e.data; });`,
    { name: 'bench.js' },
  )
).run();
bus.subscribe('**', () => {
  seen++;
});

// ---- raw fengari floor -------------------------------------------------------------------
const L = lauxlib.luaL_newstate();
lualib.luaL_openlibs(L);
lauxlib.luaL_dostring(
  L,
  to_luastring('function hook(ctx) local d = ctx.data return nil end function sub(e) local d = e.data end'),
);
const k = (s: string) => to_luastring(s, true);
const setStr = (field: string, value: string) => {
  lua.lua_pushstring(L, to_luastring(value));
  lua.lua_setfield(L, -2, k(field));
};
function pushData(): void {
  lua.lua_createtable(L, 0, 2);
  setStr('cmd', input.data.cmd);
  lua.lua_createtable(L, 2, 0);
  lua.lua_pushstring(L, to_luastring(input.data.args[0]!));
  lua.lua_rawseti(L, -2, 1);
  lua.lua_pushstring(L, to_luastring(input.data.args[1]!));
  lua.lua_rawseti(L, -2, 2);
  lua.lua_setfield(L, -2, k('args'));
}
function rawLuaHook(): void {
  lua.lua_getglobal(L, k('hook'));
  lua.lua_createtable(L, 0, 8);
  setStr('point', 'custom:lua');
  setStr('correlation_id', 'fire-1');
  setStr('language', 'native');
  lua.lua_createtable(L, 0, 2);
  setStr('type', input.component.type);
  setStr('name', input.component.name);
  lua.lua_pushvalue(L, -1);
  lua.lua_setfield(L, -3, k('component_id'));
  lua.lua_setfield(L, -2, k('component'));
  lua.lua_createtable(L, 0, 0);
  lua.lua_setfield(L, -2, k('metadata'));
  pushData();
  lua.lua_setfield(L, -2, k('data'));
  lua.lua_pushnumber(L, Date.now());
  lua.lua_setfield(L, -2, k('timestamp'));
  if (lua.lua_pcall(L, 1, 1, 0) !== 0) throw new Error('lua failed');
  if (!lua.lua_isnil(L, -1)) throw new Error('expected nil');
  lua.lua_pop(L, 1);
}
let seq = 0;
function rawLuaSub(): void {
  lua.lua_getglobal(L, k('sub'));
  lua.lua_createtable(L, 0, 9);
  setStr('id', `e-${++seq}`);
  setStr('event_type', 'lua.event');
  setStr('type', 'lua.event');
  lua.lua_createtable(L, 0, 2);
  setStr('tool', eventData.tool);
  lua.lua_pushinteger(L, eventData.n);
  lua.lua_setfield(L, -2, k('n'));
  lua.lua_setfield(L, -2, k('data'));
  setStr('language', 'native');
  setStr('timestamp', new Date().toISOString());
  lua.lua_pushnumber(L, seq);
  lua.lua_setfield(L, -2, k('sequence'));
  setStr('schema_version', '1.0');
  lua.lua_createtable(L, 0, 3);
  setStr('correlation_id', `e-${seq}`);
  lua.lua_createtable(L, 0, 0);
  lua.lua_setfield(L, -2, k('tags'));
  lua.lua_pushinteger(L, 0);
  lua.lua_setfield(L, -2, k('priority'));
  lua.lua_setfield(L, -2, k('metadata'));
  if (lua.lua_pcall(L, 1, 0, 0) !== 0) throw new Error('lua failed');
}

// ---- raw QuickJS floor -------------------------------------------------------------------
const variant = await import('@jitl/quickjs-wasmfile-release-sync');
const mod = await newQuickJSWASMModuleFromVariant(
  ((variant as { default?: unknown }).default ?? variant) as Parameters<
    typeof newQuickJSWASMModuleFromVariant
  >[0],
);
const qrt = mod.newRuntime();
const vm: QuickJSContext = qrt.newContext();
const qHook = vm.unwrapResult(vm.evalCode('(ctx) => { const d = ctx.data; return undefined; }'));
const qSub = vm.unwrapResult(vm.evalCode('(e) => { const d = e.data; }'));
function set(obj: QuickJSHandle, key: string, value: QuickJSHandle): void {
  vm.setProp(obj, key, value);
  value.dispose();
}
function qData(): QuickJSHandle {
  const d = vm.newObject();
  set(d, 'cmd', vm.newString(input.data.cmd));
  const args = vm.newArray();
  set(args, '0', vm.newString(input.data.args[0]!));
  set(args, '1', vm.newString(input.data.args[1]!));
  set(d, 'args', args);
  return d;
}
function rawQuickJSHook(): void {
  const ctx = vm.newObject();
  set(ctx, 'point', vm.newString('custom:js'));
  set(ctx, 'correlationId', vm.newString('fire-1'));
  set(ctx, 'language', vm.newString('native'));
  const c = vm.newObject();
  set(c, 'type', vm.newString(input.component.type));
  set(c, 'name', vm.newString(input.component.name));
  set(ctx, 'component', c);
  set(ctx, 'metadata', vm.newObject());
  set(ctx, 'data', qData());
  set(ctx, 'timestamp', vm.newNumber(Date.now()));
  const r = vm.callFunction(qHook, vm.undefined, ctx);
  ctx.dispose();
  const v = vm.unwrapResult(r);
  if (vm.typeof(v) !== 'undefined') throw new Error('expected undefined');
  v.dispose();
}
function rawQuickJSSub(): void {
  const e = vm.newObject();
  set(e, 'id', vm.newString(`e-${++seq}`));
  set(e, 'type', vm.newString('js.event'));
  const d = vm.newObject();
  set(d, 'tool', vm.newString(eventData.tool));
  set(d, 'n', vm.newNumber(eventData.n));
  set(e, 'data', d);
  set(e, 'language', vm.newString('native'));
  set(e, 'timestamp', vm.newNumber(Date.now()));
  set(e, 'sequence', vm.newNumber(seq));
  const m = vm.newObject();
  set(m, 'correlationId', vm.newString(`e-${seq}`));
  set(m, 'tags', vm.newArray());
  set(m, 'priority', vm.newNumber(0));
  set(e, 'metadata', m);
  set(e, 'schemaVersion', vm.newString('1.0'));
  vm.unwrapResult(vm.callFunction(qSub, vm.undefined, e)).dispose();
  e.dispose();
}

// ---- run ---------------------------------------------------------------------------------
const summary: string[] = [];
function report(title: string, results: CaseResult[], floor: string, bridge: string): void {
  const f = results.find((r) => r.name === floor)!;
  const b = results.find((r) => r.name === bridge)!;
  const ratio = f.opsPerSec / b.opsPerSec;
  summary.push(
    `- ${title}: bridge ${formatRate(b.opsPerSec)}/s, floor ${formatRate(f.opsPerSec)}/s → the bridge costs ${ratio.toFixed(2)}× the floor (target ≤ 2×)`,
  );
}

const cases: Array<[string, string, () => unknown, string, () => unknown]> = [
  [
    'fire a point with one Lua hook',
    'raw fengari call (floor)',
    rawLuaHook,
    'bridge: executor.fire → Lua hook',
    () => executor.fire('custom:lua', input),
  ],
  [
    'fire a point with one QuickJS hook',
    'raw QuickJS call (floor)',
    rawQuickJSHook,
    'bridge: executor.fire → QuickJS hook',
    () => executor.fire('custom:js', input),
  ],
  [
    'publish to one Lua subscriber',
    'raw fengari call (floor)',
    rawLuaSub,
    'bridge: bus.emit → Lua subscriber',
    () => bus.emit('lua.event', eventData),
  ],
  [
    'publish to one QuickJS subscriber',
    'raw QuickJS call (floor)',
    rawQuickJSSub,
    'bridge: bus.emit → QuickJS subscriber',
    () => bus.emit('js.event', eventData),
  ],
];
for (const [title, floorName, floor, bridgeName, bridge] of cases) {
  const results = await compare(
    title,
    [
      { name: floorName, fn: floor },
      { name: bridgeName, fn: bridge },
    ],
    { anchor: floorName, samples: 5, sampleMs: 200, warmupMs: 300 },
  );
  report(title, results, floorName, bridgeName);
}
console.log(`Summary (fires or deliveries per second; ratio = floor / bridge):\n\n${summary.join('\n')}\n`);
if (seen === 0) throw new Error('the bus delivered nothing');
qHook.dispose();
qSub.dispose();
vm.dispose();
qrt.dispose();
await runtime.dispose();
