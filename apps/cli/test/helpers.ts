import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The built binary (test/global-setup.ts builds it when src/ is newer). */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * The config cache of the processes a test file starts (config-cache.ts): its own directory, so
 * tests neither read nor fill the user's ~/.cache/hookspell.
 */
export const CACHE_DIR = mkdtempSync(join(tmpdir(), 'hookspell-cache-'));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** Runs `node dist/cli.js …args` and resolves with its exit code and output (never rejects on a non-zero exit). */
export function hookspell(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd,
        env: {
          ...process.env,
          NO_COLOR: '1',
          HOOKSPELL_PROGRESS: '',
          HOOKSPELL_CACHE_DIR: CACHE_DIR,
          ...options.env,
        },
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
        if (code === undefined)
          reject(
            new Error(`hookspell ${args.join(' ')} did not exit normally: ${error?.message}\n${stderr}`),
          );
        else resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/** Parses stdout as JSON, saying what was printed when it is not JSON. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  rmSync(CACHE_DIR, { recursive: true, force: true });
});

/** A fresh directory with these files (paths relative to it), removed after the test file. */
export function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookspell-cli-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Asserts the error contract: exactly one line on stderr, no stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1 || /^\s+at /m.test(stderr))
    throw new Error(`expected one stderr line, got:\n${stderr}`);
  return lines[0]!;
}

/** A command hook written in Node, run as `node <file>`: reads the context, answers with `answer(ctx)`. */
export function nodeHook(body: string): string {
  return `let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', async () => {
  const ctx = JSON.parse(input);
  ${body}
});
`;
}
