import type { AnyHookExecutor } from '@hookspell/hooks';
import { type HookJournal, ReplayEngine, type ReplayMode, type ReplayResult } from '@hookspell/journal';
import type { ResolvedConfig } from '../config/types.js';
import { InspectError, InspectErrorCode } from './http-error.js';

/** What the replay endpoint takes. */
export interface ReplayRequest {
  mode: ReplayMode;
  /** `modified`: the context to run the hook on, as edited (`{ data, metadata }`). */
  context?: { data: Record<string, unknown>; metadata: Record<string, string> };
}

/** Keys a JSON object can carry that would reach an object's prototype when set one by one. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Checks a request body, with a message naming what is wrong. */
export function replayRequestOf(body: unknown): ReplayRequest {
  const bad = (message: string) => new InspectError(400, InspectErrorCode.BAD_REQUEST, message);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad(
      'the body must be a JSON object: { "mode": "exact" | "modified" | "simulate", "context"?: { "data": {…}, "metadata": {…} } }',
    );
  const { mode, context } = body as { mode?: unknown; context?: unknown };
  if (mode !== 'exact' && mode !== 'modified' && mode !== 'simulate')
    throw bad(
      `"mode" must be "exact", "modified" or "simulate" (got ${JSON.stringify(mode)?.slice(0, 100)})`,
    );
  if (mode !== 'modified') {
    if (context !== undefined) throw bad(`"context" is for mode "modified" only (got mode "${mode}")`);
    return { mode };
  }
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw bad(
      'mode "modified" needs "context": { "data": {…}, "metadata": {…} } (the stored context, edited)',
    );
  const { data, metadata } = context as { data?: unknown; metadata?: unknown };
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw bad('"context.data" must be a JSON object');
  const meta = metadata ?? {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    throw bad('"context.metadata" must be a JSON object of strings');
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value !== 'string')
      throw bad(
        `"context.metadata.${key.slice(0, 100)}" must be a string (metadata holds strings only; structured values go in data)`,
      );
  }
  for (const key of [...Object.keys(data), ...Object.keys(meta)]) {
    if (key === '' || key.includes('.') || UNSAFE_KEYS.has(key))
      throw bad(
        `the context key ${JSON.stringify(key.slice(0, 100))} cannot be replayed: top-level keys must be non-empty, without '.', and not __proto__/constructor/prototype`,
      );
  }
  return {
    mode,
    context: { data: data as Record<string, unknown>, metadata: meta as Record<string, string> },
  };
}

/**
 * The replay's `changes` that turn the stored context into `edited`: every top-level key of
 * the edited data and metadata set, every stored one that is gone deleted (the ReplayEngine
 * takes changes, not a whole context).
 */
export function changesBetween(
  stored: { data: Record<string, unknown>; metadata: Record<string, string> },
  edited: { data: Record<string, unknown>; metadata: Record<string, string> },
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const part of ['data', 'metadata'] as const) {
    for (const key of Object.keys(stored[part]))
      if (!Object.hasOwn(edited[part], key)) changes[`${part}.${key}`] = undefined;
    for (const [key, value] of Object.entries(edited[part])) changes[`${part}.${key}`] = value;
  }
  return changes;
}

type OpenRuntime = (config: ResolvedConfig) => Promise<{
  journal: HookJournal | undefined;
  executor: AnyHookExecutor;
  warnings: readonly { message: string }[];
  close(): Promise<void>;
}>;

/**
 * Replays hook executions as `hookspell replay` does: a runtime opened from the config with its
 * hooks (and scripts) registered, the same ReplayEngine, closed afterwards — so a replay runs
 * the hooks configured now. One replay at a time: each opens the storage for writing.
 */
export class ReplayService {
  readonly #config: ResolvedConfig;
  readonly #open: OpenRuntime;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config: ResolvedConfig, open: OpenRuntime) {
    this.#config = config;
    this.#open = open;
  }

  replay(executionId: string, request: ReplayRequest): Promise<ReplayResult & { warnings: string[] }> {
    const run = this.#queue.then(() => this.#replay(executionId, request));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #replay(executionId: string, request: ReplayRequest): Promise<ReplayResult & { warnings: string[] }> {
    if (!this.#config.journal.enabled) {
      throw new InspectError(
        409,
        InspectErrorCode.CONFLICT,
        'the hook journal is off in this config (journal.enabled: false): nothing was recorded to replay',
      );
    }
    const runtime = await this.#open(this.#config);
    try {
      if (runtime.journal === undefined)
        throw new InspectError(
          409,
          InspectErrorCode.CONFLICT,
          'the hook journal is off: nothing was recorded to replay',
        );
      const engine = new ReplayEngine(runtime.journal, runtime.executor);
      let changes: Record<string, unknown> | undefined;
      if (request.mode === 'modified') {
        const stored = await runtime.journal.get(executionId);
        // Not found: the engine's own lookup below says why (pruned, never recorded).
        if (stored !== undefined) changes = changesBetween(stored.context, request.context!);
      }
      const result = await engine.replay(executionId, {
        mode: request.mode,
        ...(changes !== undefined && { changes }),
      });
      return { ...result, warnings: runtime.warnings.map((w) => w.message) };
    } finally {
      await runtime.close().catch(() => {});
    }
  }
}
