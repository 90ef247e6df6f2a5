import type { Clock } from '../src/index.js';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A promise that never settles. */
export const never = (): Promise<never> => new Promise<never>(() => {});

/** A sink that keeps what it is told. */
export function recordingSink() {
  const events: {
    type: string;
    data: Record<string, unknown>;
    meta: { correlationId: string; causationId?: string };
  }[] = [];
  return {
    events,
    emit: (
      type: string,
      data: Record<string, unknown>,
      meta: { correlationId: string; causationId?: string },
    ) => void events.push({ type, data, meta }),
  };
}
