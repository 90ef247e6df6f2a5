import type { Command } from 'commander';
import { configOf, globals, out } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';
import { openBrowser } from '../inspect/open-browser.js';
import { parsePositiveInt } from '../util/input.js';
import { untilSignal } from '../util/until-signal.js';

interface InspectOptions {
  port: string;
  host: string;
  open?: boolean;
  interval: string;
}

export function inspectCommand(program: Command): void {
  program
    .command('inspect')
    .description(
      'a local web app over the stored events: runs, each run as a live timeline, the details of any event or hook execution, filters, and replay',
    )
    .option('-p, --port <port>', 'port to listen on (0: any free port)', '4477')
    .option(
      '--host <host>',
      'address to listen on; anything but loopback needs the token printed in the URL',
      '127.0.0.1',
    )
    .option('--open', 'open the page in the default browser')
    .option('--interval <ms>', 'how often to look for events other processes stored', '200')
    .addHelpText(
      'after',
      `
Runs until Ctrl-C. Reads the configured storage (SQLite or PostgreSQL); replays run the hooks the
config registers now, as \`hookspell replay\` does. See docs/inspector.md.

Examples:
  $ hookspell inspect --open
  $ hookspell inspect --port 0 --config ./agent/hookspell.config.yaml
  $ hookspell inspect --host 0.0.0.0        # prints http://0.0.0.0:4477/?token=…`,
    )
    .action(async (options: InspectOptions, command: Command) => {
      const port = Number(options.port);
      if (!/^\d{1,5}$/.test(options.port) || port > 65535)
        throw new CliError(
          CliErrorCode.USAGE,
          `--port must be a port number from 0 to 65535 (got '${options.port}')`,
        );
      const interval = parsePositiveInt(options.interval, '--interval');
      const config = await configOf(command);
      const verbose = globals(command).verbose === true;
      // Imported here: the server and its parts load only for this command.
      const [{ startInspector }, { Runtime }] = await Promise.all([
        import('../inspect/inspector.js'),
        import('../runtime.js'),
      ]);
      let lastPollError = '';
      let lastPollErrorAt = 0;
      const inspector = await startInspector({
        config,
        host: options.host,
        port,
        pollMs: interval,
        openRuntime: (c) =>
          Runtime.open(c, {
            verbose,
            // A breaker warning is in the replay's answer (the page shows it); script logs go to stderr.
            warningLine: () => {},
          }),
        onPollError: (error) => {
          // Said once per cause (a log that keeps failing must not fill the terminal), again after a minute.
          const message = error instanceof Error ? error.message : String(error);
          const now = Date.now();
          if (message === lastPollError && now - lastPollErrorAt < 60_000) return;
          lastPollError = message;
          lastPollErrorAt = now;
          process.stderr.write(
            `hookspell: warning: reading the log failed (retrying every ${interval} ms): ${message}\n`,
          );
        },
      });
      const s = config.storage;
      const where = s.type === 'sqlite' ? `SQLite ${s.path}` : s.type === 'postgres' ? 'PostgreSQL' : s.type;
      out(`hookspell inspect: ${inspector.url}`);
      out(`reading ${where}${config.file ? ` (config ${config.file})` : ''} · Ctrl-C to stop`);
      if (options.open)
        openBrowser(inspector.url, (why) =>
          process.stderr.write(`hookspell: could not open a browser (${why}); open ${inspector.url}\n`),
        );
      await untilSignal();
      await inspector.close();
    });
}
