import { Command } from 'commander';
import { VERSION } from './version.js';

type AddCommand = (program: Command) => void;

/**
 * The commands, each imported only when it runs: a command's module pulls what it needs (the
 * config loader, storage, engines…), and the others' cost nothing. In help order.
 */
const COMMANDS: Readonly<Record<string, () => Promise<AddCommand>>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  fire: async () => (await import('./commands/fire.js')).fireCommand,
  hooks: async () => (await import('./commands/hooks.js')).hooksCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  replay: async () => (await import('./commands/replay.js')).replayCommand,
  inspect: async () => (await import('./commands/inspect.js')).inspectCommand,
  init: async () => (await import('./commands/init.js')).initCommand,
  'claude-code': async () => (await import('./commands/claude-code.js')).claudeCodeCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  'serve-hooks': async () => (await import('./commands/serve-hooks.js')).serveHooksCommand,
};

/** Global options that take a value (the command name is the first word that is not an option). */
const VALUED = new Set(['-c', '--config']);

/** The command `argv` (as `process.argv`) names, if it names one of COMMANDS. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return undefined;
    if (VALUED.has(word)) {
      i++;
      continue;
    }
    if (word.startsWith('-')) continue;
    return Object.hasOwn(COMMANDS, word) ? word : undefined;
  }
  return undefined;
}

/**
 * The `hookspell` command tree for `argv`: every command when it names none (help, a typo that
 * gets a suggestion), else only the one it names. Each command lives in its own module under
 * commands/.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('hookspell')
    .description(
      'hookspell: fire hook points from a config file, run Lua/JS scripts, and query, draw and replay what was stored',
    )
    .version(VERSION, '-V, --version')
    .option(
      '-c, --config <path>',
      'config file (default: hookspell.config.{json,yaml,yml} in the working directory)',
    )
    .option('--verbose', "also print scripts' log.info/log.debug lines")
    .option('--debug', 'print stack traces and causes of errors')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      // One line, like every other error: commander's suggestion goes on the same line.
      outputError: (text, write) =>
        write(
          `hookspell: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok · 1 runtime failure · 2 usage or config error · 3 fire: a hook cancelled · 4 fire: a hook failed · 5 hooks audit: a hook can fail open at a guard point. (claude-code hook answers Claude Code: 0, or 2 to block.)

Start here:
  $ hookspell init && hookspell hooks list && hookspell fire custom:checks`,
    );
  const name = commandName(argv);
  const wanted = name === undefined ? Object.keys(COMMANDS) : [name];
  // --version needs no command at all.
  const versionOnly = argv.length === 3 && (argv[2] === '-V' || argv[2] === '--version');
  if (!versionOnly) for (const add of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) add(program);
  return program;
}
