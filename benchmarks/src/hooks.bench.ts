/**
 * Firing a point with 0, 1 and 5 async hooks: hookspell's executor vs tapable's
 * `AsyncSeriesHook.promise()` and hookable's `callHook`, running the same handler functions.
 *
 * Two processes, because an AsyncLocalStorage in use slows every promise on Node 20
 * (DESIGN.md, "The price of AsyncLocalStorage"):
 *  - this one: a bare executor (no correlation scope) against the bare anchors;
 *  - a child started with `--als`: an executor with `{ correlation: true }` against the same
 *    anchors after `new AsyncLocalStorage().enterWith({})`, so every case pays the same tax.
 *
 * The hookspell cases do what tapable does not: a context per fire, a record per hook (status,
 * duration, result), breaker bookkeeping, a per-hook timeout armed for each async hook, metrics.
 *
 *   pnpm --filter @hookspell/benchmarks bench hooks
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { createHooks } from 'hookable';
import { AsyncSeriesHook } from 'tapable';
import { type CaseResult, compare, median } from './harness.js';
import { timedFloor } from './timed-floor.js';

const withAls = process.argv.includes('--als');
if (withAls) new AsyncLocalStorage().enterWith({});

// The same handlers for every library: async, one argument, nothing to do.
const handlers = Array.from({ length: 5 }, (_, i) => {
  const fn = async (_input: unknown): Promise<void> => {};
  Object.defineProperty(fn, 'name', { value: `handler${i}` });
  return fn;
});

function hookspell(n: number) {
  const registry = new HookRegistry();
  for (let i = 0; i < n; i++) registry.register('BeforeToolExecution', handlers[i]!, { name: `h${i}` });
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 5_000, correlation: withAls });
  const input = { component: { type: 'tool' as const, name: 'shell' }, data: { cmd: 'ls' } };
  return () => executor.fire('BeforeToolExecution', input);
}

function tapable(n: number) {
  const hook = new AsyncSeriesHook<[unknown]>(['input']);
  for (let i = 0; i < n; i++) hook.tapPromise(`h${i}`, handlers[i]!);
  const input = { cmd: 'ls' };
  return () => hook.promise(input);
}

function hookable(n: number) {
  const hooks = createHooks<{ BeforeToolExecution: (input: unknown) => Promise<void> }>();
  for (let i = 0; i < n; i++) hooks.hook('BeforeToolExecution', handlers[i]!);
  const input = { cmd: 'ls' };
  return () => hooks.callHook('BeforeToolExecution', input);
}

const label = withAls
  ? 'correlation on, AsyncLocalStorage active for every case'
  : 'bare (no AsyncLocalStorage)';
const ours = withAls ? 'hookspell fire (correlation on)' : 'hookspell fire';
const FLOOR = 'floor: timing each hook, nothing else';
console.log(`performance.now(): ${clockCost().toFixed(0)} ns per reading on this machine\n`);
const summary: string[] = [];
for (const n of [0, 1, 5]) {
  const results = await compare(
    `fire with ${n} async hook${n === 1 ? '' : 's'} — ${label}`,
    [
      { name: 'tapable AsyncSeriesHook.promise', fn: tapable(n) },
      { name: 'hookable callHook', fn: hookable(n) },
      { name: ours, fn: hookspell(n) },
      ...(n > 0 ? [{ name: FLOOR, fn: timedFloor(handlers, n, { cmd: 'ls' }) }] : []),
    ],
    { anchor: 'tapable AsyncSeriesHook.promise' },
  );
  summary.push(line(n, results));
}
console.log([`Summary (${label}):`, '', ...summary, ''].join('\n'));

if (!withAls) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--als'], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
}

function line(n: number, results: CaseResult[]): string {
  const rate = (name: string) => results.find((r) => r.name === name)!.opsPerSec;
  const us = rate(ours);
  const floor =
    n > 0
      ? `, ${(us / rate(FLOOR)).toFixed(2)}× the timing floor (floor = ${(rate(FLOOR) / rate('tapable AsyncSeriesHook.promise')).toFixed(2)}× tapable)`
      : '';
  return `- ${n} hooks: hookspell ${(us / 1e6).toFixed(2)} M/s = ${(us / rate('tapable AsyncSeriesHook.promise')).toFixed(2)}× tapable, ${(us / rate('hookable callHook')).toFixed(2)}× hookable${floor}`;
}

/** Median cost of one performance.now() reading, in ns. */
function clockCost(): number {
  const costs: number[] = [];
  let sink = 0;
  for (let s = 0; s < 9; s++) {
    const t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++) sink += performance.now();
    costs.push(performance.now() - t0);
  }
  if (sink === 0) console.log(''); // keeps the loop from being optimised away
  return median(costs);
}
