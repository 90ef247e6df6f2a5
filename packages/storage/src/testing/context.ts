import { it } from 'vitest';
import { HookspellError, type StorageBackend, type StorageErrorCode } from '../index.js';

/** What every group of conformance cases receives. */
export interface ConformanceContext {
  /** The backend of the running test: freshly created and cleared. */
  readonly backend: StorageBackend;
  /** Another backend from the same factory (not cleared), closed after the test. */
  create(): Promise<StorageBackend>;
  readonly skipSlow: boolean;
}

/** Timeout of one ordinary case: generous, since remote databases may be slow to connect. */
export const CASE_TIMEOUT_MS = 30_000;
/** Timeout of one slow case (10 000 keys, 1 MiB values, 1 000 concurrent writes). */
export const SLOW_CASE_TIMEOUT_MS = 180_000;
export const SLOW_SKIP_REASON =
  'skipped because the suite was called with { skipSlow: true } (10 000-key paging, 1 MiB values and 1 000 concurrent writes are slow cases)';

/** Registers an ordinary case. */
export function testCase(title: string, fn: () => Promise<void>): void {
  it(title, fn, CASE_TIMEOUT_MS);
}

/**
 * Registers a slow case. With `skipSlow` it is skipped with a note (shown by the reporter) and a
 * printed warning, never silently.
 */
export function slowCase(ctx: ConformanceContext, title: string, fn: () => Promise<void>): void {
  it(
    `${title} [slow]`,
    async (test) => {
      if (ctx.skipSlow) {
        console.warn(`[hookspell conformance] "${title}" ${SLOW_SKIP_REASON}.`);
        test.skip(SLOW_SKIP_REASON);
      }
      await fn();
    },
    SLOW_CASE_TIMEOUT_MS,
  );
}

/**
 * Calls `action` and checks that it returns a promise rejecting with a hookspell error of `code`
 * whose message contains every one of `messageParts`. Returns the error for further checks.
 */
export async function expectStorageError(
  action: () => Promise<unknown>,
  code: StorageErrorCode,
  messageParts: readonly (string | RegExp)[] = [],
): Promise<HookspellError> {
  let promise: Promise<unknown>;
  try {
    promise = action();
  } catch (error) {
    throw new Error(
      `Expected a promise rejecting with ${code}, but the call threw synchronously: ${describeError(error)}`,
    );
  }
  if (!promise || typeof promise.then !== 'function') {
    throw new Error(`Expected a promise rejecting with ${code}, but the call returned ${String(promise)}`);
  }
  const outcome = await promise.then(
    (value) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) {
    throw new Error(
      `Expected a rejection with ${code}, but the promise resolved with ${safeJson(outcome.value)}`,
    );
  }
  const { error } = outcome;
  if (!HookspellError.hasCode(error, code)) {
    throw new Error(`Expected a hookspell error with code ${code}, got ${describeError(error)}`);
  }
  for (const part of messageParts) {
    const found = typeof part === 'string' ? error.message.includes(part) : part.test(error.message);
    if (!found) {
      throw new Error(`The ${code} error message should mention ${String(part)}; it is: ${error.message}`);
    }
  }
  return error;
}

/** Small deterministic PRNG (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy of `items` (Fisher–Yates with a seeded PRNG). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code === undefined ? '' : ` (code ${String(code)})`}: ${error.message}`;
  }
  return `a thrown ${typeof error}: ${String(error)}`;
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 197)}...` : text;
  } catch {
    return String(value);
  }
}
