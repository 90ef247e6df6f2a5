import { HookExecutor, HookRegistry, HookResult, PRIORITY } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { maskSensitive, SENSITIVE_KEYS, security, sensitiveKeyMatcher } from '../src/index.js';
import { FakeClock } from './helpers.js';

function setup(options: Parameters<typeof security>[0] = {}) {
  const clock = new FakeClock(Date.UTC(2025, 5, 1));
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry);
  const hook = security({ clock, emit: (type, data) => events.push({ type, data }), executor, ...options });
  hook.register(registry);
  return { clock, hook, registry, events, executor };
}

describe('security()', () => {
  it('defaults: priority highest, the guarded points, sensitive names', () => {
    const { hook, registry } = setup();
    expect(registry.list()[0]).toMatchObject({ priority: PRIORITY.highest, onFailure: 'continue' });
    expect(hook.points).toEqual([
      'BeforeToolExecution',
      'BeforeAgentExecution',
      'ToolValidation',
      'BeforeWorkflowStart',
    ]);
    expect(SENSITIVE_KEYS).toEqual([
      'password',
      'token',
      'key',
      'secret',
      'api_key',
      'auth',
      'authorization',
    ]);
  });

  it('masks sensitive keys at any depth, case-insensitively, for later hooks; writes metadata', async () => {
    const { executor, registry, hook } = setup();
    let later: unknown;
    registry.register('BeforeToolExecution', (ctx) => void (later = ctx.data), {
      name: 'later',
      priority: 'low',
    });
    const meta: Record<string, string> = {};
    const data = {
      user: 'bob',
      Password: 'hunter2',
      nested: { apiKey: 'k', list: [{ ACCESS_TOKEN: 't', ok: 1 }], monkey: 'banana', author: 'me' },
      headers: { 'X-Auth-Token': 'x', Authorization: 'Bearer y' },
    };
    const out = await executor.fire('BeforeToolExecution', { data, metadata: meta });
    expect(later).toEqual({
      user: 'bob',
      Password: '***',
      nested: { apiKey: '***', list: [{ ACCESS_TOKEN: '***', ok: 1 }], monkey: 'banana', author: 'me' },
      headers: { 'X-Auth-Token': '***', Authorization: '***' },
    });
    expect(data.Password).toBe('hunter2'); // the caller's object is untouched
    expect(out.records[0]!.result?.type).toBe('modified');
    expect(meta).toMatchObject({
      security_checked_at: '2025-06-01T00:00:00.000Z',
      security_blocked: 'false',
      security_masked: '5',
    });
    expect(hook.audit()[0]).toMatchObject({
      point: 'BeforeToolExecution',
      masked: 5,
      violations: [],
      blocked: false,
    });
  });

  it("mask: 'audit' masks only the audit log; mask: false nothing", async () => {
    const a = setup({ mask: 'audit' });
    const out = await a.executor.fire('BeforeToolExecution', { data: { token: 't' } });
    expect(out.decision.type).toBe('continue');
    expect(out.data).toEqual({ token: 't' });
    expect(a.hook.audit()[0]!.data).toEqual({ token: '***' });
    const b = setup({ mask: false, maskWith: '[x]' });
    await b.executor.fire('BeforeToolExecution', { data: { token: 't' } });
    expect(b.hook.audit()[0]!.data).toEqual({ token: 't' });
    const c = setup({ maskWith: '[x]', sensitiveKeys: ['ssn'] });
    expect((await c.executor.fire('BeforeToolExecution', { data: { ssn: '1', token: 't' } })).data).toEqual({
      ssn: '[x]',
      token: 't',
    });
  });

  it('validates parameter length (10 000) and custom rules; fires SecurityViolation and emits an event', async () => {
    const { executor, registry, events, hook } = setup({
      validate: (ctx) => (String(ctx.data.cmd ?? '').includes('rm -rf') ? ['destructive command'] : []),
    });
    const violations: unknown[] = [];
    registry.register('SecurityViolation', (ctx) => void violations.push(ctx.data), { name: 'alarm' });
    const out = await executor.fire('BeforeToolExecution', {
      data: { cmd: 'rm -rf /', blob: ['x'.repeat(10_001)] },
    });
    expect(out.decision.type).toBe('continue'); // not blocking by default
    const expected = ['data.blob[0] is 10001 characters long (limit 10000)', 'destructive command'];
    expect(violations).toEqual([
      {
        point: 'BeforeToolExecution',
        component: { type: 'system', name: 'host' },
        violations: expected,
        blocked: false,
      },
    ]);
    expect(events).toEqual([
      { type: 'security.violation', data: expect.objectContaining({ violations: expected }) },
    ]);
    expect(hook.violations).toBe(2);
    expect(
      (await executor.fire('BeforeToolExecution', { data: { cmd: 'x'.repeat(10_000) } })).decision.type,
    ).toBe('continue');
    expect(hook.violations).toBe(2);
  });

  it('block: cancels calls with violations and is registered fail-closed', async () => {
    const { executor, registry } = setup({ block: true, maxParameterLength: 5 });
    expect(registry.list()[0]!.onFailure).toBe('cancel');
    const meta: Record<string, string> = {};
    const out = await executor.fire('BeforeToolExecution', { data: { q: 'too long' }, metadata: meta });
    expect(out.decision).toEqual(HookResult.cancel('security: data.q is 8 characters long (limit 5)'));
    expect(meta.security_blocked).toBe('true');
  });

  it('the audit log is bounded and queryable', async () => {
    const { executor, hook, clock } = setup({ auditSize: 3, maxParameterLength: 3 });
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await executor.fire(i % 2 ? 'BeforeAgentExecution' : 'BeforeToolExecution', {
        data: { i: i === 4 ? 'long' : String(i) },
      });
    }
    expect(hook.audit().map((e) => e.data)).toEqual([{ i: 'long' }, { i: '3' }, { i: '2' }]);
    expect(hook.audit({ point: 'BeforeAgentExecution' })).toHaveLength(1);
    expect(hook.audit({ violations: true })).toHaveLength(1);
    expect(hook.audit({ since: clock.t - 1000, limit: 5 })).toHaveLength(2);
    expect(hook.audit({ limit: 1 })).toHaveLength(1);
    hook.clearAudit();
    expect(hook.audit()).toEqual([]);
    expect(hook.violations).toBe(0);
  });

  it('sensitiveKeyMatcher and maskSensitive on their own', () => {
    const sensitive = sensitiveKeyMatcher(SENSITIVE_KEYS);
    for (const k of [
      'password',
      'PASSWORD',
      'apiKey',
      'api_key',
      'apikey',
      'X-Auth-Token',
      'accesstoken',
      'passwordHash',
      'client.secret',
    ])
      expect(sensitive(k), k).toBe(true);
    for (const k of ['monkey', 'keyboard', 'author', 'tokenizer', 'user'])
      expect(sensitive(k), k).toBe(false);
    const cyclic: Record<string, unknown> = { secret: 's' };
    cyclic.self = cyclic;
    expect(maskSensitive(cyclic, sensitive).value).toEqual({ secret: '***', self: '[Circular]' });
    const same = { a: 1 };
    expect(maskSensitive(same, sensitive).value).toBe(same);
  });
});
