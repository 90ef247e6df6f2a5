import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus, type EventError } from '../src/index.js';
import { natsTransport } from '../src/nats/index.js';
import { freePort, startNatsServer, until } from './helpers/jetstream-processes.js';

// The NATS server itself restarted mid-stream: a private nats-server with JetStream on a free port
// and its own store directory (so the shared server is untouched), stopped and started again while
// a publisher publishes durably and a worker group member consumes.
const binary = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find(
  (path) => spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0,
);
const skipReason =
  binary === undefined
    ? '[jetstream-restart] skipped: no nats-server binary (install it, e.g. `apt-get install nats-server`, to run the restart test).'
    : undefined;
if (skipReason !== undefined) console.warn(skipReason);

const store = mkdtempSync(join(tmpdir(), 'hookspell-js-restart-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe.skipIf(skipReason !== undefined)('JetStream: the NATS server restarted mid-stream', () => {
  it('every durable publish that resolved is delivered to the group afterwards', async () => {
    const port = await freePort();
    const servers = `nats://127.0.0.1:${port}`;
    let server = await startNatsServer(binary!, port, store);
    const connectOptions = { maxReconnectAttempts: -1, reconnectTimeWait: 100 };
    const jetstream = { stream: 'RESTART', partitions: 4, publishTimeoutMs: 60_000 };
    const errors: EventError[] = [];
    const onError = (e: EventError) => errors.push(e);
    const publisher = new EventBus({
      transport: await natsTransport({
        servers,
        subjectPrefix: 'restart',
        jetstream,
        connectOptions,
        onError,
      }),
    });
    const worker = new EventBus({
      transport: await natsTransport({
        servers,
        subjectPrefix: 'restart',
        jetstream,
        connectOptions,
        onError,
      }),
    });
    const handled = new Set<string>();
    worker.subscribe('job.*', (e) => void handled.add(e.id), {
      group: 'restart',
      durable: true,
      ackWaitMs: 2000,
    });
    try {
      const EVENTS = 6000;
      const resolved: string[] = [];
      let rejected = 0;
      let restarted = false;
      const window: Promise<unknown>[] = [];
      for (let i = 0; i < EVENTS; i++) {
        window.push(
          publisher.publish('job.queued', { i }, { correlationId: `c${i % 20}` }).then(
            (e) => void resolved.push(e.id),
            () => void rejected++,
          ),
        );
        if (window.length === 200) await Promise.all(window.splice(0));
        if (!restarted && resolved.length >= EVENTS / 3) {
          // Mid-stream, with publishes in flight: a clean stop (SIGTERM), then the same port and store.
          restarted = true;
          server.kill('SIGTERM');
          await new Promise((r) => server.once('close', r));
          await new Promise((r) => setTimeout(r, 500));
          server = await startNatsServer(binary!, port, store);
        }
      }
      await Promise.all(window);
      expect(restarted).toBe(true);
      await until(
        () => resolved.every((id) => handled.has(id)),
        () =>
          `${resolved.filter((id) => !handled.has(id)).length} of ${resolved.length} resolved publishes still undelivered; errors: ${errors.map((e) => e.message).join(' | ')}`,
        120_000,
      );
      // The publishes retried through the restart (same message id) resolved too.
      expect(rejected).toBe(0);
      expect(resolved.length).toBe(EVENTS);
      console.log(
        `[jetstream-restart] ${EVENTS} durable publishes across a server restart: ${resolved.length} resolved, ${rejected} rejected, all resolved ones delivered (${handled.size} handled); ${errors.length} transport reports (disconnects).`,
      );
    } finally {
      await worker.close();
      await publisher.close();
      server.kill('SIGTERM');
      await new Promise((r) => (server.exitCode === null ? server.once('close', r) : r(undefined)));
    }
  }, 240_000);
});
