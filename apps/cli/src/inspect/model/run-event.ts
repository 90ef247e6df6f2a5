/**
 * The shapes the run model reads: a stored event as JSON carries it (the server sends events as
 * stored; the static timeline passes `HookspellEvent`s, which fit), a journal span, and the
 * `dependsOn` lists of the configured hooks. No runtime imports: this folder is bundled into the
 * browser app as well as into the CLI.
 */
export interface RunEvent {
  readonly id: string;
  readonly type: string;
  readonly data?: unknown;
  readonly language?: string;
  readonly timestamp: number;
  readonly sequence: number;
  readonly metadata: {
    readonly correlationId: string;
    readonly causationId?: string | undefined;
    readonly source?: string | undefined;
    readonly target?: string | undefined;
    readonly tags?: readonly string[];
    readonly priority?: number;
    readonly ttlSeconds?: number | undefined;
  };
}

/** When a hook execution started and how long it ran, from the hook journal (exact, unlike event times). */
export interface ExecutionSpan {
  readonly startedAt: number;
  readonly durationMs: number;
}

/**
 * `dependsOn` of the hooks configured now, by point then hook name. Neither the lifecycle events
 * nor the journal record a hook's prerequisites, so the model takes them from the config.
 */
export type Dependencies = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** What a hook lifecycle event's `data` may hold (every field optional: the log is input). */
export interface LifecycleData {
  point?: unknown;
  hook?: unknown;
  hookId?: unknown;
  executionId?: unknown;
  mode?: unknown;
  hooks?: unknown;
  decision?: unknown;
  durationMs?: unknown;
  error?: unknown;
  fireSeq?: unknown;
  state?: unknown;
  reason?: unknown;
  result?: unknown;
}

const OWN_ID = /^([0-9a-z]+-[0-9a-f]{8}-)\d{1,15}$/;

/**
 * The process an event came from: the prefix of ids made by hookspell (`lx3k9a-1f2e3d4c-`), or
 * '' for ids of another scheme — the same rule as the events package's timeline, so fires of
 * two processes under one correlation (each counting fires from 1) stay apart.
 */
export function processOf(id: string): string {
  return OWN_ID.exec(id)?.[1] ?? '';
}

/** The object under `data`, or an empty one. */
export function dataOf(event: RunEvent): LifecycleData {
  const data = event.data;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as LifecycleData) : {};
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The key of the fire a lifecycle event belongs to: its process and its `fireSeq`. */
export function fireKeyOf(event: RunEvent): string | undefined {
  const seq = num(dataOf(event).fireSeq);
  return seq === undefined ? undefined : `${processOf(event.id)}#${seq}`;
}

export const isExecution = (type: string): boolean => type.startsWith('hook.execution.');
