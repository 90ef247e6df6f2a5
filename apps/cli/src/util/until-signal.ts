/**
 * Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`), then stops listening: what a command
 * that serves until stopped (`inspect`, `serve-hooks`, `claude-code serve`) waits for.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
