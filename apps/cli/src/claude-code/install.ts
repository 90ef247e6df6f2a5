import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLAUDE_CODE_EVENT_INFO,
  CLAUDE_CODE_EVENTS,
  type ClaudeCodeEvent,
} from '@hookspell/bridge/claude-code';
import type { HookInfo } from '@hookspell/hooks';
import { CliError, CliErrorCode } from '../errors.js';
import {
  editSettings,
  ownEvents,
  readSettingsText,
  type SettingsChange,
  withOwnHandler,
  writeSettings,
} from './settings-file.js';

export type Scope = 'project' | 'user';

/** The settings file of a scope: `<project>/.claude/settings.json` or `~/.claude/settings.json`. */
export function settingsFile(scope: Scope, projectDir: string): string {
  return scope === 'user'
    ? join(homedir(), '.claude', 'settings.json')
    : join(projectDir, '.claude', 'settings.json');
}

/**
 * The Claude Code events a set of hooks needs: for every point with an enabled hook, the events
 * fired at it — only the events named by `claudeCode` hooks (their `claude-code` + event tags)
 * when every hook there is one, else every event of the point (BeforeAgentExecution is both
 * UserPromptSubmit and SubagentStart). Points no event maps to are returned apart.
 */
export function eventsForHooks(hooks: readonly HookInfo[]): {
  events: ClaudeCodeEvent[];
  unmapped: string[];
} {
  const byPoint = new Map<string, HookInfo[]>();
  for (const h of hooks) {
    if (!h.enabled) continue;
    const list = byPoint.get(h.point);
    if (list) list.push(h);
    else byPoint.set(h.point, [h]);
  }
  const events = new Set<ClaudeCodeEvent>();
  const unmapped: string[] = [];
  for (const [point, list] of byPoint) {
    const here = CLAUDE_CODE_EVENTS.filter((e) => CLAUDE_CODE_EVENT_INFO[e].point === point);
    if (here.length === 0) {
      unmapped.push(point);
      continue;
    }
    const named = list.map((h) =>
      h.tags.includes('claude-code') ? here.find((e) => h.tags.includes(e)) : undefined,
    );
    if (named.every((e) => e !== undefined)) for (const e of named) events.add(e!);
    else for (const e of here) events.add(e);
  }
  return { events: CLAUDE_CODE_EVENTS.filter((e) => events.has(e)), unmapped };
}

/** `events` as given with --events: names, or `all`; unknown names are a usage error. */
export function parseEvents(list: readonly string[]): ClaudeCodeEvent[] {
  const names = list
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes('all')) return [...CLAUDE_CODE_EVENTS];
  for (const n of names)
    if (!(CLAUDE_CODE_EVENTS as readonly string[]).includes(n))
      throw new CliError(
        CliErrorCode.USAGE,
        `--events: '${n}' is not a Claude Code hook event (PreToolUse, PostToolUse, UserPromptSubmit, Stop, SessionStart, …, or 'all')`,
      );
  return CLAUDE_CODE_EVENTS.filter((e) => names.includes(e));
}

/**
 * The command Claude Code runs. No `npx` (its own start costs more than hookspell's, on every
 * tool call), and no bare `hookspell` (Claude Code's PATH is not the shell's): Node and this
 * package's `dist/cli.js` by path —
 * - project scope, hookspell installed in the project's `node_modules`: relative to
 *   `$CLAUDE_PROJECT_DIR`, so the committed settings file works on every clone (`node` from PATH);
 * - otherwise (user scope, a global or linked install): absolute paths of this Node and this
 *   cli.js; install again after moving either.
 * `configArg` is added as `--config …` when install was told which config to use.
 */
export function hookCommand(
  scope: Scope,
  projectDir: string,
  configArg?: string,
): { command: string; portable: boolean } {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const local = join(projectDir, 'node_modules', 'hookspell', 'dist', 'cli.js');
  const sameFile = (a: string, b: string) => {
    try {
      return realpathSync(a) === realpathSync(b);
    } catch {
      return false;
    }
  };
  let config = '';
  if (configArg !== undefined) {
    const abs = resolve(configArg);
    const rel = relative(projectDir, abs);
    config =
      scope === 'project' && !rel.startsWith('..') && !isAbsolute(rel)
        ? ` --config "$CLAUDE_PROJECT_DIR"/${quote(rel)}`
        : ` --config ${quote(abs)}`;
  }
  if (scope === 'project' && existsSync(local) && sameFile(local, cli))
    return {
      command: `node "$CLAUDE_PROJECT_DIR"/node_modules/hookspell/dist/cli.js claude-code hook${config}`,
      portable: true,
    };
  return { command: `${quote(process.execPath)} ${quote(cli)} claude-code hook${config}`, portable: false };
}

/** A word for `sh -c`: as it is when it has nothing the shell would read, else single-quoted. */
export function quote(word: string): string {
  return /^[A-Za-z0-9_/.@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Makes the settings file run `command` for exactly `events` — adding or updating hookspell's
 * handler there, removing it from every other event (an event whose hooks are gone from the
 * config) — and leaves everything else as it was. Twice in a row, the second run changes nothing.
 */
export function install(
  file: string,
  events: readonly ClaudeCodeEvent[],
  command: string,
  dryRun: boolean,
): SettingsChange {
  const settings = readSettingsText(file);
  const hooks = (settings.value.hooks ?? {}) as Record<string, unknown>;
  const changes = new Map<string, ReturnType<typeof withOwnHandler> | undefined>();
  const handler = { type: 'command', command };
  for (const event of new Set([...events, ...ownEvents(settings.value)])) {
    const groups = withOwnHandler(
      hooks[event],
      events.includes(event as ClaudeCodeEvent) ? handler : undefined,
    );
    changes.set(event, groups.length === 0 ? undefined : groups);
  }
  return writeSettings(settings, editSettings(settings, changes), dryRun);
}

/** Removes hookspell's handlers (and only them) from every event of the settings file. */
export function uninstall(file: string, dryRun: boolean): SettingsChange {
  const settings = readSettingsText(file);
  if (!settings.exists) return { file, changed: false, diff: '' };
  const hooks = (settings.value.hooks ?? {}) as Record<string, unknown>;
  const changes = new Map<string, ReturnType<typeof withOwnHandler> | undefined>();
  for (const event of ownEvents(settings.value)) {
    const groups = withOwnHandler(hooks[event], undefined);
    changes.set(event, groups.length === 0 ? undefined : groups);
  }
  return writeSettings(settings, editSettings(settings, changes), dryRun);
}

/** The point each event fires, for messages. */
export function pointOf(event: ClaudeCodeEvent): string {
  return CLAUDE_CODE_EVENT_INFO[event].point;
}
