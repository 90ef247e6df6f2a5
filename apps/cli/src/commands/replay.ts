import { ReplayEngine, type ReplayMode } from '@hookspell/journal';
import { type Command, Option } from 'commander';
import { out, outJson, withRuntime } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';
import { renderCorrelationReplay, renderReplay } from '../render/replay.js';
import { collect, parseSet } from '../util/changes.js';

interface ReplayOptions {
  correlation?: string;
  mode?: ReplayMode;
  set?: string[];
  unset?: string[];
  json?: boolean;
}

export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'replay a stored hook execution (or every fire of a correlation) against the hooks configured now, and print the differences',
    )
    .argument('[executionId]', 'an execution id (hookspell fire --json, or exec= in hookspell events query)')
    .option('--correlation <id>', 'replay every recorded fire of this correlation instead')
    .addOption(
      new Option(
        '--mode <mode>',
        'exact: re-run the hook on the stored context · modified: after --set/--unset · simulate: run nothing, return the stored result',
      ).choices(['exact', 'modified', 'simulate']),
    )
    .option(
      '--set <path=value...>',
      'modified mode: change the stored context, e.g. --set data.cmd=ls --set data.limit=3 (values are JSON when they parse)',
      collect,
    )
    .option('--unset <path...>', 'modified mode: delete a field, e.g. --unset metadata.user_id', collect)
    .option('--json', 'print the replay result as JSON')
    .addHelpText(
      'after',
      `
The comparator leaves out timestamps and durations. Exit 0 whether or not there are differences
(see "identical" in --json); 2 for an unknown execution id or a hook that is not configured now.

Examples:
  $ hookspell replay 5e0c1a2b3c-1.0
  $ hookspell replay 5e0c1a2b3c-1.0 --set data.cmd='rm -rf /'
  $ hookspell replay --correlation 5e0c1a2b3c-1 --mode simulate --json`,
    )
    .action(async (executionId: string | undefined, options: ReplayOptions, command: Command) => {
      const changes: Record<string, unknown> = {};
      for (const s of options.set ?? []) {
        const [path, value] = parseSet(s);
        changes[path] = value;
      }
      for (const path of options.unset ?? []) {
        if (!/^(data|metadata)\.\S+$/.test(path))
          throw new CliError(
            CliErrorCode.USAGE,
            `--unset '${path}': the path must start with data. or metadata.`,
          );
        changes[path] = undefined;
      }
      const changed = Object.keys(changes).length > 0;
      if ((executionId === undefined) === (options.correlation === undefined)) {
        throw new CliError(CliErrorCode.USAGE, 'give an execution id or --correlation <id> (one of them)');
      }
      const mode = options.mode ?? (changed ? 'modified' : 'exact');
      if (options.correlation !== undefined && mode === 'modified') {
        throw new CliError(
          CliErrorCode.USAGE,
          '--correlation replays with --mode exact or simulate; modify one execution at a time',
        );
      }
      if (changed && mode !== 'modified')
        throw new CliError(CliErrorCode.USAGE, `--set/--unset need --mode modified (got --mode ${mode})`);
      if (mode === 'modified' && !changed)
        throw new CliError(CliErrorCode.USAGE, '--mode modified needs at least one --set or --unset');
      await withRuntime(command, {}, async (runtime) => {
        if (runtime.journal === undefined) {
          throw new CliError(
            CliErrorCode.USAGE,
            'the hook journal is off in this config (journal.enabled: false): nothing was recorded to replay',
          );
        }
        const engine = new ReplayEngine(runtime.journal, runtime.executor);
        if (mode !== 'simulate' && options.correlation !== undefined) {
          // An exact replay re-runs the hooks registered NOW: say so when the recording's hooks
          // are not (e.g. a database written by an application, opened without its config).
          // (A single execution's replay already fails with that message.)
          const recorded = await runtime.journal.byCorrelation(options.correlation);
          const registered = new Set(runtime.registry.list().map((h) => `${h.name}@${h.point}`));
          const missing = [...new Set(recorded.map((e) => `${e.hook}@${e.point}`))].filter(
            (h) => !registered.has(h),
          );
          if (missing.length > 0) {
            process.stderr.write(
              `note: ${missing.length} recorded hook(s) are not registered by this config (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): an exact replay cannot re-run them and reports them absent. Load the config that registers them (--config), or use --mode simulate.\n`,
            );
          }
        }
        if (options.correlation !== undefined) {
          const result = await engine.replayCorrelation(options.correlation, {
            mode: mode as 'exact' | 'simulate',
          });
          if (result.fires.length === 0) {
            throw new CliError(
              CliErrorCode.NOT_FOUND,
              `no hook executions recorded for correlation '${options.correlation}'`,
            );
          }
          if (options.json) outJson(result);
          else out(renderCorrelationReplay(result));
          return;
        }
        const result = await engine.replay(executionId!, { mode, ...(changed && { changes }) });
        if (options.json) outJson(result);
        else out(renderReplay(result));
      });
    });
}
