import { connect } from 'node:net';
import type { HookCommandOptions, HookReply } from './hook.js';
import { configFileOf, findProjectConfig } from './project-config.js';
import { envFingerprint, type ServerResponse, serverSocket } from './server-address.js';

// The client half of `hookspell claude-code serve`, on the hook's start-up path: node built-ins
// and light modules only; the bridge is imported only to learn the event's deadline, while the
// request is already in flight.

/** How long a connection may take before the call is run in this process instead. */
const CONNECT_MS = 250;

/**
 * Asks the config's hook server (if one listens) to answer this call. Resolves with its reply; or
 * with `undefined` — no server, another config or environment (`stale`), a server that died or
 * closed without a reply — and the caller runs the call itself, in the time left. A server that
 * holds the call past the event's deadline gets the answer of a hookspell failure, which fails
 * closed (it cannot tell here whether the point is a guard).
 */
export async function askServer(
  text: string,
  options: HookCommandOptions,
  env: NodeJS.ProcessEnv,
  startedAt: number,
): Promise<HookReply | undefined> {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(text) as Record<string, unknown>;
    if (input === null || typeof input !== 'object') return undefined;
  } catch {
    return undefined; // the inline path says what is wrong with it
  }
  const found = options.configPath ?? findProjectConfig(input, env);
  const configFile = found === undefined ? undefined : configFileOf(found);
  if (configFile === undefined) return undefined;
  const socket = serverSocket(configFile, env);
  const request = `${JSON.stringify({
    v: 1,
    input: text,
    configFile,
    env: envFingerprint(env),
    ...(env.CLAUDE_ENV_FILE !== undefined && { envFile: env.CLAUDE_ENV_FILE }),
  })}\n`;
  return new Promise<HookReply | undefined>((resolve) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const done = (reply: HookReply | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(connecting);
      clearTimeout(deadline);
      conn.destroy();
      resolve(reply);
    };
    const conn = connect(socket);
    const connecting = setTimeout(() => done(undefined), CONNECT_MS);
    const chunks: Buffer[] = [];
    conn.once('connect', () => {
      clearTimeout(connecting);
      conn.write(request);
      void import('./hook.js').then(async ({ answerDeadlineMs, failureReply }) => {
        const cc = await import('@hookspell/bridge/claude-code');
        const name = input.hook_event_name;
        if (settled || !cc.isClaudeCodeEvent(name)) return;
        const info = cc.CLAUDE_CODE_EVENT_INFO[name];
        const left = answerDeadlineMs(info.timeoutSec) - (performance.now() - startedAt);
        deadline = setTimeout(
          () =>
            done(
              failureReply(
                {
                  event: name,
                  point: info.point,
                  failClosed: 'unknown',
                  stopHookActive: input.stop_hook_active === true,
                },
                `the hook server did not answer within Claude Code's ${info.timeoutSec} s timeout for ${name} (less a margin)`,
              ),
            ),
          Math.max(0, left),
        );
      });
    });
    conn.on('data', (chunk: Buffer) => chunks.push(chunk));
    conn.on('end', () => done(parse(Buffer.concat(chunks).toString('utf8'))));
    conn.on('error', () => done(undefined));
    conn.on('close', () => done(parse(Buffer.concat(chunks).toString('utf8'))));
  });
}

function parse(text: string): HookReply | undefined {
  try {
    const response = JSON.parse(text) as ServerResponse;
    if ('stale' in response) return undefined;
    if ((response.exitCode === 0 || response.exitCode === 2) && typeof response.stdout === 'string')
      return { exitCode: response.exitCode, stdout: response.stdout, stderr: String(response.stderr ?? '') };
    return undefined;
  } catch {
    return undefined;
  }
}
