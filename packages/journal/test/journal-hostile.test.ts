import { safeStringify } from '@hookspell/core';
import type { FireRecorder, RecordedFire, RecordedHook } from '@hookspell/hooks';
import { type HookError, HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { SqliteStorage, type StorageBackend } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { HookJournal, type HookJournalOptions, type JournalEntry, ReplayEngine } from '../src/index.js';
import { sleep } from './helpers.js';
import {
  expectStoredAs,
  expectStoredError,
  HOSTILE,
  type HostileKind,
  withoutUnhandledRejections,
} from './journal-hostile-values.js';

// Issue 14, item 1 (the journal part): one entry whose hook threw or returned a hostile value used
// to make the background write fail — the whole batch lost, onError not told, an unhandled
// rejection. Every case runs on the real SQLite backend.

type How = 'throws' | 'rejects' | 'modified' | 'replace';
const HOWS: readonly How[] = ['throws', 'rejects', 'modified', 'replace'];

/** A journal on SQLite attached to an executor whose `bad` hook does what `current` says. */
function setup(
  options: HookJournalOptions = {},
  storage: StorageBackend = SqliteStorage({ path: ':memory:' }),
) {
  const registry = new HookRegistry();
  const current: { kind?: HostileKind; how?: How } = {};
  registry.register('BeforeToolExecution', (ctx) => HookResult.modified({ seen: ctx.data.cmd }), {
    name: 'good',
  });
  registry.register(
    'BeforeToolExecution',
    () => {
      const { kind, how } = current;
      if (kind === undefined) return undefined;
      const value = kind.make();
      if (how === 'throws') throw value;
      if (how === 'rejects') return Promise.reject(value);
      if (how === 'modified') return HookResult.modified({ v: value });
      return HookResult.replace(value);
    },
    // No breaker: every fire must run the hostile hook, not skip it after three failures.
    { name: 'bad', breaker: false },
  );
  registry.register(
    'BeforeToolExecution',
    (ctx) => HookResult.modified({ after: Object.keys(ctx.data).length }),
    {
      name: 'later',
    },
  );
  const executor = new HookExecutor(registry);
  const errors: [HookError, number][] = [];
  const journal = new HookJournal(storage, { onError: (e, lost) => errors.push([e, lost]), ...options });
  journal.attach(executor);
  return { registry, executor, journal, errors, current, storage };
}

/** Fires once; a fire must settle (well within the 5 s default hook timeout plus slack). */
async function fire(executor: HookExecutor, cmd: string, correlationId: string) {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fire '${cmd}' did not settle`)), 15_000);
  });
  try {
    return await Promise.race([
      executor.fire('BeforeToolExecution', { data: { cmd } }, { correlationId }),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function entriesOf(journal: HookJournal, correlationId: string): Promise<JournalEntry[]> {
  return (await journal.query({ correlationId, limit: 100 })).entries;
}

describe('HookJournal with hostile hook values (SQLite)', () => {
  for (const kind of HOSTILE) {
    for (const how of HOWS) {
      it(`a hook that ${how} ${kind.label}: its entry is stored described, the batch's other entries are kept, onError is not told`, async () => {
        await withoutUnhandledRejections(async () => {
          const { executor, journal, errors, current } = setup({ flushIntervalMs: 5 });
          // One batch: a well-behaved fire, the hostile one, another well-behaved one.
          await fire(executor, 'before', 'ok-1');
          Object.assign(current, { kind, how });
          const out = await fire(executor, 'hostile', 'bad');
          current.kind = undefined;
          await fire(executor, 'after', 'ok-2');
          expect(out.records.map((r) => r.name)).toEqual(['good', 'bad', 'later']);
          // The background writer (no flush() call: the timer writes, as in a real run).
          for (let i = 0; i < 200 && journal.stats().pending > 0; i++) await sleep(10);
          await sleep(20);
          expect(errors).toEqual([]);
          expect(journal.stats()).toMatchObject({ pending: 0, committed: 9, failed: 0 });

          for (const id of ['ok-1', 'ok-2']) {
            const entries = await entriesOf(journal, id);
            expect(entries.map((e) => [e.hook, e.status])).toEqual([
              ['good', 'ok'],
              ['bad', 'ok'],
              ['later', 'ok'],
            ]);
            expect(entries[0]!.result).toEqual({
              type: 'modified',
              data: { seen: id === 'ok-1' ? 'before' : 'after' },
            });
          }
          const entries = await entriesOf(journal, 'bad');
          expect(entries.map((e) => e.executionId)).toEqual(out.records.map((r) => r.executionId));
          expect(entries.map((e) => e.status)).toEqual(out.records.map((r) => r.status));
          const bad = entries[1]!;
          if (how === 'throws' || how === 'rejects') {
            expect(bad.status).toBe('error');
            expectStoredError(kind, bad.error);
          } else if (how === 'modified') {
            expect(bad.result?.type).toBe('modified');
            expectStoredAs(kind, (bad.result as { data: Record<string, unknown> }).data, 'v');
            // The later hook saw the merged value: its context holds the same description (an
            // Error at the top of data is kept as { name, message }, as errors at error points are).
            if (kind.label.startsWith('an Error whose')) {
              expect(entries[2]!.context.data.v).toMatchObject({
                name: 'Error',
                message: expect.any(String),
              });
            } else {
              expectStoredAs(kind, entries[2]!.context.data, 'v');
            }
          } else {
            expect(bad.result?.type).toBe('replace');
            expectStoredAs(kind, bad.result as unknown as Record<string, unknown>, 'value');
          }
          await journal.close();
        });
      });
    }
  }

  it('replays a described entry consistently: the same hostile value compares identical', async () => {
    await withoutUnhandledRejections(async () => {
      const { executor, journal, current } = setup();
      const replays = new ReplayEngine(journal, executor);
      for (const kind of HOSTILE) {
        for (const how of ['modified', 'replace', 'throws'] as const) {
          Object.assign(current, { kind, how });
          const out = await fire(executor, kind.label, `replay-${how}`);
          const id = out.records[1]!.executionId;
          const exact = await replays.replay(id);
          expect(
            exact.comparison.identical,
            `${kind.label} ${how}: ${JSON.stringify(exact.comparison.differences)}`,
          ).toBe(true);
          const simulated = await replays.replay(id, { mode: 'simulate' });
          expect(simulated.comparison.identical).toBe(true);
        }
      }
      current.kind = undefined;
      await journal.close();
    });
  });

  it('every fire with a hostile hook settles with one record per hook (journal attached)', async () => {
    const { executor, journal, current } = setup();
    for (const kind of HOSTILE) {
      for (const how of HOWS) {
        Object.assign(current, { kind, how });
        const out = await fire(executor, 'x', `${kind.label}/${how}`);
        expect(out.records).toHaveLength(3);
      }
    }
    await journal.close();
  });
});

/** A journal fed finished fires directly (what `executor.attachRecorder` hands it). */
function recorderOf(journal: HookJournal): FireRecorder {
  let recorder: FireRecorder | undefined;
  journal.attach({
    attachRecorder: (r: FireRecorder) => {
      recorder = r;
      return () => {};
    },
  } as unknown as HookExecutor);
  return recorder!;
}

const heads = new Map<string, RecordedHook>();
const headOf = (name: string): RecordedHook => {
  let head = heads.get(name);
  if (head === undefined) heads.set(name, (head = { name, version: '1.0.0' } as RecordedHook));
  return head;
};

let fires = 0;
/** A finished fire of one hook named `name`, with the given parts (each may be hostile). */
function recordedFire(
  name: string,
  parts: Partial<{
    result: unknown;
    error: unknown;
    data: unknown;
    meta: unknown;
    component: unknown;
    operation: unknown;
  }>,
): RecordedFire {
  const id = `testproc-${(++fires).toString(36)}`;
  return {
    point: 'BeforeToolExecution',
    mode: 'sequential',
    component: (parts.component ?? { type: 'tool', name: 't' }) as RecordedFire['component'],
    language: 'native',
    correlationId: id,
    operation: parts.operation as RecordedFire['operation'],
    timestamp: 0,
    // The journal reads a plan entry's name and version (and its identity, for segment heads).
    entries: [headOf(name)],
    records: [
      {
        hookId: `${name}:1.0.0`,
        name,
        executionId: `${id}.0`,
        status: parts.error === undefined ? 'ok' : 'error',
        result: parts.result as never,
        error: parts.error,
        startedAt: 1,
        durationMs: 2,
      },
    ],
    views: [(parts.data ?? { cmd: name }) as Record<string, unknown>],
    metas: [(parts.meta ?? {}) as Record<string, string>],
  };
}

describe('HookJournal input path: hostile values wherever a fire carries them', () => {
  it('stores every entry, describing each part JSON cannot hold, whatever part of the fire holds it', async () => {
    await withoutUnhandledRejections(async () => {
      const errors: HookError[] = [];
      const journal = new HookJournal(SqliteStorage({ path: ':memory:' }), {
        flushIntervalMs: 5,
        onError: (e) => errors.push(e),
      });
      const recorder = recorderOf(journal);
      const recorded: RecordedFire[] = [];
      const feed = (f: RecordedFire) => {
        recorded.push(f);
        recorder.record(f);
      };
      feed(recordedFire('plain', {}));
      for (const kind of HOSTILE) {
        feed(recordedFire('error', { error: kind.make() }));
        feed(recordedFire('result', { result: kind.make() }));
        feed(recordedFire('data', { data: kind.make() }));
        feed(recordedFire('in-data', { data: { v: kind.make() } }));
        feed(recordedFire('meta', { meta: { v: kind.make() } }));
        feed(recordedFire('operation', { operation: kind.make() }));
        feed(recordedFire('component', { component: { type: 'tool', name: 'c', extra: kind.make() } }));
      }
      feed(recordedFire('plain', {}));
      for (let i = 0; i < 200 && journal.stats().pending > 0; i++) await sleep(10);
      expect(errors).toEqual([]);
      expect(journal.stats()).toMatchObject({ committed: recorded.length, failed: 0 });
      for (const f of recorded) {
        const entry = await journal.get(f.records[0]!.executionId);
        expect(entry, f.records[0]!.name).toBeDefined();
        // What is stored is JSON all the way down.
        expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
      }
      const [first] = (await journal.query({ hook: 'plain' })).entries;
      expect(first!.context.data).toEqual({ cmd: 'plain' });
      const errorEntries = (await journal.query({ hook: 'error', limit: 100 })).entries;
      HOSTILE.forEach((kind, k) => {
        expectStoredError(kind, errorEntries[k]!.error);
      });
      const inData = (await journal.query({ hook: 'in-data', limit: 100 })).entries;
      HOSTILE.forEach((kind, k) => {
        // Top-level Errors in data are kept as { name, message } (as before); the rest as in results.
        if (kind.label.startsWith('an Error whose')) {
          expect(inData[k]!.context.data.v).toMatchObject({
            name: expect.any(String),
            message: expect.any(String),
          });
        } else {
          expectStoredAs(kind, inData[k]!.context.data, 'v');
        }
      });
      await journal.close();
    });
  });

  it('a hook that puts a throwing getter into ctx.metadata: the fire still settles, the metadata is stored described', async () => {
    await withoutUnhandledRejections(async () => {
      const { executor, journal, errors, registry } = setup();
      registry.register(
        'BeforeToolExecution',
        (ctx) => {
          Object.defineProperty(ctx.metadata, 'evil', {
            enumerable: true,
            get() {
              throw new Error('metadata getter');
            },
          });
        },
        { name: 'meta', priority: 'highest' },
      );
      const out = await fire(executor, 'x', 'meta-1');
      expect(out.records.map((r) => [r.name, r.status])).toEqual([
        ['meta', 'ok'],
        ['good', 'ok'],
        ['bad', 'ok'],
        ['later', 'ok'],
      ]);
      await journal.flush();
      expect(errors).toEqual([]);
      const entries = await entriesOf(journal, 'meta-1');
      expect(entries).toHaveLength(4);
      expect(entries[0]!.context.metadata).toEqual({});
      expect(entries[1]!.context.metadata).toEqual({
        evil: { unserializable: true, type: 'unreadable', reason: 'reading it threw Error: metadata getter' },
      });
      await journal.close();
    });
  });

  it('a filter that throws keeps the entries and tells onError once per batch (nothing lost)', async () => {
    const errors: [HookError, number][] = [];
    const { executor, journal } = setup({
      filter: (e) => {
        if (e.hook === 'bad') throw new Error('filter bug');
        return true;
      },
      onError: (e, lost) => errors.push([e, lost]),
    });
    await fire(executor, 'x', 'f1');
    await fire(executor, 'y', 'f2');
    await journal.flush();
    expect(await journal.size()).toBe(6);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0].code).toBe('HOOKSPELL_JOURNAL_WRITE_FAILED');
    expect(errors[0]![0].message).toMatch(
      /`filter` threw for 2 entries \(Error: filter bug\); they were recorded anyway/,
    );
    expect(errors[0]![1]).toBe(0);
    await journal.close();
  });

  it('an entry over maxEntryBytes keeps its ids and status, its largest parts described; the batch is kept', async () => {
    const errors: HookError[] = [];
    const { executor, journal, registry } = setup({ maxEntryBytes: 10_000, onError: (e) => errors.push(e) });
    // Bytes, not characters: 4 000 characters of 3 bytes each are 12 000 bytes.
    registry.register('BeforeToolExecution', () => HookResult.modified({ wide: '日'.repeat(4_000) }), {
      name: 'wide',
    });
    registry.register('BeforeToolExecution', () => HookResult.replace('x'.repeat(50_000)), { name: 'big' });
    const out = await fire(executor, 'small', 'big-1');
    await fire(executor, 'small', 'big-2');
    await journal.flush();
    expect(errors).toEqual([]);
    const entries = await entriesOf(journal, 'big-1');
    expect(entries.map((e) => e.executionId)).toEqual(out.records.map((r) => r.executionId));
    const big = entries.find((e) => e.hook === 'big')!;
    expect(big.status).toBe('ok');
    expect(big.result).toEqual({
      unserializable: true,
      type: 'too-large',
      reason: expect.stringMatching(
        /^its JSON was 500\d\d bytes; a journal entry may have at most 10000 \(maxEntryBytes\)$/,
      ),
    });
    expect(entries.find((e) => e.hook === 'wide')!.result).toMatchObject({ type: 'too-large' });
    expect(entries.find((e) => e.hook === 'good')!.result).toEqual({
      type: 'modified',
      data: { seen: 'small' },
    });
    expect(await journal.size()).toBe(10);
    await journal.close();
  });

  it('a batch of large entries is split into segments that each fit a storage value', async () => {
    // A store that refuses values over 16 MiB: one segment of these 100 entries would be 30 MB.
    const storage = SqliteStorage({ path: ':memory:', maxValueBytes: 16 * 1024 * 1024 });
    const errors: HookError[] = [];
    const journal = new HookJournal(storage, { onError: (e) => errors.push(e) });
    const recorder = recorderOf(journal);
    const big = 'y'.repeat(300_000);
    for (let i = 0; i < 100; i++) recorder.record(recordedFire(`h${i % 3}`, { data: { big, i } }));
    await journal.flush();
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(await journal.size()).toBe(100);
    expect((await storage.list('journal/g/')).length).toBeGreaterThan(1);
    const all = (await journal.query({ limit: 100 })).entries;
    expect(all.map((e) => e.context.data.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await journal.close();
    await storage.close();
  });
});

describe('safeStringify', () => {
  it('writes what JSON.stringify writes when it can, and describes only the parts it cannot', () => {
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { a: [1, { b: 2n }] };
    cyclic.self = { back: cyclic, shared, again: shared };
    const value = {
      date: new Date(0),
      list: [undefined, () => 1, Symbol('x')],
      cyclic,
      fn: () => 1,
      n: Number.NaN,
    };
    expect(JSON.parse(safeStringify(value)!)).toEqual({
      date: '1970-01-01T00:00:00.000Z',
      list: [null, null, null],
      cyclic: {
        a: [1, { b: { unserializable: true, type: 'bigint', reason: 'a BigInt (2n); JSON has no BigInt' } }],
        self: {
          back: { unserializable: true, type: 'circular', reason: expect.any(String) },
          shared: { s: 1 },
          again: { s: 1 },
        },
      },
      n: null,
    });
    expect(safeStringify(undefined)).toBeUndefined();
    expect(safeStringify(10n)).toBe(
      JSON.stringify({ unserializable: true, type: 'bigint', reason: 'a BigInt (10n); JSON has no BigInt' }),
    );
    let deep: unknown = 1n;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const text = safeStringify(deep)!;
    expect(text).toContain('"type":"too-deep"');
    const toJSONThrows = {
      ok: 1,
      inner: {
        toJSON: () => {
          throw new RangeError('nope');
        },
      },
    };
    expect(JSON.parse(safeStringify(toJSONThrows)!)).toEqual({
      ok: 1,
      inner: { unserializable: true, type: 'unreadable', reason: 'its toJSON() threw RangeError: nope' },
    });
  });
});
