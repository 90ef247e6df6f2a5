import { threw, unserializable } from '@hookspell/core';
import type { FireContext } from './hook-context.js';
import type { HookPoint } from './hook-points.js';
import type { ComponentRef, HookExecutionRecord, HookLanguage, Operation } from './types.js';

/** A planned hook as a recorder sees it. */
export interface RecordedHook {
  /** Registry id: `name@point#seq`. */
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly point: HookPoint;
  readonly language: HookLanguage;
}

/**
 * One finished fire as a recorder sees it: the plan's hooks, their records, and what each hook
 * saw. The executor never changes it after `record()`, so a recorder may keep it (the journal
 * does, until its batch is written). Each hook object is the same object for every fire while it
 * stays registered, so a recorder may key caches on it.
 */
export interface RecordedFire {
  readonly point: HookPoint;
  readonly mode: 'sequential' | 'parallel';
  readonly component: ComponentRef;
  readonly language: HookLanguage;
  readonly correlationId: string;
  readonly operation: Operation | undefined;
  /** When the fire started (executor clock). */
  readonly timestamp: number;
  readonly entries: readonly RecordedHook[];
  readonly records: readonly HookExecutionRecord[];
  /** Per hook, the `data` object it was handed (by reference: the executor never mutates it). */
  readonly views: readonly (Record<string, unknown> | undefined)[];
  /** Per hook, a copy of the metadata as it was when the hook started (hooks write it in place). */
  readonly metas: readonly (Record<string, string> | undefined)[];
}

/**
 * What an executor reports finished fires to — the hook journal, or your own (an audit trail, a
 * trace exporter). Attached with `executor.attachRecorder(recorder)`; without one the executor
 * does nothing extra but a field check.
 *
 * @example
 * ```ts
 * const detach = executor.attachRecorder({
 *   record: (fire) => console.log(fire.point, fire.records.map((r) => r.status)),
 * });
 * ```
 */
export interface FireRecorder {
  /** Called synchronously once per fire that planned hooks. Errors it throws are swallowed. */
  record(fire: RecordedFire): void;
}

/** The views/metas of a fire without a journal. */
export const NO_VIEWS: readonly never[] = Object.freeze([]);
const EMPTY_META: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * What a fire keeps for the journal: per hook, the data object it was handed (by reference: the
 * executor replaces `ctx.data` on `modified`, never writes into it) and a copy of the metadata
 * (hooks write metadata in place). Exists only while a journal is attached, so a fire without
 * one pays a single field write.
 * @internal
 */
export class FireCapture {
  readonly views: (Record<string, unknown> | undefined)[];
  readonly metas: (Record<string, string> | undefined)[];
  constructor(
    readonly recorder: FireRecorder,
    n: number,
  ) {
    this.views = new Array(n);
    this.metas = new Array(n);
  }

  take(i: number, ctx: FireContext): void {
    this.views[i] = ctx.data;
    const metadata = ctx.metadata;
    try {
      // Most fires carry no metadata: share one empty object instead of copying nothing.
      for (const _ in metadata) {
        this.metas[i] = { ...metadata };
        return;
      }
      this.metas[i] = EMPTY_META;
    } catch {
      // A hook put a getter that throws (or a Proxy) into ctx.metadata: the fire must not fail
      // because a journal is recording it.
      this.metas[i] = guardedCopy(metadata);
    }
  }
}

/** The metadata key by key, what cannot be read described (the journal stores it as such). */
function guardedCopy(metadata: Record<string, string>): Record<string, string> {
  const copy: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(metadata);
  } catch (error) {
    return {
      '(metadata)': unserializable('unreadable', `listing the metadata threw ${threw(error)}`),
    } as never;
  }
  for (const key of keys) {
    try {
      copy[key] = metadata[key];
    } catch (error) {
      copy[key] = unserializable('unreadable', `reading it threw ${threw(error)}`);
    }
  }
  return copy as Record<string, string>;
}
