import type { HookspellEvent } from '@hookspell/events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError, BridgeErrorCode, type Script, ScriptRuntime } from '../src/index.js';
import { wasmMemoryBytes } from '../src/quickjs/quickjs-engine.js';
import { ticks, type World, world } from './helpers.js';

/**
 * Hostile JavaScript, one attack per case. Every case checks, besides its own error:
 * - the error is typed (a `BridgeError` with a stable code, or its notice on the bus);
 * - it ended within its deadline plus seconds of slack (a bound that proves no hang, not a speed);
 * - the wasm memory (which never shrinks) grew by no more than a few times `memoryBytes`;
 * - the attacking scripts dispose without an error, nothing was left as an unhandled rejection,
 *   and a fresh script loaded afterwards runs, as does a bystander loaded before.
 */
const MEMORY = 8 * 1024 * 1024;
const LIMITS = { callbackMs: 50, scriptMs: 300, memoryBytes: MEMORY };
/** Slack on every deadline: the machine is shared and loaded. */
const SLACK_MS = 3_000;
/** Memory bound plus slack: a few slices may each grow the heap up to `memoryBytes`. */
const GROWTH_BOUND = 4 * MEMORY + 16 * 1024 * 1024;

const {
  SCRIPT_ERROR: ERROR,
  SCRIPT_TIMEOUT: TIMEOUT,
  SCRIPT_MEMORY: OUT_OF_MEMORY,
  BRIDGE_VALUE: VALUE,
} = BridgeErrorCode;
const CLASS_OF: Record<string, string> = {
  [ERROR]: 'ScriptError',
  [TIMEOUT]: 'ScriptTimeoutError',
  [OUT_OF_MEMORY]: 'ScriptMemoryError',
  [VALUE]: 'BridgeValueError',
};

let w: World;
/** Same registry, bus and memory bound, and a CPU budget no nesting case reaches. */
let roomy: ScriptRuntime;
const ROOMY_MS = 2_000;
const handlerErrors: Array<{ pattern: string; error: { name: string; message: string } }> = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
/** Scripts a case loaded: disposed (and checked) after it. */
let loaded: Script[] = [];
let seq = 0;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  w = world(LIMITS);
  w.bus.subscribe('$bus.handler.error', (e: HookspellEvent) => {
    handlerErrors.push(e.data as (typeof handlerErrors)[number]);
  });
  await w.script(`Hook.register('custom:bystander', () => ({ type: 'replace', value: 'alive' }))`, {
    name: 'bystander.js',
  });
  roomy = new ScriptRuntime({
    registry: w.registry,
    executor: w.executor,
    bus: w.bus,
    state: w.state,
    limits: { ...LIMITS, callbackMs: ROOMY_MS },
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, meta) => w.logged.push({ level: 'error', message, script: meta.script }),
    },
  });
});

afterAll(async () => {
  await roomy.dispose();
  await w.runtime.dispose();
  process.off('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  for (const script of loaded) await expect(script.dispose()).resolves.toBeUndefined();
  loaded = [];
  await ticks(3);
  expect(w.logged.filter((l) => /could not free/.test(l.message))).toEqual([]);
  expect(unhandled).toEqual([]);
  // A fresh script runs, and the one loaded before every attack still answers.
  const point = `custom:next${++seq}` as const;
  const next = await w.script(
    `Hook.register('${point}', (ctx) => ({ type: 'replace', value: ctx.data.n + 1 }))`,
    {
      name: `next${seq}.js`,
    },
  );
  expect((await w.fire(point, { data: { n: 41 } })).decision).toEqual({ type: 'replace', value: 42 });
  await next.dispose();
  expect((await w.fire('custom:bystander')).decision).toEqual({ type: 'replace', value: 'alive' });
});

/** Loads and runs `source`; the script is disposed after the case. */
async function load(source: string, name = `attack${++seq}.js`, runtime = w.runtime): Promise<Script> {
  const script = await runtime.load(source, { name });
  loaded.push(script);
  await script.run();
  return script;
}

/** Runs `attack`, checks the time (`limitMs` plus slack) and memory bounds, returns its value. */
async function bounded<T>(attack: () => Promise<T>, limitMs = LIMITS.scriptMs): Promise<T> {
  const before = await wasmMemoryBytes();
  const started = performance.now();
  const out = await attack();
  expect(performance.now() - started).toBeLessThan(limitMs + SLACK_MS);
  expect((await wasmMemoryBytes()) - before).toBeLessThanOrEqual(GROWTH_BOUND);
  return out;
}

/** A hook whose body is `body` (in a plain or async function), fired once: its record's error. */
async function hook(body: string, options: { async?: boolean; registerOptions?: string } = {}): Promise<any> {
  const point = `custom:attack${++seq}` as const;
  const fn = `${options.async ? 'async ' : ''}(ctx) => { ${body} }`;
  await load(
    `Hook.register('${point}', ${fn}${options.registerOptions ? `, ${options.registerOptions}` : ''})`,
  );
  const out = await bounded(() => w.fire(point, { data: { items: [1, 2, 3] } }));
  expect(out.records[0]!.status).not.toBe('ok');
  return out.records[0]!.error;
}

/** `source` as a whole script: how its top level failed. */
async function topLevel(source: string, name?: string): Promise<any> {
  return bounded(async () => {
    const script = await w.runtime.load(source, { name: name ?? `top${++seq}.js` });
    loaded.push(script);
    return script.run().then(
      () => undefined,
      (error: unknown) => error,
    );
  });
}

/** A subscriber whose body is `body`, sent one event: the bus's notice of its failure. */
async function subscriber(
  body: string,
  options: { async?: boolean; runtime?: ScriptRuntime } = {},
): Promise<{ name: string; message: string }> {
  const type = `attack.sub${++seq}`;
  const runtime = options.runtime ?? w.runtime;
  await load(
    `Event.subscribe('${type}', ${options.async ? 'async ' : ''}(e) => { ${body} })`,
    undefined,
    runtime,
  );
  const before = handlerErrors.length;
  await bounded(
    async () => {
      await w.bus.publish(type, { n: 1 });
      await w.bus.flush();
      await ticks(3);
    },
    runtime === roomy ? ROOMY_MS : LIMITS.scriptMs,
  );
  const mine = handlerErrors.slice(before).filter((h) => h.pattern === type);
  expect(mine.length).toBeGreaterThan(0);
  return mine[0]!.error;
}

/** A typed error with one of `codes`, whose message matches. */
function typed(error: unknown, codes: string | string[], message?: RegExp): void {
  expect(BridgeError.isInstance(error), String(error)).toBe(true);
  expect([codes].flat()).toContain((error as BridgeError).code);
  expect((error as BridgeError).message).toMatch(/^\[hookspell\] \[bridge\] /);
  if (message) expect((error as BridgeError).message).toMatch(message);
}

/** The same for a subscriber's failure, as the bus's notice describes it. */
function typedNotice(
  error: { name: string; message: string },
  codes: string | string[],
  message?: RegExp,
): void {
  expect([codes].flat().map((c) => CLASS_OF[c])).toContain(error.name);
  expect(error.message).toMatch(/^\[hookspell\] \[bridge\] /);
  if (message) expect(error.message).toMatch(message);
}

describe('re-entry (a callback that calls back into its own script)', () => {
  it('J1. a subscriber that republishes the event it received stops at 16 levels; the script stays usable', async () => {
    const script = await load(
      `Event.subscribe('loop.js', (e) => e.data.again ? Event.publish('loop.js', e.data) : print('calm ' + e.data.n));`,
      'loop.js',
      roomy,
    );
    const before = handlerErrors.length;
    await bounded(async () => {
      await w.bus.publish('loop.js', { again: true });
      await w.bus.flush();
      await ticks(5);
    }, ROOMY_MS);
    const loops = handlerErrors.slice(before).filter((h) => h.pattern === 'loop.js');
    expect(loops).toHaveLength(1);
    typedNotice(loops[0]!.error, ERROR, /callbacks nested more than 16 deep/);
    await w.bus.publish('loop.js', { again: false, n: 7 });
    await w.bus.flush();
    expect(script.logs.map((l) => l.message)).toContain('calm 7');
  });

  it('J2. republishing after an await nests through the promise jobs and stops the same way', async () => {
    const error = await subscriber(`await null; await Event.publish(e.type, e.data);`, {
      async: true,
      runtime: roomy,
    });
    typedNotice(error, ERROR, /nested more than 16 deep/);
  });

  it('J3. subscribers of eight scripts that publish to each other in a ring stop at 64 levels', async () => {
    const n = 8;
    for (let i = 0; i < n; i++)
      await load(
        `Event.subscribe('ring.${i}', (e) => Event.publish('ring.${(i + 1) % n}', {}))`,
        `ring${i}.js`,
        roomy,
      );
    const before = handlerErrors.length;
    await bounded(async () => {
      await w.bus.publish('ring.0', {});
      await w.bus.flush();
      await ticks(5);
    }, ROOMY_MS);
    const ring = handlerErrors.slice(before).filter((h) => h.pattern.startsWith('ring.'));
    expect(ring).toHaveLength(1);
    typedNotice(ring[0]!.error, ERROR, /nested more than 64 deep across scripts/);
  });
});

describe('promise jobs run under the deadline', () => {
  const storm = 'for (let i = 0; i < 1000; i++) { const loop = () => Promise.resolve().then(loop); loop(); }';
  // A storm's garbage (promise cycles wait for QuickJS's collector) may reach the memory bound
  // before the deadline: either ends it.
  const STORM = [TIMEOUT, OUT_OF_MEMORY];
  const STORM_END = /ran past its CPU deadline|allocated more than its memory bound/;

  it('J4. a sync hook starting 1000 endless promise chains times out; the script keeps working', async () => {
    const point = `custom:storm${++seq}` as const;
    await load(
      `Hook.register('${point}', (ctx) => { if (ctx.data.storm) { ${storm} } return { type: 'replace', value: 'calm' }; })`,
    );
    const out = await bounded(() => w.fire(point, { data: { storm: true } }));
    expect(out.records[0]!.status).toBe('error');
    typed(
      out.records[0]!.error,
      STORM,
      /at custom:storm\d+ (ran past its CPU deadline of 50 ms|allocated more than its memory bound)/,
    );
    expect((await w.fire(point, { data: { storm: false } })).decision).toEqual({
      type: 'replace',
      value: 'calm',
    });
  });

  it('J5. an async hook that storms and then waits forever', async () => {
    typed(await hook(`${storm} await new Promise(() => {});`, { async: true }), STORM, STORM_END);
  });

  it('J6. promise chains that fan out (each job queues two)', async () => {
    const error = await hook(
      'const f = () => { Promise.resolve().then(f); Promise.resolve().then(f); }; f(); return null;',
    );
    typed(error, STORM, STORM_END);
  });

  it('J7. a storm started at the top level', async () => {
    typed(
      await topLevel(storm),
      STORM,
      /the top level (ran past its CPU deadline of 300 ms|allocated more than its memory bound)/,
    );
  });

  it('J8. a storm started by a subscriber', async () => {
    typedNotice(await subscriber(storm), STORM, STORM_END);
  });

  it('J9. promise chains that allocate as they go', async () => {
    const error = await hook(
      // Allocates garbage in every job (kept nothing): the deadline stops it. A chain that keeps
      // what it allocates ends when QuickJS refuses an allocation inside a job — that becomes a
      // rejected promise, which ends the chain quietly (docs/limits.md, promise jobs).
      'const loop = () => Promise.resolve(new Array(1 << 12).fill(1).length).then(loop); loop(); return null;',
    );
    typed(error, [TIMEOUT, OUT_OF_MEMORY]);
  });

  it('J10. catching the interrupt of a job and starting over', async () => {
    const error = await hook(
      'const spin = async () => { for (;;) {} }; for (;;) { try { await spin(); } catch {} }',
      { async: true },
    );
    typed(error, TIMEOUT, /CPU deadline/);
  });

  it('J11. a storm started after a host call resumed the hook', async () => {
    const error = await hook(`await State.load('global', 'k'); ${storm} await new Promise(() => {});`, {
      async: true,
    });
    typed(error, STORM, STORM_END);
  });

  it('J12. `await` in an endless loop', async () => {
    typed(await hook('for (;;) await null;', { async: true }), TIMEOUT, /CPU deadline/);
  });

  it('J13. `await` in a loop doing heavy work between awaits', async () => {
    typed(
      await hook('for (;;) { await null; for (let i = 0; i < 1e5; i++); }', { async: true }),
      TIMEOUT,
      /CPU deadline/,
    );
  });

  it('J14. Promise.all of a million promises', async () => {
    const error = await hook(
      'await Promise.all(Array.from({ length: 1e6 }, (_, i) => Promise.resolve(i).then((x) => x + 1)));',
      { async: true },
    );
    typed(error, [TIMEOUT, OUT_OF_MEMORY]);
  });

  it('J15. a thenable whose then loops, returned from an async hook', async () => {
    typed(await hook('return { then() { for (;;) {} } };', { async: true }), TIMEOUT, /CPU deadline/);
  });

  it('J16. Promise.prototype.then replaced by an endless loop (the bridge never calls it)', async () => {
    typed(
      await hook(
        'Promise.prototype.then = function () { for (;;) {} }; return Promise.resolve(1).then((x) => x);',
        {
          async: true,
        },
      ),
      TIMEOUT,
      /CPU deadline/,
    );
  });

  it('J17. an async function that never settles, after the host answered', async () => {
    typed(
      await hook(`await State.load('global', 'k'); await new Promise(() => {});`, { async: true }),
      ERROR,
      /can never settle/,
    );
  });

  it('J18. a module whose top level awaits forever', async () => {
    typed(await topLevel('await new Promise(() => {});', `forever${++seq}.mjs`), ERROR, /can never settle/);
  });

  it('J19. waiting on Event.receive past the hook timeout: the executor records a timeout', async () => {
    const point = `custom:receive${++seq}` as const;
    await load(
      `const q = Event.subscribe('never.comes.${seq}');
       Hook.register('${point}', async () => { await Event.receive(q, 60000); }, { timeout_ms: 200 });`,
    );
    const out = await bounded(() => w.fire(point), 200);
    expect(out.records[0]!.status).toBe('timeout');
    expect(String(out.records[0]!.error)).toMatch(/timed out after 200 ms/);
  });
});

describe('results the host reads back', () => {
  it('J20. a toJSON that loops', async () => {
    const error = await hook("return { type: 'replace', value: { toJSON() { for (;;) {} } } };");
    typed(error, TIMEOUT, /converting a value ran past its CPU deadline/);
  });

  it('J21. a toJSON that returns itself (endless recursion)', async () => {
    const error = await hook("return { type: 'replace', value: { toJSON() { return this; } } };");
    typed(error, [OUT_OF_MEMORY, TIMEOUT]);
  });

  it('J22. a Proxy result whose traps throw', async () => {
    const error = await hook(
      `return new Proxy({ type: 'replace' }, { ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } });`,
    );
    typed(error, [ERROR, VALUE], /trap/);
  });

  it('J23. a Proxy result whose get trap loops', async () => {
    const error = await hook(`return new Proxy({ type: 'replace', value: 1 }, { get() { for (;;) {} } });`);
    typed(error, TIMEOUT, /CPU deadline/);
  });

  it('J24. a revoked Proxy as the result', async () => {
    const error = await hook(`const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy;`);
    typed(error, [ERROR, VALUE], /revoked/);
  });

  it('J25. a revoked Proxy inside the result', async () => {
    const error = await hook(
      `const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return { type: 'modified', data: { p: proxy } };`,
    );
    typed(error, [ERROR, VALUE], /revoked/);
  });

  it('J26. a getter on the result that throws a symbol', async () => {
    const error = await hook(`return { type: 'replace', get value() { throw Symbol('boom'); } };`);
    typed(error, ERROR, /symbol/);
  });

  it('J27. a cycle through an array', async () => {
    const error = await hook(`const a = []; a.push(a); return { type: 'replace', value: a };`);
    typed(error, VALUE, /result\.value\[0\] is a cycle/);
  });

  it('J28. a shared object doubled 40 times (2^40 leaves, no cycle)', async () => {
    const error = await hook(
      `let v = [1]; for (let i = 0; i < 40; i++) v = [v, v]; return { type: 'replace', value: v };`,
    );
    typed(error, [VALUE, TIMEOUT], /nested deeper than 100|CPU deadline/);
  });

  it('J29. a structure nested 5000 deep', async () => {
    const error = await hook(
      `let t = {}; for (let i = 0; i < 5000; i++) t = { t }; return { type: 'replace', value: t };`,
    );
    typed(error, VALUE, /nested deeper than 100 levels/);
  });

  it('J30. an object with a million keys', async () => {
    const error = await hook(
      `const o = {}; for (let i = 0; i < 1e6; i++) o['k' + i] = i; return { type: 'modified', data: o };`,
    );
    typed(error, [TIMEOUT, OUT_OF_MEMORY]);
  });

  it("J31. a result whose 'then' getter throws", async () => {
    const error = await hook(
      `return { type: 'replace', value: 1, get then() { throw new Error('then'); } };`,
    );
    typed(error, ERROR, /then/);
  });
});

describe('thrown values that are not well-behaved Errors', () => {
  it('J32. a null-prototype object', async () => {
    typed(await hook(`throw Object.assign(Object.create(null), { code: 7 });`), ERROR, /threw \{"code":7\}/);
  });

  it('J33. a symbol', async () => {
    typed(await hook(`throw Symbol('s');`), ERROR, /threw a symbol value/);
  });

  it('J34. a BigInt', async () => {
    typed(await hook(`throw 10n ** 30n;`), ERROR, /threw a bigint value/);
  });

  it('J35. an Error whose message getter throws', async () => {
    const error = await hook(
      `const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('again'); } }); throw e;`,
    );
    typed(error, ERROR, /failed/);
  });

  it('J36. an Error whose stack and toString getters loop', async () => {
    const error = await hook(
      `const e = new Error('x'); Object.defineProperty(e, 'stack', { get() { for (;;) {} } }); e.toString = () => { for (;;) {} }; throw e;`,
    );
    typed(error, [ERROR, TIMEOUT]);
  });

  it('J37. a revoked Proxy, from an async hook', async () => {
    const error = await hook(`const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); throw proxy;`, {
      async: true,
    });
    typed(error, ERROR, /failed/);
  });

  it('J38. an Error with a 4 MiB message: the host keeps a bounded message', async () => {
    const error = await hook(`throw new Error('x'.repeat(1 << 22));`);
    typed(error, ERROR, /characters\)/);
    expect((error as BridgeError).message.length).toBeLessThan(10_000);
  });
});

describe('CPU', () => {
  it('J39. catastrophic regex backtracking', async () => {
    typed(await hook(`return /(a+)+$/.test('a'.repeat(40) + 'b');`), TIMEOUT, /CPU deadline/);
  });

  it('J40. a busy wait on Date.now', async () => {
    typed(await hook(`const t = Date.now(); while (Date.now() - t < 60000);`), TIMEOUT, /CPU deadline/);
  });

  it('J41. an endless generator', async () => {
    typed(await hook(`function* g() { for (;;) yield 1; } for (const x of g());`), TIMEOUT, /CPU deadline/);
  });

  it('J42. a sort comparator that loops', async () => {
    typed(await hook(`[3, 2, 1].sort(() => { for (;;) {} });`), TIMEOUT, /CPU deadline/);
  });

  it('J43. a replace callback that loops', async () => {
    typed(await hook(`'abc'.replace(/./g, () => { for (;;) {} });`), TIMEOUT, /CPU deadline/);
  });

  it('J44. eval and Function exist, inside the sandbox and the deadline', async () => {
    typed(await hook(`eval('for (;;) {}');`), TIMEOUT, /CPU deadline/);
    typed(await hook(`new Function('for (;;) {}')();`), TIMEOUT, /CPU deadline/);
  });

  it('J45. a Symbol.toPrimitive trap that loops when the script prints the value', async () => {
    const error = await hook(`print({ toJSON() {}, [Symbol.toPrimitive]() { for (;;) {} } });`);
    typed(error, TIMEOUT, /CPU deadline/);
  });

  it('J46. deep recursion through async functions', async () => {
    typed(
      await hook(`const f = async (n) => f(n + 1); await f(0);`, { async: true }),
      OUT_OF_MEMORY,
      /stack/,
    );
  });

  it('J47. deep recursion through getters', async () => {
    typed(await hook(`const o = { get x() { return this.x; } }; return o.x;`), OUT_OF_MEMORY, /stack/);
  });
});

describe('memory', () => {
  it('J48. a huge string from repeat', async () => {
    typed(await hook(`return 'x'.repeat(2 ** 28).length;`), OUT_OF_MEMORY);
  });

  it('J49. a flood of 1 MiB strings', async () => {
    typed(
      await hook(`const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length);`),
      OUT_OF_MEMORY,
      /memory/,
    );
  });

  it('J50. string doubling', async () => {
    typed(await hook(`let s = 'x'; for (;;) s += s;`), OUT_OF_MEMORY);
  });

  it('J51. Array(2 ** 31) filled', async () => {
    typed(await hook(`return Array(2 ** 31).fill(0).length;`), [OUT_OF_MEMORY, TIMEOUT]);
  });

  it('J52. a loop of 2 MiB arrays stays within the memory bound', async () => {
    typed(await hook(`const a = []; for (;;) a.push(new Array(1 << 18).fill(a.length));`), OUT_OF_MEMORY);
  });

  it('J53. a 1 GiB typed array, and a loop of 1 MiB ones', async () => {
    typed(await hook(`return new Uint8Array(2 ** 30).length;`), OUT_OF_MEMORY);
    typed(await hook(`const a = []; for (;;) a.push(new Uint8Array(1 << 20));`), OUT_OF_MEMORY);
  });

  it('J54. join of a ten-million-element array', async () => {
    typed(await hook(`return new Array(1e7).join('abc').length;`), [OUT_OF_MEMORY, TIMEOUT]);
  });

  it('J55. JSON.parse of a 40 MB input, and of 100 000 nested brackets', async () => {
    typed(await hook(`return JSON.parse('[' + '1,'.repeat(2e7) + '1]').length;`), [OUT_OF_MEMORY, TIMEOUT]);
    typed(
      await hook(`return JSON.parse('['.repeat(1e5) + ']'.repeat(1e5));`),
      [OUT_OF_MEMORY, ERROR],
      /stack|memory/,
    );
  });
});

describe('host API floods', () => {
  it('J56. Event.publish in an endless loop', async () => {
    typed(await hook(`for (let i = 0; ; i++) Event.publish('flood.js', { i });`), TIMEOUT, /CPU deadline/);
  });

  it('J57. Hook.register in an endless loop: the registration limit or the deadline', async () => {
    const error = await topLevel(`for (let i = 0; ; i++) Hook.register('custom:flood' + i, () => null);`);
    typed(error, [ERROR, TIMEOUT], /already holds 1000 hooks and subscriptions|CPU deadline of 300 ms/);
    // a failed top level undoes what it registered
    expect(w.registry.list().filter((h) => h.point.startsWith('custom:flood'))).toEqual([]);
  });

  it('J58. Event.subscribe in an endless loop: the registration limit or the deadline', async () => {
    const error = await topLevel(`for (;;) Event.subscribe('sub.flood', () => null);`);
    typed(error, [ERROR, TIMEOUT], /already holds 1000 hooks and subscriptions|CPU deadline of 300 ms/);
    expect(w.bus.subscriptions().filter((s) => s.pattern === 'sub.flood')).toEqual([]);
  });

  // Each republishes without returning the publish's promise, so every delivery runs nested in
  // the publisher's call, five per level: each of the five outer deliveries ends at its deadline
  // or at the nesting bound. (Returning the promise instead makes the bus queue the events, an
  // endless cascade of deliveries: the bus's to bound, not the script engine's.)
  it('J59. five subscribers that each republish: every delivery ends at its deadline or the nesting bound', async () => {
    await load(
      `for (let i = 0; i < 5; i++) Event.subscribe('fan.out', () => { Event.publish('fan.out', {}); return null; });`,
    );
    const before = handlerErrors.length;
    await bounded(async () => {
      await w.bus.publish('fan.out', {});
      await w.bus.flush();
      await ticks(3);
    });
    const notices = handlerErrors.slice(before);
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) typedNotice(n.error, [ERROR, TIMEOUT], /nested more than|CPU deadline/);
  });
});
