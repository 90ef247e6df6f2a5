import { resolve } from 'node:path';
import type { ExecutionMode, HookInput, HookPoint } from '@hookspell/hooks';
import { type Command, Option } from 'commander';
import { out, outJson, withRuntime } from '../context.js';
import { ExitCode } from '../errors.js';
import { outcomeJson, renderOutcome } from '../render/outcome.js';
import { ProgressLine } from '../render/progress.js';
import {
  parseComponent,
  parseJsonObject,
  parseMetadata,
  parsePoint,
  parsePositiveInt,
} from '../util/input.js';

interface FireOptions {
  data?: string;
  metadata?: string;
  component?: string;
  correlation?: string;
  mode?: ExecutionMode;
  maxParallel?: string;
  timeout?: string;
  script?: string[];
  json?: boolean;
  progress?: boolean;
}

export function fireCommand(program: Command): void {
  program
    .command('fire')
    .description('fire a hook point through the configured hooks and print the outcome')
    .argument('<point>', 'hook point, e.g. BeforeToolExecution or custom:checks')
    .option('-d, --data <json|@file>', 'ctx.data: a JSON object, or @file.json (@- for stdin)')
    .option('--metadata <json|@file>', 'ctx.metadata: a JSON object of strings (other values are refused)')
    .option('--component <type:name>', 'the component fired for, e.g. tool:shell', 'system:hookspell-cli')
    .option('--correlation <id>', 'correlation id (default: a new one, printed)')
    .addOption(
      new Option('--mode <mode>', 'run the hooks sequentially or as a DAG in parallel').choices([
        'sequential',
        'parallel',
      ]),
    )
    .option('--max-parallel <n>', 'parallel mode: most hooks running at once')
    .option('--timeout <ms>', 'timeout of hooks that have none')
    .option('--script <file...>', 'also load these Lua/JS scripts (they may register hooks) before firing')
    .option('--json', 'print the outcome as JSON')
    .option('--no-progress', 'no live progress line (shown only when stdout is a terminal)')
    .addHelpText(
      'after',
      `
Exit codes: 0 continue/modified…, 3 a hook cancelled, 4 a hook failed (error/timeout) but nothing cancelled, 2 bad input, 1 runtime failure.
When a hook's circuit breaker opens, a warning line goes to stderr (with --json also in "warnings").

Examples:
  $ hookspell fire BeforeToolExecution --component tool:shell --data '{"cmd":"rm -rf /"}'
  $ hookspell fire custom:checks --mode parallel --max-parallel 2
  $ hookspell fire AfterAgentExecution --data @usage.json --json`,
    )
    .action(async (pointArg: string, options: FireOptions, command: Command) => {
      const point = parsePoint(pointArg) as HookPoint;
      const input: HookInput = { component: parseComponent(options.component ?? 'system:hookspell-cli') };
      if (options.data !== undefined) input.data = parseJsonObject(options.data, '--data');
      if (options.metadata !== undefined) input.metadata = parseMetadata(options.metadata, '--metadata');
      const maxParallel =
        options.maxParallel === undefined
          ? undefined
          : parsePositiveInt(options.maxParallel, '--max-parallel');
      const timeoutMs =
        options.timeout === undefined ? undefined : parsePositiveInt(options.timeout, '--timeout');
      const code = await withRuntime(command, {}, async (runtime) => {
        for (const file of options.script ?? []) await runtime.loadScript(resolve(file), file, 'runtime');
        const mode = options.mode ?? runtime.registry.pointConfig(point).mode;
        const live =
          options.progress !== false &&
          options.json !== true &&
          (process.stdout.isTTY === true || process.env.HOOKSPELL_PROGRESS === '1');
        const progress = live
          ? new ProgressLine(
              (t) => process.stdout.write(t),
              () => runtime.running.names(),
            )
          : undefined;
        let outcome: Awaited<ReturnType<typeof runtime.executor.fire>>;
        try {
          outcome = await runtime.executor.fire(point, input, {
            mode,
            ...(maxParallel !== undefined && { maxParallel }),
            ...(timeoutMs !== undefined && { timeoutMs }),
            ...(options.correlation !== undefined && { correlationId: options.correlation }),
            ...(progress && { onProgress: progress.onProgress }),
          });
        } finally {
          progress?.stop();
        }
        // Warnings (a breaker that opened) were written to stderr as they happened; --json also lists them.
        if (options.json) outJson({ ...outcomeJson(outcome, mode), warnings: runtime.warnings });
        else out(renderOutcome(outcome, mode));
        if (outcome.decision.type === 'cancel') return ExitCode.CANCELLED;
        if (outcome.records.some((r) => r.status === 'error' || r.status === 'timeout'))
          return ExitCode.HOOK_FAILED;
        return ExitCode.OK;
      });
      process.exitCode = code;
    });
}
