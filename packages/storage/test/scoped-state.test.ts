import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  parseScope,
  type Scope,
  ScopedState,
  SqliteStorage,
  type StorageBackend,
  StorageError,
  StorageErrorCode,
} from '../src/index.js';
import { MAX_STATE_KEY_LENGTH } from '../src/scoped-state.js';
import { expectStorageError } from '../src/testing/index.js';
import { ROUND_TRIP_VALUES } from '../src/testing/values.js';

const root = mkdtempSync(join(tmpdir(), 'hookspell-state-'));
let files = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SCOPES: readonly Scope[] = [
  'global',
  'user:alice',
  'session:42',
  'agent:planner',
  'tool:grep',
  'workflow:deploy',
  'hook:pre-commit',
  'custom:anything.goes',
];

const INVALID_SCOPES: readonly unknown[] = [
  '',
  'Global',
  'global:x',
  'user',
  'user:',
  ':alice',
  'User:alice',
  'users:alice',
  'unknown:x',
  'user:a/b',
  'user:a\nb',
  'user:__x',
  'user:a..b',
  'user:cafe\u0301',
  `user:${'x'.repeat(513)}`,
  undefined,
  null,
  42,
  { kind: 'user', id: 'alice' },
];

describe('parseScope', () => {
  it('parses every scope kind', () => {
    expect(parseScope('global')).toStrictEqual({ kind: 'global' });
    expect(parseScope('user:alice')).toStrictEqual({ kind: 'user', id: 'alice' });
    expect(parseScope('custom:a:b')).toStrictEqual({ kind: 'custom', id: 'a:b' });
    expect(parseScope('session:\u{1F600}')).toStrictEqual({ kind: 'session', id: '\u{1F600}' });
  });

  it('rejects malformed scopes with HOOKSPELL_INVALID_SCOPE listing the accepted forms', () => {
    for (const scope of INVALID_SCOPES) {
      let error: unknown;
      try {
        parseScope(scope);
      } catch (caught) {
        error = caught;
      }
      expect(error, String(scope)).toBeInstanceOf(StorageError);
      expect((error as StorageError).code).toBe(StorageErrorCode.INVALID_SCOPE);
      expect((error as StorageError).message).toContain("Use 'global', or 'user:{id}'");
    }
  });

  it('says why an id is refused', () => {
    expect(() => parseScope('user:a/b')).toThrow(/its id contains `\/`/);
    expect(() => parseScope('user:')).toThrow(/its id must not be empty/);
    expect(() => parseScope('nope:x')).toThrow(/not one of the scope forms/);
  });
});

describe('ScopedState construction', () => {
  it('needs a backend', () => {
    for (const backend of [undefined, null, {}, 'memory']) {
      expect(() => new ScopedState(backend as unknown as StorageBackend)).toThrow(/must be a StorageBackend/);
    }
  });
});

const backends: readonly (readonly [string, () => StorageBackend])[] = [
  ['memory', () => MemoryStorage()],
  ['sqlite', () => SqliteStorage({ path: join(root, `state-${++files}.db`) })],
];

describe.each(backends)('ScopedState on %s', (_name, createBackend) => {
  let backend: StorageBackend;
  let state: ScopedState;

  beforeEach(() => {
    backend = createBackend();
    state = new ScopedState(backend);
  });
  afterEach(() => backend.close());

  it('saves, loads, checks, lists and deletes in every scope kind', async () => {
    for (const scope of SCOPES) {
      expect(await state.load(scope, 'theme')).toBeUndefined();
      expect(await state.has(scope, 'theme')).toBe(false);
      await state.save(scope, 'theme', { dark: true, scope });
      await state.save(scope, 'b/nested key', 2);
      await state.save(scope, 'a', null);
      expect(await state.load(scope, 'theme')).toStrictEqual({ dark: true, scope });
      expect(await state.has(scope, 'a')).toBe(true);
      expect(await state.listKeys(scope)).toStrictEqual(['a', 'b/nested key', 'theme']);
      expect(await state.delete(scope, 'theme')).toBe(true);
      expect(await state.delete(scope, 'theme')).toBe(false);
      expect(await state.load(scope, 'theme')).toBeUndefined();
      expect(await state.listKeys(scope)).toStrictEqual(['a', 'b/nested key']);
    }
  });

  it('stores under state/<scope>/<key> in the backend', async () => {
    await state.save('user:alice', 'theme', 'dark');
    await state.save('global', 'x', 1);
    expect((await backend.list('')).map((entry) => entry.key)).toStrictEqual([
      'state/global/x',
      'state/user:alice/theme',
    ]);
    const custom = new ScopedState(backend, { prefix: 'app1/' });
    await custom.save('global', 'x', 2);
    expect(await backend.get('app1/global/x')).toBe(2);
    expect(await state.load('global', 'x')).toBe(1);
  });

  it('loads every JSON kind back as saved', async () => {
    for (const [label, value] of ROUND_TRIP_VALUES) {
      await state.save('session:1', 'value', value);
      const loaded = await state.load('session:1', 'value');
      expect(loaded, label).toStrictEqual(value);
      expect(JSON.stringify(loaded), label).toBe(JSON.stringify(value));
    }
  });

  it('keeps scopes apart, also when one id is a prefix of another', async () => {
    const scopes: Scope[] = [
      'global',
      'user:a',
      'user:ab',
      'user:a.b',
      'session:a',
      'custom:user:a',
      'user:global',
    ];
    for (const scope of scopes) await state.save(scope, 'k', scope);
    await state.save('user:ab', 'only-ab', true);
    for (const scope of scopes) {
      expect(await state.load(scope, 'k')).toBe(scope);
      expect(await state.listKeys(scope)).toStrictEqual(scope === 'user:ab' ? ['k', 'only-ab'] : ['k']);
    }
    expect(await state.load('user:a', 'only-ab')).toBeUndefined();
    await state.clearScope('user:a');
    expect(await state.listKeys('user:a')).toStrictEqual([]);
    expect(await state.load('user:ab', 'k')).toBe('user:ab');
    expect(await state.load('user:a.b', 'k')).toBe('user:a.b');
    expect(await state.load('custom:user:a', 'k')).toBe('custom:user:a');
  });

  it('rejects invalid scopes with HOOKSPELL_INVALID_SCOPE in every method', async () => {
    for (const scope of INVALID_SCOPES) {
      const s = scope as Scope;
      await expectStorageError(() => state.save(s, 'k', 1), StorageErrorCode.INVALID_SCOPE);
      await expectStorageError(() => state.load(s, 'k'), StorageErrorCode.INVALID_SCOPE);
      await expectStorageError(() => state.has(s, 'k'), StorageErrorCode.INVALID_SCOPE);
      await expectStorageError(() => state.delete(s, 'k'), StorageErrorCode.INVALID_SCOPE);
      await expectStorageError(() => state.listKeys(s), StorageErrorCode.INVALID_SCOPE);
      await expectStorageError(() => state.clearScope(s), StorageErrorCode.INVALID_SCOPE);
    }
    expect(await backend.list('')).toStrictEqual([]);
  });

  it('rejects a state key over 256 characters, and bad state keys, with HOOKSPELL_INVALID_KEY', async () => {
    expect(MAX_STATE_KEY_LENGTH).toBe(256);
    await state.save('user:alice', 'k'.repeat(256), 'longest');
    expect(await state.load('user:alice', 'k'.repeat(256))).toBe('longest');
    await expectStorageError(
      () => state.save('user:alice', 'k'.repeat(257), 1),
      StorageErrorCode.INVALID_KEY,
      ['257 characters', 'the limit is 256'],
    );
    await expectStorageError(() => state.load('user:alice', 'k'.repeat(257)), StorageErrorCode.INVALID_KEY);
    for (const [key, rule] of [
      ['', /empty/],
      ['a\nb', /control character/],
      ['__x', /reserved/],
      ['a..b', /`\.\.`/],
      ['cafe\u0301', /NFC/],
    ] as const) {
      await expectStorageError(() => state.save('global', key, 1), StorageErrorCode.INVALID_KEY, [
        'Invalid state key',
        rule,
      ]);
    }
    expect(await state.listKeys('user:alice')).toStrictEqual(['k'.repeat(256)]);
  });

  it('rejects a value that is not JSON with HOOKSPELL_INVALID_VALUE naming the path', async () => {
    await expectStorageError(
      () => state.save('global', 'k', { when: new Date(0) } as never),
      StorageErrorCode.INVALID_VALUE,
      ['value.when'],
    );
    expect(await state.has('global', 'k')).toBe(false);
  });

  it('lists keys in byte order', async () => {
    const keys = ['b', 'a\u{1F600}', 'a\uE000', 'a', 'A'];
    for (const key of keys) await state.save('tool:t', key, key);
    expect(await state.listKeys('tool:t')).toStrictEqual(['A', 'a', 'a\uE000', 'a\u{1F600}', 'b']);
  });
});
