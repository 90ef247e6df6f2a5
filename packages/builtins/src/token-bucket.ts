import type { Clock } from '@hookspell/hooks';
import type { TokenBucket } from 'limiter';
import { loadLimiter } from './lazy-deps.js';

/** A token bucket on an injected clock (see {@link clockedTokenBucket}). @internal */
export interface ClockedTokenBucket extends TokenBucket {
  /** Milliseconds until the bucket is full again. */
  msUntilFull(): number;
}

type BucketOptions = { bucketSize: number; tokensPerInterval: number; interval: number };
let Clocked: (new (options: BucketOptions, clock: Clock) => ClockedTokenBucket) | undefined;

/**
 * limiter's `TokenBucket` on an injected clock. limiter reads `performance.now()` directly, so
 * its refill (`drip`) is redone here on `clock`, with limiter's own formula; everything else —
 * validation, `tryRemoveTokens`, `getWaitTime` — is limiter's. Starts full (limiter starts empty).
 * The subclass is made on first use: limiter is loaded only by a `rateLimit` hook (lazy-deps.ts).
 * @internal
 */
export function clockedTokenBucket(options: BucketOptions, clock: Clock): ClockedTokenBucket {
  Clocked ??= class extends loadLimiter().TokenBucket implements ClockedTokenBucket {
    readonly #clock: Clock;

    constructor(o: BucketOptions, c: Clock) {
      super(o);
      this.#clock = c;
      this.lastDrip = c.now();
      this.content = o.bucketSize;
    }

    override drip(): boolean {
      // #clock is set after super(); limiter's constructor does not drip, later calls do.
      const now = this.#clock.now();
      const delta = Math.max(now - this.lastDrip, 0);
      this.lastDrip = now;
      const before = this.content;
      this.content = Math.min(
        this.content + delta * (this.tokensPerInterval / this.interval),
        this.bucketSize,
      );
      return Math.floor(this.content) > Math.floor(before);
    }

    msUntilFull(): number {
      this.drip();
      return Math.ceil((this.bucketSize - this.content) / (this.tokensPerInterval / this.interval));
    }
  };
  return new Clocked(options, clock);
}
