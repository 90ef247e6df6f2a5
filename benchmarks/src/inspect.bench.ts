/// <reference lib="dom" />
/**
 * `hookspell inspect` as its users see it, in headless Chromium (Debian's /usr/bin/chromium,
 * driven by the CLI's playwright-core):
 *
 *  - live: an event appended by another process (an agent writing the SQLite log) → its row on
 *    the open run page. The writer stamps each event when its commit returns; the page stamps
 *    each row when it enters the DOM (a MutationObserver); both are this machine's wall clock.
 *    400 events, one every 25 ms (a busy agent), p50 / p99 / max.
 *  - load: opening a run of 10 000 events (1 666 agent steps, each followed by a parallel fire of
 *    3 hooks with a dependsOn, the hook journal on): navigation → first rows drawn, and → every
 *    event loaded and laid out (journal times included).
 *    12 loads, p50 / p99 / max.
 *
 * Targets (issue 19): p99 ≤ 1 s from append to row; ≤ 1 s to first render of a 10 000-event run.
 * The CLI must be built (`pnpm --filter hookspell build`).
 *
 *   pnpm --filter @hookspell/benchmarks bench inspect
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBus, EventLog } from '@hookspell/events';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { HookJournal } from '@hookspell/journal';
import { SqliteStorage } from '@hookspell/storage';
import { machineLine } from './harness.js';

const CLI_DIR = fileURLToPath(new URL('../../apps/cli/', import.meta.url));
const CLI = join(CLI_DIR, 'dist', 'cli.js');
const CHROMIUM = process.env.HOOKSPELL_CHROMIUM ?? '/usr/bin/chromium';
// playwright-core is the CLI's devDependency (its browser tests); borrowed from there, typed loosely.
const { chromium } = createRequire(join(CLI_DIR, 'package.json'))('playwright-core') as {
  chromium: { launch(o: object): Promise<any> };
};

const LIVE_EVENTS = 400;
const LIVE_EVERY_MS = 25;
const LOAD_EVENTS = 10_000;
const LOADS = 12;

if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: build the CLI first (pnpm --filter hookspell build).`);
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.log(`${CHROMIUM} is missing: skipped (apt-get install chromium, or set HOOKSPELL_CHROMIUM).`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'hookspell-inspect-bench-'));
const db = join(dir, '.hookspell', 'hookspell.db');
const children: ChildProcess[] = [];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** A run of `total` events: agent steps, each followed by a fire of 3 hooks (6 events), journal on. */
async function seed(correlationId: string, total: number): Promise<number> {
  const storage = SqliteStorage({ path: db });
  const log = new EventLog(storage);
  const bus = new EventBus({ log, persist: ['**'], source: 'bench' });
  const registry = new HookRegistry();
  registry.register('custom:step', () => HookResult.continue(), { name: 'policy' });
  registry.register('custom:step', (ctx) => HookResult.modified({ checked: ctx.data.step }), {
    name: 'check',
  });
  registry.register('custom:step', () => undefined, { name: 'audit', dependsOn: ['check'] });
  registry.configurePoint('custom:step', { mode: 'parallel' });
  const executor = new HookExecutor(registry, { sink: bus.hookSink() });
  const journal = new HookJournal(storage);
  journal.attach(executor);
  let stored = 0;
  for (let i = 0; stored + 6 <= total; i++, stored += 6) {
    await bus.publish('agent.step', { step: i }, { correlationId });
    await executor.fire('custom:step', { data: { step: i } }, { correlationId });
  }
  for (; stored < total; stored++) await bus.publish('agent.note', { n: stored }, { correlationId });
  await bus.flush();
  await journal.close();
  await bus.close();
  await log.close();
  const count = await new EventLog(storage).query({ correlationId, limit: 1_000_000 }).then((e) => e.length);
  await storage.close();
  return count;
}

function startInspect(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'inspect', '--port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /hookspell inspect: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace(/\/$/, ''));
    });
    child.on('exit', (code) => reject(new Error(`hookspell inspect exited ${code}: ${out}`)));
  });
}

const WRITER = `import { EventBus, EventLog } from '${new URL('../node_modules/@hookspell/events/dist/index.js', import.meta.url).href}';
import { SqliteStorage } from '${new URL('../node_modules/@hookspell/storage/dist/index.js', import.meta.url).href}';
const [path, correlationId, count, every] = process.argv.slice(2);
const storage = SqliteStorage({ path });
const log = new EventLog(storage);
const bus = new EventBus({ log, persist: ['**'], source: 'bench-writer' });
const out = [];
for (let i = 0; i < Number(count); i++) {
  const event = await bus.publish('agent.step', { step: i }, { correlationId, durable: true });
  out.push([event.id, Date.now()]);
  await new Promise((r) => setTimeout(r, Number(every)));
}
await bus.close(); await log.close(); await storage.close();
process.stdout.write(JSON.stringify(out));
`;

try {
  console.log(`Machine: ${machineLine()}, ${CHROMIUM}\n`);
  const loaded = await seed('bench-10k', LOAD_EVENTS);
  await seed('bench-live', 6);
  writeFileSync(join(dir, 'writer.mjs'), WRITER);
  const base = await startInspect();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

  // live: append in another process → row on the page
  await page.goto(`${base}/#/runs/bench-live`);
  await page.waitForFunction(
    () => document.querySelector('#connection')?.textContent === '● following',
    undefined,
    { timeout: 30_000 },
  );
  // (a string: tsx would wrap a function's inner names in a helper the page does not have)
  await page.evaluate(`{
    const seen = {};
    window.seen = seen;
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('#timeline .row[data-id]')) {
        if (!(row.dataset.id in seen)) seen[row.dataset.id] = performance.timeOrigin + performance.now();
      }
    }).observe(document.querySelector('#timeline'), { childList: true, subtree: true });
  }`);
  const writer = spawn(
    process.execPath,
    ['writer.mjs', db, 'bench-live', String(LIVE_EVENTS), String(LIVE_EVERY_MS)],
    { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(writer);
  let written = '';
  writer.stdout!.on('data', (c: Buffer) => (written += c));
  await new Promise((r) => writer.on('exit', r));
  const committed = JSON.parse(written) as [string, number][];
  await page.waitForFunction(
    (ids: string[]) => ids.every((id) => id in (window as unknown as { seen: object }).seen),
    committed.map(([id]) => id),
    { timeout: 30_000 },
  );
  const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen);
  const latencies = committed.map(([id, at]) => seen[id]! - at);

  // load: a run of 10 000 events, opened again and again
  const first: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await fresh.goto(`${base}/#/runs/bench-10k`);
    await fresh.waitForFunction(
      () => document.querySelector<HTMLElement>('#app')?.dataset.loaded !== undefined,
      undefined,
      { timeout: 60_000 },
    );
    const times = await fresh.evaluate(() => {
      const d = document.querySelector<HTMLElement>('#app')!.dataset;
      return {
        first: Number(d.firstRender),
        loaded: Number(d.loaded),
        rows: document.querySelectorAll('#timeline .row').length,
      };
    });
    if (times.rows === 0) throw new Error('no rows drawn');
    first.push(times.first);
    full.push(times.loaded);
    await fresh.close();
  }
  await browser.close();

  const row = (what: string, values: number[]) =>
    `| ${what} | ${values.length} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 99))} | ${fmt(Math.max(...values))} |`;
  console.log(
    [
      '### hookspell inspect in Chromium (SQLite)',
      '',
      '| what | samples | p50 | p99 | max |',
      '|---|---:|---:|---:|---:|',
      row(
        `event appended by another process → its row on the open page (1 every ${LIVE_EVERY_MS} ms)`,
        latencies,
      ),
      row(`open a run of ${loaded} events → first rows drawn`, first),
      row(`open a run of ${loaded} events → all loaded and laid out`, full),
      '',
    ].join('\n'),
  );
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
}
