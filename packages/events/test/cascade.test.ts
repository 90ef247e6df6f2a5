import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/index.js';

// Subscribers that republish what they receive: delivery is synchronous for an idle subscriber,
// so the cascade used to recurse until the stack overflowed, leaving unhandled rejections.

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('republishing cascades', () => {
  it('two async subscribers ping-ponging 20 000 times: every event handled, no overflow, no unhandled rejection', async () => {
    const bus = new EventBus();
    let handled = 0;
    bus.subscribe('ping', async (e) => {
      handled++;
      if (handled < 20_000) await bus.publish('pong', e.data);
    });
    bus.subscribe('pong', async (e) => {
      handled++;
      if (handled < 20_000) await bus.publish('ping', e.data);
    });
    await bus.publish('ping', {});
    await bus.idle();
    expect(handled).toBe(20_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
    await bus.close();
  });

  it('an endless cascade does not starve the host: timers still run, and it stops when unsubscribed', async () => {
    const bus = new EventBus();
    let handled = 0;
    const a = bus.subscribe('ping', (e) => void bus.publish('pong', e.data).catch(() => {}));
    const b = bus.subscribe('pong', (e) => {
      handled++;
      void bus.publish('ping', e.data).catch(() => {});
    });
    void bus.publish('ping', {});
    const tick = await new Promise<number>((resolve) => setTimeout(() => resolve(handled), 30));
    expect(tick).toBeGreaterThan(0);
    a.unsubscribe();
    b.unsubscribe();
    const stopped = handled;
    await new Promise((r) => setTimeout(r, 30));
    expect(handled - stopped).toBeLessThanOrEqual(1);
    expect(unhandled).toEqual([]);
    await bus.close();
  });
});
