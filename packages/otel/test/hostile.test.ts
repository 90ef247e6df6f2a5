import { EventBus, withCorrelation } from '@hookspell/events';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import type { Tracer } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { eventAttributes, genAiAttributes, instrumentHookspell, OtelError } from '../src/index.js';
import { memoryTracer, named, one } from './helpers.js';

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

const trap = () => {
  throw new Error('trap');
};
const hostileObject = () =>
  new Proxy(
    {},
    { get: trap, ownKeys: trap, has: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap },
  );

describe('recording never breaks a fire or a publish', () => {
  it('a tracer that throws: the fire goes on, onError hears of it (and may throw itself)', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.cancel('no'), { name: 'deny' });
    const executor = new HookExecutor(registry);
    const errors: unknown[] = [];
    const broken = { startSpan: trap, startActiveSpan: trap } as unknown as Tracer;
    const otel = instrumentHookspell({
      executor,
      tracer: broken,
      onError: (e) => {
        errors.push(e);
        throw new Error('handler throws too');
      },
    });
    disposers.push(() => otel.dispose());
    const o = await executor.fire('BeforeToolExecution', { data: { tool_name: 'x' } });
    expect(o.decision.type).toBe('cancel');
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('trap');
  });

  it('a tracer that fails half-way (on a hook span) still ends and exports the fire span', async () => {
    const registry = new HookRegistry();
    registry.register('custom:x', () => undefined, { name: 'h' });
    const executor = new HookExecutor(registry);
    const mem = memoryTracer();
    let calls = 0;
    const flaky = {
      startSpan: (...args: Parameters<Tracer['startSpan']>) => {
        if (calls++ === 1) throw new Error('exporter queue full');
        return mem.tracer.startSpan(...args);
      },
      startActiveSpan: mem.tracer.startActiveSpan.bind(mem.tracer),
    } as Tracer;
    const errors: unknown[] = [];
    const otel = instrumentHookspell({ executor, tracer: flaky, onError: (e) => errors.push(e) });
    disposers.push(() => otel.dispose());
    await executor.fire('custom:x', { data: {} });
    expect(errors).toHaveLength(1);
    expect(mem.spans().map((s) => s.name)).toEqual(['hookspell.fire custom:x']);
    // The next fire is recorded whole.
    await executor.fire('custom:x', { data: {} });
    expect(mem.spans().map((s) => s.name)).toEqual([
      'hookspell.fire custom:x',
      'hookspell.hook h',
      'hookspell.fire custom:x',
    ]);
  });

  it('hostile data, component, metadata and thrown values are recorded as far as they can be read', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeAgentExecution',
      () => {
        throw hostileObject();
      },
      { name: 'throws-a-proxy' },
    );
    registry.register('AfterAgentExecution', () => HookResult.modified({ text: 'ok' }), { name: 'changes' });
    const executor = new HookExecutor(registry);
    const mem = memoryTracer();
    const errors: unknown[] = [];
    const otel = instrumentHookspell({ executor, tracer: mem.tracer, onError: (e) => errors.push(e) });
    disposers.push(() => otel.dispose());
    const data = {
      get model(): string {
        throw new Error('getter');
      },
      settings: hostileObject(),
      usage: { inputTokens: Number.NaN, outputTokens: 10n },
    };
    const o1 = await executor.fire('BeforeAgentExecution', {
      component: hostileObject() as never,
      data: data as never,
    });
    expect(o1.decision.type).toBe('continue');
    const o2 = await executor.fire('AfterAgentExecution', {
      data: {
        model: 'm'.repeat(5000),
        provider: 42,
        settings: { temperature: 0.2, stopSequences: ['\n', 7] },
        usage: hostileObject(),
      },
    });
    expect(o2.data.text).toBe('ok');
    expect(errors).toEqual([]);
    const hook = one(mem.spans(), 'hookspell.hook throws-a-proxy');
    expect(hook.attributes['hookspell.hook.status']).toBe('error');
    const after = one(mem.spans(), 'hookspell.fire AfterAgentExecution');
    expect(String(after.attributes['gen_ai.request.model']).length).toBeLessThanOrEqual(513);
    expect(after.attributes['gen_ai.request.temperature']).toBe(0.2);
    expect(after.attributes['gen_ai.request.stop_sequences']).toBeUndefined();
    expect(after.attributes['gen_ai.provider.name']).toBe(42);
    expect(after.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('hostile event data: the publish goes on, the event is recorded with what can be read', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const bus = new EventBus();
    disposers.push(() => bus.close());
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, bus, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    await withCorrelation('run-h', async () => {
      await bus.publish('agent.note', hostileObject() as never);
      await bus.publish('agent.note', { ok: 1, nested: { no: 1 }, big: 10n });
    });
    await bus.publish('lonely.event', { n: 1 });
    otel.dispose();
    const root = one(mem.spans(), 'hookspell.correlation');
    expect(root.events.map((e) => [e.name, e.attributes?.['data.ok']])).toEqual([
      ['agent.note', undefined],
      ['agent.note', 1],
    ]);
    // An event of no run: a span of its own.
    expect(named(mem.spans(), 'hookspell.event lonely.event')).toHaveLength(1);
  });

  it('property: the attribute readers never throw and give only attribute values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BeforeAgentExecution', 'AfterToolExecution', 'custom:x'),
        fc.anything(),
        (point, value) => {
          const attrs = { ...genAiAttributes(point, value), ...eventAttributes(value) };
          for (const v of Object.values(attrs)) {
            const ok = (x: unknown) =>
              typeof x === 'string' ||
              typeof x === 'boolean' ||
              (typeof x === 'number' && Number.isFinite(x));
            expect(Array.isArray(v) ? v.every(ok) : ok(v)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('set-up errors', () => {
  it('bad options are OtelErrors that say what to pass', () => {
    const executor = new HookExecutor(new HookRegistry());
    const cases: [unknown, RegExp][] = [
      [undefined, /`executor` is required/],
      [{ executor: {} }, /`executor` is required/],
      [{ executor, bus: {} }, /`bus` has no `subscribe/],
      [{ executor, tracer: {} }, /`tracer` has no `startSpan`/],
      [{ executor, traceIdleMs: 0 }, /`traceIdleMs` must be a number ≥ 1; got 0/],
      [{ executor, maxOpenTraces: Number.NaN }, /`maxOpenTraces` must be a number ≥ 1/],
    ];
    for (const [options, message] of cases) {
      let thrown: unknown;
      try {
        instrumentHookspell(options as never);
      } catch (e) {
        thrown = e;
      }
      expect(OtelError.isInstance(thrown), String(message)).toBe(true);
      expect((thrown as OtelError).code).toBe('HOOKSPELL_INVALID_ARGUMENT');
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('an executor with a hook journal is traced and journaled, both; dispose detaches only the instrumentation', async () => {
    const { HookJournal } = await import('@hookspell/journal');
    const { MemoryStorage } = await import('@hookspell/storage');
    const registry = new HookRegistry();
    registry.register('SessionStart', () => undefined, { name: 'noop' });
    const executor = new HookExecutor(registry);
    const journal = new HookJournal(MemoryStorage());
    journal.attach(executor);
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, tracer: mem.tracer });
    await withCorrelation('c-journal', () => executor.fire('SessionStart'));
    await journal.flush();
    expect(await journal.size()).toBe(1);
    expect(named(mem.spans(), 'hookspell.fire SessionStart')).toHaveLength(1);
    otel.dispose();
    await executor.fire('SessionStart');
    await journal.flush();
    expect(await journal.size()).toBe(2);
    await journal.close();
  });
});
