import type { Clock } from '@hookspell/hooks';
import { TokenBucket } from 'limiter';

/**
 * limiter's `TokenBucket` on an injected clock. limiter reads `performance.now()` directly, so
 * its refill (`drip`) is redone here on `clock`, with limiter's own formula; everything else —
 * validation, `tryRemoveTokens`, `getWaitTime` — is limiter's. Starts full (limiter starts empty).
 * @internal
 */
export class ClockedTokenBucket extends TokenBucket {
  readonly #clock: Clock;

  constructor(options: { bucketSize: number; tokensPerInterval: number; interval: number }, clock: Clock) {
    super(options);
    this.#clock = clock;
    this.lastDrip = clock.now();
    this.content = options.bucketSize;
  }

  override drip(): boolean {
    // #clock is set after super(); limiter's constructor does not drip, later calls do.
    const now = this.#clock.now();
    const delta = Math.max(now - this.lastDrip, 0);
    this.lastDrip = now;
    const before = this.content;
    this.content = Math.min(this.content + delta * (this.tokensPerInterval / this.interval), this.bucketSize);
    return Math.floor(this.content) > Math.floor(before);
  }

  /** Milliseconds until the bucket is full again. */
  msUntilFull(): number {
    this.drip();
    return Math.ceil((this.bucketSize - this.content) / (this.tokensPerInterval / this.interval));
  }
}
