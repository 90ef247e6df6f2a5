import { claudeCodeHookCommand, type HookCommandOptions } from './hook.js';

/**
 * Runs one Claude Code hook call and ends the process with its answer: stdout and stderr written
 * (and flushed), then `process.exit(code)`. Exiting explicitly, rather than when the event loop
 * drains, keeps anything a hook left behind (a descendant it spawned, a timer) from holding
 * Claude Code's tool call.
 */
export async function runHookAndExit(options: HookCommandOptions): Promise<never> {
  const reply = await claudeCodeHookCommand(options);
  await write(process.stdout, reply.stdout);
  await write(process.stderr, reply.stderr);
  process.exit(reply.exitCode);
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
