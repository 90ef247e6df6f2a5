import { dirname, relative, resolve } from 'node:path';
import {
  CLAUDE_CODE_EVENT_INFO,
  type ClaudeSettings,
  type ClaudeSettingsHook,
  readClaudeSettings,
} from '@hookspell/bridge/claude-code';
import { Document } from 'yaml';
import type { ClaudeCodeEntry, ConfigFile, HookConfig, PointSettings } from '../config/types.js';
import { shortName, uniqueName } from './names.js';

/** A settings file turned into a config, and what could not be carried over, and why. */
export interface ImportedSettings {
  config: ConfigFile;
  warnings: string[];
}

/**
 * Turns a Claude Code settings file (or a plugin's `hooks/hooks.json`) into a hookspell config:
 *
 * - one `claudeCode` entry per command handler, in the file's order (events, then groups, then
 *   handlers), with its group's `matcher`, its `timeout` in seconds, `if`, `args`, `shell` and
 *   `async` as written, named like registerClaudeSettings names them (`claude:<event>:<script>`);
 * - `${CLAUDE_PROJECT_DIR}` and `${CLAUDE_PLUGIN_ROOT}` are kept in the commands, unexpanded, as
 *   Claude Code keeps them; a plugin file's entries get `pluginRoot`, the plugin's folder
 *   relative to the new config (`dir`), so the config works wherever the two sit side by side;
 * - a point with several hooks gets `mode: parallel`: Claude Code runs an event's hooks side by
 *   side on the original input, and so does the imported config (make it `sequential` for an
 *   ordered chain);
 * - what cannot be carried over is said in `warnings`: other handler types (http, prompt,
 *   agent, mcp_tool), malformed entries and unknown events (from parseClaudeSettings), `once`,
 *   `disableAllHooks`, and the file's other settings (permissions, env, …), which are Claude Code's.
 */
export function importClaudeSettings(file: string, dir: string): ImportedSettings {
  const settings: ClaudeSettings = readClaudeSettings(file);
  const warnings = [...settings.warnings];
  const taken = new Set<string>();
  const hooks: HookConfig[] = [];
  const perPoint = new Map<string, number>();
  for (const h of settings.hooks) {
    const entry = claudeCodeEntry(h, settings.pluginRoot, dir);
    const point = CLAUDE_CODE_EVENT_INFO[h.event].point;
    const name = uniqueName(`claude:${h.event}:${shortName([h.command, ...(h.args ?? [])])}`, point, taken);
    hooks.push({ name, claudeCode: entry });
    perPoint.set(point, (perPoint.get(point) ?? 0) + 1);
    if (h.once)
      warnings.push(
        `${h.source}: "once" is not carried over: each Claude Code call is one fire, so the hook runs every time.`,
      );
  }
  const points: Record<string, PointSettings> = {};
  for (const [point, n] of perPoint) if (n > 1) points[point] = { mode: 'parallel' };
  return {
    config: { hooks, ...(Object.keys(points).length > 0 && { points }) },
    warnings,
  };
}

function claudeCodeEntry(
  h: ClaudeSettingsHook,
  pluginRoot: string | undefined,
  dir: string,
): ClaudeCodeEntry {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's placeholder, looked for literally
  const usesRoot = [h.command, ...(h.args ?? [])].some((w) => w.includes('${CLAUDE_PLUGIN_ROOT}'));
  return {
    event: h.event,
    ...(h.matcher !== undefined && { matcher: h.matcher }),
    command: h.command,
    ...(h.args !== undefined && { args: [...h.args] }),
    ...(h.shell !== undefined && { shell: h.shell }),
    ...(h.timeout !== undefined && { timeout: h.timeout }),
    ...(h.if !== undefined && { if: h.if }),
    ...(h.async && { async: true }),
    ...(usesRoot && pluginRoot !== undefined && { pluginRoot: relativePath(dir, pluginRoot) }),
  };
}

function relativePath(from: string, to: string): string {
  return relative(from, to) || '.';
}

/** The other top-level keys of a settings file (not imported: they are Claude Code's own settings). */
export function otherSettings(json: unknown): string[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return [];
  return Object.keys(json).filter((k) => k !== 'hooks' && k !== 'description' && k !== 'disableAllHooks');
}

/** The config as YAML, headed by where it came from. */
export function configYaml(config: ConfigFile, source: string): string {
  const doc = new Document(config);
  doc.commentBefore = ` Imported from ${source} by \`hookspell import claude-settings\`.
 Each claudeCode entry runs a Claude Code hook script unchanged (docs/claude-code.md).`;
  return doc.toString({ lineWidth: 0 });
}

/** The config as JSON (with the schema, as `hookspell init --format json` writes it). */
export function configJson(config: ConfigFile): string {
  return `${JSON.stringify({ $schema: './node_modules/hookspell/hookspell.schema.json', ...config }, null, 2)}\n`;
}

/** The directory a config written to `out` resolves its paths against. */
export function configDir(out: string | undefined): string {
  return out === undefined ? process.cwd() : dirname(resolve(out));
}
