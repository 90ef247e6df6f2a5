import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { AnyHookRegistry, HookBatch, HookRegistration } from '@hookspell/hooks';
import { CommandError, CommandErrorCode } from '../command/command-error.js';
import {
  asObserver,
  type ClaudeCodeHookOptions,
  claudeCodeHook,
  claudeCodeTimeoutMs,
} from './claude-code-hook.js';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent, isClaudeCodeEvent } from './events.js';
import { substitute } from './input.js';

/** One command handler of a Claude Code settings file, as read. */
export interface ClaudeSettingsHook {
  readonly event: ClaudeCodeEvent;
  readonly matcher?: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly shell?: 'sh' | 'bash';
  /** Seconds. */
  readonly timeout?: number;
  readonly if?: string;
  /** Runs in the background; its result is ignored (an observer). */
  readonly async?: boolean;
  /** Runs at most once (skill frontmatter). */
  readonly once?: boolean;
  /** Where it was read: `file#/hooks/PreToolUse/0/hooks/1`. */
  readonly source: string;
}

/** A settings file read: its handlers, and what was skipped and why (never silently). */
export interface ClaudeSettings {
  readonly hooks: readonly ClaudeSettingsHook[];
  readonly warnings: readonly string[];
  /** `CLAUDE_PLUGIN_ROOT` for a plugin's `hooks/hooks.json`. */
  readonly pluginRoot?: string;
}

const SHELLS = new Set(['sh', 'bash']);

/**
 * Reads the hooks of a Claude Code settings object (`.claude/settings.json`,
 * `~/.claude/settings.json`, a plugin's `hooks/hooks.json`). Like Claude Code since 2.1.101, an
 * unknown event or a malformed entry does not invalidate the file: it is skipped with a warning;
 * unknown keys are ignored. Handler types other than `command` (http, mcp_tool, prompt, agent)
 * are skipped with a warning — hookspell runs command hooks.
 */
export function parseClaudeSettings(json: unknown, source = 'settings'): ClaudeSettings {
  const warnings: string[] = [];
  const hooks: ClaudeSettingsHook[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `${source}: a Claude Code settings file is a JSON object with a "hooks" object; got ${Array.isArray(json) ? 'an array' : typeof json}.`,
    );
  }
  const root = json as Record<string, unknown>;
  if (root.disableAllHooks === true) {
    warnings.push(`${source}: "disableAllHooks" is true — no hook of this file is registered.`);
    return { hooks, warnings };
  }
  const table = root.hooks;
  if (table === undefined) return { hooks, warnings };
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `${source}: "hooks" must be an object of event names.`,
    );
  }
  for (const [event, groups] of Object.entries(table as Record<string, unknown>)) {
    const at = `${source}#/hooks/${event}`;
    if (!isClaudeCodeEvent(event)) {
      warnings.push(`${at}: "${event}" is not a Claude Code hook event; skipped.`);
      continue;
    }
    if (!Array.isArray(groups)) {
      warnings.push(`${at}: must be an array of matcher groups ({ "matcher": …, "hooks": [ … ] }); skipped.`);
      continue;
    }
    groups.forEach((group: unknown, g: number) => {
      const gat = `${at}/${g}`;
      if (
        typeof group !== 'object' ||
        group === null ||
        !Array.isArray((group as { hooks?: unknown }).hooks)
      ) {
        warnings.push(`${gat}: a matcher group needs a "hooks" array; skipped.`);
        return;
      }
      const { matcher, hooks: handlers } = group as { matcher?: unknown; hooks: unknown[] };
      if (matcher !== undefined && typeof matcher !== 'string') {
        warnings.push(`${gat}: "matcher" must be a string; group skipped.`);
        return;
      }
      if (
        matcher !== undefined &&
        matcher !== '' &&
        CLAUDE_CODE_EVENT_INFO[event].matcherField === undefined
      ) {
        warnings.push(`${gat}: ${event} has no matcher; "matcher" is ignored (as Claude Code ignores it).`);
      }
      handlers.forEach((handler: unknown, h: number) => {
        const hat = `${gat}/hooks/${h}`;
        const read = readHandler(event, handler, hat, warnings);
        if (read !== undefined) hooks.push({ ...read, ...(matcher ? { matcher } : {}), source: hat });
      });
    });
  }
  return { hooks, warnings };
}

function readHandler(
  event: ClaudeCodeEvent,
  handler: unknown,
  at: string,
  warnings: string[],
): Omit<ClaudeSettingsHook, 'source' | 'matcher'> | undefined {
  if (typeof handler !== 'object' || handler === null) {
    warnings.push(`${at}: a handler must be an object; skipped.`);
    return undefined;
  }
  const h = handler as Record<string, unknown>;
  if (h.type !== 'command') {
    warnings.push(
      `${at}: handler type ${JSON.stringify(h.type)} is not run by hookspell (only "command"); skipped.`,
    );
    return undefined;
  }
  if (typeof h.command !== 'string' || h.command.trim() === '') {
    warnings.push(`${at}: a command handler needs a non-empty "command"; skipped.`);
    return undefined;
  }
  if (h.args !== undefined && (!Array.isArray(h.args) || h.args.some((a) => typeof a !== 'string'))) {
    warnings.push(`${at}: "args" must be an array of strings; skipped.`);
    return undefined;
  }
  if (h.shell !== undefined && !SHELLS.has(h.shell as string)) {
    warnings.push(`${at}: shell ${JSON.stringify(h.shell)} is not supported here (sh, bash); skipped.`);
    return undefined;
  }
  let timeout: number | undefined;
  if (h.timeout !== undefined) {
    if (typeof h.timeout !== 'number' || !(h.timeout > 0)) {
      warnings.push(`${at}: "timeout" must be a number of seconds > 0; the event's default is used.`);
    } else {
      timeout = h.timeout;
      if (timeout > 3600)
        warnings.push(
          `${at}: "timeout": ${timeout} is in seconds (${Math.round(timeout / 60)} minutes) — did you mean milliseconds? Claude Code reads seconds, and so does hookspell.`,
        );
    }
  }
  return {
    event,
    command: h.command,
    ...(h.args === undefined ? {} : { args: h.args as string[] }),
    ...(h.shell === undefined ? {} : { shell: h.shell as 'sh' | 'bash' }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(typeof h.if === 'string' ? { if: h.if } : {}),
    ...(h.async === true ? { async: true } : {}),
    ...(h.once === true ? { once: true } : {}),
  };
}

/**
 * Reads a settings file (or a plugin's `hooks/hooks.json`: its plugin root is the folder above
 * `hooks/`). Throws a clear error for a file that is missing or not JSON.
 */
export function readClaudeSettings(file: string): ClaudeSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `cannot read the Claude Code settings file ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}).`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `${file} is not valid JSON (${(cause as Error).message}).`,
      { cause },
    );
  }
  const settings = parseClaudeSettings(json, file);
  const abs = resolve(file);
  const isPluginFile = basename(abs) === 'hooks.json' && basename(dirname(abs)) === 'hooks';
  return isPluginFile ? { ...settings, pluginRoot: dirname(dirname(abs)) } : settings;
}

/** Options of {@link registerClaudeSettings}. */
export interface RegisterClaudeSettingsOptions {
  /** `CLAUDE_PLUGIN_ROOT` for `${CLAUDE_PLUGIN_ROOT}` (a plugin file's own root by default). */
  pluginRoot?: string;
  pluginData?: string;
  /** `CLAUDE_PROJECT_DIR` and the hooks' working directory. @default process.cwd() */
  projectDir?: string;
  /**
   * How the mapped points run: `parallel` (as Claude Code: every hook on the original input,
   * merged deterministically), `sequential` (an ordered chain: each hook sees the rewrites before
   * it), or `keep` (leave each point's configuration alone). @default 'parallel'
   */
  mode?: 'parallel' | 'sequential' | 'keep';
  /** Prefix of the registered names. @default 'claude' */
  prefix?: string;
}

/** What {@link registerClaudeSettings} registered, and what it skipped or merged, and why. */
export interface ClaudeSettingsBatch extends HookBatch {
  readonly warnings: readonly string[];
  /** Where each handle's handler was read (`file#/hooks/<event>/<group>/hooks/<n>`), as `handles`. */
  readonly sources: readonly string[];
}

/**
 * Registers every command handler of one or more settings files (or parsed settings) at its
 * mapped point, with Claude Code's timeout. Identical handlers — same event, matcher, `if` and
 * command after `${VAR}` substitution — are registered once (Claude Code dedups the same handler
 * across settings files; keying on the resolved command keeps two plugins' different scripts
 * apart, which Claude Code's unexpanded key did not). All or nothing, like `registerMany`.
 *
 * @example
 * ```ts
 * const batch = registerClaudeSettings(registry, ['.claude/settings.json']);
 * for (const w of batch.warnings) console.warn(w);
 * ```
 */
export function registerClaudeSettings(
  registry: AnyHookRegistry,
  sources: string | ClaudeSettings | readonly (string | ClaudeSettings)[],
  options: RegisterClaudeSettingsOptions = {},
): ClaudeSettingsBatch {
  const list = Array.isArray(sources) ? sources : [sources];
  const warnings: string[] = [];
  const registrations: HookRegistration[] = [];
  const readFrom: string[] = [];
  const seen = new Map<string, string>();
  const names = new Set<string>();
  const prefix = options.prefix ?? 'claude';
  const projectDir = options.projectDir ?? process.cwd();
  for (const source of list as readonly (string | ClaudeSettings)[]) {
    const settings = typeof source === 'string' ? readClaudeSettings(source) : source;
    warnings.push(...settings.warnings);
    const pluginRoot = options.pluginRoot ?? settings.pluginRoot;
    const vars: Record<string, string | undefined> = {
      CLAUDE_PROJECT_DIR: projectDir,
      CLAUDE_PLUGIN_ROOT: pluginRoot,
      CLAUDE_PLUGIN_DATA: options.pluginData,
    };
    for (const entry of settings.hooks) {
      const resolved = [
        substitute(entry.command, vars),
        ...(entry.args ?? []).map((a) => substitute(a, vars)),
      ];
      // A plugin's copy of a settings handler stays separate (Claude Code's rule): the plugin
      // root is part of the key; settings files (user, project, local) share one.
      const key = JSON.stringify([
        pluginRoot ?? 'settings',
        entry.event,
        entry.matcher ?? '',
        entry.if ?? '',
        entry.shell ?? '',
        resolved,
      ]);
      const first = seen.get(key);
      if (first !== undefined) {
        warnings.push(`${entry.source}: the same handler as ${first} (after substitution); registered once.`);
        continue;
      }
      seen.set(key, entry.source);
      const point = CLAUDE_CODE_EVENT_INFO[entry.event].point;
      const name = uniqueName(`${prefix}:${entry.event}:${shortName(resolved)}`, point, names);
      const hookOptions: ClaudeCodeHookOptions = {
        command: entry.command,
        event: entry.event,
        name,
        projectDir, // CLAUDE_PROJECT_DIR; the hook runs in the session's cwd (data.cwd), as in Claude Code
        ...(entry.args === undefined ? {} : { args: entry.args }),
        ...(entry.shell === undefined ? {} : { shell: entry.shell }),
        ...(entry.timeout === undefined ? {} : { timeout: entry.timeout }),
        ...(entry.matcher === undefined ? {} : { matcher: entry.matcher }),
        ...(entry.if === undefined ? {} : { if: entry.if }),
        ...(pluginRoot === undefined ? {} : { pluginRoot }),
        ...(options.pluginData === undefined ? {} : { pluginData: options.pluginData }),
      };
      const hook = claudeCodeHook(hookOptions);
      readFrom.push(entry.source);
      registrations.push({
        point,
        hook: entry.async ? asObserver(hook) : hook,
        name,
        language: 'command',
        timeoutMs: claudeCodeTimeoutMs(hook),
        tags: ['claude-code', entry.event],
        ...(entry.async ? { onFailure: 'continue' as const } : {}),
      });
      if (entry.async)
        warnings.push(
          `${entry.source}: "async" hook runs as an observer (its result is ignored, its context is not delivered later).`,
        );
      if (entry.once) warnings.push(`${entry.source}: "once" is honoured per process only.`);
    }
  }
  const batch = registry.registerMany(registrations);
  if (options.mode !== 'keep') {
    const mode = options.mode ?? 'parallel';
    for (const point of new Set(registrations.map((r) => r.point))) registry.configurePoint(point, { mode });
  }
  return Object.freeze({
    handles: batch.handles,
    unregister: batch.unregister,
    warnings: Object.freeze(warnings),
    sources: Object.freeze(readFrom),
  });
}

function shortName(argv: readonly string[]): string {
  const words = argv.join(' ').trim().split(/\s+/);
  const script = words.find((w) => /[/.]/.test(w) && !w.startsWith('-')) ?? words[0] ?? 'hook';
  return basename(script).slice(0, 60);
}

function uniqueName(base: string, point: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(`${name}@${point}`); i++) name = `${base}#${i}`;
  taken.add(`${name}@${point}`);
  return name;
}
