import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RemoteHook, RemoteHookError, RemoteHookErrorCode, remoteHook } from '../src/index.js';
import { NATS_URL, natsSkipReason, newSubject, startService, stopServices } from './helpers/services.js';

// The caller's side against policy services in their own processes (fixtures/policy-service.mjs)
// or a hand-written hostile responder: what the fire's outcome and records say in each case.
const skip = natsSkipReason('remote-hook');

const hooks: RemoteHook[] = [];
afterEach(async () => {
  await Promise.all(hooks.splice(0).map((h) => h.close()));
  await stopServices();
});

let nc: NatsConnection;
beforeAll(async () => {
  if (!skip) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

/** A registry with one remote hook at BeforeToolExecution, fail-closed when asked. */
function setup(subject: string, options: { timeoutMs?: number; failClosed?: boolean; breaker?: false } = {}) {
  const registry = new HookRegistry();
  if (options.failClosed) registry.configurePoint('BeforeToolExecution', { failClosed: true });
  const hook = remoteHook({ subject, servers: NATS_URL, timeoutMs: options.timeoutMs ?? 10_000 });
  hooks.push(hook);
  registry.register('BeforeToolExecution', hook, options.breaker === false ? { breaker: false } : {});
  const executor = new HookExecutor(registry);
  const fire = (data: Record<string, unknown>) =>
    executor.fire('BeforeToolExecution', { component: { type: 'tool', name: 'shell' }, data });
  return { registry, executor, hook, fire };
}

describe.skipIf(skip)('remoteHook against a policy service process', () => {
  it('round-trips continue, cancel, modified and replace, with the service’s metadata', async () => {
    const subject = newSubject();
    await startService(subject, 'policy-a');
    const { fire } = setup(subject);

    const ok = await fire({ cmd: 'ls' });
    expect(ok.decision).toEqual({ type: 'continue' });
    expect(ok.records[0]).toMatchObject({ name: `remote:${subject}`, status: 'ok' });
    expect(ok.metadata['x-policy']).toBe('policy-a');
    const who = JSON.parse(ok.metadata[`remote:${subject}`]!);
    expect(who.service).toBe('policy-a');
    expect(who.records).toEqual([
      expect.objectContaining({ name: 'fleet-policy', status: 'ok', result: 'continue' }),
    ]);

    const cancelled = await fire({ cmd: 'rm -rf /' });
    expect(cancelled.decision).toEqual({ type: 'cancel', reason: 'destructive command' });

    const modified = await fire({ redact: true, secret: 'hunter2', keep: 1 });
    expect(modified.decision.type).toBe('modified');
    expect(modified.data).toEqual({ redact: true, secret: '***', keep: 1, checkedBy: 'policy-a' });

    const replaced = await fire({ cached: true });
    expect(replaced.decision).toEqual({ type: 'replace', value: { from: 'policy', tool: 'shell' } });
  });

  it('carries the correlation id and the caller’s hook timeout to the service', async () => {
    const subject = newSubject();
    const service = await startService(subject, 'policy-corr');
    const { executor, registry } = setup(subject, { timeoutMs: 4_321 });
    // The timeout the remote hook was made with is the executor's for this hook.
    expect(registry.list({ point: 'BeforeToolExecution' })[0]!.timeoutMs).toBe(4_321);
    await executor.fire('BeforeToolExecution', { data: {} }, { correlationId: 'corr-remote-1' });
    expect(service.stdout).toContain('firing corr-remote-1');
  });

  it('no service listening: a timeout record at the hook’s deadline, and cancel at a fail-closed point', async () => {
    const subject = newSubject();
    const open = setup(subject, { timeoutMs: 400 });
    const t0 = Date.now();
    const outcome = await open.fire({ cmd: 'ls' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(outcome.records[0]!.status).toBe('timeout');
    expect(outcome.decision).toEqual({ type: 'continue' });

    const closed = setup(newSubject(), { timeoutMs: 400, failClosed: true });
    const guarded = await closed.fire({ cmd: 'ls' });
    expect(guarded.records[0]!.status).toBe('timeout');
    expect(guarded.decision.type).toBe('cancel');
    expect((guarded.decision as { reason: string }).reason).toMatch(/remote:/);
  });

  it('a service that starts while the hook waits is reached before the deadline', async () => {
    const subject = newSubject();
    const { fire } = setup(subject, { timeoutMs: 20_000 });
    const pending = fire({ cmd: 'rm -rf /' });
    await new Promise((r) => setTimeout(r, 200));
    await startService(subject, 'late-starter');
    const outcome = await pending;
    expect(outcome.records[0]!.status).toBe('ok');
    expect(outcome.decision).toEqual({ type: 'cancel', reason: 'destructive command' });
  });

  it('a service killed (SIGKILL) mid-fire: timeout record, and cancel at a fail-closed point', async () => {
    for (const failClosed of [false, true]) {
      const subject = newSubject();
      const service = await startService(subject, `doomed-${failClosed}`);
      const { fire } = setup(subject, { timeoutMs: 1_500, failClosed });
      const pending = fire({ slowMs: 60_000 });
      await service.waitFor(/^firing /m);
      service.child.kill('SIGKILL');
      const outcome = await pending;
      expect(outcome.records[0]!.status).toBe('timeout');
      expect(outcome.decision.type).toBe(failClosed ? 'cancel' : 'continue');
    }
  });

  it('an answer after the deadline is ignored, and the breaker opens like a local hook’s', async () => {
    const subject = newSubject();
    await startService(subject, 'slowpoke');
    const { fire, registry } = setup(subject, { timeoutMs: 300, failClosed: true });
    // Three timeouts open the default breaker (3 failures in 30 s).
    const timedOut = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await fire({ slowMs: 700 });
      expect(outcome.records[0]!.status).toBe('timeout');
      expect(outcome.decision.type).toBe('cancel');
      timedOut.push(outcome);
    }
    // The late answers ("answered late") arrive meanwhile and change nothing: an answer that
    // was taken would have written `remote:<subject>` into its fire's metadata.
    await new Promise((r) => setTimeout(r, 800));
    for (const outcome of timedOut) expect(outcome.metadata[`remote:${subject}`]).toBeUndefined();
    expect(registry.list()[0]!.breaker?.state).toBe('open');
    const refused = await fire({ cmd: 'ls' });
    expect(refused.records[0]!.status).toBe('skipped');
    expect(refused.decision.type).toBe('cancel'); // an open breaker at a fail-closed hook cancels
  });

  it('a queue group of 2 services shares the load', async () => {
    const subject = newSubject();
    const services = await Promise.all([startService(subject, 'q-one'), startService(subject, 'q-two')]);
    const { fire } = setup(subject);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const outcome = await fire({ cmd: 'ls' });
      expect(outcome.records[0]!.status).toBe('ok');
      const { service } = JSON.parse(outcome.metadata[`remote:${subject}`]!);
      counts[service] = (counts[service] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['q-one', 'q-two']);
    expect(counts['q-one']! + counts['q-two']!).toBe(40);
    // Each answered exactly what it says it served.
    const served = await Promise.all(services.map(async (s) => [s.name, await s.stop(), s.stdout] as const));
    for (const [name, code, stdout] of served) {
      expect(code).toBe(0);
      expect(stdout).toContain(`served ${counts[name]}`);
    }
  });
});

describe.skipIf(skip)('remoteHook against hostile answers', () => {
  /** A responder that answers every request on a new subject with `payload`. */
  async function hostile(payload: string) {
    const subject = newSubject();
    const sub = nc.subscribe(subject, { callback: (_e, msg) => void msg.respond(payload) });
    await nc.flush();
    return { subject, close: () => sub.unsubscribe() };
  }

  const cases: [string, string, RegExp][] = [
    ['not JSON', 'continue', /not JSON/],
    ['a JSON array', '[1,2]', /not an object/],
    [
      'another protocol version',
      '{"v":2,"service":"x","decision":{"type":"continue"}}',
      /protocol version 2/,
    ],
    ['neither decision nor error', '{"v":1,"service":"x"}', /neither `decision` nor `error`/],
    ['metadata that is not strings', '{"v":1,"service":"x","decision":null,"metadata":{"a":1}}', /metadata/],
    ['an unknown result type', '{"v":1,"service":"x","decision":{"type":"allow"}}', /not a HookResult/],
    [
      'modified without a data object',
      '{"v":1,"service":"x","decision":{"type":"modified","data":5}}',
      /not a HookResult/,
    ],
    ['an error reply', '{"v":1,"service":"x","error":{"code":"X","message":"db down"}}', /db down/],
  ];

  it.each(cases)('%s: an error record, and cancel at a fail-closed point', async (_, payload, message) => {
    const responder = await hostile(payload);
    try {
      for (const failClosed of [false, true]) {
        const { fire } = setup(responder.subject, { failClosed });
        const outcome = await fire({ cmd: 'ls' });
        const record = outcome.records[0]!;
        expect(record.status).toBe('error');
        expect(String((record.error as Error).message)).toMatch(message);
        expect(outcome.decision.type).toBe(failClosed ? 'cancel' : 'continue');
        await hooks.pop()!.close();
      }
    } finally {
      responder.close();
    }
  });

  it('a protocol error is a RemoteHookError with a stable code', async () => {
    const responder = await hostile(
      '{"v":1,"service":"x","error":{"code":"HOOKSPELL_REMOTE_OVERLOADED","message":"busy"}}',
    );
    const hook = remoteHook({ subject: responder.subject, servers: NATS_URL });
    hooks.push(hook);
    const error = await hook.execute(fakeContext(), AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    responder.close();
    expect(RemoteHookError.isInstance(error)).toBe(true);
    expect((error as RemoteHookError).code).toBe(RemoteHookErrorCode.REMOTE_OVERLOADED);
    expect((error as RemoteHookError).service).toBe('x');
  });

  it('an own __proto__ key in modified data stays a key and pollutes nothing', async () => {
    const responder = await hostile(
      '{"v":1,"service":"x","decision":{"type":"modified","data":{"__proto__":{"polluted":true},"ok":1}},"metadata":{"__proto__":"x"}}',
    );
    const { fire } = setup(responder.subject);
    const outcome = await fire({ cmd: 'ls' });
    responder.close();
    expect(outcome.records[0]!.status).toBe('ok');
    expect(outcome.data.ok).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(outcome.metadata)).toBe(Object.prototype);
  });

  it('a context that JSON cannot carry is an error record naming the point', async () => {
    const { executor } = setup(newSubject());
    const outcome = await executor.fire('BeforeToolExecution', { data: { n: 10n } });
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as Error).message).toMatch(
      /BeforeToolExecution cannot be sent.*not JSON/,
    );
  });
});

describe('remoteHook options', () => {
  it('refuses a bad subject, timeout or connection pair at once, saying what to pass', () => {
    expect(() => remoteHook({ subject: '' })).toThrow(/`subject` must be a non-empty string/);
    expect(() => remoteHook({ subject: 'policy.*' })).toThrow(/wildcard/);
    expect(() => remoteHook({ subject: 'a..b' })).toThrow(/empty word/);
    expect(() => remoteHook({ subject: 'a b' })).toThrow(/not a subject word/);
    expect(() => remoteHook({ subject: 'ok', timeoutMs: 0 })).toThrow(/`timeoutMs` must be/);
    expect(() => remoteHook({ subject: 'ok', timeoutMs: Number.NaN })).toThrow(/`timeoutMs` must be/);
    expect(() => remoteHook({ subject: 'ok', servers: 'x', connection: {} as NatsConnection })).toThrow(
      /both `connection` and `servers`/,
    );
    try {
      remoteHook({ subject: '' });
    } catch (error) {
      expect((error as RemoteHookError).code).toBe('HOOKSPELL_INVALID_ARGUMENT');
    }
  });

  it('no NATS server at `servers`: an error record that says how to start one', async () => {
    const registry = new HookRegistry();
    const hook = remoteHook({
      subject: 'policy.x',
      servers: 'nats://127.0.0.1:1',
      connectOptions: { reconnect: false, timeout: 500 },
    });
    hooks.push(hook);
    registry.register('BeforeToolExecution', hook);
    const outcome = await new HookExecutor(registry).fire('BeforeToolExecution', {});
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as RemoteHookError).code).toBe('HOOKSPELL_TRANSPORT_UNAVAILABLE');
    expect((outcome.records[0]!.error as Error).message).toMatch(/nats-server/);
  });
});

function fakeContext() {
  return {
    point: 'BeforeToolExecution',
    component: { type: 'tool', name: 'shell' },
    data: {},
    metadata: {},
    language: 'native',
    correlationId: 'c-1',
    timestamp: Date.now(),
    child: () => {
      throw new Error('unused');
    },
  } as unknown as Parameters<RemoteHook['execute']>[0];
}
