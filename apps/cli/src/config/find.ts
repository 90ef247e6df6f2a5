import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CliError, CliErrorCode } from '../errors.js';

// The light half of config loading: finding the file. Kept apart from load-config.ts (which
// parses YAML and validates with ajv, ~2× a bare Node start to import) so that a command whose
// config is cached (config-cache.ts) never loads either.

export { CONFIG_NAMES } from './config-names.js';

import { CONFIG_NAMES } from './config-names.js';

/** Where the SQLite database goes when the config names no storage (relative to the config's directory). */
export const DEFAULT_SQLITE_PATH = '.hookspell/hookspell.db';

/**
 * The config file of an invocation: `configPath` (a file, or a directory holding one; it must
 * exist), else the one in `cwd`, else undefined. Two config files in one directory is an error.
 */
export function findConfig(cwd: string, configPath: string | undefined): string | undefined {
  if (configPath !== undefined) {
    const file = resolve(cwd, configPath);
    if (!existsSync(file)) {
      throw new CliError(CliErrorCode.CONFIG_NOT_FOUND, `config file not found: ${configPath}`);
    }
    if (statSync(file).isDirectory()) {
      for (const name of CONFIG_NAMES) if (existsSync(join(file, name))) return join(file, name);
      throw new CliError(CliErrorCode.CONFIG_NOT_FOUND, `no ${CONFIG_NAMES.join(', ')} in ${configPath}`);
    }
    return file;
  }
  const found = CONFIG_NAMES.map((name) => join(cwd, name)).filter((f) => existsSync(f));
  if (found.length > 1) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `found ${found.map((f) => display(cwd, f)).join(' and ')}; keep one, or choose with --config`,
    );
  }
  return found[0];
}

/** A path as shown in messages: relative to the working directory when inside it. */
export function display(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
