import { StorageError, StorageErrorCode } from './errors/storage-error.js';
import { assertValidKey, keyProblem, MAX_KEY_LENGTH, preview } from './keys.js';
import type { JsonValue, StorageBackend } from './types.js';

/** The kinds of scope state lives in. */
export type ScopeKind = 'global' | 'user' | 'session' | 'agent' | 'tool' | 'workflow' | 'hook' | 'custom';

/** `'global'` or `'<kind>:<id>'`, e.g. `'user:alice'`, `'session:42'`. */
export type Scope = 'global' | `${Exclude<ScopeKind, 'global'>}:${string}`;

const SCOPE_KINDS = new Set<string>(['user', 'session', 'agent', 'tool', 'workflow', 'hook', 'custom']);

/** Longest state key (the scoped key, with prefix and scope, must also fit in 512 characters). */
export const MAX_STATE_KEY_LENGTH = 256;

export interface ScopedStateOptions {
  /**
   * Key prefix under which all state is stored in the backend.
   * @default 'state/'
   */
  prefix?: string;
}

/**
 * Parses and validates a scope string. Throws `StorageError` `HOOKSPELL_INVALID_SCOPE` naming the
 * accepted forms.
 */
export function parseScope(scope: unknown): { kind: ScopeKind; id?: string } {
  if (scope === 'global') return { kind: 'global' };
  if (typeof scope === 'string') {
    const colon = scope.indexOf(':');
    const kind = colon > 0 ? scope.slice(0, colon) : '';
    const id = scope.slice(colon + 1);
    if (SCOPE_KINDS.has(kind)) {
      const problem = id.includes('/') ? 'contains `/`' : keyProblem(id);
      if (problem === undefined) return { kind: kind as ScopeKind, id };
      throw invalidScope(scope, `its id ${problem}`);
    }
  }
  throw invalidScope(scope, 'it is not one of the scope forms');
}

function invalidScope(scope: unknown, why: string): StorageError {
  return new StorageError(
    'state',
    StorageErrorCode.INVALID_SCOPE,
    `Invalid scope ${preview(scope)}: ${why}. Use 'global', or 'user:{id}', 'session:{id}', 'agent:{id}', 'tool:{id}', 'workflow:{id}', 'hook:{id}', 'custom:{id}'.`,
  );
}

/**
 * State kept per scope on any {@link StorageBackend}: what `save` wrote, `load` returns, for every
 * JSON value. Every method returns a promise; an invalid scope or key rejects it (never throws).
 *
 * @example
 * const state = new ScopedState(SqliteStorage({ path: 'state.db' }));
 * await state.save('user:alice', 'theme', { dark: true });
 * await state.load('user:alice', 'theme'); // { dark: true }
 * await state.listKeys('user:alice');      // ['theme']
 */
export class ScopedState {
  readonly backend: StorageBackend;
  private readonly prefix: string;

  constructor(backend: StorageBackend, options: ScopedStateOptions = {}) {
    if (!backend || typeof backend.get !== 'function') {
      throw new StorageError(
        'state',
        StorageErrorCode.INVALID_ARGUMENT,
        '`backend` must be a StorageBackend (for example MemoryStorage() or SqliteStorage({ path })).',
      );
    }
    this.backend = backend;
    this.prefix = options.prefix ?? 'state/';
  }

  /** Stores `value` under `key` in `scope`, replacing what was there. */
  async save(scope: Scope, key: string, value: JsonValue): Promise<void> {
    return this.backend.set(this.keyFor(scope, key), value);
  }

  /** The value saved under `key` in `scope`, or `undefined`. */
  async load<T extends JsonValue = JsonValue>(scope: Scope, key: string): Promise<T | undefined> {
    return this.backend.get<T>(this.keyFor(scope, key));
  }

  /** Removes `key` from `scope`; resolves `true` when it existed. */
  async delete(scope: Scope, key: string): Promise<boolean> {
    return this.backend.delete(this.keyFor(scope, key));
  }

  async has(scope: Scope, key: string): Promise<boolean> {
    return this.backend.has(this.keyFor(scope, key));
  }

  /** The keys saved in `scope`, without the scope prefix, in byte order. */
  async listKeys(scope: Scope): Promise<string[]> {
    const prefix = this.scopePrefix(scope);
    const entries = await this.backend.list(prefix);
    return entries.map((entry) => entry.key.slice(prefix.length));
  }

  /** Removes every key of `scope`. */
  async clearScope(scope: Scope): Promise<void> {
    return this.backend.clear(this.scopePrefix(scope));
  }

  private scopePrefix(scope: Scope): string {
    parseScope(scope);
    return `${this.prefix}${scope}/`;
  }

  private keyFor(scope: Scope, key: string): string {
    const prefix = this.scopePrefix(scope);
    assertValidKey('state', key, 'state key');
    if (key.length > MAX_STATE_KEY_LENGTH) {
      throw new StorageError(
        'state',
        StorageErrorCode.INVALID_KEY,
        `Invalid state key ${preview(key)}: it is ${key.length} characters long; the limit is ${MAX_STATE_KEY_LENGTH}.`,
      );
    }
    if (prefix.length + key.length > MAX_KEY_LENGTH) {
      throw new StorageError(
        'state',
        StorageErrorCode.INVALID_KEY,
        `State key ${preview(key)} in scope ${preview(scope)} makes a stored key of ${prefix.length + key.length} characters; scope, key and the ${JSON.stringify(this.prefix)} prefix together must fit in ${MAX_KEY_LENGTH}. Use a shorter scope id or key.`,
      );
    }
    return prefix + key;
  }
}
