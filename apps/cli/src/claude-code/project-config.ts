import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CONFIG_NAMES } from '../config/config-names.js';

// Imported by the hook's client path before anything else: node built-ins and a constant only.

/**
 * The config of the project Claude Code runs in: the first `hookspell.config.*` in the input's
 * `cwd` or a parent of it up to `CLAUDE_PROJECT_DIR` (Claude Code's `cwd` follows `cd` into
 * subdirectories), then in `CLAUDE_PROJECT_DIR` itself, then in the process's directory. Never
 * above the project directory: a config in a home directory must not start judging every project.
 */
export function findProjectConfig(
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const project =
    typeof env.CLAUDE_PROJECT_DIR === 'string' && isAbsolute(env.CLAUDE_PROJECT_DIR)
      ? resolve(env.CLAUDE_PROJECT_DIR)
      : undefined;
  const start = typeof input.cwd === 'string' && isAbsolute(input.cwd) ? resolve(input.cwd) : process.cwd();
  const dirs: string[] = [];
  const inside =
    project !== undefined &&
    !relative(project, start).startsWith('..') &&
    !isAbsolute(relative(project, start));
  for (let dir = start; ; dir = dirname(dir)) {
    dirs.push(dir);
    if (!inside || dir === project || dirname(dir) === dir) break;
  }
  if (project !== undefined) dirs.push(project);
  dirs.push(process.cwd());
  for (const dir of dirs) if (CONFIG_NAMES.some((n) => existsSync(join(dir, n)))) return dir;
  return undefined;
}

export function dirOf(configPath: string): string {
  return CONFIG_NAMES.some((n) => configPath.endsWith(n))
    ? dirname(resolve(configPath))
    : resolve(configPath);
}

/** The config file itself for a `--config` value or a found directory; undefined when none is there. */
export function configFileOf(configPath: string): string | undefined {
  const dir = dirOf(configPath);
  if (dir !== resolve(configPath)) return resolve(configPath);
  const name = CONFIG_NAMES.find((n) => existsSync(join(dir, n)));
  return name === undefined ? undefined : join(dir, name);
}
