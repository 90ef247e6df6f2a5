import { HOOK_POINTS } from '@hookspell/hooks';
import type { Command } from 'commander';
import { out, outJson, withRuntime } from '../context.js';
import { ExitCode } from '../errors.js';
import { audit, renderAudit } from '../render/audit.js';
import { listHooks, renderHooks } from '../render/hooks-table.js';
import { parsePoint } from '../util/input.js';

export function hooksCommand(program: Command): void {
  const hooks = program
    .command('hooks')
    .description('what is registered: hooks per point, and the hook points');
  hooks
    .command('list')
    .description(
      'list the registered hooks in execution order, with priority, language, dependencies and breaker state',
    )
    .option('--point <point>', 'only this point')
    .option(
      '--json',
      'print JSON: [{ point, mode, maxParallel, hooks: [{ order, name, priority, language, dependsOn, breaker, … }] }]',
    )
    .addHelpText(
      'after',
      `
Hooks come from the config's \`hooks\` and from the hooks its \`scripts\` register. The breaker state
is this process's (a fresh process starts closed); the preset says how it would open.

Examples:
  $ hookspell hooks list
  $ hookspell hooks list --point custom:checks --json`,
    )
    .action(async (options: { point?: string; json?: boolean }, command: Command) => {
      const point = options.point === undefined ? undefined : parsePoint(options.point);
      await withRuntime(command, {}, async (runtime) => {
        // The gate knows where every hook came from: config entries (`lua:…`, `command: …`,
        // `builtin:rateLimit`) and scripts (`script:…`).
        const sources = runtime.gate.sources;
        // Points in the order the config first names them (hooks, then `points`), script-only points last.
        const rank = new Map<string, number>();
        for (const p of [
          ...runtime.config.hooks.map((h) => h.point),
          ...Object.keys(runtime.config.points),
        ]) {
          if (p !== undefined && !rank.has(p)) rank.set(p, rank.size);
        }
        const listing = listHooks(runtime.registry, sources, point).sort(
          (a, b) => (rank.get(a.point) ?? rank.size) - (rank.get(b.point) ?? rank.size),
        );
        if (options.json) outJson(listing);
        else out(renderHooks(listing));
      });
    });
  hooks
    .command('audit')
    .description(
      'list every hook that can let a guarded action go ahead although it failed or did not run (fail-open at a guard point)',
    )
    .option(
      '--json',
      'print JSON: { checked, findings: [{ point, name, language, onFailure, onFailureSource, paths, why, fix, source, … }] }',
    )
    .addHelpText(
      'after',
      `
A guard point is one where a \`cancel\` stops something (BeforeToolExecution, ToolValidation,
BeforeEventEmit, …; see docs/cli.md) or a point configured \`failClosed: true\`. A hook there fails
open when its timeout, crash, invalid result, launch failure or open breaker lets the fire go on;
a disabled one guards nothing. Fix: \`points.<point>.failClosed: true\` in the config (every hook
there then fails closed unless it says \`onFailure: continue\`), or \`onFailure: cancel\` per hook.

Exit codes: 0 no finding, 5 at least one finding (gate CI on it), 2 bad config, 1 runtime failure.

Examples:
  $ hookspell hooks audit
  $ hookspell hooks audit --config ci/hookspell.config.yaml --json`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const code = await withRuntime(command, {}, async (runtime) => {
        const result = audit(runtime.registry, runtime.gate.sources);
        if (options.json) outJson(result);
        else out(renderAudit(result));
        return result.findings.length > 0 ? ExitCode.AUDIT_FINDINGS : ExitCode.OK;
      });
      process.exitCode = code;
    });
  hooks
    .command('points')
    .description("list the 43 built-in hook points (any other point is spelled 'custom:<name>')")
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) => {
      if (options.json) outJson([...HOOK_POINTS]);
      else out(HOOK_POINTS.join('\n'));
    });
}
