import type { Command } from 'commander';
import { loadConfigCached } from './config/config-cache.js';
import type { ResolvedConfig } from './config/types.js';
import { Runtime, type RuntimeOptions } from './runtime.js';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  verbose?: boolean;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** The config of this invocation: `--config`, else one found in the working directory, else defaults. */
export function configOf(command: Command): Promise<ResolvedConfig> {
  const g = globals(command);
  return loadConfigCached({ cwd: process.cwd(), ...(g.config !== undefined && { configPath: g.config }) });
}

/** Opens a runtime, runs `fn`, and always closes it (a close failure surfaces only when `fn` succeeded). */
export async function withRuntime<T>(
  command: Command,
  options: RuntimeOptions & { hooks?: boolean },
  fn: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const g = globals(command);
  const runtime = await Runtime.open(await configOf(command), { verbose: g.verbose === true, ...options });
  let result: T;
  try {
    result = await fn(runtime);
  } catch (error) {
    await runtime.close().catch(() => {});
    throw error;
  }
  await runtime.close();
  return result;
}

/** Writes to stdout. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** JSON for scripts: pretty, one value. */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}
