// Runs every ```ts runnable block of packages/*/README.md and docs/*.md against the built packages.
// Each block is written to a temp .mts file inside this package (so `@hookspell/*` resolve through
// its node_modules to the packages' dist), type-checked with tsc and run with `node --import tsx`.
// A block must exit 0, write nothing to stderr, and print what its `// → …` comments say, in order.
//
//   pnpm turbo run test --filter @hookspell/docs   (builds the packages first)
//   pnpm --filter @hookspell/docs test             (uses the dist/ already built)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedOutput, extractRunnableBlocks, findMissingOutput, type RunnableBlock } from './blocks.js';

const docs = fileURLToPath(new URL('..', import.meta.url));
const root = join(docs, '..');
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const tsc = require.resolve('typescript/bin/tsc');
const BLOCK_TIMEOUT_MS = 30_000;

/** stderr lines a block may print (none so far). Any other stderr output fails the block. */
const EXPECTED_STDERR: RegExp[] = [];

const packageReadmes = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `packages/${d.name}/README.md`)
  .sort();
const docPages = readdirSync(docs)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/${f}`);

interface Example extends RunnableBlock {
  /** The .mts file the block is written to. */
  module: string;
}

const examples: Example[] = [...packageReadmes, ...docPages].flatMap((file) =>
  extractRunnableBlocks(readFileSync(join(root, file), 'utf8'), file).map((block) => ({
    ...block,
    module: `${block.file.replace(/\/README\.md$/, '').replace(/\W+/g, '-')}-L${block.line}.mts`,
  })),
);
const where = (b: RunnableBlock) => `${b.file}:${b.line} (${b.heading})`;

// Inside this package, so that `@hookspell/*` and `tsx` resolve; removed after the run.
let work = '';
// Where the blocks run: anything they write by a relative path lands here, not in the repository.
let cwd = '';
beforeAll(() => {
  work = mkdtempSync(join(docs, '.runnable-'));
  cwd = mkdtempSync(join(tmpdir(), 'hookspell-docs-'));
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(work, join(root, 'tsconfig.base.json')),
      compilerOptions: { noEmit: true, sourceMap: false, declaration: false },
      include: ['*.mts'],
    }),
  );
  // `export {}` keeps a block without imports a module; it comes after the code, so lines match.
  for (const e of examples) writeFileSync(join(work, e.module), `${e.code}export {};\n`);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { cwd: string; timeoutMs: number }): Promise<Run> {
  const env = { ...process.env };
  // Neither vitest's loaders nor forced colours reach the examples.
  for (const key of ['NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR']) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** tsc's `file.mts(line,col): error …` as `packages/x/README.md:line:col: error …`. */
function inReadme(tscOutput: string): string {
  return tscOutput.replace(
    /^([\w.-]+\.mts)\((\d+),(\d+)\)/gm,
    (whole, file: string, line: string, col: string) => {
      const e = examples.find((x) => x.module === basename(file));
      return e === undefined ? whole : `${e.file}:${e.line + Number(line)}:${col}`;
    },
  );
}

describe.concurrent('runnable examples', () => {
  it.each(packageReadmes)('%s has at least one ```ts runnable block', (file) => {
    expect(examples.filter((e) => e.file === file).length).toBeGreaterThan(0);
  });

  it('all type-check with the repository tsconfig (strict)', { timeout: 120_000 }, async () => {
    const result = await run([tsc, '-p', 'tsconfig.json'], { cwd: work, timeoutMs: 120_000 });
    expect(inReadme(result.stdout + result.stderr), 'tsc errors in runnable blocks').toBe('');
    expect(result.code).toBe(0);
  });

  describe.each(examples.map((e) => [where(e), e] as const))('%s', (_, example) => {
    it('exits 0, writes nothing to stderr, prints what its // → comments say', {
      timeout: BLOCK_TIMEOUT_MS + 5_000,
    }, async () => {
      const result = await run(['--import', tsx, join(work, example.module)], {
        cwd,
        timeoutMs: BLOCK_TIMEOUT_MS,
      });
      const context = `${where(example)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
      expect(result.signal, `killed after ${BLOCK_TIMEOUT_MS} ms?\n${context}`).toBeNull();
      expect(result.code, `exit code\n${context}`).toBe(0);
      const unexpected = result.stderr
        .split('\n')
        .filter((line) => line.trim() !== '' && !EXPECTED_STDERR.some((re) => re.test(line)));
      expect(unexpected, `stderr\n${context}`).toEqual([]);
      const missing = findMissingOutput(result.stdout, expectedOutput(example.code));
      expect(missing, `not printed (in that order): "// → ${missing}"\n${context}`).toBeUndefined();
    });
  });
});
