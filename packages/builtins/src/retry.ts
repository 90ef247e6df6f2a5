import { type HookContext, HookResult } from '@hookspell/hooks';
import type { IBackoffFactory } from 'cockatiel';
import {
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  positiveOption,
} from './builtin-hook.js';
import { loadCockatiel } from './lazy-deps.js';

/** The original's retryable error kinds. */
export const RETRYABLE_ERRORS: readonly string[] = Object.freeze([
  'connection_error',
  'timeout',
  'service_unavailable',
  'internal_server_error',
  'rate_limit',
]);

/** Jitter of the exponential backoff: cockatiel's no / full / half ("equal") / decorrelated generators. */
export type RetryJitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface RetryOptions extends BuiltinOptions {
  /** Attempts in all, the first included. @default 3 */
  maxAttempts?: number;
  /** First delay. @default 100 */
  initialDelayMs?: number;
  /** @default 60000 */
  maxDelayMs?: number;
  /** @default 'none' (100, 200, 400 ms …, doubling as cockatiel's exponential generators do) */
  jitter?: RetryJitter;
  /** Any cockatiel backoff instead of the exponential one (e.g. `new ConstantBackoff(500)`). */
  backoff?: IBackoffFactory<unknown>;
  /** Error kinds that are retried. @default RETRYABLE_ERRORS */
  retryableErrors?: readonly string[];
  /** Your classifier: the kind of an error (undefined when unknown); tried before the built-in one. */
  classify?: (error: unknown) => string | undefined;
  /** At after-points: the error kind a result stands for (e.g. `{ status: 503 }`), if any. @default statusKind of `result.status` / `result.error` */
  classifyResult?: (result: unknown) => string | undefined;
}

/** What `retry()` returns. */
export interface RetryHook extends BuiltinHook {
  /** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
  delayFor(attempt: number): number;
  /** The kind of an error, as the hook classifies it. */
  classify(error: unknown): string | undefined;
}

/**
 * Answers `retry(delay, maxAttempts)` at error points (and after-points whose result stands for a
 * failure) when the error is retryable — `connection_error`, `timeout`, `service_unavailable`,
 * `internal_server_error`, `rate_limit` by default — and attempts are left; the delay is
 * cockatiel's exponential backoff (100 ms × 2 up to 60 s) with the chosen jitter. `executor.wrap()`
 * performs the retry. Writes `retry_attempt`, `retry_delay_ms`, `retry_reason`. Priority `high`.
 *
 * @example
 * ```ts
 * retry({ maxAttempts: 4, jitter: 'full' }).register(registry); // ToolError, AgentError, After*Execution
 * const call = executor.wrap(callModel, { after: 'AfterAgentExecution', error: 'AgentError' });
 * await call(prompt); // a 503 is retried after ~100, ~200, ~400 ms
 * ```
 */
export function retry(options: RetryOptions = {}): RetryHook {
  const { jitter = 'none', retryableErrors = RETRYABLE_ERRORS } = options;
  const maxAttempts = positiveOption(options.maxAttempts, 3, 'retry', 'maxAttempts');
  check(Number.isInteger(maxAttempts), 'retry', '`maxAttempts` must be an integer ≥ 1.');
  const initialDelay = positiveOption(options.initialDelayMs, 100, 'retry', 'initialDelayMs', true);
  const maxDelay = positiveOption(options.maxDelayMs, 60_000, 'retry', 'maxDelayMs', true);
  const generator = generatorOf(jitter);
  check(generator !== undefined, 'retry', "`jitter` must be 'none', 'full', 'equal' or 'decorrelated'.");
  const factory: IBackoffFactory<unknown> =
    options.backoff ??
    new (loadCockatiel().ExponentialBackoff)({
      initialDelay,
      maxDelay,
      exponent: 2,
      generator: generator as never,
    });
  const retryable = new Set(retryableErrors);

  // Each attempt is its own fire, so the backoff is walked from its start to the attempt's step:
  // the no-jitter delays are exact, jittered ones are fresh draws from the same distribution.
  const delayFor = (attempt: number): number => {
    let backoff = factory.next(undefined);
    for (let i = 1; i < attempt; i++) backoff = backoff.next(undefined);
    return Math.max(0, Math.round(backoff.duration));
  };
  const classify = (error: unknown): string | undefined => options.classify?.(error) ?? errorKind(error);
  const classifyResult = options.classifyResult ?? resultKind;

  const execute = (ctx: HookContext): HookResult | undefined => {
    const data = ctx.data;
    let kind: string | undefined;
    if (data.error !== undefined) kind = classify(data.error);
    else if ('result' in data) kind = classifyResult(data.result);
    if (kind === undefined || !retryable.has(kind)) return undefined;
    const attempt = typeof data.attempt === 'number' ? data.attempt : 1;
    if (attempt >= maxAttempts) return undefined;
    const delay = delayFor(attempt);
    ctx.metadata.retry_attempt = String(attempt + 1);
    ctx.metadata.retry_delay_ms = String(delay);
    ctx.metadata.retry_reason = kind;
    return HookResult.retry(delay, maxAttempts);
  };

  return defineBuiltin(
    {
      name: 'retry',
      priority: 'high',
      points: ['ToolError', 'AgentError', 'AfterToolExecution', 'AfterAgentExecution'],
      options,
      execute,
    },
    { delayFor, classify },
  );
}

/** cockatiel's generator for a jitter name (cockatiel is loaded on first use, see lazy-deps.ts). */
function generatorOf(jitter: string): unknown {
  const c = loadCockatiel();
  const generators: Record<string, unknown> = {
    none: c.noJitterGenerator,
    full: c.fullJitterGenerator,
    equal: c.halfJitterGenerator,
    decorrelated: c.decorrelatedJitterGenerator,
  };
  return Object.hasOwn(generators, jitter) ? generators[jitter] : undefined;
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** The kind of a thrown value from its `code`, `name`, HTTP `status`/`statusCode`, or message. */
export function errorKind(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return typeof error === 'string' && RETRYABLE_ERRORS.includes(error) ? error : undefined;
  }
  const e = error as {
    code?: unknown;
    name?: unknown;
    status?: unknown;
    statusCode?: unknown;
    message?: unknown;
    kind?: unknown;
  };
  if (typeof e.kind === 'string') return e.kind;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) {
    if (RETRYABLE_ERRORS.includes(code.toLowerCase())) return code.toLowerCase();
    if (CONNECTION_CODES.has(code)) return 'connection_error';
    if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'HOOKSPELL_TOOL_TIMEOUT')
      return 'timeout';
  }
  if (e.name === 'TimeoutError') return 'timeout';
  const status =
    typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) return statusKind(status);
  if (typeof e.message === 'string' && /\btimed? ?out\b/i.test(e.message)) return 'timeout';
  return undefined;
}

/** The kind an HTTP status stands for (408/504 timeout, 429 rate_limit, 500, 502/503 unavailable). */
export function statusKind(status: number): string | undefined {
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 500) return 'internal_server_error';
  if (status === 502 || status === 503) return 'service_unavailable';
  return undefined;
}

function resultKind(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as { status?: unknown; statusCode?: unknown; error?: unknown };
  const status =
    typeof r.status === 'number' ? r.status : typeof r.statusCode === 'number' ? r.statusCode : undefined;
  if (status !== undefined) return statusKind(status);
  return r.error === undefined ? undefined : errorKind(r.error);
}
