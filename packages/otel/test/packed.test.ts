import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The package as a user gets it: the tarball `pnpm pack` makes, unpacked into a fresh
// node_modules next to its dependencies and peer, used by plain Node. Needs the package built
// (`pnpm build`; turbo's test task builds first).

const pkg = fileURLToPath(new URL('..', import.meta.url));
let work = '';
let tarball = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'hookspell-otel-packed-'));
  execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: pkg, stdio: 'pipe' });
  tarball = readdirSync(work).find((f) => f.endsWith('.tgz')) ?? '';
  if (tarball === '') throw new Error(`pnpm pack wrote no tarball into ${work}`);
  const modules = join(work, 'app', 'node_modules');
  mkdirSync(join(modules, '@hookspell'), { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', join(modules, '@hookspell')]);
  execFileSync('mv', [join(modules, '@hookspell', 'package'), join(modules, '@hookspell', 'otel')]);
  for (const name of [
    '@hookspell/core',
    '@hookspell/hooks',
    '@opentelemetry/api',
    '@opentelemetry/sdk-trace-base',
  ]) {
    const target = join(modules, name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(realpathSync(join(pkg, 'node_modules', name)), target, 'dir');
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships its build only, and records fires from plain Node', () => {
    const files = execFileSync('tar', ['-tzf', join(work, tarball)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(
      files.filter(
        (f) => !/^package\/dist\/[^/]+\.(js|d\.ts)$|^package\/(package\.json|README\.md|LICENSE)$/.test(f),
      ),
    ).toEqual([]);

    writeFileSync(
      join(work, 'app', 'main.mjs'),
      `
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { instrumentHookspell, OtelError } from '@hookspell/otel';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const registry = new HookRegistry();
registry.register('BeforeAgentExecution', () => HookResult.cancel('over budget'), { name: 'budget' });
const executor = new HookExecutor(registry);
const otel = instrumentHookspell({ executor, tracerProvider: provider });
await executor.fire('BeforeAgentExecution', { data: { model: 'gpt-x', provider: 'openai.chat' } });
otel.dispose();
let refused = false;
try { instrumentHookspell({}); } catch (e) { refused = OtelError.isInstance(e); }
const spans = exporter.getFinishedSpans();
console.log(JSON.stringify({ names: spans.map((s) => s.name), model: spans[1].attributes['gen_ai.request.model'], refused }));
`,
    );
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: join(work, 'app'), encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      names: ['hookspell.hook budget', 'hookspell.fire BeforeAgentExecution'],
      model: 'gpt-x',
      refused: true,
    });
  });
});
