import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { out } from '../context.js';
import { CliError, CliErrorCode, errorLine } from '../errors.js';

export function importCommand(program: Command): void {
  const imp = program
    .command('import')
    .description("turn another tool's hook configuration into a hookspell config");
  imp
    .command('claude-settings')
    .description("turn a Claude Code settings file or a plugin's hooks/hooks.json into a hookspell config")
    .argument('<file>', '.claude/settings.json, ~/.claude/settings.json or <plugin>/hooks/hooks.json')
    .option('-o, --out <file>', 'write the config there (.yaml/.yml or .json) instead of printing YAML')
    .option('--force', 'overwrite --out if it exists')
    .addHelpText(
      'after',
      `
Each command handler becomes a \`claudeCode\` entry, in the file's order, with its matcher, its
timeout (seconds), if, args, shell and async; \${CLAUDE_PROJECT_DIR} and \${CLAUDE_PLUGIN_ROOT} stay
as they are (a plugin's entries get \`pluginRoot\`, relative to the new config). A point with
several hooks gets \`mode: parallel\`, as Claude Code runs them. What cannot be carried over
(http/prompt/agent/mcp_tool handlers, once, other settings) is printed as a warning on stderr.

Examples:
  $ hookspell import claude-settings .claude/settings.json --out hookspell.config.yaml
  $ hookspell import claude-settings ~/.claude/plugins/guard/hooks/hooks.json`,
    )
    .action(async (file: string, options: { out?: string; force?: boolean }) => {
      const source = resolve(file);
      if (!existsSync(source))
        throw new CliError(CliErrorCode.FILE_NOT_FOUND, `Claude Code settings file not found: ${file}`);
      if (options.out !== undefined && existsSync(options.out) && !options.force)
        throw new CliError(CliErrorCode.USAGE, `${options.out} exists; use --force to overwrite it`);
      const { configDir, configJson, configYaml, importClaudeSettings, otherSettings } = await import(
        '../claude-code/import-settings.js'
      );
      let imported: ReturnType<typeof importClaudeSettings>;
      try {
        imported = importClaudeSettings(source, configDir(options.out));
      } catch (error) {
        throw new CliError(CliErrorCode.CONFIG_INVALID, errorLine(error), { cause: error });
      }
      const others = otherSettings(JSON.parse(readFileSync(source, 'utf8').replace(/^\uFEFF/, '')));
      if (others.length > 0)
        imported.warnings.push(
          `${file}: only "hooks" is imported; ${others.map((k) => `"${k}"`).join(', ')} ${others.length === 1 ? 'is' : 'are'} Claude Code's own setting${others.length === 1 ? '' : 's'}.`,
        );
      const n = imported.config.hooks?.length ?? 0;
      const text = options.out?.endsWith('.json')
        ? configJson(imported.config)
        : configYaml(imported.config, file);
      for (const w of imported.warnings) process.stderr.write(`hookspell: warning: ${w}\n`);
      if (options.out === undefined) {
        out(text);
        return;
      }
      writeFileSync(options.out, text);
      out(
        `wrote ${options.out}: ${n} hook(s) from ${file}${imported.warnings.length ? `, ${imported.warnings.length} warning(s) above` : ''}`,
      );
      out(`next: hookspell --config ${options.out} hooks list`);
    });
}
