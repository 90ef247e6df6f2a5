import { HookExecutor, HookRegistry, HookResult, withCorrelation } from '@hookspell/hooks';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentHookspell } from '../src/index.js';
import { memoryTracer, named, one, parentOf } from './helpers.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function setup(configure: (registry: HookRegistry) => void = () => {}) {
  const registry = new HookRegistry();
  configure(registry);
  const executor = new HookExecutor(registry);
  const mem = memoryTracer();
  const otel = instrumentHookspell({ executor, tracer: mem.tracer, traceIdleMs: 60_000 });
  disposers.push(() => otel.dispose());
  return { registry, executor, otel, ...mem };
}

describe('fires and hook executions as spans', () => {
  it('a fire is a span, each hook a child span with status, result type and breaker state', async () => {
    const { executor, spans, tracer } = setup((r) => {
      r.register('BeforeToolExecution', () => undefined, { name: 'audit' });
      r.register('BeforeToolExecution', () => HookResult.cancel('rm is not allowed'), { name: 'deny-rm' });
      r.register(
        'BeforeToolExecution',
        () => {
          throw new TypeError('boom');
        },
        { name: 'broken', priority: 'lowest' },
      );
    });
    await tracer.startActiveSpan('agent.step', async (step) => {
      await executor.fire('BeforeToolExecution', {
        component: { type: 'tool', name: 'shell' },
        data: { tool_name: 'shell', tool_input: { command: 'rm -rf /' }, tool_use_id: 'call-1' },
      });
      step.end();
    });
    const all = spans();
    const step = one(all, 'agent.step');
    const fire = one(all, 'hookspell.fire BeforeToolExecution');
    expect(parentOf(fire)).toBe(step.spanContext().spanId);
    expect(fire.spanContext().traceId).toBe(step.spanContext().traceId);
    expect(fire.attributes).toMatchObject({
      'hookspell.point': 'BeforeToolExecution',
      'hookspell.component.type': 'tool',
      'hookspell.component.name': 'shell',
      'hookspell.decision': 'cancel',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'shell',
      'gen_ai.tool.call.id': 'call-1',
    });
    const audit = one(all, 'hookspell.hook audit');
    const deny = one(all, 'hookspell.hook deny-rm');
    const broken = one(all, 'hookspell.hook broken');
    for (const h of [audit, deny, broken]) expect(parentOf(h)).toBe(fire.spanContext().spanId);
    expect(audit.attributes).toMatchObject({
      'hookspell.hook.status': 'ok',
      'hookspell.hook.result_type': 'continue',
      'hookspell.hook.breaker_state': 'closed',
    });
    expect(deny.attributes).toMatchObject({
      'hookspell.hook.status': 'ok',
      'hookspell.hook.result_type': 'cancel',
      'hookspell.hook.reason': 'rm is not allowed',
    });
    expect(deny.status.code).toBe(SpanStatusCode.UNSET);
    // The chain stopped at the cancel: the last hook never ran.
    expect(broken.attributes['hookspell.hook.status']).toBe('skipped');
    // Hook spans sit inside their fire's span.
    for (const h of [audit, deny]) {
      expect(h.startTime <= h.endTime).toBe(true);
      expect(toMs(h.startTime)).toBeGreaterThanOrEqual(toMs(fire.startTime) - 0.01);
      expect(toMs(h.endTime)).toBeLessThanOrEqual(toMs(fire.endTime) + 0.01);
    }
  });

  it('a hook that throws or times out is an error span with the exception; its breaker opens after 3 failures', async () => {
    const { executor, spans } = setup((r) => {
      r.register(
        'BeforeAgentExecution',
        () => {
          throw new Error('policy service down');
        },
        { name: 'flaky' },
      );
      r.register('AfterAgentExecution', () => new Promise(() => {}), { name: 'hangs', timeoutMs: 20 });
    });
    for (let i = 0; i < 4; i++) await executor.fire('BeforeAgentExecution', { data: { model: 'm' } });
    await executor.fire('AfterAgentExecution', { data: {} });
    const flaky = named(spans(), 'hookspell.hook flaky');
    expect(flaky).toHaveLength(4);
    expect(flaky[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'error: policy service down' });
    expect(flaky[0]!.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([
      ['exception', 'policy service down'],
    ]);
    expect(flaky.map((s) => s.attributes['hookspell.hook.status'])).toEqual([
      'error',
      'error',
      'error',
      'skipped',
    ]);
    expect(flaky[3]!.attributes['hookspell.hook.breaker_state']).toBe('open');
    expect(flaky[3]!.attributes['hookspell.hook.reason']).toMatch(/circuit|breaker|open/i);
    const hangs = one(spans(), 'hookspell.hook hangs');
    expect(hangs.attributes['hookspell.hook.status']).toBe('timeout');
    expect(hangs.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a fail-closed hook that fails makes the fire a cancel', async () => {
    const { executor, spans } = setup((r) => {
      r.configurePoint('BeforeToolExecution', { failClosed: true });
      r.register(
        'BeforeToolExecution',
        () => {
          throw new Error('cannot check');
        },
        { name: 'guard' },
      );
    });
    const o = await executor.fire('BeforeToolExecution', { data: { tool_name: 'x' } });
    expect(o.decision.type).toBe('cancel');
    expect(one(spans(), 'hookspell.fire BeforeToolExecution').attributes['hookspell.decision']).toBe(
      'cancel',
    );
  });

  it('parallel fires: every hook a child of the fire, times from the executor clock', async () => {
    const { executor, spans } = setup((r) => {
      r.register('custom:checks', async () => new Promise((res) => setTimeout(res, 30)), { name: 'a' });
      r.register('custom:checks', async () => new Promise((res) => setTimeout(res, 30)), { name: 'b' });
    });
    await executor.fire('custom:checks', { data: {} }, { mode: 'parallel' });
    const fire = one(spans(), 'hookspell.fire custom:checks');
    expect(fire.attributes['hookspell.mode']).toBe('parallel');
    // Not repeated where the span says it already: the point is the parent's, the duration the span's.
    expect(one(spans(), 'hookspell.hook a').attributes['hookspell.point']).toBeUndefined();
    const a = one(spans(), 'hookspell.hook a');
    const b = one(spans(), 'hookspell.hook b');
    expect(parentOf(a)).toBe(fire.spanContext().spanId);
    expect(parentOf(b)).toBe(fire.spanContext().spanId);
    // Both ran at once: their spans overlap, and each lasted about its 30 ms.
    expect(toMs(a.startTime)).toBeLessThan(toMs(b.endTime));
    expect(toMs(b.startTime)).toBeLessThan(toMs(a.endTime));
    expect(toMs(a.endTime) - toMs(a.startTime)).toBeGreaterThanOrEqual(25);
  });

  it('a fire with no hooks makes no span; dispose() stops recording', async () => {
    const { executor, spans, otel, registry } = setup();
    await executor.fire('BeforeToolExecution', { data: {} });
    expect(spans()).toEqual([]);
    registry.register('BeforeToolExecution', () => undefined, { name: 'h' });
    otel.dispose();
    await executor.fire('BeforeToolExecution', { data: {} });
    expect(spans()).toEqual([]);
  });
});

describe('a correlation id is one trace', () => {
  it('fires of one correlation with no span around them share a root span; another correlation is another trace', async () => {
    const { executor, spans, otel } = setup((r) => r.register('custom:step', () => undefined, { name: 'h' }));
    await withCorrelation('run-1', async () => {
      await executor.fire('custom:step', { data: {} });
      await executor.fire('custom:step', { data: {} });
    });
    await withCorrelation('run-2', () => executor.fire('custom:step', { data: {} }));
    // Roots end after traceIdleMs, or when the trace is ended or the instrumentation disposed.
    expect(named(spans(), 'hookspell.correlation')).toEqual([]);
    otel.endTrace('run-1');
    otel.dispose();
    const roots = named(spans(), 'hookspell.correlation');
    expect(roots.map((r) => r.attributes['hookspell.correlation_id'])).toEqual(['run-1', 'run-2']);
    const fires = named(spans(), 'hookspell.fire custom:step');
    expect(fires.map((f) => f.attributes['hookspell.correlation_id'])).toEqual(['run-1', 'run-1', 'run-2']);
    expect(fires.map((f) => parentOf(f))).toEqual([
      roots[0]!.spanContext().spanId,
      roots[0]!.spanContext().spanId,
      roots[1]!.spanContext().spanId,
    ]);
    expect(new Set(fires.map((f) => f.spanContext().traceId)).size).toBe(2);
    // The root covers its fires.
    expect(toMs(roots[0]!.startTime)).toBeLessThanOrEqual(toMs(fires[0]!.startTime));
    expect(toMs(roots[0]!.endTime)).toBeGreaterThanOrEqual(toMs(fires[1]!.endTime) - 0.01);
  });

  it('a root ends by itself after traceIdleMs; a fire outside any correlation is a trace of its own', async () => {
    const registry = new HookRegistry();
    registry.register('custom:step', () => undefined, { name: 'h' });
    const executor = new HookExecutor(registry);
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, tracer: mem.tracer, traceIdleMs: 30 });
    disposers.push(() => otel.dispose());
    await executor.fire('custom:step', { data: {} });
    await withCorrelation('run-3', () => executor.fire('custom:step', { data: {} }));
    const fires = named(mem.spans(), 'hookspell.fire custom:step');
    expect(parentOf(fires[0]!)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(named(mem.spans(), 'hookspell.correlation')).toHaveLength(1);
  });

  it('bounded: past maxOpenTraces the least recently used root ends', async () => {
    const registry = new HookRegistry();
    registry.register('custom:step', () => undefined, { name: 'h' });
    const executor = new HookExecutor(registry);
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, tracer: mem.tracer, traceIdleMs: 60_000, maxOpenTraces: 2 });
    disposers.push(() => otel.dispose());
    for (const id of ['a', 'b', 'a', 'c'])
      await withCorrelation(id, () => executor.fire('custom:step', { data: {} }));
    expect(
      named(mem.spans(), 'hookspell.correlation').map((s) => s.attributes['hookspell.correlation_id']),
    ).toEqual(['b']);
  });
});

function toMs([s, ns]: [number, number]): number {
  return s * 1000 + ns / 1e6;
}
