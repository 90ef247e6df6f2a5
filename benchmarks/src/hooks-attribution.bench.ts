/**
 * Where the time of a hookspell fire goes: the same 1- and 5-hook fires as `hooks.bench.ts`,
 * with parts of the executor's work removed one at a time, next to the timing floor and tapable.
 *
 *  - "metrics and breakers off" uses public options (`metrics: false`, `breaker: false`);
 *  - "no clock" and "no deadline list" cannot be asked for (every fire times its hooks and arms
 *    their timeouts), so they run on copies of the built package with those calls stubbed out:
 *    the clock returns a constant, the deadline list's add/refresh/remove return at once. The
 *    copies are made next to the package (so its dependencies resolve) and removed afterwards.
 *
 * Not a target of any issue: it shows which part of the distance to tapable each piece of work
 * accounts for.
 *
 *   pnpm build && pnpm --filter @hookspell/benchmarks bench hooks-attribution
 */

import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AsyncSeriesHook } from 'tapable';
import { compare } from './harness.js';
import { timedFloor } from './timed-floor.js';

const require = createRequire(import.meta.url);
const dist = join(dirname(require.resolve('@hookspell/hooks/package.json')), 'dist');
const scratch = join(dirname(dist), 'node_modules', '.bench-attribution');

type Patch = [from: RegExp, to: string];
const NO_CLOCK: Patch = [/now: \(\) => origin \+ performance\.now\(\)/, 'now: () => origin'];
const NO_DEADLINES: Patch[] = [
  [/^(\s+add\(waiter, start\) \{)$/m, '$1 return;'],
  [/^(\s+refresh\(waiter, start\) \{)$/m, '$1 return;'],
  [/^(\s+remove\(waiter\) \{)$/m, '$1 return;'],
];

/** A copy of the built package with `patches` applied (each must match once in some file). */
function variant(name: string, patches: Patch[]): string {
  const dir = join(scratch, name);
  cpSync(dist, dir, { recursive: true });
  for (const [from, to] of patches) {
    const file = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => join(dir, f))
      .find((f) => from.test(readFileSync(f, 'utf8')));
    if (file === undefined) throw new Error(`${from} not found in the build: update this benchmark`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
  }
  return pathToFileURL(join(dir, 'index.js')).href;
}

rmSync(scratch, { recursive: true, force: true });
const builds = {
  real: pathToFileURL(join(dist, 'index.js')).href,
  noClock: variant('no-clock', [NO_CLOCK]),
  noClockNoDeadlines: variant('no-clock-no-deadlines', [NO_CLOCK, ...NO_DEADLINES]),
};

const handlers = Array.from(
  { length: 5 },
  () =>
    async (_input: unknown): Promise<void> => {},
);
const input = { component: { type: 'tool' as const, name: 'shell' }, data: { cmd: 'ls' } };

async function hookspell(url: string, n: number, lean: boolean) {
  const { HookExecutor, HookRegistry } = (await import(url)) as typeof import('@hookspell/hooks');
  const registry = new HookRegistry();
  for (let i = 0; i < n; i++)
    registry.register('BeforeToolExecution', handlers[i]!, {
      name: `h${i}`,
      ...(lean ? { breaker: false } : {}),
    });
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 5_000, metrics: !lean });
  return () => executor.fire('BeforeToolExecution', input);
}

function tapable(n: number) {
  const hook = new AsyncSeriesHook<[unknown]>(['input']);
  for (let i = 0; i < n; i++) hook.tapPromise(`h${i}`, handlers[i]!);
  return () => hook.promise(input);
}

try {
  for (const n of [1, 5]) {
    const results = await compare(
      `fire with ${n} async hook${n === 1 ? '' : 's'}: what each part of the work costs`,
      [
        { name: 'hookspell fire (everything on)', fn: await hookspell(builds.real, n, false) },
        { name: 'metrics and breakers off', fn: await hookspell(builds.real, n, true) },
        { name: 'no clock readings', fn: await hookspell(builds.noClock, n, false) },
        { name: 'no clock, no deadline list', fn: await hookspell(builds.noClockNoDeadlines, n, false) },
        { name: 'none of the four', fn: await hookspell(builds.noClockNoDeadlines, n, true) },
        { name: 'floor: timing each hook, nothing else', fn: timedFloor(handlers, n, input) },
        { name: 'tapable AsyncSeriesHook.promise', fn: tapable(n) },
      ],
      { anchor: 'tapable AsyncSeriesHook.promise' },
    );
    const ns = (name: string) => 1e9 / results.find((r) => r.name === name)!.opsPerSec;
    console.log(`ns per fire: ${results.map((r) => `${r.name} ${ns(r.name).toFixed(0)}`).join('; ')}\n`);
  }
} finally {
  if (existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
}
