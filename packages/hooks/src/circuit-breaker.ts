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
  /**
   * A call this long or longer is slow, ms. When set, it wins over `slowCallRatio`. The
   * `production` and `conservative` presets use absolute figures.
   */
  slowCallMs?: number | undefined;
  /**
   * A call is slow when it takes at least this share of the timeout that applied to it (the hook's
   * own, else the fire's, else the executor's default). The `default` preset uses 0.8: a guard is
   * never switched off for taking ordinary time — a command hook needs ~50 ms just to start a
   * process, which an absolute 50 ms rule counted as slow (two such calls opened the breaker and
   * the guard was skipped). Used only when `slowCallMs` is not set.
   */
  slowCallRatio?: number | undefined;
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
    slowCallRatio: 0.8,
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

/** A state change, kept by the breaker until its caller takes it (to report it as an event). */
export const NO_CHANGE = 0;
export const OPENED = 1;
export const HALF_OPENED = 2;
export const CLOSED_AGAIN = 3;
export type BreakerChange = typeof NO_CHANGE | typeof OPENED | typeof HALF_OPENED | typeof CLOSED_AGAIN;

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
 * refused (the hook gets a `skipped` record, or a `cancel` where it fails closed) until `openMs`
 * has passed. Half-open: exactly one probe at a time; a failed or slow probe opens it again,
 * `successThreshold` good probes close it. Each state change is kept in `change` until the caller
 * takes it with `takeChange()`, so the executor can report it without a callback per breaker.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker('production');
 * if (breaker.acquire(clock.now()) === undefined) { … breaker.success(clock.now(), ms, timeoutMs) … }
 * ```
 */
export class CircuitBreaker {
  readonly config: Readonly<BreakerConfig>;
  /** CLOSED, OPEN or HALF_OPEN. */
  state = CLOSED;
  /** The last state change not yet taken (NO_CHANGE, OPENED, HALF_OPENED, CLOSED_AGAIN). */
  change: BreakerChange = NO_CHANGE;
  private readonly failures: EventWindow;
  private readonly slowCalls: EventWindow;
  /** Absolute slow-call bound, or -1 when slowness is relative to each call's timeout. */
  private readonly slowMs: number;
  private readonly slowRatio: number;
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
    this.slowMs = this.config.slowCallMs ?? -1;
    this.slowRatio = this.config.slowCallRatio ?? 0.8;
  }

  /** Why it last opened (empty before it ever did). */
  get reason(): string {
    return this.lastTrip;
  }

  /** Epoch ms (breaker clock) at which an open breaker lets its next probe through. */
  get reopensAt(): number {
    return this.reopenAt;
  }

  /** Returns the pending state change and forgets it. */
  takeChange(): BreakerChange {
    const change = this.change;
    this.change = NO_CHANGE;
    return change;
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
      this.change = HALF_OPENED;
      this.probeSuccesses = 0;
      this.probing = false;
    }
    if (this.probing) return 'circuit breaker half-open: a probe call is already in flight';
    this.probing = true;
    return undefined;
  }

  /**
   * A call that went ahead returned normally after `durationMs`; `timeoutMs` is the timeout that
   * applied to it (needed by the relative slow-call rule of the `default` preset).
   */
  success(now: number, durationMs: number, timeoutMs = Number.POSITIVE_INFINITY): void {
    this.lastNow = now;
    const bound = this.slowMs >= 0 ? this.slowMs : this.slowRatio * timeoutMs;
    const slow = durationMs >= bound;
    if (this.state === HALF_OPEN) {
      this.probing = false;
      if (slow) {
        this.trip(now, `slow probe (${Math.round(durationMs)} ms ≥ ${slowText(this.config, timeoutMs)})`);
        return;
      }
      if (++this.probeSuccesses >= this.config.successThreshold) this.close();
      return;
    }
    if (slow && this.state === CLOSED && this.slowCalls.add(now, this.config.windowMs)) {
      this.trip(
        now,
        `${this.config.slowCallThreshold} calls ≥ ${slowText(this.config, timeoutMs)} within ${this.config.windowMs} ms`,
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
    this.change = OPENED;
    this.reopenAt = now + this.config.openMs;
    this.openedCount++;
    this.lastTrip = why;
  }

  private close(): void {
    this.state = CLOSED;
    this.change = CLOSED_AGAIN;
    this.failures.clear();
    this.slowCalls.clear();
  }
}

/** The name of a breaker state change, as used in lifecycle event types. */
export function breakerChangeName(change: BreakerChange): 'opened' | 'half_open' | 'closed' | undefined {
  return change === OPENED
    ? 'opened'
    : change === HALF_OPENED
      ? 'half_open'
      : change === CLOSED_AGAIN
        ? 'closed'
        : undefined;
}

function slowText(config: Readonly<BreakerConfig>, timeoutMs: number): string {
  if (config.slowCallMs !== undefined) return `${config.slowCallMs} ms`;
  const ratio = config.slowCallRatio ?? 0.8;
  return `${Math.round(ratio * 100)} % of the ${timeoutMs} ms timeout`;
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
  if (config === null || typeof config !== 'object') {
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      `\`breaker\` must be 'default', 'production', 'conservative', a config object or false; got ${String(config)}.`,
    );
  }
  const full: BreakerConfig = { ...BREAKER_PRESETS.default, ...config };
  // An absolute slowCallMs given by the caller wins over the default preset's relative rule.
  if (config.slowCallMs !== undefined) delete full.slowCallRatio;
  else delete full.slowCallMs;
  for (const key of ['failureThreshold', 'successThreshold', 'slowCallThreshold'] as const) {
    if (!Number.isInteger(full[key]) || full[key] < 1) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`breaker.${key}\` must be an integer ≥ 1; got ${full[key]}.`,
      );
    }
  }
  for (const key of ['windowMs', 'openMs', 'slowCallMs'] as const) {
    const value = full[key];
    if (key === 'slowCallMs' && value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`breaker.${key}\` must be a number > 0; got ${value}.`,
      );
    }
  }
  if (full.slowCallRatio !== undefined) {
    const r = full.slowCallRatio;
    if (typeof r !== 'number' || !(r > 0 && r <= 1)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`breaker.slowCallRatio\` must be a number in (0, 1]; got ${r}.`,
      );
    }
  }
  return Object.freeze(full);
}
