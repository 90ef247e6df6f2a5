import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type HookService,
  type RemoteHook,
  type RemoteHookError,
  remoteHook,
  type ServeHooksOptions,
  serveHooks,
} from '../src/index.js';
import { NATS_URL, natsSkipReason, newSubject } from './helpers/services.js';

// The service's side, in this process: what it answers to bad requests, points it does not serve,
// overload and close, and how it runs the caller's deadline.
const skip = natsSkipReason('serve-hooks');

let nc: NatsConnection;
beforeAll(async () => {
  if (!skip) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function serve(registry: HookRegistry, options: Partial<ServeHooksOptions> = {}) {
  const errors: RemoteHookError[] = [];
  const service = await serveHooks(registry, {
    subject: newSubject(),
    servers: NATS_URL,
    name: 'svc',
    onError: (e) => errors.push(e),
    ...options,
  });
  closers.push(() => service.close());
  return Object.assign(service, { errors }) as HookService & { errors: RemoteHookError[] };
}

function caller(subject: string, timeoutMs = 10_000) {
  const registry = new HookRegistry();
  const hook: RemoteHook = remoteHook({ subject, servers: NATS_URL, timeoutMs });
  closers.push(() => hook.close());
  registry.register('BeforeToolExecution', hook);
  const executor = new HookExecutor(registry);
  return (data: Record<string, unknown> = {}) => executor.fire('BeforeToolExecution', { data });
}

async function rawRequest(subject: string, payload: string) {
  const msg = await nc.request(subject, payload, { timeout: 5_000 });
  return msg.json<{ v: number; service: string; error?: { code: string; message: string } }>();
}

describe.skipIf(skip)('serveHooks', () => {
  it('answers a bad request with an error reply, reports it, and keeps serving', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.cancel('no'));
    const service = await serve(registry);
    const bad = [
      'not json',
      '{"v":1}',
      '{"v":7,"point":"BeforeToolExecution"}',
      JSON.stringify({
        v: 1,
        point: 'BeforeToolExecutoin',
        component: { type: 'tool', name: 'x' },
        data: {},
        metadata: {},
        correlationId: 'c',
        timestamp: 1,
      }),
      JSON.stringify({
        v: 1,
        point: 'BeforeToolExecution',
        component: { type: 'tool', name: 'x' },
        data: [],
        metadata: {},
        correlationId: 'c',
        timestamp: 1,
      }),
      JSON.stringify({
        v: 1,
        point: 'BeforeToolExecution',
        component: { type: 'tool', name: 'x' },
        data: {},
        metadata: { a: 1 },
        correlationId: 'c',
        timestamp: 1,
      }),
    ];
    const problems = [
      /not JSON/,
      /`point` undefined is not a hook point/,
      /protocol version 7/,
      /not a hook point/,
      /`data` must be an object/,
      /`metadata`/,
    ];
    for (const [i, payload] of bad.entries()) {
      const reply = await rawRequest(service.subject, payload);
      expect(reply.error?.code).toBe('HOOKSPELL_REMOTE_BAD_REQUEST');
      expect(reply.error?.message).toMatch(problems[i]!);
      expect(reply.service).toBe('svc');
    }
    expect(service.errors.map((e) => e.code)).toEqual(bad.map(() => 'HOOKSPELL_REMOTE_BAD_REQUEST'));
    expect(service.stats()).toMatchObject({ served: 0, refused: bad.length });
    // A message without a reply subject is reported and dropped.
    nc.publish(service.subject, 'fire and forget');
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(service.errors.at(-1)?.message).toMatch(/no reply subject/);
    // Still serving.
    const outcome = await caller(service.subject)();
    expect(outcome.decision).toEqual({ type: 'cancel', reason: 'no' });
    expect(service.stats().served).toBe(1);
  });

  it('refuses points it was not told to serve', async () => {
    const registry = new HookRegistry();
    const service = await serve(registry, { points: ['custom:policy'] });
    const outcome = await caller(service.subject)();
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as RemoteHookError).code).toBe('HOOKSPELL_REMOTE_SERVICE_FAILED');
    expect((outcome.records[0]!.error as Error).message).toMatch(
      /does not serve BeforeToolExecution.*custom:policy/,
    );
  });

  it('fires with 90 % of the caller’s timeout, so its own timeout records arrive in time', async () => {
    const registry = new HookRegistry();
    registry.configurePoint('BeforeToolExecution', { failClosed: true });
    registry.register(
      'BeforeToolExecution',
      (_ctx, signal) => new Promise<undefined>((r) => signal.addEventListener('abort', () => r(undefined))),
      {
        name: 'hangs',
      },
    );
    const service = await serve(registry);
    // 4 s for the caller: the service's hook times out at 3.6 s, leaving 400 ms for the answer.
    const outcome = await caller(service.subject, 4_000)();
    // The caller's record is ok: the service answered, with its own fail-closed cancel.
    expect(outcome.records[0]!.status).toBe('ok');
    expect(outcome.decision.type).toBe('cancel');
    expect((outcome.decision as { reason: string }).reason).toMatch(/hangs/);
    const remote = JSON.parse(outcome.metadata[`remote:${service.subject}`]!);
    expect(remote.records).toEqual([expect.objectContaining({ name: 'hangs', status: 'timeout' })]);
    expect(remote.records[0].durationMs).toBeGreaterThanOrEqual(3_500);
    expect(remote.records[0].durationMs).toBeLessThan(4_000);
  });

  it('a hook that throws on the service is reported in the records, and fails open there', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      () => {
        throw new Error('policy bug');
      },
      { name: 'buggy' },
    );
    const service = await serve(registry);
    const outcome = await caller(service.subject)();
    expect(outcome.decision).toEqual({ type: 'continue' });
    const remote = JSON.parse(outcome.metadata[`remote:${service.subject}`]!);
    expect(remote.records[0]).toMatchObject({ name: 'buggy', status: 'error' });
    expect(remote.records[0].error).toMatch(/policy bug/);
  });

  it('past maxInFlight a request is refused as overloaded', async () => {
    const registry = new HookRegistry();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    registry.register('BeforeToolExecution', () => gate.then(() => HookResult.continue()), {
      timeoutMs: 30_000,
    });
    const service = await serve(registry, { maxInFlight: 1 });
    const fire = caller(service.subject);
    const first = fire();
    while (service.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    const second = await fire();
    expect(second.records[0]!.status).toBe('error');
    expect((second.records[0]!.error as RemoteHookError).code).toBe('HOOKSPELL_REMOTE_OVERLOADED');
    release();
    expect((await first).records[0]!.status).toBe('ok');
  });

  it('close() answers the fires still running, then serves no more', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', async () => {
      await new Promise((r) => setTimeout(r, 300));
      return HookResult.cancel('answered while closing');
    });
    const service = await serve(registry);
    const fire = caller(service.subject);
    const pending = fire();
    while (service.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    await service.close();
    expect((await pending).decision).toEqual({ type: 'cancel', reason: 'answered while closing' });
    expect(service.connection.isClosed()).toBe(true);
    await service.close(); // idempotent
    const after = await caller(service.subject, 300)();
    expect(after.records[0]!.status).toBe('timeout');
  });

  it('uses the executor it is given (its lifecycle sink sees the remote fires)', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.continue(), { name: 'seen' });
    const events: string[] = [];
    const executor = new HookExecutor(registry, {
      sink: { emit: (type, _data, meta) => events.push(`${type} ${meta.correlationId}`) },
    });
    const service = await serve(registry, { executor });
    const registryB = new HookRegistry();
    const hook = remoteHook({ subject: service.subject, servers: NATS_URL });
    closers.push(() => hook.close());
    registryB.register('BeforeToolExecution', hook);
    await new HookExecutor(registryB).fire('BeforeToolExecution', {}, { correlationId: 'corr-svc' });
    expect(events).toContain('hook.fire.completed corr-svc');
  });
});

describe.skipIf(skip)('serveHooks on a connection that closes', () => {
  it('says so through onError: the service no longer serves', async () => {
    const own = await connect({ servers: NATS_URL });
    const errors: RemoteHookError[] = [];
    const service = await serveHooks(new HookRegistry(), {
      subject: newSubject(),
      connection: own,
      onError: (e) => errors.push(e),
    });
    await own.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/connection closed.*no longer serves/),
    ]);
    await service.close();
    expect(errors).toHaveLength(1);
  });

  it('a remote hook on a closed connection it was given: an error record, not a hang', async () => {
    const own = await connect({ servers: NATS_URL });
    await own.close();
    const registry = new HookRegistry();
    const hook = remoteHook({ subject: newSubject(), connection: own });
    registry.register('BeforeToolExecution', hook);
    const outcome = await new HookExecutor(registry).fire('BeforeToolExecution', {});
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as RemoteHookError).code).toBe('HOOKSPELL_TRANSPORT_ERROR');
    await hook.close();
    expect(own.isClosed()).toBe(true);
  });

  it('serveHooks on a closed connection it was given: TRANSPORT_ERROR', async () => {
    const own = await connect({ servers: NATS_URL });
    await own.close();
    await expect(
      serveHooks(new HookRegistry(), { subject: newSubject(), connection: own }),
    ).rejects.toMatchObject({
      code: 'HOOKSPELL_TRANSPORT_ERROR',
      message: expect.stringMatching(/cannot subscribe/),
    });
  });
});

describe('serveHooks options', () => {
  it('refuses bad options before connecting, saying what to pass', async () => {
    const registry = new HookRegistry();
    await expect(serveHooks(registry, { subject: '' })).rejects.toThrow(
      /`subject` must be a non-empty string/,
    );
    await expect(serveHooks(registry, { subject: 'a.>.b' })).rejects.toThrow(/not a subject word/);
    await expect(serveHooks(registry, { subject: 'a', queue: 'two words' })).rejects.toThrow(/`queue`/);
    await expect(serveHooks(registry, { subject: 'a', maxInFlight: 0 })).rejects.toThrow(/`maxInFlight`/);
    await expect(
      serveHooks(registry, { subject: 'a', points: ['BeforeToolExecutoin' as never] }),
    ).rejects.toThrow(/not a hook point/);
    await expect(
      serveHooks(registry, { subject: 'a', executor: new HookExecutor(new HookRegistry()) }),
    ).rejects.toThrow(/another registry/);
  });

  it('no NATS server: TRANSPORT_UNAVAILABLE with the start command', async () => {
    await expect(
      serveHooks(new HookRegistry(), {
        subject: 'a',
        servers: 'nats://127.0.0.1:1',
        connectOptions: { reconnect: false, timeout: 500 },
      }),
    ).rejects.toMatchObject({
      code: 'HOOKSPELL_TRANSPORT_UNAVAILABLE',
      message: expect.stringMatching(/nats-server/),
    });
  });
});
