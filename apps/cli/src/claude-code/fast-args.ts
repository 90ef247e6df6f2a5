import type { HookCommandOptions } from './hook.js';

// Imported by cli.ts before anything else: it must import nothing at run time.

/**
 * The options of `hookspell [globals] claude-code hook [globals]` when argv is exactly that
 * (`-c/--config <path>`, `--config=<path>`, `--debug`, `--verbose`), for the start-up fast path
 * that skips the command parser; undefined for anything else, which goes through commander.
 */
export function fastHookArgs(argv: readonly string[]): HookCommandOptions | undefined {
  const options: HookCommandOptions = {};
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '-c' || word === '--config') {
      const value = argv[++i];
      if (value === undefined) return undefined;
      options.configPath = value;
    } else if (word.startsWith('--config=')) options.configPath = word.slice('--config='.length);
    else if (word === '--debug') options.debug = true;
    else if (word === '--verbose') options.verbose = true;
    else if (word.startsWith('-')) return undefined;
    else words.push(word);
  }
  return words.length === 2 && words[0] === 'claude-code' && words[1] === 'hook' ? options : undefined;
}
