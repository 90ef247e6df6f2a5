import { decide, directivesOf } from './aggregate.js';
import { systemClock } from './clock.js';
import type { DeadlineList, DeadlineWaiter } from './deadline-queue.js';
import { HookError } from './errors/hook-error.js';
import { errorText, FireRun, type RunEnv } from './fire-run.js';
import { isThenable, listen, NOT_APPLICABLE, neverAborted } from './hook-call.js';
import type { FireContext } from './hook-context.js';
import type { HookEntry } from './hook-entry.js';
import { HookResult } from './hook-result.js';
import { NONE } from './outcome.js';
import { assignOwn } from './own-copy.js';
import type { Plan } from './plan.js';
import type { FireOptions } from './types.js';

const CONTINUE = HookResult.continue();

/**
 * The sequential chain (DESIGN.md): hooks run one after another in plan order; each sees
 * `ctx.data` with the earlier `modified` results merged in; `cancel` and `replace` stop the chain
 * (the rest get `skipped` records); other directives are collected. A failure is recorded and the
 * chain goes on, unless the hook is fail-closed (the decision becomes `cancel`) or critical.
 *
 * Written as a small state machine rather than an async loop so that a timeout or an abort can
 * move the chain on while the hook's promise is still pending. It stays synchronous until a hook
 * returns a thenable; only then is the fire's promise made. The run itself is the deadline
 * waiter (one hook runs at a time), so an async hook costs no allocation beyond its `.then`.
 * @internal
 */
export class SequentialRun extends FireRun implements DeadlineWaiter {
  private i = 0;
  /** Clock reading at the end of the previous hook = start of the next one. */
  private now = 0;
  private start = 0;
  private entry: HookEntry | undefined;
  private execId: string | undefined;
  private controller: AbortController | undefined;
  private list: DeadlineList | undefined;
  /** Why the rest of the chain is skipped, once something stopped it. */
  private stopped: string | undefined;
  /** The chain was stopped by a critical hook's failure (not by a cancel or replace). */
  private criticalStop = false;
  private changes: Record<string, unknown> | undefined;
  // Callbacks for the pending hook's promise. A timeout or abort replaces them (new epoch), so a
  // late settlement of an abandoned hook reaches callbacks that ignore it.
  private onValue: ((value: unknown) => void) | undefined;
  private onError: ((error: unknown) => void) | undefined;
  private epoch = 0;
  // DeadlineWaiter links
  deadline = 0;
  prevWaiter: DeadlineWaiter | null = null;
  nextWaiter: DeadlineWaiter | null = null;
  waitingOn: DeadlineList | null = null;

  constructor(
    env: RunEnv,
    plan: Plan,
    ctx: FireContext,
    t0: number,
    options: FireOptions | undefined,
    cause: string | undefined,
  ) {
    super();
    this.init(env, plan, ctx, t0, options, cause);
  }

  get mode(): 'sequential' {
    return 'sequential';
  }

  /** Runs as far as it can synchronously; `outcome` is set if it finished. */
  run(): void {
    this.now = this.t0;
    this.advance();
  }

  private advance(): void {
    const { plan, ctx, n } = this;
    while (this.i < n) {
      const i = this.i;
      const entry = plan.entries[i]!;
      if (this.stopped === undefined && this.abortReason !== undefined) this.stopped = this.abortReason;
      if (this.stopped !== undefined) {
        this.skip(i, entry, this.stopped);
        // After a critical failure a fail-closed hook that never gave its verdict cancels.
        if (this.criticalStop && this.failsClosed(i))
          this.keep(i, this.failClosed(entry, `could not run (${this.stopped})`));
        this.i++;
        continue;
      }
      const start = this.now;
      const refused = this.admit(i, entry, start);
      if (refused !== undefined) {
        this.skip(i, entry, refused);
        if (this.failsClosed(i)) this.stop(i, this.failClosed(entry, `could not start (${refused})`), entry);
        this.i++;
        continue;
      }
      const execId = this.execIdFor(i);
      let signal: AbortSignal;
      if (entry.wantsSignal) {
        this.controller = new AbortController();
        signal = this.controller.signal;
      } else {
        this.controller = undefined;
        signal = this.fireSignal ?? neverAborted();
      }
      if (this.capture !== undefined) this.capture.take(i, ctx);
      let value: unknown;
      try {
        value = this.call(entry, ctx, signal, execId);
      } catch (error) {
        this.begin();
        this.settle(entry, 'error', undefined, error, start, execId);
        continue;
      }
      if (value === NOT_APPLICABLE) {
        entry.breaker?.release();
        this.skip(i, entry, 'not applicable (shouldExecute returned false)');
        this.i++;
        continue;
      }
      this.begin();
      if (isThenable(value)) {
        this.entry = entry;
        this.start = start;
        this.execId = execId;
        if (this.onValue === undefined) this.newEpoch();
        const list = this.deadlinesOf(entry);
        const at = this.env.realClock ? start : systemClock.now();
        // Still listed for the previous hook (settled() leaves it there): refresh in place.
        if (this.waitingOn === list) list.refresh(this, at);
        else {
          this.waitingOn?.remove(this);
          list.add(this, at);
        }
        this.list = list;
        listen(value, this.onValue!, this.onError!);
        return;
      }
      const result = this.resultOf(entry, value);
      if (result instanceof HookError) this.settle(entry, 'error', undefined, result, start, execId);
      else this.settle(entry, 'ok', result, undefined, start, execId);
    }
    this.end();
  }

  /** Records hook `this.i`, applies its result to the chain, and moves `this.i` on. */
  private settle(
    entry: HookEntry,
    status: 'ok' | 'error' | 'timeout',
    result: HookResult | undefined,
    error: unknown,
    start: number,
    execId: string | undefined,
  ): void {
    const i = this.i;
    const end = this.env.clock.now();
    this.now = end;
    this.finish(i, entry, status, result, error, start, end, execId);
    this.i = i + 1;
    if (status !== 'ok') {
      if (this.abortReason !== undefined) return;
      if (this.failsClosed(i))
        this.stop(
          i,
          this.failClosed(entry, `${status === 'timeout' ? 'timed out' : 'failed'}: ${errorText(error)}`),
          entry,
        );
      else if (entry.critical) {
        this.stopped = `critical hook '${entry.name}' ${status === 'timeout' ? 'timed out' : 'failed'}`;
        this.criticalStop = true;
      }
      return;
    }
    const type = result!.type;
    if (type === 'continue' || type === 'skipped') return;
    if (type === 'modified') {
      const data = (result as { data: Record<string, unknown> }).data;
      this.ctx.data = { ...this.ctx.data, ...data };
      this.changes = this.changes === undefined ? { ...data } : assignOwn(this.changes, data);
      return;
    }
    this.keep(i, result!);
    if (type === 'cancel' || type === 'replace') this.stop(i, result!, entry);
  }

  private stop(i: number, decision: HookResult, entry: HookEntry): void {
    this.keep(i, decision);
    this.stopped = `chain stopped by '${entry.name}' (${decision.type})`;
  }

  private end(): void {
    this.waitingOn?.remove(this);
    const { results, abortReason } = this;
    // A chain of plain continues (the common case) has no results to rank.
    const decision =
      abortReason !== undefined
        ? HookResult.cancel(abortReason)
        : results === undefined && this.changes === undefined
          ? CONTINUE
          : decide(results ?? NONE, this.changes);
    this.complete(
      decision,
      this.ctx.data,
      results === undefined ? NONE : directivesOf(results),
      NONE,
      this.now,
    );
  }

  private newEpoch(): void {
    const epoch = ++this.epoch;
    this.onValue = (value: unknown) => {
      if (this.epoch === epoch) this.settled(value, undefined, false);
    };
    this.onError = (error: unknown) => {
      if (this.epoch === epoch) this.settled(undefined, error, true);
    };
  }

  /** The pending hook's promise settled in time. */
  private settled(value: unknown, error: unknown, failed: boolean): void {
    const entry = this.entry!;
    this.entry = undefined;
    // The run stays in the deadline list: the next async hook refreshes its deadline in place,
    // end() unlinks it. No timer can run in between (all of it is this one synchronous turn).
    if (failed) this.settle(entry, 'error', undefined, error, this.start, this.execId);
    else {
      const result = this.resultOf(entry, value);
      if (result instanceof HookError)
        this.settle(entry, 'error', undefined, result, this.start, this.execId);
      else this.settle(entry, 'ok', result, undefined, this.start, this.execId);
    }
    this.advance();
  }

  /** DeadlineWaiter: the pending hook outlived its timeout. */
  onDeadline(): void {
    const entry = this.entry;
    if (entry === undefined) return; // listed between two hooks: cannot happen across a timer turn
    const timeoutMs = this.list!.timeoutMs;
    this.abandon();
    const error = new DOMException(
      `hook '${entry.name}' at ${this.plan.point} timed out after ${timeoutMs} ms`,
      'TimeoutError',
    );
    this.controller?.abort(error);
    this.settle(entry, 'timeout', undefined, error, this.start, this.execId);
    this.advance();
  }

  protected onFireAbort(reason: string): void {
    this.abortReason = reason;
    const entry = this.entry;
    if (entry === undefined) return; // not waiting on a hook: the loop sees abortReason
    this.list!.remove(this);
    this.abandon();
    const error = this.fireSignal?.reason ?? new DOMException(reason, 'AbortError');
    this.controller?.abort(error);
    this.settle(entry, 'error', undefined, error, this.start, this.execId);
    this.advance();
  }

  /** Forgets the pending hook: its late settlement reaches callbacks of an old epoch. */
  private abandon(): void {
    this.entry = undefined;
    this.epoch++;
    this.onValue = undefined;
    this.onError = undefined;
  }
}
