import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { withCorrelation } from '@hookspell/events';
import type { Command } from 'commander';
import { out, outJson, withRuntime } from '../context.js';
import { CliError, CliErrorCode, errorLine } from '../errors.js';
import { printedLines, ScriptFailedError } from '../script-failure.js';

interface RunOptions {
  correlation?: string;
  json?: boolean;
  compat?: string;
  check?: boolean;
}

/** What `--check` fails on: a first return value of false or nil (or none at all). */
function checkFails(returned: readonly unknown[]): boolean {
  const first = returned[0];
  return first === false || first === undefined || first === null;
}

export function runCommand(program: Command): void {
  program
    .command('run')
    .description(
      'run a Lua or JavaScript script against the configured runtime (hooks, events, state, storage)',
    )
    .argument('<script>', 'a .lua, .js or .mjs file')
    .option('--correlation <id>', 'correlation id of everything the script publishes (default: a new one)')
    .option(
      '--json',
      'print a JSON summary (correlation id, printed lines, return values, hooks and subscriptions) instead of text',
    )
    .option(
      '--compat <profile>',
      "run scripts with a compatibility profile: 'llmspell' (the original rs-llmspell's patterns, Hook.list and stats shapes)",
    )
    .option(
      '--check',
      'exit 1 when the script returns false or nil (a self-checking script), showing what it printed',
    )
    .addHelpText(
      'after',
      `
The config's hooks and scripts are loaded first; then the script's top level runs (waits inside it,
such as Event.receive, are awaited), subscribers finish with what was published, and events,
journal entries and state are stored. print() lines go to stdout; log.warn/error to stderr
(log.info/debug with --verbose). Event.publish goes through BeforeEventEmit/AfterEventEmit hooks.
If the script fails, the lines it printed are shown before the error (exit 1); with --json,
stdout is { script, correlationId, printed, error: { code, line?, message }, warnings }.
What the script returns (a Lua chunk's return values, an .mjs module's default export) is shown
as "returned: …" and in --json as "returned" (nil as null). With --check, a first return value
of false or nil (or none) fails the run: exit 1 after the printed lines.
--compat llmspell (or \`compat: llmspell\` in the config) runs scripts written for the original
rs-llmspell unchanged where they differ (see docs/from-rs-llmspell.md).
When a hook's circuit breaker opens, a warning line goes to stderr as it happens (with --json
also in "warnings").

Examples:
  $ hookspell run scripts/agent-loop.lua
  $ hookspell run scripts/report.js --config ci/hookspell.config.yaml --json
  $ hookspell run --compat llmspell --check tests/old-fixture.lua`,
    )
    .action(async (file: string, options: RunOptions, command: Command) => {
      const path = resolve(file);
      if (!existsSync(path))
        throw new CliError(CliErrorCode.FILE_NOT_FOUND, `script file not found: ${file}`);
      if (!/\.(lua|js|mjs)$/i.test(path)) {
        throw new CliError(
          CliErrorCode.USAGE,
          `cannot tell the language of ${file}: use a .lua, .js or .mjs file`,
        );
      }
      if (options.compat !== undefined && options.compat !== 'llmspell')
        throw new CliError(
          CliErrorCode.USAGE,
          `--compat: unknown profile '${options.compat}'; the one profile is 'llmspell' (the original rs-llmspell)`,
        );
      const correlationId = options.correlation ?? randomUUID();
      const runtimeOptions = options.compat === 'llmspell' ? { compat: 'llmspell' as const } : {};
      await withRuntime(command, runtimeOptions, async (runtime) => {
        let script: Awaited<ReturnType<typeof runtime.loadScript>>;
        try {
          script = await withCorrelation(correlationId, async () => {
            const s = await runtime.loadScript(path, file, 'runtime');
            await runtime.bus.idle();
            return s;
          });
        } catch (error) {
          // What the script printed before failing is what one debugs it with: shown where the
          // success path shows it, before the error line (which main() writes to stderr).
          if (error instanceof ScriptFailedError) {
            if (options.json) {
              outJson({
                script: file,
                correlationId,
                printed: error.printed,
                error: { ...error.details(), message: errorLine(error) },
                warnings: runtime.warnings,
              });
            } else if (error.printed.length > 0) out(error.printed.join('\n'));
          }
          throw error;
        }
        // run() ran once inside loadScript; a second call gives the same settled promise.
        const returned = (await script.run()).map((v) => (v === undefined ? null : v));
        const failedCheck = options.check === true && checkFails(returned);
        const printed = printedLines(script);
        const hooks = script.hooks.map((h) => ({ name: h.name, point: h.point }));
        const subscriptions = script.subscriptions.map((s) => s.pattern);
        await runtime.bus.flush();
        const stored = (await runtime.log.query({ correlationId, limit: 100_000 })).length;
        if (options.json) {
          outJson({
            script: file,
            correlationId,
            printed,
            returned,
            ...(options.check === true && { check: { passed: !failedCheck } }),
            hooks,
            subscriptions,
            events: stored,
            warnings: runtime.warnings,
          });
          if (failedCheck) throw checkError(file, returned);
          return;
        }
        if (printed.length > 0) out(printed.join('\n'));
        if (returned.length > 0) out(`returned: ${returned.map((v) => JSON.stringify(v)).join(', ')}`);
        out(
          `ran ${file}: ${hooks.length} hook(s) registered, ${subscriptions.length} subscription(s), ${stored} event(s) stored · correlation ${correlationId}`,
        );
        if (stored > 0) out(`see it: hookspell events timeline ${correlationId}`);
        if (failedCheck) throw checkError(file, returned);
      });
    });
}

function checkError(file: string, returned: readonly unknown[]): CliError {
  const what = returned.length === 0 ? 'returned nothing' : `returned ${JSON.stringify(returned[0])} first`;
  return new CliError(
    CliErrorCode.RUNTIME,
    `--check: ${file} ${what}; a passing self-check returns true (or any value but false and nil)`,
  );
}
