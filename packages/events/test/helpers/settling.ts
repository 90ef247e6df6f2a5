import { afterEach, beforeEach, expect } from 'vitest';

/**
 * Awaits `promise`, failing with a message naming `what` when it has not settled after `ms`
 * (generous: the point is to turn a hang into a readable failure, not to time anything).
 */
export async function settlesWithin<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Records every unhandled rejection during each test of the enclosing `describe`, and fails the
 * test if there was one (after one more macrotask, when Node reports them).
 */
export function failOnUnhandledRejections(): { readonly seen: unknown[] } {
  const state = { seen: [] as unknown[] };
  const listener = (reason: unknown) => {
    state.seen.push(reason);
  };
  beforeEach(() => {
    state.seen = [];
    process.on('unhandledRejection', listener);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', listener);
    expect(state.seen.length, 'unhandled rejections during the test').toBe(0);
  });
  return state;
}
