/**
 * Issue 16: what a host global costs a script, and what the `compat: 'llmspell'` profile costs
 * event delivery.
 *
 * 1. Firing a point whose one Lua (or QuickJS) hook calls a host function — sync, or async (the
 *    Lua coroutine yields and resumes; QuickJS awaits a promise) — next to the same hook that
 *    calls nothing (the anchor) and one that awaits `State.load` (the built-in wait).
 * 2. Publishing one event to a bus where one script holds 20 Lua subscriptions of which one
 *    matches: with hookspell's own patterns (the bus's index picks the one) and under the
 *    profile (every subscription is `**` plus the original's matcher, so all 20 see the event).
 *
 *   pnpm --filter @hookspell/benchmarks bench llmspell-compat
 */
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';
import { compare } from './harness.js';

const input = { component: { type: 'tool' as const, name: 'shell' }, data: { n: 1 } };
const globals = {
  Host: {
    now: (n: number) => n + 1,
    later: async (n: number) => n + 1,
  },
};

async function hooks() {
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 5_000 });
  const state = new ScopedState(MemoryStorage());
  await state.save('global', 'k', 1);
  const runtime = new ScriptRuntime({ registry, executor, state, globals });
  await (
    await runtime.load(
      `Hook.register('custom:none', function(ctx) local d = ctx.data.n return nil end)
       Hook.register('custom:sync', function(ctx) local d = Host.now(ctx.data.n) return nil end)
       Hook.register('custom:async', function(ctx) local d = Host.later(ctx.data.n) return nil end)
       Hook.register('custom:state', function(ctx) local d = State.load('global', 'k') return nil end)`,
      { name: 'bench.lua' },
    )
  ).run();
  await (
    await runtime.load(
      `Hook.register('custom:js-sync', (ctx) => { const d = Host.now(ctx.data.n); return undefined; });
       Hook.register('custom:js-async', async (ctx) => { const d = await Host.later(ctx.data.n); return undefined; });`,
      { name: 'bench.js' },
    )
  ).run();
  const fire = (point: string) => () => executor.fire(point as 'custom:none', input);
  await compare(
    'fire one script hook that calls the host',
    [
      { name: 'Lua hook, no call (anchor)', fn: fire('custom:none') },
      { name: 'Lua hook + sync host function', fn: fire('custom:sync') },
      { name: 'Lua hook + async host function (yield)', fn: fire('custom:async') },
      { name: 'Lua hook + State.load (built-in wait)', fn: fire('custom:state') },
      { name: 'QuickJS hook + sync host function', fn: fire('custom:js-sync') },
      { name: 'QuickJS hook + async host function', fn: fire('custom:js-async') },
    ],
    { anchor: 'Lua hook, no call (anchor)', samples: 5, sampleMs: 150, warmupMs: 200 },
  );
  await runtime.dispose();
}

async function delivery() {
  const setup = async (compat: boolean) => {
    const registry = new HookRegistry();
    const bus = new EventBus();
    const runtime = new ScriptRuntime({ registry, bus, ...(compat && { compat: 'llmspell' as const }) });
    const patterns = Array.from({ length: 20 }, (_, i) => (compat ? `svc${i}.*` : `svc${i}.**`));
    await (
      await runtime.load(
        `COUNT = 0
         for _, p in ipairs(JSON.decode(${JSON.stringify(JSON.stringify(patterns))})) do
           Event.subscribe(p, function(e) COUNT = COUNT + 1 end)
         end`,
        { name: compat ? 'compat.lua' : 'own.lua' },
      )
    ).run();
    return { bus, runtime };
  };
  const own = await setup(false);
  const compat = await setup(true);
  const data = { n: 1 };
  await compare(
    'publish one event, 20 Lua subscriptions, one matches',
    [
      { name: "hookspell's patterns (anchor)", fn: () => own.bus.publish('svc7.call.done', data) },
      {
        name: "compat: 'llmspell' (every subscription filters)",
        fn: () => compat.bus.publish('svc7.call.done', data),
      },
    ],
    { anchor: "hookspell's patterns (anchor)", samples: 5, sampleMs: 150, warmupMs: 200 },
  );
  await own.runtime.dispose();
  await compat.runtime.dispose();
}

await hooks();
await delivery();
