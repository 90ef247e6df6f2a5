import { describe, expect, it } from 'vitest';
import { ErrorCode, HookspellError, pickCodes } from '../src/index.js';

class HookError extends HookspellError {
  static override readonly kind = 'HookError';
}
class EventError extends HookspellError {
  static override readonly kind: string = 'EventError';
}
class BackpressureError extends EventError {
  static override readonly kind = 'BackpressureError';
}
class Unkinded extends HookspellError {}

describe('HookspellError.isInstance: one marker per class', () => {
  const hook = new HookError({ code: ErrorCode.HOOK_CYCLE, message: 'x' });
  const back = new BackpressureError({ code: ErrorCode.BACKPRESSURE, message: 'y' });

  it('each class recognises its own instances and its subclasses', () => {
    expect(HookError.isInstance(hook)).toBe(true);
    expect(EventError.isInstance(back)).toBe(true);
    expect(BackpressureError.isInstance(back)).toBe(true);
    expect(HookspellError.isInstance(hook)).toBe(true);
    expect(HookspellError.isInstance(back)).toBe(true);
  });

  it('never another family (the bug: EventError.isInstance(new HookError(...)) was true)', () => {
    expect(EventError.isInstance(hook)).toBe(false);
    expect(BackpressureError.isInstance(new EventError({ code: 'c', message: 'm' }))).toBe(false);
    expect(HookError.isInstance(back)).toBe(false);
  });

  it('works across copies of a package (registry symbols, not identity)', () => {
    class HookErrorCopy extends HookspellError {
      static override readonly kind = 'HookError';
    }
    expect(HookErrorCopy.isInstance(hook)).toBe(true);
    expect(hook instanceof HookErrorCopy).toBe(false);
  });

  it('a subclass without its own kind falls back to instanceof', () => {
    expect(Unkinded.isInstance(new Unkinded({ code: 'c', message: 'm' }))).toBe(true);
    expect(Unkinded.isInstance(hook)).toBe(false);
  });

  it('never throws, whatever it is given', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    for (const value of [proxy, trap, null, undefined, 1, 'x', Symbol('s'), Object.create(null)]) {
      expect(HookspellError.isInstance(value)).toBe(false);
      expect(HookError.isInstance(value)).toBe(false);
      expect(Unkinded.isInstance(value)).toBe(false);
      expect(HookspellError.hasCode(value, 'x')).toBe(false);
    }
  });

  it('markers stay out of JSON and the code is kept', () => {
    expect(Object.getOwnPropertySymbols({ ...hook })).toEqual([]);
    expect(JSON.parse(JSON.stringify(hook))).toEqual({
      name: 'HookspellError',
      code: 'HOOKSPELL_HOOK_CYCLE',
    });
    expect(HookspellError.hasCode(hook, 'HOOKSPELL_HOOK_CYCLE')).toBe(true);
  });
});

describe('one code table', () => {
  it('codes are unique strings prefixed HOOKSPELL_', () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^HOOKSPELL_[A-Z_]+$/);
  });

  it('pickCodes builds a package table from it', () => {
    const codes = pickCodes({ CLOSED: 'STORAGE_CLOSED', INVALID_ARGUMENT: 'INVALID_ARGUMENT' });
    expect(codes).toEqual({
      CLOSED: 'HOOKSPELL_STORAGE_CLOSED',
      INVALID_ARGUMENT: 'HOOKSPELL_INVALID_ARGUMENT',
    });
    expect(Object.isFrozen(codes)).toBe(true);
  });
});
