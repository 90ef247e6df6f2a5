import {
  DiscardPolicy,
  type JetStreamManager,
  type RetentionPolicy,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { EventError, EventErrorCode } from '../errors.js';

// The stream behind `natsTransport({ jetstream })`: its options, checked; creating it, or checking
// that an existing one is the same; and the key partitions that keep each correlation id in order.

/** The `jetstream` option of `natsTransport`: the stream durable events are stored in. */
export interface JetStreamOptions {
  /** The stream's name (letters, digits, `_`, `-`): created when missing, checked when present. */
  stream: string;
  /**
   * Subjects the stream stores. They must cover `<subjectPrefix>.>`, where every event is published.
   * @default [`${subjectPrefix}.>`]
   */
  subjects?: string[];
  /**
   * `limits` keeps events until `maxAgeMs` (any number of groups can read them); `workqueue` drops
   * an event once one group has acknowledged it (one group per subject); `interest` drops it once
   * every group that existed when it was stored has acknowledged it. @default 'limits'
   */
  retention?: 'limits' | 'workqueue' | 'interest';
  /** Milliseconds an event is kept; `0` keeps it until the other limits. @default 86_400_000 (1 day) */
  maxAgeMs?: number;
  /** Copies of the stream in a cluster (1–5). @default 1 */
  replicas?: number;
  /**
   * Key partitions: a correlation id's events all travel on one of `partitions` subjects, which a
   * worker group handles one event at a time — the order per correlation id — while the partitions
   * run in parallel. Every process using the stream must use the same number (it is checked).
   * @default 16
   */
  partitions?: number;
  /**
   * Durable publishes waiting for JetStream's acknowledgement at once; more wait for room (up to the
   * transport's `maxWaiting`, then `HOOKSPELL_BACKPRESSURE`). @default 1024
   */
  maxInFlight?: number;
  /**
   * Milliseconds a durable publish keeps retrying (same message id, so it is stored once) while
   * the server does not answer — a restart, a lost connection — before it rejects. @default 30_000
   */
  publishTimeoutMs?: number;
}

/** {@link JetStreamOptions} with every default in place. */
export interface ResolvedJetStream {
  readonly stream: string;
  readonly subjects: readonly string[];
  readonly retention: 'limits' | 'workqueue' | 'interest';
  readonly maxAgeMs: number;
  readonly replicas: number;
  readonly partitions: number;
  readonly maxInFlight: number;
  readonly publishTimeoutMs: number;
}

const NAME = /^[A-Za-z0-9_-]{1,200}$/;

/** Throws `HOOKSPELL_INVALID_ARGUMENT` for options that cannot describe a stream. */
export function resolveJetStream(options: JetStreamOptions, prefix: string): ResolvedJetStream {
  const fail = (what: string): never => {
    throw new EventError(EventErrorCode.INVALID_ARGUMENT, `natsTransport({ jetstream }): ${what}`);
  };
  if (typeof options !== 'object' || options === null)
    fail('`jetstream` must be an object such as `{ stream: "EVENTS" }`.');
  if (typeof options.stream !== 'string' || !NAME.test(options.stream))
    fail(`\`stream\` must be 1–200 letters, digits, \`_\` or \`-\`; got ${JSON.stringify(options.stream)}.`);
  const subjects = options.subjects ?? [`${prefix}.>`];
  if (!Array.isArray(subjects) || subjects.length === 0 || !subjects.every((s) => typeof s === 'string'))
    fail('`subjects` must be a non-empty array of NATS subjects.');
  if (!subjects.some((s) => covers(s, `${prefix}.>`)))
    fail(
      `\`subjects\` ${JSON.stringify(subjects)} do not cover ${JSON.stringify(`${prefix}.>`)}, where events are published; add it.`,
    );
  const retention = options.retention ?? 'limits';
  if (!['limits', 'workqueue', 'interest'].includes(retention))
    fail(`\`retention\` must be 'limits', 'workqueue' or 'interest'; got ${JSON.stringify(retention)}.`);
  const int = (value: number | undefined, name: string, fallback: number, min: number, max: number) => {
    const v = value ?? fallback;
    if (!(Number.isInteger(v) && v >= min && v <= max))
      fail(`\`${name}\` must be an integer from ${min} to ${max}; got ${String(value)}.`);
    return v;
  };
  return {
    stream: options.stream,
    subjects,
    retention,
    maxAgeMs: int(options.maxAgeMs, 'maxAgeMs', 86_400_000, 0, Number.MAX_SAFE_INTEGER),
    replicas: int(options.replicas, 'replicas', 1, 1, 5),
    partitions: int(options.partitions, 'partitions', 16, 1, 1024),
    maxInFlight: int(options.maxInFlight, 'maxInFlight', 1024, 1, 1_000_000),
    publishTimeoutMs: int(options.publishTimeoutMs, 'publishTimeoutMs', 30_000, 0, 86_400_000),
  };
}

/** Whether subject filter `wide` matches everything `narrow` does (tokens, `*`, `>`). */
function covers(wide: string, narrow: string): boolean {
  const w = wide.split('.');
  const n = narrow.split('.');
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '>') return i < n.length;
    if (i >= n.length || n[i] === '>') return false;
    if (w[i] !== '*' && w[i] !== n[i]) return false;
  }
  return w.length === n.length;
}

// The partition count lives in the stream's description (servers before 2.10 have no metadata),
// so a process configured with another count is refused instead of breaking the order.
const DESCRIPTION = (partitions: number) => `hookspell events (partitions=${partitions})`;

/**
 * Creates the stream, or checks that the existing one has the configuration asked for. Throws
 * `HOOKSPELL_INVALID_ARGUMENT` naming every difference (nothing is changed on the server: another
 * process may depend on the current configuration).
 */
export async function ensureStream(jsm: JetStreamManager, js: ResolvedJetStream): Promise<StreamInfo> {
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(js.stream);
  } catch (error) {
    if (!/not found/i.test(String((error as Error).message))) throw error;
  }
  if (info === undefined) {
    return jsm.streams.add({
      name: js.stream,
      description: DESCRIPTION(js.partitions),
      subjects: [...js.subjects],
      retention: js.retention as RetentionPolicy,
      max_age: js.maxAgeMs * 1_000_000,
      num_replicas: js.replicas,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
    });
  }
  const c = info.config;
  const differences: string[] = [];
  const differ = (what: string, have: unknown, want: unknown) => {
    if (JSON.stringify(have) !== JSON.stringify(want))
      differences.push(`${what} is ${JSON.stringify(have)}, asked for ${JSON.stringify(want)}`);
  };
  differ('subjects', [...(c.subjects ?? [])].sort(), [...js.subjects].sort());
  differ('retention', c.retention, js.retention);
  differ('maxAgeMs', Math.round(c.max_age / 1_000_000), js.maxAgeMs);
  differ('replicas', c.num_replicas, js.replicas);
  const partitions = /partitions=(\d+)/.exec(c.description ?? '')?.[1];
  differ(
    'partitions',
    partitions === undefined ? 'none (not made by hookspell)' : Number(partitions),
    js.partitions,
  );
  if (differences.length > 0)
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `The JetStream stream ${JSON.stringify(js.stream)} exists with another configuration: ${differences.join('; ')}. Pass the stream's configuration to natsTransport({ jetstream }), or use another stream name (changing a live stream is left to its operator: \`nats stream edit ${js.stream}\`).`,
    );
  return info;
}

/** The key partition of a correlation id (FNV-1a 32-bit, modulo `partitions`). */
export function partitionOf(key: string, partitions: number): number {
  if (partitions === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
