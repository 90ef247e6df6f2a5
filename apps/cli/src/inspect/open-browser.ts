import { spawn } from 'node:child_process';

/**
 * Opens `url` in the default browser with the platform's own opener (`open`, `xdg-open`,
 * `start`) — a few lines instead of a dependency. Never throws: `onFail` says why it did not work.
 */
export function openBrowser(url: string, onFail: (why: string) => void): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (error) => onFail(`${command}: ${error.message}`));
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) onFail(`${command} exited with ${code}`);
    });
    child.unref();
  } catch (error) {
    onFail((error as Error).message);
  }
}
