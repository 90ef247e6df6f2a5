import type { HookOutcome } from '@hookspell/hooks';
import { AnswerBuilder, partsOf, streamOf } from './answer-stream.js';
import { type BeforeStep, type CallState, RETRY } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode, CallCancelledError, type CallPhase } from './errors.js';
import { type CallGuard, cacheOf } from './guarded-call.js';
import type { ModelCall } from './model-call.js';
import type { GenerateResult, StreamPart, StreamResult } from './model-types.js';
import type { CallScope } from './options.js';
import { messageOf } from './reporter.js';

type Step = Extract<BeforeStep<GenerateResult>, { done: false }>;

/**
 * A streamed model call in `'observe'` mode. Before-hooks run (and may cancel, change, replace,
 * retry, redirect) before the model is asked for its stream, so before the first chunk; a failure
 * to open the stream goes through `AgentError` with every result honoured. Then chunks pass as they
 * come, and once the stream ends the after-hooks see the final text and usage, before `finish` is
 * passed on. What they answer can no longer change what was sent: `cancel` adds an `error` part,
 * the other results are reported (`onWarning`, once per hook and result type).
 */
export function observeStream(
  guard: CallGuard<GenerateResult>,
  call: ModelCall,
  warned: Set<string>,
): Promise<StreamResult> {
  // In the call's trace scope: the pump, started inside, keeps it for the after fire at the end.
  return guard.within(call, (scope) => observed(guard, call, warned, scope));
}

async function observed(
  guard: CallGuard<GenerateResult>,
  call: ModelCall,
  warned: Set<string>,
  scope: CallScope | undefined,
): Promise<StreamResult> {
  const state = guard.start(call, scope);
  try {
    for (let n = 1; ; n++) {
      state.attempts = n;
      const step = await guard.before(state, n);
      if (step === RETRY) continue;
      if (step.done) {
        state.source = step.source;
        guard.finished(state, step.value);
        return { stream: streamOf(partsOf(step.value)) };
      }
      let opened: StreamResult;
      try {
        if (step.redirect === undefined)
          opened = await call.model.doStream(call.paramsFor(step.data, step.outcome));
        else {
          state.source = 'redirect';
          const other = await call.redirectModel(step.redirect, 'before');
          opened = await other.doStream(call.paramsFor(step.data, step.outcome));
        }
      } catch (thrown) {
        if (step.forked !== undefined) guard.options.onFork?.(await step.forked, 'before');
        const recovered = await guard.error(state, n, step.data, thrown);
        if (recovered === RETRY) continue;
        guard.finished(state, recovered);
        return { stream: streamOf(partsOf(recovered)) };
      }
      return { ...opened, stream: observe(opened.stream, guard, state, n, step, warned) };
    }
  } catch (error) {
    guard.failed(state, error);
    throw error;
  }
}

/**
 * How many parts the observer reads ahead of the caller, and how many must have been read before
 * it reads on once it is that far ahead. Why read ahead: a pass-through stage that reads one part
 * per pull hands every part over twice in lockstep (the caller's read waits on the stage's read);
 * a pump that reads while there is room lets the caller find parts already queued — about a third
 * less per part on Node 20 (benchmarks/README.md, "integrations"). Bounded, so a slow caller still
 * holds a fast model back (backpressure) with at most READ_AHEAD parts in between.
 */
const READ_AHEAD = 32;
const RESUME_AT = READ_AHEAD / 2;

function observe(
  source: ReadableStream<StreamPart>,
  guard: CallGuard<GenerateResult>,
  state: CallState<GenerateResult>,
  n: number,
  step: Step,
  warned: Set<string>,
): ReadableStream<StreamPart> {
  const reader = source.getReader();
  const builder = new AnswerBuilder();
  let finish: StreamPart | undefined;
  let room: (() => void) | undefined;
  // How much room (desiredSize) wakes the pump: RESUME_AT when it is ahead, READ_AHEAD (an empty
  // queue) when it holds an error back until the parts read before it were taken.
  let wakeAt = RESUME_AT;
  let cancelled = false;
  const waitForRoom = (size: number) =>
    new Promise<void>((resolve) => {
      wakeAt = size;
      room = resolve;
    });

  const pump = async (controller: ReadableStreamDefaultController<StreamPart>): Promise<void> => {
    for (;;) {
      if ((controller.desiredSize ?? 0) <= 0) {
        await waitForRoom(RESUME_AT);
        if (cancelled) return;
      }
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        if (cancelled) return;
        // controller.error() drops what is queued: the caller first gets what came before the error.
        while ((controller.desiredSize ?? READ_AHEAD) < READ_AHEAD) {
          await waitForRoom(READ_AHEAD);
          if (cancelled) return;
        }
        await failedMidStream(guard, state, n, step, error, warned);
        controller.error(error);
        return;
      }
      // The caller cancelled: the answer is incomplete, no after-hooks run on it.
      if (cancelled) return;
      if (next.done) {
        if (builder.hasError) await failedMidStream(guard, state, n, step, builder.error, warned);
        else {
          const stopped = await settle(guard, state, n, step, builder.result(), warned);
          if (stopped !== undefined) controller.enqueue({ type: 'error', error: stopped });
        }
        if (finish !== undefined) controller.enqueue(finish);
        controller.close();
        return;
      }
      builder.add(next.value);
      // `finish` waits for the after-hooks: the caller's onFinish comes after them.
      if (next.value.type === 'finish') finish = next.value;
      else controller.enqueue(next.value);
    }
  };

  return new ReadableStream<StreamPart>(
    {
      start(controller) {
        // Never rejects into nowhere: a failure after the caller cancelled has no one to go to.
        pump(controller).catch((error) => {
          if (!cancelled) controller.error(error);
        });
      },
      pull(controller) {
        if (room !== undefined && (controller.desiredSize ?? 0) >= wakeAt) {
          const wake = room;
          room = undefined;
          wake();
        }
      },
      cancel: (reason) => {
        cancelled = true;
        // The call ends here for its trace (no after fire, no lifecycle event: nothing finished).
        guard.endScope(state, { error: new Error('the caller cancelled the stream') });
        room?.();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: READ_AHEAD },
  );
}

/** The after fire of a complete streamed answer; returns the error to report when a hook cancelled. */
async function settle(
  guard: CallGuard<GenerateResult>,
  state: CallState<GenerateResult>,
  n: number,
  step: Step,
  result: GenerateResult,
  warned: Set<string>,
): Promise<unknown> {
  try {
    const forks = step.forked === undefined ? undefined : await step.forked;
    if (forks !== undefined) guard.options.onFork?.(forks, 'before');
    const given = guard.adapter.afterData(step.data, result, state.call);
    given.attempt = n;
    if (forks !== undefined) given.forks = forks;
    const o = await guard.fire(state, 'after', guard.adapter.points.after, given);
    if (o.decision.type === 'cancel') {
      const error = new CallCancelledError('model', state.call.target, 'after', o, o.decision.reason);
      guard.failed(state, error);
      return error;
    }
    ignored(guard, state, o, 'after', warned);
    guard.remember(cacheOf(o), result);
    guard.remember(step.cache, result);
    const afterForks = guard.forks(o, step.data, 'after');
    if (afterForks !== undefined) guard.options.onFork?.(await afterForks, 'after');
    guard.finished(state, result);
    return undefined;
  } catch (error) {
    // E.g. a fork with no handler: reported in the stream, which still ends.
    guard.failed(state, error);
    return error;
  }
}

/** The error fire of a stream that failed after it started: observed, nothing can be undone. */
async function failedMidStream(
  guard: CallGuard<GenerateResult>,
  state: CallState<GenerateResult>,
  n: number,
  step: Step,
  error: unknown,
  warned: Set<string>,
): Promise<void> {
  const point = guard.adapter.points.error;
  try {
    if (point !== undefined) {
      const o = await guard.fire(state, 'error', point, { ...step.data, error, attempt: n });
      ignored(guard, state, o, 'error', warned);
    }
  } catch (thrown) {
    guard.reporter.warning(thrown instanceof Error ? thrown : new Error(messageOf(thrown)));
  }
  guard.failed(state, error);
}

/** How many (hook, point, result) warnings one middleware remembers; past it, no more warnings. */
const MAX_WARNED = 1000;

const IGNORED = new Set(['modified', 'replace', 'retry', 'redirect', 'cancel']);

/** Reports results a streamed answer could not act on, once per hook, point and result type. */
function ignored(
  guard: CallGuard<GenerateResult>,
  state: CallState<GenerateResult>,
  o: HookOutcome,
  phase: CallPhase,
  warned: Set<string>,
): void {
  if (o.decision.type === 'continue') return;
  for (const r of o.records) {
    const type = r.result?.type;
    if (type === undefined || !IGNORED.has(type) || (phase === 'after' && type === 'cancel')) continue;
    const key = `${r.name}\u0000${o.point}\u0000${type}`;
    // Bounded: hooks with generated names must not grow this set for ever.
    if (warned.has(key) || warned.size >= MAX_WARNED) continue;
    warned.add(key);
    const when =
      phase === 'after' ? 'whose answer was already sent' : 'which failed after its first chunks were sent';
    guard.reporter.warning(
      new AiSdkError(
        AiSdkErrorCode.STREAM_RESULT_IGNORED,
        `hook '${r.name}' answered ${type} at ${o.point} of a streamed call to model '${state.call.target}', ${when} (stream: 'observe'); the result was not acted on. Pass \`stream: 'buffer'\` to hookspellMiddleware to let after-hooks change, replace, cancel or retry a streamed answer before it is sent.`,
      ),
    );
  }
}
