// On the hook's start-up path: node built-ins only.

/** The most stdin accepted (a PostToolUse input carries the tool's whole output). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Claude Code's stdin, read to its end (at most MAX_INPUT_BYTES). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INPUT_BYTES)
      throw new Error(
        `Claude Code's input is over ${MAX_INPUT_BYTES / 1024 / 1024} MiB; hookspell reads at most that`,
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
