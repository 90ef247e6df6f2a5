// The parallel-checks workload: twelve real command hooks (a pre-commit run) on a copy of
// fixture/, with dependencies. Used by main.mjs and by benchmarks/src/parallel-hooks.bench.ts.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandHook } from '@hookspell/bridge/command';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const node = process.execPath;
const tsc = require.resolve('typescript/bin/tsc');
const biome = require.resolve('@biomejs/biome/bin/biome');
const script = (name) => join(here, 'scripts', name);

/** The point the checks run at: a custom point (any `custom:<name>` works). */
export const POINT = 'custom:pre-commit';

/**
 * The checks, in the order a sequential run takes them. `mutates`: a fixer that rewrites files
 * (two of them never run at the same time); `dependsOn`: what must finish first (checkers that
 * read what a fixer rewrites run after it; secrets, conflict-markers and large-files look for
 * things no fixer adds or removes, so they start at once); `critical`: its failure skips what
 * has not started.
 */
export const CHECKS = [
  { name: 'trailing-whitespace', command: ['sh', script('trailing-whitespace.sh')], mutates: true },
  {
    name: 'end-of-file',
    command: ['sh', script('end-of-file.sh')],
    mutates: true,
    dependsOn: ['trailing-whitespace'],
  },
  {
    name: 'format',
    command: [node, biome, 'format', '--write', '.'],
    mutates: true,
    dependsOn: ['end-of-file'],
  },
  { name: 'lint', command: [node, biome, 'lint', '.'], dependsOn: ['format'] },
  { name: 'typecheck', command: [node, tsc, '--noEmit', '-p', '.'], dependsOn: ['format'] },
  {
    // stdout is the hook's answer (a JSON result or nothing): the report goes to stderr.
    name: 'unit-tests',
    command: [node, '--test', '--test-reporter=dot', '--test-reporter-destination=stderr'],
    dependsOn: ['format'],
  },
  {
    name: 'check-json',
    command: [
      node,
      '-e',
      "for (const f of ['package.json', 'tsconfig.json', 'config.json']) JSON.parse(require('fs').readFileSync(f, 'utf8'))",
    ],
    dependsOn: ['format'],
  },
  { name: 'docs-links', command: [node, script('docs-links.mjs')], dependsOn: ['end-of-file'] },
  { name: 'spellcheck', command: [node, script('spellcheck.mjs')], dependsOn: ['format'] },
  { name: 'secrets', command: ['sh', script('secrets.sh')], critical: true },
  {
    name: 'conflict-markers',
    command: "! grep -rnE '^(<<<<<<<|>>>>>>>)( |$)' src test README.md",
    shell: true,
  },
  {
    name: 'large-files',
    command: 'test -z "$(find . -type f -size +64k -not -path \'./node_modules/*\')"',
    shell: true,
  },
];

/** The hook function of one check, running in `dir`. */
export function checkHook(check, dir) {
  return commandHook({ command: check.command, shell: check.shell ?? false, cwd: dir });
}

/**
 * Registers the checks at `point` as command hooks running in `dir`. No breaker: one failed run
 * of a linter must not make the next run skip it.
 */
export function registerChecks(registry, dir, point = POINT) {
  return registry.registerMany(
    CHECKS.map((c) => ({
      point,
      name: c.name,
      hook: checkHook(c, dir),
      language: 'command',
      dependsOn: c.dependsOn ?? [],
      mutates: c.mutates ?? false,
      critical: c.critical ?? false,
      timeoutMs: 60_000,
      breaker: false,
    })),
  );
}

/**
 * A fresh copy of fixture/ in a temporary directory, with a developer's unsaved mess in it
 * (trailing spaces, no final newline, sloppy formatting) for the fixers to clean up.
 */
export function prepareWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'hookspell-checks-'));
  cpSync(join(here, 'fixture'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'biome.json'),
    JSON.stringify({
      formatter: { indentStyle: 'space', indentWidth: 2, lineWidth: 110 },
      javascript: { formatter: { quoteStyle: 'single' } },
    }),
  );
  const money = join(dir, 'src', 'money.js');
  const messy = readFileSync(money, 'utf8')
    .replace('const factor = 10 ** digits;', 'const factor = 10 ** digits;   ')
    .replace(
      "throw new RangeError('parts must be an integer >= 1');",
      'throw new RangeError("parts must be an integer >= 1")',
    )
    .trimEnd();
  writeFileSync(money, messy);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
