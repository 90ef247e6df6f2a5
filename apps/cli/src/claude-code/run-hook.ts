import { errorLine } from '../errors.js';
import {
  claudeCodeHookCommand,
  currentStage,
  failureReply,
  type HookCommandOptions,
  type HookReply,
} from './hook.js';

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
  const crash = (error: unknown) =>
    void answer(failureReply(currentStage(), `internal error: ${errorLine(error)}`));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return answer(await claudeCodeHookCommand(options));
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
