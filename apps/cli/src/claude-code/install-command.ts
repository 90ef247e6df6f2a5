import type { ClaudeCodeEvent } from '@hookspell/bridge/claude-code';
import { loadConfigCached } from '../config/config-cache.js';
import { display } from '../config/find.js';
import { out } from '../context.js';
import { Runtime } from '../runtime.js';
import {
  eventsForHooks,
  hookCommand,
  install,
  parseEvents,
  pointOf,
  type Scope,
  settingsFile,
  uninstall,
} from './install.js';
import type { SettingsChange } from './settings-file.js';

/**
 * `hookspell claude-code install`: the events come from the hooks the config registers (its
 * `hooks`, `claudeSettings` and what its `scripts` register — loaded against memory storage, so
 * nothing is written to the database), or from `--events`.
 */
export async function runInstall(
  scope: Scope,
  options: { dryRun?: boolean; events?: string[] },
  configArg: string | undefined,
): Promise<void> {
  const cwd = process.cwd();
  let events: ClaudeCodeEvent[];
  let unmapped: string[] = [];
  if (options.events !== undefined) events = parseEvents(options.events);
  else {
    const config = await loadConfigCached({ cwd, ...(configArg !== undefined && { configPath: configArg }) });
    const runtime = await Runtime.open({ ...config, storage: { type: 'memory' } }, { warningLine: () => {} });
    try {
      ({ events, unmapped } = eventsForHooks(runtime.registry.list()));
    } finally {
      await runtime.close();
    }
  }
  const file = settingsFile(scope, cwd);
  const { command, portable } = hookCommand(scope, cwd, configArg);
  const change = install(file, events, command, options.dryRun === true);
  report(change, options.dryRun === true);
  if (events.length === 0)
    out(
      'no hook of the config is at a point Claude Code fires: no event installed (add hooks, or give --events)',
    );
  else out(`events: ${events.map((e) => `${e} → ${pointOf(e)}`).join(', ')}`);
  if (unmapped.length > 0) out(`not fired by Claude Code (no event maps to them): ${unmapped.join(', ')}`);
  out(`command: ${command}`);
  if (!portable && scope === 'project')
    out(
      "note: the command names this machine's paths (hookspell is not in the project's node_modules); teammates need their own `hookspell claude-code install`",
    );
}

export function runUninstall(scope: Scope, options: { dryRun?: boolean }): void {
  const file = settingsFile(scope, process.cwd());
  report(uninstall(file, options.dryRun === true), options.dryRun === true);
}

function report(change: SettingsChange, dryRun: boolean): void {
  const shown = display(process.cwd(), change.file);
  if (!change.changed) {
    out(`${shown}: up to date, nothing to change`);
    return;
  }
  out(change.diff.trimEnd());
  if (dryRun) out(`dry run: ${shown} not written`);
  else
    out(
      `wrote ${shown}${change.backup ? ` (the previous file is in ${display(process.cwd(), change.backup)})` : ''}`,
    );
}
