import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentHookspell } from '../src/index.js';
import { memoryTracer, one } from './helpers.js';

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

describe('events as span events', () => {
  it('a breaker that opens is a span event where the fire ran; fires and executions are not repeated as events', async () => {
    const bus = new EventBus();
    disposers.push(() => bus.close());
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      () => {
        throw new Error('down');
      },
      { name: 'flaky' },
    );
    const executor = new HookExecutor(registry, { sink: bus.hookSink() });
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, bus, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    await mem.tracer.startActiveSpan('agent.step', async (step) => {
      for (let i = 0; i < 3; i++) await executor.fire('BeforeToolExecution', { data: { tool_name: 't' } });
      step.end();
    });
    const step = one(mem.spans(), 'agent.step');
    expect(step.events.map((e) => e.name)).toEqual(['hook.breaker.opened']);
    expect(step.events[0]!.attributes).toMatchObject({
      'data.hook': 'flaky',
      'data.state': 'open',
      'data.point': 'BeforeToolExecution',
    });
  });

  it('`events` picks which events are recorded', async () => {
    const bus = new EventBus();
    disposers.push(() => bus.close());
    const executor = new HookExecutor(new HookRegistry());
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, bus, tracer: mem.tracer, events: 'tool.**' });
    disposers.push(() => otel.dispose());
    await mem.tracer.startActiveSpan('agent.step', async (step) => {
      await bus.publish('tool.call.started', { tool: 'x' });
      await bus.publish('model.call.started', { model: 'm' });
      step.end();
    });
    expect(one(mem.spans(), 'agent.step').events.map((e) => e.name)).toEqual(['tool.call.started']);
    otel.dispose();
    // Disposed: no longer subscribed.
    await mem.tracer.startActiveSpan('later', async (span) => {
      await bus.publish('tool.call.started', { tool: 'y' });
      span.end();
    });
    expect(one(mem.spans(), 'later').events).toEqual([]);
  });
});
