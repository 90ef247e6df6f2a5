import { HookExecutor, HookRegistry, PRIORITY } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { costTracking, DEFAULT_PRICES, priceOf } from '../src/index.js';
import { FakeClock } from './helpers.js';

function setup(options: Parameters<typeof costTracking>[0] = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const registry = new HookRegistry();
  const bus = {
    publish: (type: string, data: Record<string, unknown>) => Promise.resolve(events.push({ type, data })),
  };
  const hook = costTracking({ clock, bus, ...options });
  hook.register(registry);
  return { clock, hook, registry, events, executor: new HookExecutor(registry) };
}

const agent = { type: 'agent' as const, name: 'planner' };
const usage = (input: number, output: number, model = 'gpt-4o', provider = 'openai') => ({
  token_usage: { input_tokens: input, output_tokens: output, total_tokens: input + output, model, provider },
});

describe('costTracking()', () => {
  it('defaults: priority low, Before/AfterAgentExecution, prices per 1K tokens, metadata', async () => {
    const { hook, registry, executor } = setup();
    expect(registry.list()[0]!.priority).toBe(PRIORITY.low);
    expect(hook.points).toEqual(['BeforeAgentExecution', 'AfterAgentExecution']);
    const meta: Record<string, string> = { user_id: 'alice' };
    await executor.fire('AfterAgentExecution', { component: agent, data: usage(2000, 1000), metadata: meta });
    // gpt-4o: 0.0025 in / 0.01 out per 1K
    expect(meta).toMatchObject({
      cost_input: '0.005000',
      cost_output: '0.010000',
      cost_total: '0.015000',
      cost_currency: 'USD',
    });
    expect(hook.total('user', 'alice')).toBeCloseTo(0.015);
    expect(hook.total('component', 'agent:planner')).toBeCloseTo(0.015);
    expect(hook.total('provider', 'openai')).toBeCloseTo(0.015);
    expect(hook.total('model', 'gpt-4o')).toBeCloseTo(0.015);
  });

  it('user prices override the defaults; dated model ids use the longest prefix; minimum charge', async () => {
    expect(priceOf(DEFAULT_PRICES as never, 'openai', 'gpt-4o-mini-2024-07-18')).toEqual({
      input: 0.00015,
      output: 0.0006,
    });
    const { executor, hook } = setup({
      prices: {
        openai: { 'gpt-4o': { input: 1, output: 2 } },
        local: { '*': { input: 0, output: 0, minimumCharge: 0.5 } },
      },
      minimumCharge: 0.001,
    });
    const meta: Record<string, string> = {};
    await executor.fire('AfterAgentExecution', { data: usage(1000, 1000), metadata: meta });
    expect(meta.cost_total).toBe('3.000000');
    const tiny: Record<string, string> = {};
    await executor.fire('AfterAgentExecution', { data: usage(1, 0, 'gpt-4o-mini'), metadata: tiny });
    expect(tiny.cost_total).toBe('0.001000');
    const local: Record<string, string> = {};
    await executor.fire('AfterAgentExecution', { data: usage(10, 10, 'llama', 'local'), metadata: local });
    expect(local.cost_total).toBe('0.500000');
    const unknown: Record<string, string> = {};
    await executor.fire('AfterAgentExecution', { data: usage(10, 10, 'x', 'nobody'), metadata: unknown });
    expect(unknown).toMatchObject({ cost_total: '0.000000', cost_price_missing: 'nobody/x' });
    expect(hook.totals().provider).toMatchObject({ openai: expect.closeTo(3.001), local: 0.5, nobody: 0 });
    const bare = setup({ useDefaultPrices: false });
    const m: Record<string, string> = {};
    await bare.executor.fire('AfterAgentExecution', { data: usage(1000, 1000), metadata: m });
    expect(m.cost_price_missing).toBe('openai/gpt-4o');
  });

  it('alerts as events when a window total crosses 10 / 50 / 100, and cancels above the block threshold', async () => {
    const { executor, events } = setup({ prices: { p: { m: { input: 1, output: 0 } } } });
    const spend = (k: number, user = 'alice') =>
      executor.fire('AfterAgentExecution', {
        component: agent,
        data: usage(k * 1000, 0, 'm', 'p'),
        metadata: { user_id: user },
      });
    await spend(9);
    expect(events).toHaveLength(0);
    const meta = (await spend(2)).records[0]!;
    expect(meta.status).toBe('ok');
    expect(events.map((e) => [e.type, e.data.scope, e.data.threshold])).toEqual([
      ['cost.alert', 'user', 10],
      ['cost.alert', 'component', 10],
      ['cost.alert', 'provider', 10],
      ['cost.alert', 'model', 10],
    ]);
    await spend(40);
    expect(events.filter((e) => e.data.threshold === 50)).toHaveLength(4);
    const over = await spend(50);
    expect(over.decision).toMatchObject({
      type: 'cancel',
      reason: expect.stringMatching(/^cost budget exceeded: user 'alice' spent 101\.0000 USD/),
    });
    expect(events.filter((e) => e.type === 'cost.blocked')).toHaveLength(1);
    // before the next execution: alice is stopped, bob is not (but the component is over too)
    expect(
      (
        await executor.fire('BeforeAgentExecution', {
          component: { type: 'agent', name: 'other' },
          metadata: { user_id: 'alice' },
        })
      ).decision.type,
    ).toBe('cancel');
    expect(
      (
        await executor.fire('BeforeAgentExecution', {
          component: { type: 'agent', name: 'other' },
          metadata: { user_id: 'bob' },
        })
      ).decision.type,
    ).toBe('continue');
  });

  it('windows slide on the fake clock (1 h), per scope', async () => {
    const { executor, hook, clock } = setup({ prices: { p: { m: { input: 1, output: 0 } } } });
    await executor.fire('AfterAgentExecution', {
      data: usage(5000, 0, 'm', 'p'),
      metadata: { user_id: 'a' },
    });
    clock.advance(30 * 60_000);
    await executor.fire('AfterAgentExecution', {
      data: usage(5000, 0, 'm', 'p'),
      metadata: { user_id: 'a' },
    });
    expect(hook.total('user', 'a')).toBe(10);
    clock.advance(31 * 60_000);
    expect(hook.total('user', 'a')).toBe(5);
    clock.advance(30 * 60_000);
    expect(hook.total('user', 'a')).toBe(0);
  });

  it('options: thresholds, blockAbove false, window, scopes, currency, keys', async () => {
    const { executor, hook, events } = setup({
      prices: { p: { m: { input: 1, output: 0 } } },
      alertThresholds: [1],
      blockAbove: false,
      windowMs: 60_000,
      scopes: ['user'],
      currency: 'EUR',
      userKey: 'uid',
      usageKey: 'usage',
    });
    const meta: Record<string, string> = { uid: 'z' };
    const out = await executor.fire('AfterAgentExecution', {
      data: { usage: { input_tokens: 5000, model: 'm', provider: 'p' } },
      metadata: meta,
    });
    expect(out.decision.type).toBe('continue');
    expect(meta).toMatchObject({
      cost_currency: 'EUR',
      cost_alert_threshold: '1',
      cost_alert_scope: 'user:z',
      cost_alert_total: '5.000000',
    });
    expect(events).toHaveLength(1);
    expect(Object.keys(hook.totals())).toEqual(['user']);
    hook.reset();
    expect(hook.total('user', 'z')).toBe(0);
  });

  it('a metadata object the host passes to every call keeps no earlier alert or block', async () => {
    const { executor, clock } = setup({ alertThresholds: [0.001], scopes: ['user'] });
    const session: Record<string, string> = { user_id: 's' };
    await executor.fire('AfterAgentExecution', { data: usage(1000, 0), metadata: session });
    expect(session).toMatchObject({ cost_alert_threshold: '0.001', cost_blocked: 'true' });
    clock.advance(2 * 3_600_000); // the window is empty again
    expect((await executor.fire('BeforeAgentExecution', { metadata: session })).decision.type).toBe(
      'continue',
    );
    expect(session.cost_blocked).toBeUndefined();
    await executor.fire('AfterAgentExecution', { data: usage(100, 0), metadata: session });
    expect(session.cost_alert_threshold).toBeUndefined();
    expect(session.cost_blocked).toBeUndefined();
  });

  it('maxKeys bounds the windows kept per scope (least recently used go)', async () => {
    const { executor, hook } = setup({ maxKeys: 2, scopes: ['user'] });
    for (const user of ['a', 'b', 'c']) {
      await executor.fire('AfterAgentExecution', { data: usage(1000, 0), metadata: { user_id: user } });
    }
    expect(Object.keys(hook.totals().user).sort()).toEqual(['b', 'c']);
    expect(hook.total('user', 'a')).toBe(0);
    expect(hook.total('user', 'c')).toBeCloseTo(0.0025);
  });

  it('rejects thresholds out of order', () => {
    expect(() => costTracking({ alertThresholds: [50, 10] })).toThrow(/ascending/);
  });
});
