import type { HookPoint } from '@hookspell/hooks';
import type { Command } from 'commander';
import { out, withRuntime } from '../context.js';
import { errorLine } from '../errors.js';
import { parsePoint, parsePositiveInt } from '../util/input.js';
import { untilSignal } from '../util/until-signal.js';

interface ServeHooksOptions {
  subject: string;
  queue?: string;
  servers?: string[];
  points?: string[];
  name?: string;
  maxInFlight?: string;
}

/** The subject `hookspell serve-hooks` listens on unless `--subject` says otherwise. */
export const DEFAULT_SERVE_SUBJECT = 'hookspell.hooks';

export function serveHooksCommand(program: Command): void {
  program
    .command('serve-hooks')
    .description(
      "serve the config's hooks as a remote policy service on NATS: remoteHook() callers fire its points here",
    )
    .option('--subject <subject>', 'the subject remote hooks send to', DEFAULT_SERVE_SUBJECT)
    .option('--queue <name>', 'NATS queue group shared by the instances (default: hookspell-policy)')
    .option('--servers <url...>', 'NATS server URL(s) (default: nats://127.0.0.1:4222)')
    .option('--points <point...>', 'serve only these points (default: every point)')
    .option('--name <name>', "this instance's name in replies (default: <hostname>:<pid>)")
    .option('--max-in-flight <n>', 'fires at once; past it requests are refused as overloaded (default: 256)')
    .addHelpText(
      'after',
      `
Runs until SIGINT/SIGTERM, then answers the fires still running and exits 0. Hooks, scripts,
storage and journal come from the config, as for \`hookspell fire\`; fires made for remote callers
are journaled here. Several instances on one subject form a queue group: each request goes to one.

Examples:
  $ hookspell serve-hooks --config policy.config.json --subject policy.tools
  $ hookspell serve-hooks --servers nats://10.0.0.5:4222 --points BeforeToolExecution`,
    )
    .action(async (options: ServeHooksOptions, command: Command) => {
      const points = options.points?.map((p) => parsePoint(p) as HookPoint);
      const maxInFlight =
        options.maxInFlight === undefined
          ? undefined
          : parsePositiveInt(options.maxInFlight, '--max-in-flight');
      await withRuntime(command, {}, async (runtime) => {
        const { serveHooks } = await import('@hookspell/remote');
        const service = await serveHooks(runtime.registry, {
          subject: options.subject,
          executor: runtime.executor,
          ...(options.queue !== undefined && { queue: options.queue }),
          ...(options.servers !== undefined && { servers: options.servers }),
          ...(points !== undefined && { points }),
          ...(options.name !== undefined && { name: options.name }),
          ...(maxInFlight !== undefined && { maxInFlight }),
          // A bad request is answered with an error reply; the operator sees it too.
          onError: (error) => process.stderr.write(`hookspell: warning: ${errorLine(error)}\n`),
        });
        const hooks = runtime.registry.list().length;
        out(
          `hookspell serve-hooks: serving ${hooks} hook${hooks === 1 ? '' : 's'} on ${service.subject} (queue ${service.queue}) as ${service.name} · Ctrl-C to stop`,
        );
        await untilSignal();
        await service.close();
        const { served, refused } = service.stats();
        out(`hookspell serve-hooks: stopped; served ${served}, refused ${refused}`);
      });
    });
}
