import { setTimeout as sleep } from 'node:timers/promises';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { MemoryStorage } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import {
  currentCorrelation,
  EventBus,
  EventLog,
  type HookspellEvent,
  withCorrelation,
} from '../src/index.js';

describe('correlation flows by itself', () => {
  it('events published inside withCorrelation carry its id across awaits and timers', async () => {
    const bus = new EventBus();
    const seen: HookspellEvent[] = [];
    bus.subscribe('**', (e) => seen.push(e));
    await withCorrelation('req-1', async () => {
      await bus.publish('a');
      await sleep(1);
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          bus.emit('b');
          resolve();
        }, 1),
      );
      await Promise.all([bus.publish('c'), (async () => bus.publish('d'))()]);
    });
    await bus.publish('outside');
    expect(seen.map((e) => [e.type, e.metadata.correlationId])).toEqual([
      ['a', 'req-1'],
      ['b', 'req-1'],
      ['c', 'req-1'],
      ['d', 'req-1'],
      ['outside', seen[4]!.id],
    ]);
  });

  it('what a subscriber publishes names the event it handled as its cause', async () => {
    const bus = new EventBus({ correlation: true });
    const log = new EventLog(MemoryStorage());
    const logged = new EventBus({ log, correlation: true });
    for (const b of [bus, logged]) {
      b.subscribe('order.placed', async (e) => {
        await sleep(1);
        await b.publish('order.charged', { for: e.id });
      });
      b.subscribe('order.charged', (e) => {
        b.emit('order.shipped', { for: e.id });
      });
    }
    const seen: HookspellEvent[] = [];
    bus.subscribe('order.*', (e) => seen.push(e));
    const placed = await bus.publish('order.placed', {}, { correlationId: 'order-7' });
    await bus.flush();
    const charged = seen.find((e) => e.type === 'order.charged')!;
    const shipped = seen.find((e) => e.type === 'order.shipped')!;
    expect(charged.metadata).toMatchObject({ correlationId: 'order-7', causationId: placed.id });
    expect(shipped.metadata).toMatchObject({ correlationId: 'order-7', causationId: charged.id });

    const root = await logged.publish('order.placed', {}, { correlationId: 'order-8' });
    await logged.flush();
    const timeline = await log.timeline('order-8');
    expect(timeline.chains).toHaveLength(1);
    expect(timeline.chains[0]!.map((id) => timeline.events.find((e) => e.id === id)!.type)).toEqual([
      'order.placed',
      'order.charged',
      'order.shipped',
    ]);
    expect(timeline.roots[0]!.event.id).toBe(root.id);
  });

  it('the hooks executor reports its lifecycle on the bus, and events from hooks name their execution', async () => {
    const log = new EventLog(MemoryStorage());
    const bus = new EventBus({ log });
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry, { sink: bus.hookSink() });
    registry.register(
      'BeforeToolExecution',
      async (ctx) => {
        await sleep(1);
        expect(currentCorrelation()?.correlationId).toBe(ctx.correlationId);
        await bus.publish('policy.checked', { tool: (ctx.component as { name: string }).name });
        // A nested fire inside the hook keeps the correlation.
        await executor.fire('custom:audit', { data: {} });
        return HookResult.continue();
      },
      { name: 'policy' },
    );
    registry.register('custom:audit', () => HookResult.continue(), { name: 'audit' });
    const outcome = await withCorrelation('run-9', () =>
      executor.fire('BeforeToolExecution', { component: { type: 'tool', name: 'shell' }, data: {} }),
    );
    expect(outcome.correlationId).toBe('run-9');
    await bus.flush();
    const events = await log.query({ correlationId: 'run-9' });
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'hook.fire.started',
        'policy.checked',
        'hook.execution.completed',
        'hook.fire.completed',
      ]),
    );
    const checked = events.find((e) => e.type === 'policy.checked')!;
    const policyDone = events.find(
      (e) => e.type === 'hook.execution.completed' && (e.data as { hook: string }).hook === 'policy',
    )!;
    expect(checked.metadata.causationId).toBe((policyDone.data as { executionId: string }).executionId);

    const timeline = await log.timeline('run-9');
    // One root: the outer fire; the policy's own event and the nested fire hang under its execution.
    expect(timeline.roots.map((r) => r.event.type)).toEqual(['hook.fire.started']);
    const policyNode = timeline.roots[0]!.children.find((c) => c.event.id === policyDone.id)!;
    expect(policyNode.children.map((c) => c.event.type)).toEqual(
      expect.arrayContaining(['policy.checked', 'hook.fire.started']),
    );
  });

  it('a bus alone does not turn AsyncLocalStorage on', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `
      import { EventBus } from '${new URL('../dist/index.js', import.meta.url).pathname}';
      import { correlationStorageCreated } from '@hookspell/hooks';
      const bus = new EventBus();
      bus.subscribe('a', async () => { await bus.publish('b'); });
      await bus.publish('a');
      await bus.flush();
      console.log(String(correlationStorageCreated()));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url).pathname,
    });
    expect(out.toString().trim()).toBe('false');
  });
});
