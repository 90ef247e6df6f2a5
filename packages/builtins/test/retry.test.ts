import { HookError, HookExecutor, HookRegistry, HookResult, PRIORITY } from '@hookspell/hooks';
import { ConstantBackoff } from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorKind, RETRYABLE_ERRORS, retry, statusKind } from '../src/index.js';

function setup(options: Parameters<typeof retry>[0] = {}) {
  const registry = new HookRegistry();
  const hook = retry(options);
  hook.register(registry);
  return { hook, registry, executor: new HookExecutor(registry) };
}

const err = (props: Record<string, unknown>) => Object.assign(new Error('failed'), props);

afterEach(() => vi.restoreAllMocks());

describe('retry()', () => {
  it('defaults: priority high, error and after points, 3 attempts, 100 ms × 2, no jitter', async () => {
    const { hook, registry, executor } = setup();
    expect(registry.list()[0]!.priority).toBe(PRIORITY.high);
    expect(hook.points).toEqual(['ToolError', 'AgentError', 'AfterToolExecution', 'AfterAgentExecution']);
    expect([1, 2, 3, 4].map(hook.delayFor)).toEqual([100, 200, 400, 800]);
    expect(RETRYABLE_ERRORS).toEqual([
      'connection_error',
      'timeout',
      'service_unavailable',
      'internal_server_error',
      'rate_limit',
    ]);
    const meta: Record<string, string> = {};
    const out = await executor.fire('ToolError', {
      data: { error: err({ code: 'ECONNRESET' }), attempt: 1 },
      metadata: meta,
    });
    expect(out.decision).toEqual(HookResult.retry(100, 3));
    expect(meta).toEqual({ retry_attempt: '2', retry_delay_ms: '100', retry_reason: 'connection_error' });
    const second = await executor.fire('ToolError', { data: { error: err({ status: 503 }), attempt: 2 } });
    expect(second.decision).toEqual(HookResult.retry(200, 3));
    const last = await executor.fire('ToolError', { data: { error: err({ status: 503 }), attempt: 3 } });
    expect(last.decision.type).toBe('continue');
  });

  it('retries only retryable errors', async () => {
    const { executor } = setup();
    for (const e of [err({ status: 400 }), new TypeError('bad input'), err({ code: 'ENOENT' })]) {
      expect((await executor.fire('ToolError', { data: { error: e, attempt: 1 } })).decision.type).toBe(
        'continue',
      );
    }
    expect(statusKind(429)).toBe('rate_limit');
    expect(statusKind(500)).toBe('internal_server_error');
    expect(statusKind(504)).toBe('timeout');
    expect(errorKind(new DOMException('x', 'TimeoutError'))).toBe('timeout');
    expect(errorKind(new HookError('HOOKSPELL_TOOL_TIMEOUT', 'late'))).toBe('timeout');
    expect(errorKind({ kind: 'rate_limit' })).toBe('rate_limit');
    expect(errorKind('service_unavailable')).toBe('service_unavailable');
    expect(errorKind(err({ message: 'request timed out' }))).toBe('timeout');
  });

  it('at after-points: results that stand for a failure', async () => {
    const { executor } = setup();
    const out = await executor.fire('AfterAgentExecution', { data: { result: { status: 429 }, attempt: 1 } });
    expect(out.decision).toEqual(HookResult.retry(100, 3));
    expect(
      (await executor.fire('AfterAgentExecution', { data: { result: { status: 200 }, attempt: 1 } })).decision
        .type,
    ).toBe('continue');
  });

  it('options: maxAttempts, initial/max delay, retryableErrors, classify, classifyResult, backoff', async () => {
    const a = setup({ maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 50 });
    expect([1, 2, 3, 4, 5].map(a.hook.delayFor)).toEqual([10, 20, 40, 50, 50]);
    expect(
      (await a.executor.fire('ToolError', { data: { error: err({ status: 500 }), attempt: 4 } })).decision,
    ).toEqual(HookResult.retry(50, 5));
    const b = setup({
      retryableErrors: ['quota'],
      classify: (e) => ((e as Error).message === 'quota!' ? 'quota' : undefined),
    });
    expect((await b.executor.fire('ToolError', { data: { error: new Error('quota!') } })).decision.type).toBe(
      'retry',
    );
    expect(
      (await b.executor.fire('ToolError', { data: { error: err({ status: 503 }) } })).decision.type,
    ).toBe('continue');
    const c = setup({ classifyResult: (r) => (r === 'try again' ? 'timeout' : undefined) });
    expect(
      (await c.executor.fire('AfterToolExecution', { data: { result: 'try again' } })).decision.type,
    ).toBe('retry');
    const d = setup({ backoff: new ConstantBackoff(7) });
    expect([1, 2, 3].map(d.hook.delayFor)).toEqual([7, 7, 7]);
  });

  it('jitter: full in [0, d), equal in [d/2, d), decorrelated bounded by maxDelay', () => {
    const full = retry({ jitter: 'full' });
    const equal = retry({ jitter: 'equal' });
    const decorrelated = retry({ jitter: 'decorrelated', maxDelayMs: 1000 });
    for (let i = 0; i < 200; i++) {
      const f = full.delayFor(3);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(400);
      const e = equal.delayFor(3);
      expect(e).toBeGreaterThanOrEqual(200);
      expect(e).toBeLessThan(400);
      const x = decorrelated.delayFor(5);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1000);
    }
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    expect(full.delayFor(2)).toBe(100);
    expect(equal.delayFor(2)).toBe(150);
  });

  it('executor.wrap() performs the retry with the backoff delay', async () => {
    const { executor } = setup({ initialDelayMs: 20 });
    let calls = 0;
    const flaky = executor.wrap(
      async () => {
        calls++;
        if (calls < 3) throw err({ status: 503 });
        return 'ok';
      },
      { error: 'ToolError' },
    );
    const t0 = performance.now();
    expect(await flaky()).toBe('ok');
    expect(calls).toBe(3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55); // 20 + 40 ms
    const hopeless = executor.wrap(
      async () => {
        throw err({ status: 503 });
      },
      { error: 'ToolError' },
    );
    await expect(hopeless()).rejects.toThrow('failed');
  });

  it('rejects bad options', () => {
    expect(() => retry({ maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => retry({ jitter: 'wild' as never })).toThrow(/jitter/);
  });
});
