import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HookExecutor, HookRegistry, HookResult } from '../src/index.js';
import { never, sleep } from './helpers.js';

// Timeouts are real: assert order and relations (record after the timeout, before a bound that
// is far from it), never absolute speed.
const MARGIN = 250;

describe('per-hook timeouts', () => {
  it('a hook that never settles gets a timeout record at its timeout, its signal aborts, the fire goes on', async () => {
    const registry = new HookRegistry();
    let signal: AbortSignal | undefined;
    registry.register(
      'BeforeToolExecution',
      (_ctx, s) => {
        signal = s;
        return never();
      },
      { name: 'stuck', timeoutMs: 40 },
    );
    registry.register('BeforeToolExecution', () => HookResult.modified({ after: true }), {
      name: 'next',
      priority: 'low',
    });
    const t = performance.now();
    const out = await new HookExecutor(registry).fire('BeforeToolExecution');
    const elapsed = performance.now() - t;
    expect(out.records[0]).toMatchObject({ name: 'stuck', status: 'timeout' });
    expect((out.records[0]!.error as DOMException).name).toBe('TimeoutError');
    expect(out.records[0]!.durationMs).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(40 + MARGIN);
    expect(signal?.aborted).toBe(true);
    expect((signal!.reason as DOMException).name).toBe('TimeoutError');
    expect(out.records[1]).toMatchObject({ name: 'next', status: 'ok' });
    expect(out.data).toEqual({ after: true });
  });

  it('a hook that ignores its signal is timed out all the same; its late result is ignored', async () => {
    const registry = new HookRegistry();
    let finished = false;
    registry.register(
      'SessionStart',
      async () => {
        await sleep(120);
        finished = true;
        return HookResult.cancel('too late');
      },
      { timeoutMs: 30 },
    );
    const out = await new HookExecutor(registry).fire('SessionStart');
    expect(out.records[0]!.status).toBe('timeout');
    expect(out.records[0]!.durationMs).toBeLessThan(120);
    expect(finished).toBe(false);
    expect(out.decision.type).toBe('continue');
    await sleep(130);
    expect(finished).toBe(true);
    expect(out.decision.type).toBe('continue');
  });

  it('each hook of a chain gets its own full timeout, whether its fire is alone or interleaved', async () => {
    // The chain keeps its place in the deadline list from one hook to the next and only moves
    // the deadline: a stale deadline would time the second hook out 150 ms after the first began.
    const registry = new HookRegistry();
    for (const name of ['a', 'b', 'c'])
      registry.register('SessionStart', () => sleep(100), { name, timeoutMs: 150 });
    const executor = new HookExecutor(registry);
    const alone = await executor.fire('SessionStart');
    expect(alone.records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    // Interleaved: three fires started 30 ms apart, so a chain moving on is rarely the list's tail.
    const fires = [0, 30, 60].map(async (delay) => {
      await sleep(delay);
      return executor.fire('SessionStart');
    });
    const stuck = new HookRegistry();
    stuck.register('SessionStart', () => sleep(20), { name: 'quick', timeoutMs: 150 });
    stuck.register('SessionStart', () => never(), { name: 'stuck', timeoutMs: 150 });
    const stuckOut = await new HookExecutor(stuck).fire('SessionStart');
    for (const out of await Promise.all(fires))
      expect(out.records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(stuckOut.records.map((r) => r.status)).toEqual(['ok', 'timeout']);
    expect(stuckOut.records[1]!.durationMs).toBeGreaterThanOrEqual(150);
    expect(stuckOut.records[1]!.durationMs).toBeLessThan(150 + MARGIN);
  });

  it('a late rejection of a timed-out hook is swallowed', async () => {
    const registry = new HookRegistry();
    registry.register(
      'SessionStart',
      async () => {
        await sleep(60);
        throw new Error('late');
      },
      { timeoutMs: 10 },
    );
    const out = await new HookExecutor(registry).fire('SessionStart');
    expect(out.records[0]!.status).toBe('timeout');
    await sleep(80); // an unhandled rejection would fail the run
  });

  it('timeout precedence: hook option, then fire option, then executor default', async () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => never(), { name: 'own', timeoutMs: 15 });
    registry.register('SessionStart', () => never(), { name: 'inherits' });
    const executor = new HookExecutor(registry, { defaultTimeoutMs: 10_000 });
    // 15 ms against 120 ms: far enough apart that a loaded machine's late timers can't blur them.
    const out = await executor.fire('SessionStart', {}, { timeoutMs: 120 });
    expect(out.records.map((r) => r.status)).toEqual(['timeout', 'timeout']);
    expect(out.records[0]!.durationMs).toBeGreaterThanOrEqual(15);
    expect(out.records[0]!.durationMs).toBeLessThan(120);
    expect(out.records[1]!.durationMs).toBeGreaterThanOrEqual(120);
    const quick = new HookRegistry();
    quick.register('SessionStart', () => never());
    const o2 = await new HookExecutor(quick, { defaultTimeoutMs: 20 }).fire('SessionStart');
    expect(o2.records[0]!.durationMs).toBeGreaterThanOrEqual(20);
    expect(o2.records[0]!.durationMs).toBeLessThan(20 + MARGIN);
  });

  it('many hooks timing out in overlapping fires each get their own record', async () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => never(), { timeoutMs: 30 });
    const executor = new HookExecutor(registry);
    const outs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await sleep(i);
        return executor.fire('SessionStart');
      }),
    );
    for (const out of outs) {
      expect(out.records[0]!.status).toBe('timeout');
      expect(out.records[0]!.durationMs).toBeGreaterThanOrEqual(30);
      expect(out.records[0]!.durationMs).toBeLessThan(30 + MARGIN);
    }
  });

  it('a hook with no second parameter shares the fire signal, so no AbortController is built', async () => {
    const registry = new HookRegistry();
    const seen: AbortSignal[] = [];
    registry.register('SessionStart', function one(this: unknown, ..._args: unknown[]) {
      // biome-ignore lint/complexity/noArguments: a hook reaching for its second argument without declaring it
      seen.push(arguments[1] as AbortSignal);
    });
    registry.register('SessionStart', (_c, s) => void seen.push(s));
    const controller = new AbortController();
    await new HookExecutor(registry).fire('SessionStart', {}, { signal: controller.signal });
    expect(seen[0]).toBe(controller.signal);
    expect(seen[1]).not.toBe(controller.signal);
  });

  // Process-level behaviour needs a real process; it runs the built package (turbo builds
  // before testing) and is skipped, saying why, when dist/ is absent.
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const run = (code: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', code.replaceAll('DIST', JSON.stringify(pathToFileURL(dist).href))],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
  it.skipIf(!existsSync(dist))(
    'a hook that never settles keeps the process alive until its timeout record',
    () => {
      const r = run(`
      import { HookRegistry, HookExecutor } from DIST;
      const registry = new HookRegistry();
      registry.register('SessionStart', () => new Promise(() => {}), { timeoutMs: 100 });
      const out = await new HookExecutor(registry).fire('SessionStart');
      console.log(out.records[0].status);`);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('timeout');
      expect(r.status).toBe(0);
    },
  );
  it.skipIf(!existsSync(dist))('an idle executor does not hold the process open for its timeout', () => {
    const t = performance.now();
    const r = run(`
      import { HookRegistry, HookExecutor } from DIST;
      const registry = new HookRegistry();
      registry.register('SessionStart', async () => {});
      await new HookExecutor(registry, { defaultTimeoutMs: 30_000 }).fire('SessionStart');
      console.log('done');`);
    expect(r.stdout.trim()).toBe('done');
    expect(performance.now() - t).toBeLessThan(15_000);
  });
});
