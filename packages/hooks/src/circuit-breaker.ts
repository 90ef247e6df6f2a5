import { HookError, HookErrorCode } from './errors/hook-error.js';

// Written here rather than taken from cockatiel (DESIGN.md prefers well-kept libraries): cockatiel's
// half-open state closes on a single success and has no slow-call rule, so it cannot express the
// presets below (2 or 3 successes to close, N slow calls open it). It also wraps every call in a
// promise, and a breaker check sits on the hot path of every hook call.

/** Settings of a circuit breaker. */
export interface BreakerConfig {
  /** Failures (errors, timeouts) within `windowMs` that open the breaker. */
  failureThreshold: number;
  /** Successful probes in half-open that close it again. */
  successThreshold: number;
  /** Sliding window in which failures and slow calls are counted, ms. */
  windowMs: number;
  /** How long it stays open before letting one probe through, ms. */
  openMs: number;
  /** Slow calls within `windowMs` that open it. */
  slowCallThreshold: number;
  /** A call this long or longer is slow, ms. */
  slowCallMs: number;
}

export type BreakerPreset = 'default' | 'production' | 'conservative';

/** The presets of the original system (parity.md). */
export const BREAKER_PRESETS: Readonly<Record<BreakerPreset, Readonly<BreakerConfig>>> = Object.freeze({
  default: Object.freeze({
    failureThreshold: 3,
    successThreshold: 2,
    windowMs: 30_000,
    openMs: 15_000,
    slowCallThreshold: 2,
    slowCallMs: 50,
  }),
  production: Object.freeze({
    failureThreshold: 2,
    successThreshold: 1,
    windowMs: 20_000,
    openMs: 10_000,
    slowCallThreshold: 1,
    slowCallMs: 25,
  }),
  conservative: Object.freeze({
    failureThreshold: 5,
    successThreshold: 3,
    windowMs: 60_000,
    openMs: 30_000,
    slowCallThreshold: 3,
    slowCallMs: 100,
  }),
});

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What `registry.list()` reports about a hook's breaker. */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly config: Readonly<BreakerConfig>;
  /** Failures still inside the window (as of the last call). */
  readonly recentFailures: number;
  readonly recentSlowCalls: number;
  /** Times it opened since it was made. */
  readonly opened: number;
}

/** Numeric states keep the hot-path check to one comparison. */
export const CLOSED = 0;
export const OPEN = 1;
export const HALF_OPEN = 2;
const STATE_NAMES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

/**
 * Timestamps of the last `n` events; "n events within the window" is then one subtraction:
 * the oldest of the last n against now. Memory is fixed whatever the call rate.
 */
class EventWindow {
  private readonly times: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly size: number) {
    this.times = new Float64Array(size);
  }

  /** Adds an event at `now`; true if the last `size` events all fall within `windowMs`. */
  add(now: number, windowMs: number): boolean {
    this.times[this.next] = now;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
    return this.filled === this.size && now - this.times[this.next % this.size]! <= windowMs;
  }

  countSince(since: number): number {
    let n = 0;
    for (let i = 0; i < this.filled; i++) if (this.times[i]! >= since) n++;
    return n;
  }

  clear(): void {
    this.filled = 0;
    this.next = 0;
  }
}

/**
 * One breaker per registered hook. Closed: every call goes through; `failureThreshold` failures
 * or `slowCallThreshold` slow calls within the sliding `windowMs` open it. Open: calls are
 * refused (the hook gets a `skipped` record) until `openMs` has passed. Half-open: exactly one
 * probe at a time; a failed or slow probe opens it again, `successThreshold` good probes close it.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker('production', clock);
 * if (breaker.acquire(clock.now()) === undefined) { … breaker.success(clock.now(), ms) … }
 * ```
 */
export class CircuitBreaker {
  readonly config: Readonly<BreakerConfig>;
  /** CLOSED, OPEN or HALF_OPEN. */
  state = CLOSED;
  private readonly failures: EventWindow;
  private readonly slowCalls: EventWindow;
  private reopenAt = 0;
  private probing = false;
  private probeSuccesses = 0;
  private lastNow = 0;
  private openedCount = 0;
  private lastTrip = '';

  constructor(config: BreakerPreset | Partial<BreakerConfig> = 'default') {
    this.config = resolveBreakerConfig(config);
    this.failures = new EventWindow(this.config.failureThreshold);
    this.slowCalls = new EventWindow(this.config.slowCallThreshold);
  }

  /**
   * Asks to make a call at `now`. Returns undefined when it may go ahead, or the reason it may
   * not. In half-open the caller that gets undefined holds the single probe until it reports
   * `success`, `failure` or `release`.
   */
  acquire(now: number): string | undefined {
    this.lastNow = now;
    if (this.state === CLOSED) return undefined;
    if (this.state === OPEN) {
      if (now < this.reopenAt) {
        return `circuit breaker open (${this.lastTrip}); next probe in ${Math.ceil(this.reopenAt - now)} ms`;
      }
      this.state = HALF_OPEN;
      this.probeSuccesses = 0;
      this.probing = false;
    }
    if (this.probing) return 'circuit breaker half-open: a probe call is already in flight';
    this.probing = true;
    return undefined;
  }

  /** A call that went ahead returned normally after `durationMs`. */
  success(now: number, durationMs: number): void {
    this.lastNow = now;
    const slow = durationMs >= this.config.slowCallMs;
    if (this.state === HALF_OPEN) {
      this.probing = false;
      if (slow) {
        this.trip(now, `slow probe (${Math.round(durationMs)} ms)`);
        return;
      }
      if (++this.probeSuccesses >= this.config.successThreshold) this.close();
      return;
    }
    if (slow && this.state === CLOSED && this.slowCalls.add(now, this.config.windowMs)) {
      this.trip(
        now,
        `${this.config.slowCallThreshold} calls ≥ ${this.config.slowCallMs} ms within ${this.config.windowMs} ms`,
      );
    }
  }

  /** A call that went ahead threw, rejected or timed out. */
  failure(now: number): void {
    this.lastNow = now;
    if (this.state === HALF_OPEN) {
      this.probing = false;
      this.trip(now, 'probe failed');
      return;
    }
    if (this.state === CLOSED && this.failures.add(now, this.config.windowMs)) {
      this.trip(now, `${this.config.failureThreshold} failures within ${this.config.windowMs} ms`);
    }
  }

  /** A call that went ahead ended without a verdict (e.g. its fire was aborted). */
  release(): void {
    if (this.state === HALF_OPEN) this.probing = false;
  }

  /** The state as of `now` (an open breaker whose time is up reads as half-open). */
  stateAt(now: number): BreakerState {
    if (this.state === OPEN && now >= this.reopenAt) return 'half-open';
    return STATE_NAMES[this.state]!;
  }

  snapshot(): BreakerSnapshot {
    const since = this.lastNow - this.config.windowMs;
    return {
      state: STATE_NAMES[this.state]!,
      config: this.config,
      recentFailures: this.failures.countSince(since),
      recentSlowCalls: this.slowCalls.countSince(since),
      opened: this.openedCount,
    };
  }

  private trip(now: number, why: string): void {
    this.state = OPEN;
    this.reopenAt = now + this.config.openMs;
    this.openedCount++;
    this.lastTrip = why;
  }

  private close(): void {
    this.state = CLOSED;
    this.failures.clear();
    this.slowCalls.clear();
  }
}

/** A full config from a preset name or a partial config (missing fields from `default`). */
export function resolveBreakerConfig(
  config: BreakerPreset | Partial<BreakerConfig>,
): Readonly<BreakerConfig> {
  if (typeof config === 'string') {
    const preset = Object.hasOwn(BREAKER_PRESETS, config) ? BREAKER_PRESETS[config] : undefined;
    if (preset === undefined) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`breaker\` must be 'default', 'production', 'conservative', a config object or false; got '${config}'.`,
      );
    }
    return preset;
  }
  const full = { ...BREAKER_PRESETS.default, ...config };
  for (const key of ['failureThreshold', 'successThreshold', 'slowCallThreshold'] as const) {
    if (!Number.isInteger(full[key]) || full[key] < 1) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`breaker.${key}\` must be an integer ≥ 1; got ${full[key]}.`,
      );
    }
  }
  for (const key of ['windowMs', 'openMs', 'slowCallMs'] as const) {
    if (typeof full[key] !== 'number' || !(full[key] > 0)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`breaker.${key}\` must be a number > 0; got ${full[key]}.`,
      );
    }
  }
  return Object.freeze(full);
}
