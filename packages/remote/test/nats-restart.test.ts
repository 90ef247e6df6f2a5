import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type HookService, type RemoteHook, remoteHook, serveHooks } from '../src/index.js';
import { natsSkipReason } from './helpers/services.js';

// A private nats-server on a free port (the shared one on 4222 is never touched), stopped and
// started again while a policy service and a remote hook are connected to it.
const skip = natsSkipReason('nats-restart');

let server: ChildProcess | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  server?.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  const binary = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  const deadline = Date.now() + 10_000;
  while (!/Server is ready/.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`nats-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

describe.skipIf(skip)('NATS restarted under a service and a remote hook', () => {
  it('fires time out while it is down, and are answered again once both have reconnected', async () => {
    const port = await freePort();
    const servers = `nats://127.0.0.1:${port}`;
    server = await startServer(port);
    const policy = new HookRegistry();
    policy.register('BeforeToolExecution', () => HookResult.cancel('still governed'));
    const reconnect = { reconnectTimeWait: 100 };
    const service: HookService = await serveHooks(policy, {
      subject: 'policy.restart',
      servers,
      connectOptions: reconnect,
    });
    closers.push(() => service.close());
    const hook: RemoteHook = remoteHook({
      subject: 'policy.restart',
      servers,
      timeoutMs: 800,
      connectOptions: reconnect,
    });
    closers.push(() => hook.close());
    const registry = new HookRegistry();
    registry.configurePoint('BeforeToolExecution', { failClosed: true });
    registry.register('BeforeToolExecution', hook, { breaker: false });
    const executor = new HookExecutor(registry);
    const fire = () => executor.fire('BeforeToolExecution', {});

    expect((await fire()).decision).toEqual({ type: 'cancel', reason: 'still governed' });
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    const down = await fire();
    expect(down.records[0]!.status).toBe('timeout');
    expect(down.decision.type).toBe('cancel'); // fail-closed while nothing can answer

    server = await startServer(port);
    const deadline = Date.now() + 20_000;
    let back = await fire();
    while (back.records[0]!.status !== 'ok' && Date.now() < deadline) back = await fire();
    expect(back.records[0]!.status).toBe('ok');
    expect(back.decision).toEqual({ type: 'cancel', reason: 'still governed' });
  });
});
