#!/usr/bin/env node
// `hookspell claude-code hook` runs once per Claude Code tool call: it goes straight to its module,
// without the command parser and the other commands (docs/claude-code.md, "Start-up"); so does
// `--version`, which scripts call to check the install.
const { fastHookArgs } = await import('./claude-code/fast-args.js');
const hook = fastHookArgs(process.argv);
if (hook !== undefined) {
  const { runHookAndExit } = await import('./claude-code/run-hook.js');
  await runHookAndExit(hook);
} else if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  const { VERSION } = await import('./version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv);
}
