import { Command } from 'commander';
import { eventsCommand } from './commands/events.js';
import { fireCommand } from './commands/fire.js';
import { hooksCommand } from './commands/hooks.js';
import { initCommand } from './commands/init.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { VERSION } from './version.js';

/** The `hookspell` command tree. Each command lives in its own module under commands/. */
export function buildProgram(): Command {
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
Exit codes: 0 ok · 1 runtime failure · 2 usage or config error · 3 fire: a hook cancelled · 4 fire: a hook failed · 5 hooks audit: a hook can fail open at a guard point.

Start here:
  $ hookspell init && hookspell hooks list && hookspell fire custom:checks`,
    );
  runCommand(program);
  fireCommand(program);
  hooksCommand(program);
  eventsCommand(program);
  replayCommand(program);
  initCommand(program);
  return program;
}
