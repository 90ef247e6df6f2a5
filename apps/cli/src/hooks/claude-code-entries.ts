// The Claude Code parts of a config: `claudeCode:` hook entries and `claudeSettings:` files
// (docs/claude-code.md), registered through @hookspell/bridge/claude-code, loaded only when used.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClaudeCodeEvent, ClaudeSettings, TranscriptSource } from '@hookspell/bridge/claude-code';
import type { Hook, HookPoint, RegisterOptions } from '@hookspell/hooks';
import { display } from '../config/find.js';
import type { ClaudeCodeEntry, ResolvedConfig, ResolvedHook } from '../config/types.js';
import { CliError, CliErrorCode, errorLine } from '../errors.js';
import type { BatchEntry, RegistryGate } from './load-hooks.js';

/**
 * A `claudeCode` entry as a batch entry: `claudeCodeHook` with the entry's fields, run in the
 * config's directory (or its `cwd`), registered as a command hook with Claude Code's timeout
 * for its event (the entry's `timeoutMs` when it gives one instead). `async: true` makes it an
 * observer, as registerClaudeSettings does: started, not awaited, its answer ignored.
 */
export async function claudeCodeEntry(
  config: ResolvedConfig,
  hook: ResolvedHook,
  point: HookPoint,
  name: string,
  base: RegisterOptions,
  journal?: TranscriptSource,
): Promise<BatchEntry> {
  const { asObserver, claudeCodeHook, claudeCodeTimeoutMs, eventForPoint } = await claudeCode();
  const entry = (hook.source as { entry: ClaudeCodeEntry }).entry;
  let fn: Hook;
  let timeoutMs: number;
  try {
    const made = claudeCodeHook({
      command: entry.command,
      name,
      cwd: resolve(config.dir, hook.cwd ?? '.'),
      ...(entry.event !== undefined && { event: entry.event as ClaudeCodeEvent }),
      ...(entry.args !== undefined && { args: entry.args }),
      ...(entry.shell !== undefined && { shell: entry.shell }),
      ...(entry.timeout !== undefined && { timeout: entry.timeout }),
      ...(entry.matcher !== undefined && { matcher: entry.matcher }),
      ...(entry.if !== undefined && { if: entry.if }),
      ...(entry.pluginRoot !== undefined && { pluginRoot: entry.pluginRoot }),
      ...(entry.pluginData !== undefined && { pluginData: entry.pluginData }),
      ...(hook.env !== undefined && { env: hook.env }),
      ...(hook.maxOutputBytes !== undefined && { maxOutputBytes: hook.maxOutputBytes }),
      ...(journal !== undefined && { transcript: journal }),
    });
    timeoutMs = claudeCodeTimeoutMs(made, eventForPoint(point));
    fn = entry.async ? asObserver(made) : made;
  } catch (error) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${hook.sourceWhere}: hook '${name}': ${errorLine(error)}`,
      { cause: error },
    );
  }
  return {
    hook,
    point,
    name,
    fn,
    options: {
      timeoutMs,
      ...base,
      language: 'command',
      tags: ['claude-code', ...(entry.event ? [entry.event] : []), ...(base.tags ?? [])],
      ...(entry.async && base.onFailure === undefined && { onFailure: 'continue' as const }),
    },
  };
}

/**
 * The config's `claudeSettings` files, registered with `registerClaudeSettings` after the config's
 * own hooks (so at equal priority they run after them), with each point keeping the config's
 * `points` settings (`mode: 'keep'`): an ordered chain unless the config says `parallel`. Their
 * warnings (handler types hookspell does not run, duplicates, timeouts in milliseconds…) go to
 * `warn`, never dropped. Each hook is listed with the entry of the file it came from.
 */
export async function registerSettingsFiles(
  config: ResolvedConfig,
  gate: RegistryGate,
  warn: ((message: string) => void) | undefined,
): Promise<void> {
  const { readClaudeSettings, registerClaudeSettings } = await claudeCode();
  const files: ClaudeSettings[] = [];
  for (const { path, where } of config.claudeSettings) {
    try {
      files.push(readClaudeSettings(path));
    } catch (error) {
      const missing = !existsSync(path);
      throw new CliError(
        missing ? CliErrorCode.FILE_NOT_FOUND : CliErrorCode.CONFIG_INVALID,
        `${where}: claudeSettings: ${missing ? `file not found: ${path}` : errorLine(error)}`,
        { cause: error },
      );
    }
  }
  let batch: ReturnType<typeof registerClaudeSettings>;
  try {
    batch = registerClaudeSettings(gate.view(), files, {
      mode: 'keep',
      projectDir: process.env.CLAUDE_PROJECT_DIR ?? config.dir,
    });
  } catch (error) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${config.claudeSettings[0]!.where}: claudeSettings: ${errorLine(error)}`,
      { cause: error },
    );
  }
  // Messages name files as given (absolute): shown relative to the working directory, as elsewhere.
  for (const message of batch.warnings) {
    const file = config.claudeSettings.find((c) => message.startsWith(c.path));
    warn?.(
      file === undefined ? message : `${display(process.cwd(), file.path)}${message.slice(file.path.length)}`,
    );
  }
  batch.handles.forEach((handle, i) => {
    gate.sources.set(`${handle.name}@${handle.point}`, `claudeSettings: ${shown(batch.sources[i]!)}`);
  });
}

/** A settings entry's source (`/abs/.claude/settings.json#/hooks/…`) relative to the working directory. */
function shown(source: string): string {
  const hash = source.indexOf('#');
  const file = hash < 0 ? source : source.slice(0, hash);
  return `${display(process.cwd(), file)}${hash < 0 ? '' : source.slice(hash)}`;
}

/** `@hookspell/bridge/claude-code`, imported when a config uses it (start-up: see claude-code-startup bench). */
function claudeCode() {
  return import('@hookspell/bridge/claude-code');
}
