import type { Command } from 'commander';
import { globals } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';

interface ScopeOptions {
  project?: boolean;
  user?: boolean;
  dryRun?: boolean;
  events?: string[];
}

function scopeOf(options: ScopeOptions): 'project' | 'user' {
  if (options.project && options.user)
    throw new CliError(CliErrorCode.USAGE, 'give --project or --user, not both');
  return options.user ? 'user' : 'project';
}

export function claudeCodeCommand(program: Command): void {
  const cc = program
    .command('claude-code')
    .description(
      'Claude Code runs hookspell: the hook command for its settings file, and installing it there',
    );

  cc.command('hook')
    .description(
      "answer one Claude Code hook call: read its stdin, fire the mapped point through this project's config, exit 0 or 2 with Claude Code's JSON",
    )
    .addHelpText(
      'after',
      `
Run by Claude Code (see \`hookspell claude-code install\`), not by hand. The config is --config, else
the first hookspell.config.* in the input's cwd or its parents up to $CLAUDE_PROJECT_DIR, then
$CLAUDE_PROJECT_DIR. data = Claude Code's stdin object, correlation id = its session_id.

Exit codes (what Claude Code reads): 0 = go ahead (JSON on stdout may allow, ask, rewrite the input,
add context); 2 = block, reason on stderr. A failure of hookspell itself exits 2 where the point is
failClosed (or the config cannot be read at all), else 0 with the reason on stderr.

Example (what Claude Code does):
  $ echo '{"hook_event_name":"PreToolUse","session_id":"s1","cwd":"'$PWD'","tool_name":"Bash","tool_input":{"command":"rm -rf /"}}' | hookspell claude-code hook`,
    )
    .action(async (_options: unknown, command: Command) => {
      const g = globals(command);
      const { runHookAndExit } = await import('../claude-code/run-hook.js');
      await runHookAndExit({
        ...(g.config !== undefined && { configPath: g.config }),
        ...(g.debug && { debug: true }),
        ...(g.verbose && { verbose: true }),
      });
    });

  cc.command('serve')
    .description(
      'keep a process up that answers `claude-code hook` calls for this config: a call then costs a Node start and a socket round trip',
    )
    .option('--idle <ms>', 'exit after this long without a call (default 30 minutes)', (v) =>
      positiveMs(v, '--idle'),
    )
    .option(
      '--detach',
      'start the server in the background and exit once it listens (for a SessionStart hook)',
    )
    .addHelpText(
      'after',
      `
\`claude-code hook\` asks the server of its config (a Unix socket under ~/.cache/hookspell/servers,
only your user can connect) and runs the call itself when none listens, when the server's
environment (CLAUDE_*, PATH, HOME) differs, or when the server goes away mid-call. Calls run as
\`claude-code hook\` runs them — same config, fail-closed rules, deadlines and answers — on hooks
kept loaded; a changed config is reloaded on the next call. Stops on SIGINT/SIGTERM or when idle.

Start it from a Claude Code SessionStart hook, so that its environment is Claude Code's (a call
from another CLAUDE_PROJECT_DIR, PATH or HOME is not served):
  "SessionStart": [{ "hooks": [{ "type": "command", "command": "hookspell claude-code serve --detach" }] }]`,
    )
    .action(async (options: { idle?: number; detach?: boolean }, command: Command) => {
      const g = globals(command);
      const { runServe } = await import('../claude-code/serve-command.js');
      process.exitCode = await runServe({
        ...(g.config !== undefined && { configPath: g.config }),
        ...(options.idle !== undefined && { idleMs: options.idle }),
        ...(g.verbose && { verbose: true }),
        ...(options.detach && { detach: true }),
      });
    });

  cc.command('install')
    .description(
      "add `hookspell claude-code hook` to Claude Code's settings for every event the config has hooks for",
    )
    .option('--project', 'write <project>/.claude/settings.json (the default)')
    .option('--user', 'write ~/.claude/settings.json')
    .option('--dry-run', 'print the diff, write nothing')
    .option(
      '--events <names...>',
      "these events instead of the config's (comma or space separated, or 'all')",
    )
    .addHelpText(
      'after',
      `
One handler per event, no matcher (hookspell's own hooks decide), command: node and hookspell's
cli.js by path (relative to $CLAUDE_PROJECT_DIR when hookspell is in the project's node_modules).
Everything else in the file is kept; a handler that runs \`claude-code hook\` is hookspell's and is
updated in place; events the config no longer needs lose theirs. The old file is copied to
settings.json.hookspell.bak. Running it twice changes nothing.

Examples:
  $ hookspell claude-code install --dry-run
  $ hookspell claude-code install --user --events PreToolUse Stop`,
    )
    .action(async (options: ScopeOptions, command: Command) => {
      const scope = scopeOf(options);
      const g = globals(command);
      const { runInstall } = await import('../claude-code/install-command.js');
      await runInstall(scope, options, g.config);
    });

  cc.command('uninstall')
    .description("remove hookspell's handlers (and only them) from Claude Code's settings")
    .option('--project', 'edit <project>/.claude/settings.json (the default)')
    .option('--user', 'edit ~/.claude/settings.json')
    .option('--dry-run', 'print the diff, write nothing')
    .action(async (options: ScopeOptions) => {
      const scope = scopeOf(options);
      const { runUninstall } = await import('../claude-code/install-command.js');
      runUninstall(scope, options);
    });
}

function positiveMs(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(
      CliErrorCode.USAGE,
      `${flag} must be a whole number of milliseconds > 0; got ${JSON.stringify(value)}`,
    );
  return n;
}
