import { EventError, EventErrorCode } from './errors.js';

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket capacity: how many events may pass at once after a quiet period. @default perSecond */
  burst?: number;
}

/**
 * A token bucket checked synchronously on the publish path. (The `limiter` package's bucket is
 * promise-based; a sync check here keeps a rate-limited publish free of extra awaits.)
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly perSecond: number;
  readonly burst: number;

  constructor(options: RateLimitOptions, now: number) {
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`rateLimit.perSecond\` must be a positive number, got ${String(options.perSecond)}.`,
      );
    }
    this.perSecond = options.perSecond;
    this.burst = options.burst ?? options.perSecond;
    if (!(this.burst >= 1)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`rateLimit.burst\` must be at least 1, got ${String(options.burst)}.`,
      );
    }
    this.tokens = this.burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until the next token. */
  retryAfterMs(): number {
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}
