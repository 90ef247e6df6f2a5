import type { HookCommandOptions, HookReply } from './hook.js';
import { askServer } from './server-client.js';
import { readStdin } from './stdin.js';

/**
 * Runs one Claude Code hook call and ends the process with its answer: stdout and stderr written
 * (and flushed), then `process.exit(code)`. Exiting explicitly, rather than when the event loop
 * drains, keeps anything a hook left behind (a descendant it spawned, a timer) from holding
 * Claude Code's tool call.
 */
export async function runHookAndExit(options: HookCommandOptions): Promise<never> {
  // An error thrown outside the call's own try (a callback of a hook's library, a rejection no
  // one awaited) would end the process with exit 1, which Claude Code reads as "go ahead": it is
  // answered as a failure of hookspell instead, by the same rule.
  const crash = (error: unknown) => void failed(error);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const startedAt = performance.now();
  let text: string;
  try {
    text = options.input ?? (await readStdin());
  } catch (error) {
    return failed(error);
  }
  // A running `hookspell claude-code serve` for this config answers without this process loading
  // the engines; without one (or when it cannot), the call runs here, in the time left.
  const served = await askServer(text, options, options.env ?? process.env, startedAt);
  if (served !== undefined) return answer(served);
  const { claudeCodeHookCommand } = await import('./hook.js');
  return answer(await claudeCodeHookCommand({ ...options, input: text, startedAt }));
}

async function failed(error: unknown): Promise<never> {
  const [{ currentStage, failureReply }, { errorLine }] = await Promise.all([
    import('./hook.js'),
    import('../errors.js'),
  ]);
  return answer(failureReply(currentStage(), `internal error: ${errorLine(error)}`));
}

let answered = false;
async function answer(reply: HookReply): Promise<never> {
  if (!answered) {
    answered = true;
    await write(process.stdout, reply.stdout);
    await write(process.stderr, reply.stderr);
    process.exit(reply.exitCode);
  }
  return new Promise<never>(() => {});
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
