import { spawnSync } from 'node:child_process';
import { tcpReachable } from '@hookspell/storage/testing/postgres';

// Where the NATS tests connect, how to start the server, and when to skip — the same rule as
// `postgresSkipReason` in @hookspell/storage/testing/postgres, with its TCP probe.

/** The server the NATS tests use; override with HOOKSPELL_NATS_URL. */
export const NATS_URL = process.env.HOOKSPELL_NATS_URL ?? 'nats://127.0.0.1:4222';

export const NATS_START_HINT = 'nats-server -js -a 127.0.0.1 -p 4222';

function natsServerInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v nats-server'], { stdio: 'ignore' }).status === 0;
}

/**
 * Decides whether the NATS tests run: they are skipped (with a printed reason saying how to start
 * the server) when nothing answers at NATS_URL. In CI, where `.ci/run` installs and starts
 * nats-server, an installed server that is not running fails the tests instead, so a broken start
 * is never mistaken for a pass.
 */
export async function natsSkipReason(what: string): Promise<string | undefined> {
  const url = new URL(NATS_URL);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 4222);
  if (await tcpReachable(host, port)) return undefined;
  console.warn(
    `[${what}] NATS is not reachable at ${host}:${port} (${NATS_URL}). Start it with:\n  ${NATS_START_HINT}\nor point HOOKSPELL_NATS_URL at a running server.`,
  );
  if (process.env.CI && natsServerInstalled()) {
    console.warn(
      `[${what}] CI with nats-server installed: the tests run anyway and fail until it is started.`,
    );
    return undefined;
  }
  const reason = `[${what}] skipped: nothing listens at ${host}:${port}; start NATS with \`${NATS_START_HINT}\`.`;
  console.warn(reason);
  return reason;
}
