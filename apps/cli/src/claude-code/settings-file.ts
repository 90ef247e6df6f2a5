import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import {
  applyEdits,
  type FormattingOptions,
  modify,
  type ParseError,
  parse,
  printParseErrorCode,
} from 'jsonc-parser';
import { CliError, CliErrorCode } from '../errors.js';

/**
 * A handler is hookspell's own when it runs `claude-code hook` (the words, as arguments of any
 * program: `hookspell claude-code hook`, `node …/cli.js claude-code hook --config …`). That is the
 * whole marker: Claude Code keeps the command string as it is, and no extra key is needed in a
 * file it validates. A hand-written entry that runs the same command counts as hookspell's too.
 */
export function isOwnHandler(handler: unknown): boolean {
  if (handler === null || typeof handler !== 'object') return false;
  const h = handler as { type?: unknown; command?: unknown };
  return (
    h.type === 'command' && typeof h.command === 'string' && /(^|\s)claude-code\s+hook(\s|$)/.test(h.command)
  );
}

/** A settings file's text and parsed value (`{}` when the file does not exist). */
export interface SettingsText {
  file: string;
  exists: boolean;
  text: string;
  value: Record<string, unknown>;
}

/**
 * Reads a Claude Code settings file for editing. A file that is not a JSON object is refused
 * (exit 2) naming the problem and its line: hookspell never rewrites a file it cannot read.
 */
export function readSettingsText(file: string): SettingsText {
  if (!existsSync(file)) return { file, exists: false, text: '', value: {} };
  const text = readFileSync(file, 'utf8');
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split('\n').length;
    throw new CliError(
      CliErrorCode.CONFIG_SYNTAX,
      `${file}:${line}: not valid JSON (${printParseErrorCode(first.error)}); fix it first — hookspell does not rewrite a settings file it cannot read`,
    );
  }
  if (text.trim() !== '' && (value === null || typeof value !== 'object' || Array.isArray(value)))
    throw new CliError(CliErrorCode.CONFIG_INVALID, `${file}: a Claude Code settings file is a JSON object`);
  const hooks = (value as { hooks?: unknown } | undefined)?.hooks;
  if (hooks !== undefined && (hooks === null || typeof hooks !== 'object' || Array.isArray(hooks)))
    throw new CliError(CliErrorCode.CONFIG_INVALID, `${file}: "hooks" must be an object of event names`);
  return { file, exists: true, text, value: (value ?? {}) as Record<string, unknown> };
}

/** A handler group as Claude Code reads them: `{ matcher?, hooks: [handler…] }`. */
type Group = { matcher?: unknown; hooks?: unknown; [key: string]: unknown };

/**
 * The event's groups with hookspell's handler made exactly `handler` (or removed, with
 * `undefined`): the first own handler is updated in place — so running install twice, or after a
 * user moved the group, changes nothing — every other own handler is removed, a group left empty
 * by that is dropped, and with no own handler yet a new group (no matcher: every call) is added
 * last. Everything else is kept as it is.
 */
export function withOwnHandler(groups: unknown, handler: Record<string, unknown> | undefined): Group[] {
  const list: Group[] = Array.isArray(groups) ? (groups as Group[]) : [];
  let placed = false;
  const out: Group[] = [];
  for (const group of list) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.hooks)) {
      out.push(group);
      continue;
    }
    const hooks: unknown[] = [];
    let removed = false;
    for (const h of group.hooks as unknown[]) {
      if (!isOwnHandler(h)) hooks.push(h);
      else if (handler !== undefined && !placed) {
        placed = true;
        hooks.push({ ...(h as object), ...handler });
      } else removed = true;
    }
    if (hooks.length === 0 && removed) continue;
    out.push(hooks.length === group.hooks.length && !removed ? { ...group, hooks } : { ...group, hooks });
  }
  if (handler !== undefined && !placed) out.push({ hooks: [handler] });
  return out;
}

/** The events whose groups hold a hookspell handler. */
export function ownEvents(value: Record<string, unknown>): string[] {
  const hooks = (value.hooks ?? {}) as Record<string, unknown>;
  return Object.entries(hooks)
    .filter(
      ([, groups]) =>
        Array.isArray(groups) &&
        groups.some(
          (g: Group) =>
            g !== null && typeof g === 'object' && Array.isArray(g.hooks) && g.hooks.some(isOwnHandler),
        ),
    )
    .map(([event]) => event);
}

/**
 * The new text of a settings file with each event's groups set (`undefined` removes the event;
 * an emptied `hooks` object is removed too). Edits go through jsonc-parser, so every other key,
 * comment and the file's indentation stay as they were.
 */
export function editSettings(
  settings: SettingsText,
  events: ReadonlyMap<string, Group[] | undefined>,
): string {
  const formatting: FormattingOptions = { insertSpaces: true, tabSize: indentOf(settings.text), eol: '\n' };
  let text = settings.text.trim() === '' ? '{}\n' : settings.text;
  const hooks = { ...((settings.value.hooks ?? {}) as Record<string, unknown>) };
  for (const [event, groups] of events) {
    const same = JSON.stringify(hooks[event]) === JSON.stringify(groups);
    if (same) continue;
    if (groups === undefined || groups.length === 0) delete hooks[event];
    else hooks[event] = groups;
    const edit =
      groups === undefined || groups.length === 0
        ? modify(text, ['hooks', event], undefined, { formattingOptions: formatting })
        : settings.value.hooks === undefined && Object.keys(hooks).length === 1
          ? modify(text, ['hooks'], { [event]: groups }, { formattingOptions: formatting })
          : modify(text, ['hooks', event], groups, { formattingOptions: formatting });
    text = applyEdits(text, edit);
    settings = { ...settings, value: { ...settings.value, hooks } };
  }
  if (settings.value.hooks !== undefined && Object.keys(hooks).length === 0)
    text = applyEdits(text, modify(text, ['hooks'], undefined, { formattingOptions: formatting }));
  return text.endsWith('\n') ? text : `${text}\n`;
}

function indentOf(text: string): number {
  const m = /\n( +)\S/.exec(text);
  return m ? m[1]!.length : 2;
}

/** What writing a settings file did (or, in a dry run, would do). */
export interface SettingsChange {
  file: string;
  changed: boolean;
  diff: string;
  backup?: string;
}

/**
 * Writes `next` over the settings file when it differs — after copying the old file to
 * `<file>.hookspell.bak` — and returns the unified diff. `dryRun` writes nothing.
 */
export function writeSettings(settings: SettingsText, next: string, dryRun: boolean): SettingsChange {
  const before = settings.exists ? settings.text : '';
  if (before === next || (!settings.exists && next.trim() === '{}'))
    return { file: settings.file, changed: false, diff: '' };
  const diff = createTwoFilesPatch(
    settings.exists ? settings.file : '/dev/null',
    settings.file,
    before,
    next,
    undefined,
    undefined,
    { context: 3 },
  );
  if (dryRun) return { file: settings.file, changed: true, diff };
  mkdirSync(dirname(settings.file), { recursive: true });
  let backup: string | undefined;
  if (settings.exists) {
    backup = `${settings.file}.hookspell.bak`;
    writeFileSync(backup, before);
  }
  writeFileSync(settings.file, next);
  return { file: settings.file, changed: true, diff, ...(backup && { backup }) };
}
