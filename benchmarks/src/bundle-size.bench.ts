/**
 * What an app ships for "register a hook and fire it": each library's smallest use, bundled by
 * esbuild (minified, ESM, tree-shaken), measured raw and gzipped, side by side. Not a timing:
 * byte counts, the same on every run.
 *
 *   pnpm build && pnpm --filter @hookspell/benchmarks bench bundle-size
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

const cases: Record<string, string> = {
  '@hookspell/hooks (register + fire)': `
    import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) => ctx.data.toolName === 'rm' ? HookResult.cancel('no') : undefined);
    new HookExecutor(registry).fire('BeforeToolExecution', { data: { toolName: 'ls' } }).then((o) => console.log(o.decision.type));`,
  '@hookspell/events (EventBus: subscribe + publish)': `
    import { EventBus } from '@hookspell/events';
    const bus = new EventBus();
    bus.subscribe('agent.*', (e) => console.log(e.type));
    bus.publish('agent.started', { id: 1 });`,
  'emittery (on + emit)': `
    import Emittery from 'emittery';
    const bus = new Emittery();
    bus.on('agent.started', (data) => console.log(data));
    bus.emit('agent.started', { id: 1 });`,
  'hookable (hook + callHook)': `
    import { createHooks } from 'hookable';
    const hooks = createHooks();
    hooks.hook('tool:before', (ctx) => { if (ctx.toolName === 'rm') throw new Error('no'); });
    hooks.callHook('tool:before', { toolName: 'ls' }).then(() => console.log('continue'));`,
  'tapable (AsyncSeriesBailHook)': `
    import { AsyncSeriesBailHook } from 'tapable';
    const hook = new AsyncSeriesBailHook(['ctx']);
    hook.tapPromise('guard', async (ctx) => (ctx.toolName === 'rm' ? 'cancel' : undefined));
    hook.promise({ toolName: 'ls' }).then((r) => console.log(r ?? 'continue'));`,
};

const dir = mkdtempSync(join(tmpdir(), 'hookspell-bundle-'));
try {
  const rows: { name: string; raw: number; gzip: number }[] = [];
  for (const [name, source] of Object.entries(cases)) {
    const entry = join(dir, `${rows.length}.mjs`);
    writeFileSync(entry, source);
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      // Resolve from this package, where every library above is installed.
      nodePaths: [join(here, '..', 'node_modules')],
      logLevel: 'error',
    });
    const code = out.outputFiles[0]!.contents;
    rows.push({ name, raw: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength });
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('| bundle | minified | gzipped |');
  console.log('|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
