import { HookError, HookErrorCode } from '@hookspell/hooks';

/** How long the journal keeps executions. */
export interface RetentionPolicy {
  /** Entries older than this (by `recordedAt`) are pruned, unless `minKeep` holds them. */
  maxAgeMs?: number;
  /** At most this many entries are kept (the oldest go first). */
  maxEntries?: number;
  /** Never prune below this many entries, however old. @default 0 */
  minKeep?: number;
  /** How often retention runs in the background. @default 60000 */
  intervalMs?: number;
}

export type RetentionPreset = 'default' | 'short' | 'long';

const DAY = 86_400_000;

/**
 * The original system's presets: default 7 days / 10 000 entries / keep ≥ 100; short 1 day /
 * 1 000; long 30 days / 100 000.
 *
 * @example
 * ```ts
 * new HookJournal(storage, { retention: 'short' }); // = RETENTION_PRESETS.short
 * ```
 */
export const RETENTION_PRESETS: Readonly<Record<RetentionPreset, Readonly<RetentionPolicy>>> = Object.freeze({
  default: Object.freeze({ maxAgeMs: 7 * DAY, maxEntries: 10_000, minKeep: 100 }),
  short: Object.freeze({ maxAgeMs: DAY, maxEntries: 1_000, minKeep: 100 }),
  long: Object.freeze({ maxAgeMs: 30 * DAY, maxEntries: 100_000, minKeep: 100 }),
});

/** A preset name or a policy, checked; throws `HOOKSPELL_INVALID_ARGUMENT`. */
export function resolveRetention(retention: RetentionPreset | RetentionPolicy | undefined): RetentionPolicy {
  if (retention === undefined) return RETENTION_PRESETS.default;
  if (typeof retention === 'string') {
    const preset = RETENTION_PRESETS[retention];
    if (preset === undefined || !Object.hasOwn(RETENTION_PRESETS, retention)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`retention\` must be 'default', 'short', 'long' or a policy object; got ${JSON.stringify(retention)}.`,
      );
    }
    return preset;
  }
  for (const key of ['maxAgeMs', 'maxEntries', 'minKeep', 'intervalMs'] as const) {
    const value = retention[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`retention.${key}\` must be a number ≥ 0; got ${JSON.stringify(value)}.`,
      );
    }
  }
  return retention;
}
