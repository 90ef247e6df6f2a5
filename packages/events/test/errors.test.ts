import { HookError, HookErrorCode } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { BackpressureError, EventError, EventErrorCode } from '../src/index.js';

describe('EventError.isInstance recognises only its own family', () => {
  it('not a HookError (every subclass used to share one marker check)', () => {
    const hook = new HookError(HookErrorCode.HOOK_CYCLE, 'x');
    const event = new EventError(EventErrorCode.BUS_CLOSED, 'closed');
    const back = new BackpressureError([{ subscriptionId: 's1', reason: 'full', queueSize: 1 }], 'a.b');
    expect(EventError.isInstance(hook)).toBe(false);
    expect(EventError.isInstance(event)).toBe(true);
    expect(EventError.isInstance(back)).toBe(true);
    expect(BackpressureError.isInstance(event)).toBe(false);
    expect(BackpressureError.isInstance(back)).toBe(true);
    expect(HookError.isInstance(event)).toBe(false);
    expect(event.code).toBe('HOOKSPELL_BUS_CLOSED');
  });
});
