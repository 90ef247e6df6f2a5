import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';
import { findConfig } from './find.js';
import type { LoadConfigOptions } from './load-config.js';
import type { ResolvedConfig } from './types.js';

/**
 * Loading a config means parsing YAML and validating it with ajv: importing those two libraries
 * alone costs about as much as starting Node. `hookspell claude-code hook` runs once per tool call
 * and must start fast, so a config that loaded cleanly once is kept, resolved, as JSON in the
 * user's cache directory, and reused while nothing it was made from has changed:
 *
 * - the config file's bytes, path and the working directory (messages name `file:line` relative to it);
 * - the values of the environment variables it uses (`${VAR}`);
 * - this hookspell: its version and the build of this module (a rebuild changes its mtime).
 *
 * Anything else (a missing or bad cache file, an unwritable directory) falls back to a full load;
 * a config with an error is never cached, so its message is always the loader's.
 * `HOOKSPELL_CACHE_DIR` moves the cache; `HOOKSPELL_CONFIG_CACHE=0` turns it off.
 */
export async function loadConfigCached(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = findConfig(cwd, options.configPath);
  const dir = file === undefined || env.HOOKSPELL_CONFIG_CACHE === '0' ? undefined : cacheDir(env);
  let key: string | undefined;
  let cached: string | undefined;
  if (dir !== undefined && file !== undefined) {
    try {
      const text = readFileSync(file, 'utf8');
      key = cacheKey(file, cwd, text, env);
      cached = join(dir, `${hash(file).slice(0, 32)}.json`);
      const entry = JSON.parse(readFileSync(cached, 'utf8')) as { key?: unknown; config?: ResolvedConfig };
      if (entry.key === key && entry.config !== undefined) return entry.config;
    } catch {
      // no cache entry yet, or not a usable one: load the file
    }
  }
  const { loadConfig } = await import('./load-config.js');
  const config = loadConfig(file === undefined ? options : { ...options, cwd, configPath: file });
  if (key !== undefined && cached !== undefined) {
    try {
      mkdirSync(dir!, { recursive: true, mode: 0o700 });
      // Written whole then renamed: a process reading at the same time sees the old entry or the new one.
      const temp = `${cached}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ key, config }), { mode: 0o600 });
      renameSync(temp, cached);
    } catch {
      // an unwritable cache only costs the next start its speed
    }
  }
  return config;
}

/** Where resolved configs are kept: `$HOOKSPELL_CACHE_DIR`, else `$XDG_CACHE_HOME/hookspell`, else `~/.cache/hookspell`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HOOKSPELL_CACHE_DIR) return join(env.HOOKSPELL_CACHE_DIR, 'config');
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base === undefined ? undefined : join(base, 'hookspell', 'config');
}

function cacheKey(file: string, cwd: string, text: string, env: NodeJS.ProcessEnv): string {
  const vars = [...new Set(text.match(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g) ?? [])]
    .sort()
    .map((v) => `${v}=${env[v.slice(2, -1)] ?? '\u0000unset'}`);
  return hash([VERSION, buildStamp(), file, cwd, ...vars, text].join('\u0000'));
}

let stamp: string | undefined;
/** This module's build: its file's mtime (in dist/ it changes with every build). */
function buildStamp(): string {
  if (stamp !== undefined) return stamp;
  try {
    stamp = String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    stamp = 'unknown';
  }
  return stamp;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
