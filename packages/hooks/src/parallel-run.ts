import { decide, directivesOf, mergeModifications } from './aggregate.js';
import { systemClock } from './clock.js';
import type { DeadlineList, DeadlineWaiter } from './deadline-queue.js';
import { HookError } from './errors/hook-error.js';
import { errorText, FireRun } from './fire-run.js';
import { isThenable, listen, NOT_APPLICABLE, neverAborted } from './hook-call.js';
import type { HookEntry } from './hook-entry.js';
import { HookResult } from './hook-result.js';
import { NONE } from './outcome.js';
import { assignOwn } from './own-copy.js';
import type { FireOptions } from './types.js';

const WAITING = 0;
const READY = 1;
const RUNNING = 2;
const DONE = 3;

/** One running hook of a parallel fire; its own deadline waiter. @internal */
class ParallelCall implements DeadlineWaiter {
  deadline = 0;
  prevWaiter: DeadlineWaiter | null = null;
  nextWaiter: DeadlineWaiter | null = null;
  waitingOn: DeadlineList | null = null;
  done = false;
  readonly onValue = (value: unknown): void => this.run.callSettled(this, value, undefined, false);
  readonly onError = (error: unknown): void => this.run.callSettled(this, undefined, error, true);

  constructor(
    readonly run: ParallelRun,
    readonly index: number,
    readonly entry: HookEntry,
    readonly start: number,
    readonly execId: string | undefined,
    readonly controller: AbortController | undefined,
    readonly list: DeadlineList,
  ) {}

  onDeadline(): void {
    this.run.callTimedOut(this);
  }
}

/**
 * The DAG scheduler of parallel mode (DESIGN.md "Parallel mode"; crackerjack's defects fixed).
 * A hook starts the moment its last prerequisite finishes — no wave barriers — while fewer than
 * `maxParallel` run and, if it `mutates`, no other mutating hook runs. Among ready hooks the
 * lowest priority number goes first, then the one heading the longest chain of dependents, then
 * plan order. Timeouts start when a hook starts. A critical failure skips every hook not yet
 * started (each gets a record) and can abort running siblings. The aggregate is computed from
 * results indexed by plan position, so completion order never changes it.
 * @internal
 */
export class ParallelRun extends FireRun {
  private readonly pending: Int32Array;
  private readonly state: Uint8Array;
  private readonly ready: number[] = [];
  private readonly calls: (ParallelCall | undefined)[];
  private readonly mods: (Record<string, unknown> | undefined)[];
  private readonly base: Record<string, unknown>;
  private readonly maxParallel: number;
  private readonly abortOnCritical: boolean;
  private running = 0;
  private mutating = 0;
  private halted: string | undefined;
  private pumping = false;
  private ended = false;

  constructor(...args: Parameters<FireRun['init']>) {
    super();
    this.init(...args);
    const { plan } = this;
    const options: FireOptions | undefined = args[4];
    this.maxParallel = options?.maxParallel ?? plan.maxParallel;
    this.abortOnCritical = options?.abortOnCritical ?? plan.abortOnCritical;
    this.pending = Int32Array.from(plan.prereqs, (p) => p.length);
    this.state = new Uint8Array(this.n);
    this.calls = new Array(this.n);
    this.mods = new Array(this.n);
    this.base = this.ctx.data;
    for (let i = 0; i < this.n; i++) {
      if (this.pending[i] === 0) {
        this.state[i] = READY;
        this.ready.push(i);
      }
    }
  }

  get mode(): 'parallel' {
    return 'parallel';
  }

  run(): void {
    if (this.abortReason !== undefined) this.skipRemaining(this.abortReason);
    this.pump();
  }

  /** Starts every hook that may start now; ends the fire when all have records. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const { startRank, entries } = this.plan;
    while (this.halted === undefined && this.abortReason === undefined && this.running < this.maxParallel) {
      let at = -1;
      for (let k = 0; k < this.ready.length; k++) {
        const idx = this.ready[k]!;
        if (this.mutating > 0 && entries[idx]!.mutates) continue;
        if (at < 0 || startRank[idx]! < startRank[this.ready[at]!]!) at = k;
      }
      if (at < 0) break;
      const idx = this.ready[at]!;
      this.ready.splice(at, 1);
      this.startHook(idx);
    }
    this.pumping = false;
    if (this.completed === this.n && !this.ended) this.end();
  }

  private startHook(i: number): void {
    const entry = this.plan.entries[i]!;
    this.state[i] = RUNNING;
    const start = this.env.clock.now();
    const refused = this.admit(i, entry, start);
    if (refused !== undefined) {
      this.skip(i, entry, refused);
      if (this.failsClosed(i)) this.keep(i, this.failClosed(entry, `could not start (${refused})`));
      this.done(i);
      return;
    }
    let data = { ...this.base };
    for (const a of this.plan.ancestors[i]!) if (this.mods[a] !== undefined) assignOwn(data, this.mods[a]);
    const ctx = this.ctx.fork(data);
    data = ctx.data;
    const execId = this.execIdFor(i);
    const controller = entry.wantsSignal ? new AbortController() : undefined;
    const signal = controller?.signal ?? this.fireSignal ?? neverAborted();
    this.running++;
    if (entry.mutates) this.mutating++;
    if (this.capture !== undefined) this.capture.take(i, ctx);
    let value: unknown;
    try {
      value = this.call(entry, ctx, signal, execId);
    } catch (error) {
      this.begin();
      this.completeHook(i, entry, 'error', undefined, error, start, execId);
      return;
    }
    if (value === NOT_APPLICABLE) {
      entry.breaker?.release();
      this.running--;
      if (entry.mutates) this.mutating--;
      this.skip(i, entry, 'not applicable (shouldExecute returned false)');
      this.done(i);
      return;
    }
    this.begin();
    if (isThenable(value)) {
      const list = this.deadlinesOf(entry);
      const call = new ParallelCall(this, i, entry, start, execId, controller, list);
      this.calls[i] = call;
      list.add(call, this.env.realClock ? start : systemClock.now());
      listen(value, call.onValue, call.onError);
      return;
    }
    const result = this.resultOf(entry, value);
    if (result instanceof HookError) this.completeHook(i, entry, 'error', undefined, result, start, execId);
    else this.completeHook(i, entry, 'ok', result, undefined, start, execId);
  }

  callSettled(call: ParallelCall, value: unknown, error: unknown, failed: boolean): void {
    if (call.done) return;
    call.done = true;
    call.list.remove(call);
    const { index, entry, start, execId } = call;
    if (failed) {
      this.completeHook(index, entry, 'error', undefined, error, start, execId);
      return;
    }
    const result = this.resultOf(entry, value);
    if (result instanceof HookError)
      this.completeHook(index, entry, 'error', undefined, result, start, execId);
    else this.completeHook(index, entry, 'ok', result, undefined, start, execId);
  }

  callTimedOut(call: ParallelCall): void {
    if (call.done) return;
    call.done = true;
    const error = new DOMException(
      `hook '${call.entry.name}' at ${this.plan.point} timed out after ${call.list.timeoutMs} ms`,
      'TimeoutError',
    );
    call.controller?.abort(error);
    this.completeHook(call.index, call.entry, 'timeout', undefined, error, call.start, call.execId);
  }

  private completeHook(
    i: number,
    entry: HookEntry,
    status: 'ok' | 'error' | 'timeout',
    result: HookResult | undefined,
    error: unknown,
    start: number,
    execId: string | undefined,
  ): void {
    this.calls[i] = undefined;
    this.running--;
    if (entry.mutates) this.mutating--;
    this.finish(i, entry, status, result, error, start, this.env.clock.now(), execId);
    if (status === 'ok') {
      this.keep(i, result!);
      if (result!.type === 'modified') this.mods[i] = (result as { data: Record<string, unknown> }).data;
    } else if (this.abortReason === undefined) {
      // A fail-closed hook that failed cancels even after a critical sibling halted the fire.
      const how = status === 'timeout' ? 'timed out' : 'failed';
      if (this.failsClosed(i)) this.keep(i, this.failClosed(entry, `${how}: ${errorText(error)}`));
      if (entry.critical && this.halted === undefined) this.halt(`critical hook '${entry.name}' ${how}`);
    }
    this.done(i);
  }

  /** Marks hook i finished and releases its dependents. */
  private done(i: number): void {
    this.state[i] = DONE;
    for (const d of this.plan.dependents[i]!) {
      if (--this.pending[d]! === 0 && this.state[d] === WAITING) {
        this.state[d] = READY;
        this.ready.push(d);
      }
    }
    this.pump();
  }

  private halt(reason: string): void {
    this.halted = reason;
    this.skipRemaining(`${reason}; hooks not yet started are skipped`, true);
    if (this.abortOnCritical) this.abandonRunning(new DOMException(`aborted: ${reason}`, 'AbortError'), true);
  }

  /**
   * Every hook not yet started gets a `skipped` record. After a critical failure (`guard`), a
   * fail-closed hook that never got to give its verdict cancels: the guard is not switched off
   * because a sibling broke.
   */
  private skipRemaining(reason: string, guard = false): void {
    this.ready.length = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.state[i] === WAITING || this.state[i] === READY) {
        this.state[i] = DONE;
        const entry = this.plan.entries[i]!;
        this.skip(i, entry, reason);
        if (guard && this.failsClosed(i)) this.keep(i, this.failClosed(entry, `could not run (${reason})`));
      }
    }
  }

  /** Aborts running hooks' signals and records them as `error` without waiting for them. */
  private abandonRunning(error: unknown, guard = false): void {
    const saved = this.abortReason;
    // finish() gives the breaker no verdict for an `error` during an abort: not the hook's fault.
    if (saved === undefined) this.abortReason = 'abandoned';
    for (const call of this.calls) {
      if (call === undefined || call.done) continue;
      call.done = true;
      call.list.remove(call);
      call.controller?.abort(error);
      this.calls[call.index] = undefined;
      this.running--;
      if (call.entry.mutates) this.mutating--;
      this.finish(
        call.index,
        call.entry,
        'error',
        undefined,
        error,
        call.start,
        this.env.clock.now(),
        call.execId,
      );
      if (guard && this.failsClosed(call.index))
        this.keep(call.index, this.failClosed(call.entry, `was abandoned (${errorText(error)})`));
      this.state[call.index] = DONE;
    }
    this.abortReason = saved;
  }

  protected onFireAbort(reason: string): void {
    if (this.ended) return;
    this.abortReason = reason;
    this.skipRemaining(reason);
    this.abandonRunning(this.fireSignal?.reason ?? new DOMException(reason, 'AbortError'));
    this.pump();
  }

  private end(): void {
    this.ended = true;
    const { data, changes, conflicts } = mergeModifications(this.plan, this.base, this.mods);
    const decision =
      this.abortReason !== undefined
        ? HookResult.cancel(this.abortReason)
        : decide(this.results ?? NONE, changes);
    this.complete(decision, data, directivesOf(this.results ?? NONE), conflicts, this.env.clock.now());
  }
}
