import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { EventBus, InProcessTransport } from '../src/index.js';

describe('event-group hook points', () => {
  it('BeforeEventEmit can cancel, modify or replace an event; AfterEventEmit and EventHandlerError fire', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const bus = new EventBus({ executor });
    const seen: unknown[] = [];
    const after: string[] = [];
    const handlerErrors: string[] = [];
    registry.register('BeforeEventEmit', (ctx) => {
      const { type, data } = ctx.data as { type: string; data: { secret?: string } };
      if (type === 'blocked') return HookResult.cancel('not allowed');
      if (type === 'redacted') return HookResult.modified({ data: { ...data, secret: '***' } });
      if (type === 'replaced') return HookResult.replace({ replaced: true });
      return undefined;
    });
    registry.register('AfterEventEmit', (ctx) => {
      after.push((ctx.data as { type: string }).type);
    });
    registry.register('EventHandlerError', (ctx) => {
      handlerErrors.push((ctx.data as { error: string }).error);
    });
    bus.subscribe('**', (e) => seen.push([e.type, e.data]));
    bus.subscribe('boom', () => {
      throw new Error('handler broke');
    });
    await expect(bus.publish('blocked', {})).rejects.toMatchObject({
      code: 'HOOKSPELL_EVENT_CANCELLED',
      message: expect.stringContaining('not allowed'),
    });
    await bus.publish('redacted', { secret: 'hunter2', keep: 1 });
    await bus.publish('replaced', { x: 1 });
    await bus.publish('boom');
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([
      ['redacted', { secret: '***', keep: 1 }],
      ['replaced', { replaced: true }],
      ['boom', undefined],
    ]);
    expect(after).toEqual(['redacted', 'replaced', 'boom']);
    expect(handlerErrors).toEqual(['handler broke']);
    expect(() => bus.emit('x')).toThrow(/publish/);
  });

  it('a transport carries events between buses', async () => {
    const transport = new InProcessTransport();
    const a = new EventBus({ transport });
    const b = new EventBus({ transport });
    const seenByB: string[] = [];
    const seenByA: string[] = [];
    b.subscribe('**', (e) => seenByB.push(e.type));
    a.subscribe('**', (e) => seenByA.push(e.type));
    await a.publish('from.a');
    await b.publish('from.b');
    expect(seenByB).toEqual(['from.a', 'from.b']);
    expect(seenByA).toEqual(['from.a', 'from.b']);
  });

  it('a full `reject` subscriber of transported events is counted, not an unhandled rejection', async () => {
    const bus = new EventBus({ transport: new InProcessTransport() });
    const sub = bus.subscribe('slow', () => new Promise<void>(() => {}), {
      queueSize: 1,
      overflow: 'reject',
      concurrency: 1,
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 4; i++) await bus.publish('slow');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(sub.stats.rejected).toBeGreaterThan(0);
      expect(bus.stats().rejected).toBeGreaterThan(0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
