import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptError, ScriptMemoryError, ScriptTimeoutError } from '../src/index.js';
import { ticks, type World, world } from './helpers.js';

let w: World;
afterEach(async () => {
  await w.runtime.dispose(); // every QuickJS runtime is freed with its leak check
});

describe('JavaScript (QuickJS): Hook', () => {
  it('registers real hooks with camelCase handles, listed with language javascript', async () => {
    w = world();
    const s = await w.script(
      `const h = Hook.register('BeforeToolExecution', async (ctx) =>
         ctx.component.name === 'shell' ? { type: 'cancel', reason: 'no ' + ctx.data.cmd } : undefined, 'high');
       print(h.id, h.hookPoint, String(h));`,
      { name: 'deny.js' },
    );
    const [info] = w.registry.list();
    expect(info).toMatchObject({ language: 'javascript', priority: -100, point: 'BeforeToolExecution' });
    expect(s.logs[0]!.message).toBe(
      `${info!.id} BeforeToolExecution HookHandle(deny.js#1 @ BeforeToolExecution)`,
    );
    const out = await w.fire('BeforeToolExecution', {
      component: { type: 'tool', name: 'shell' },
      data: { cmd: 'ls' },
    });
    expect(out.decision).toEqual({ type: 'cancel', reason: 'no ls' });
  });

  it('gives the hook a camelCase context', async () => {
    w = world();
    await w.script(
      `Hook.register('custom:ctx', (ctx) => ({ type: 'replace', value: {
        point: ctx.point, corr: ctx.correlationId, comp: ctx.component, lang: ctx.language, meta: ctx.metadata } }))`,
      {
        name: 'ctx.js',
      },
    );
    const out = await w.fire('custom:ctx', {
      component: { type: 'agent', name: 'a1' },
      metadata: { user_id: 'u' },
      correlationId: 'corr-1',
    });
    expect(out.decision).toEqual({
      type: 'replace',
      value: {
        point: 'custom:ctx',
        corr: 'corr-1',
        comp: { type: 'agent', name: 'a1' },
        lang: 'native',
        meta: { user_id: 'u' },
      },
    });
  });

  it('unregisters, lists, and raises catchable errors for bad input', async () => {
    w = world();
    const s = await w.script(
      `const a = Hook.register('SystemStartup', () => {}, { name: 'a', priority: 'low', tags: ['t'] });
       const list = Hook.list({ tag: 't' });
       print(list.length, list[0].hook_point, list[0].priority, list[0].hookPoint);
       print(typeof Event.getStats().scriptSubscriptions, typeof Event.getStats().handlerErrors);
       try { Hook.register('SystemStartpu', () => {}); } catch (e) { print('caught', e.message); }
       try { Hook.unregister({}); } catch (e) { print('caught', e.message); }
       print(a.unregister(), a.unregister(), Hook.list().length);`,
      { name: 'u.js' },
    );
    expect(s.logs.map((l) => l.message)).toEqual([
      '1 SystemStartup low SystemStartup',
      'number number',
      expect.stringMatching(/^caught .*Did you mean 'SystemStartup'/),
      expect.stringMatching(/^caught Hook.unregister: expected a handle/),
      'true false 0',
    ]);
  });

  it('records thrown errors with the script stack and line; non-Error throws too', async () => {
    w = world();
    await w.script(
      `\nHook.register('custom:e', (ctx) => {\n  throw new RangeError('bad range');\n});\nHook.register('custom:e', () => { throw { code: 7 }; });\nHook.register('custom:e', async () => { throw 'text'; });`,
      {
        name: 'err.js',
      },
    );
    const out = await w.fire('custom:e');
    const [a, b, c] = out.records.map((r) => r.error as ScriptError);
    expect(a!.message).toMatch(/RangeError: bad range/);
    expect(a!.line).toBe(3);
    expect(a!.scriptStack).toMatch(/err\.js:3/);
    expect(b!.message).toMatch(/threw \{"code":7\}/);
    expect(b!.thrown).toEqual({ code: 7 });
    expect(c!.message).toMatch(/threw "text"/);
  });

  it('interrupts a loop past callbackMs (uncatchable), and the script keeps working', async () => {
    w = world({ callbackMs: 30 });
    await w.script(
      `let calls = 0;
       Hook.register('custom:loop', (ctx) => {
         calls++;
         if (ctx.data.spin) for (;;) { try { while (true) {} } catch (e) {} }
         return { type: 'replace', value: calls };
       });`,
      { name: 'spin.js' },
    );
    const out = await w.fire('custom:loop', { data: { spin: true } });
    expect(ScriptTimeoutError.isInstance(out.records[0]!.error)).toBe(true);
    expect((await w.fire('custom:loop', { data: {} })).decision).toEqual({ type: 'replace', value: 2 });
  });

  it('stops memory growth at memoryBytes with a memory error, and the script keeps working', async () => {
    w = world({ memoryBytes: 4 * 1024 * 1024, callbackMs: 2_000 });
    await w.script(
      `Hook.register('custom:grow', (ctx) => {
         if (!ctx.data.grow) return { type: 'replace', value: 'fine' };
         const a = []; for (;;) a.push('x'.repeat(65536) + a.length);
       });`,
      { name: 'grow.js' },
    );
    const out = await w.fire('custom:grow', { data: { grow: true } });
    expect(ScriptMemoryError.isInstance(out.records[0]!.error)).toBe(true);
    expect((await w.fire('custom:grow', { data: {} })).decision).toEqual({ type: 'replace', value: 'fine' });
  });

  it('rejects a promise that can never settle at once; a hook that waits too long times out', async () => {
    w = world();
    await w.script(
      `Hook.register('custom:p', () => new Promise(() => {}));
       const q = Event.subscribe('never.*');
       Hook.register('custom:q', async () => { await Event.receive(q, 10000); }, { timeoutMs: 50 });`,
      { name: 'p.js' },
    );
    const p = await w.fire('custom:p');
    expect(String(p.records[0]!.error)).toMatch(/can never settle/);
    const q = await w.fire('custom:q');
    expect(q.records[0]!.status).toBe('timeout');
  });

  it('bounds a top level that waits on the host by waitMs', async () => {
    w = world({ waitMs: 50 });
    const s = await w.runtime.load(`const q = Event.subscribe('never.*'); await Event.receive(q, 10000);`, {
      name: 'wait.mjs',
    });
    const error = await s.run().catch((e) => e);
    expect(ScriptTimeoutError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/waited on the host for more than 50 ms/);
  });
});

describe('JavaScript (QuickJS): top level, Event, State', () => {
  it('supports top-level await in .mjs scripts and rejects syntax errors at load', async () => {
    w = world();
    const s = await w.script(`await State.save('global', 'k', 1); print(await State.load('global', 'k'));`, {
      name: 'tla.mjs',
    });
    expect(s.logs[0]!.message).toBe('1');
    const error = await w.runtime.load('let x = ;', { name: 'bad.js' }).catch((e) => e);
    expect(error.code).toBe('HOOKSPELL_SCRIPT_ERROR');
    expect(error.message).toMatch(/SyntaxError/);
  });

  it('uses Event and State with promises, and the older State aliases', async () => {
    w = world();
    const s = await w.script(
      `const q = Event.subscribe('job.*');
       let seen = 0;
       const cb = Event.subscribe('tool.*', (e) => { seen += e.data.n; });
       Hook.register('custom:go', async () => {
         await Event.publish('job.done', { ok: true }, { correlationId: 'c1' });
         const e = await Event.receive(q, 100);
         await State.set('seen', seen);
         Event.unsubscribe(cb);
         return { type: 'replace', value: { type: e.type, corr: e.metadata.correlationId, seen: await State.get('seen'),
           keys: await State.list(), subs: Event.listSubscriptions().length, none: Event.unsubscribe('nope') } };
       });`,
      { name: 'ev.js' },
    );
    await w.bus.publish('tool.a', { n: 2 });
    await w.bus.publish('tool.b', { n: 3 });
    const out = await w.fire('custom:go');
    expect(out.decision).toEqual({
      type: 'replace',
      value: { type: 'job.done', corr: 'c1', seen: 5, keys: ['seen'], subs: 1, none: false },
    });
    await w.bus.publish('tool.c', { n: 100 });
    await ticks();
    expect(s.subscriptions).toHaveLength(1);
  });

  it('logs with the script name and captures print and console.log', async () => {
    w = world();
    const s = await w.script(`log.warn('careful', { a: 1 }); console.log('c', 1); print({ x: [1] });`, {
      name: 'l.js',
    });
    expect(w.logged).toEqual([{ level: 'warn', message: 'careful', script: 'l.js', data: { a: 1 } }]);
    expect(s.logs.map((l) => l.message)).toEqual(['careful', 'c 1', '{"x":[1]}']);
  });
});

describe('JavaScript (QuickJS): where a runaway loop was interrupted', () => {
  it('names the line QuickJS recorded last, as "at or after", and the exact line when the loop records it', async () => {
    w = world({ callbackMs: 50, scriptMs: 200 });
    // `i++` records no position: QuickJS names the arrow function's line (2), the loop is on 4.
    await w.script(
      "const a = 1;\nHook.register('custom:spin', () => {\n  let i = 0;\n  for (;;) { i++; }\n});",
      { name: 'spin.js' },
    );
    const tight = (await w.fire('custom:spin')).records[0]!.error as ScriptTimeoutError;
    expect(tight.code).toBe('HOOKSPELL_SCRIPT_TIMEOUT');
    expect(tight.message).toMatch(/interrupted at or after line 2\./);
    // A loop with a branch in it records its own line.
    const s = await w.runtime.load(
      'const x = 1;\nlet n = 0;\nwhile (true) { n = n + 1; if (n < 0) break; }\n',
      {
        name: 'spin2.js',
      },
    );
    const top = (await s.run().catch((e: unknown) => e)) as ScriptTimeoutError;
    expect(top.message).toMatch(/interrupted at or after line 3\./);
  });
});
