import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { HostGlobals } from '@hookspell/bridge';
import { CliError, CliErrorCode, errorLine } from './errors.js';

/**
 * The scripts' host globals from the config's `globals` module: its default export (or its
 * `globals` export) — an object of functions, tables of functions and data, or a function
 * (possibly async) returning one. Whatever is wrong is said with the config line.
 *
 * @example
 * ```js
 * // host-globals.mjs, named by `globals: ./host-globals.mjs`
 * export default { Tool: { invoke: async (name, args) => ({ tool: name, args }) } };
 * ```
 */
export async function loadHostGlobals(spec: { path: string; where: string }): Promise<HostGlobals> {
  const { path, where } = spec;
  if (!existsSync(path))
    throw new CliError(CliErrorCode.FILE_NOT_FOUND, `${where}: globals module not found: ${path}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${where}: cannot load the globals module: ${errorLine(error)}`,
      {
        cause: error,
      },
    );
  }
  let value = mod.default ?? mod.globals;
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (error) {
      throw new CliError(
        CliErrorCode.CONFIG_INVALID,
        `${where}: the globals module's function failed: ${errorLine(error)}`,
        { cause: error },
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${where}: ${path} must export (default, or as \`globals\`) an object of host globals such as { Tool: { invoke: async (name, args) => … } }, or a function returning one`,
    );
  return value as HostGlobals;
}
