import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { parse } from 'yaml';
import { out } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';
import { NEXT_STEPS, STARTER_FILES, STARTER_YAML } from '../init/templates.js';

export function initCommand(program: Command): void {
  program
    .command('init')
    .description('write a starter config and example Lua, JS and command hooks into a directory')
    .argument('[dir]', 'target directory (created if missing)', '.')
    .addOption(
      new Option('--format <format>', 'config file format').choices(['yaml', 'json']).default('yaml'),
    )
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      `
Writes hookspell.config.yaml (or .json), hooks/deny-shell.lua, hooks/redact-email.js,
hooks/audit.mjs, hooks/check.mjs, scripts/observer.lua and scripts/demo.lua.

Examples:
  $ hookspell init
  $ hookspell init my-agent --format json`,
    )
    .action((dirArg: string, options: { format: 'yaml' | 'json'; force?: boolean }) => {
      const dir = resolve(dirArg);
      const config =
        options.format === 'json'
          ? {
              name: 'hookspell.config.json',
              text: `${JSON.stringify({ $schema: './node_modules/hookspell/hookspell.schema.json', ...parse(STARTER_YAML) }, null, 2)}\n`,
            }
          : { name: 'hookspell.config.yaml', text: STARTER_YAML };
      const files: [string, string][] = [[config.name, config.text], ...Object.entries(STARTER_FILES)];
      const other = ['hookspell.config.json', 'hookspell.config.yaml', 'hookspell.config.yml'].filter(
        (n) => n !== config.name && existsSync(join(dir, n)),
      );
      if (other.length > 0) {
        throw new CliError(
          CliErrorCode.USAGE,
          `${dirArg} already has ${other.join(', ')}; a directory keeps one config file`,
        );
      }
      const existing = options.force ? [] : files.map(([p]) => p).filter((p) => existsSync(join(dir, p)));
      if (existing.length > 0) {
        throw new CliError(
          CliErrorCode.USAGE,
          `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${dirArg}; use --force to overwrite`,
        );
      }
      for (const [path, text] of files) {
        const file = join(dir, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      const shown = relative(process.cwd(), dir) || '.';
      out(`created in ${shown}: ${files.map(([p]) => p).join(', ')}`);
      out(shown === '.' ? NEXT_STEPS : `${NEXT_STEPS.replace('next:', `next (in ${shown}):`)}`);
    });
}
