import type { Clock } from '@hookspell/hooks';

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
