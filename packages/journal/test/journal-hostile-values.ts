import { expect } from 'vitest';
import type { JournalError } from '../src/index.js';

/**
 * Values a hook may throw or hand back that JSON.stringify, `String()` or a property read throws
 * on (issue 14, item 1), each with what the journal stores for it inside a result or data.
 */
export interface HostileKind {
  readonly label: string;
  readonly make: () => unknown;
  /**
   * What the journal stores for the value inside a result (`result.data.v`, `result.value`): the
   * `type` of its `UnserializableValue`, or `json` when JSON holds it (what JSON.stringify makes
   * of it), or `dropped` when JSON leaves it out (a symbol).
   */
  readonly stored: 'bigint' | 'circular' | 'proxy' | 'unreadable' | 'json' | 'dropped';
  /** What `String()`, `.message` or `instanceof` throws on: a journal must not read it naively. */
  readonly unreadable: boolean;
}

function errorWhose(key: 'message' | 'stack' | 'toString' | 'toJSON'): Error {
  const error = new Error(`an error whose ${key} getter throws`);
  Object.defineProperty(error, key, {
    get() {
      throw new Error(`${key} getter`);
    },
  });
  return error;
}

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function trapsThrow(): object {
  const trap = (name: string) => () => {
    throw new Error(`${name} trap`);
  };
  return new Proxy(
    {},
    {
      get: trap('get'),
      has: trap('has'),
      ownKeys: trap('ownKeys'),
      getPrototypeOf: trap('getPrototypeOf'),
      getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'),
    },
  );
}

function cyclic(): object {
  const value: Record<string, unknown> = { message: 'a cycle' };
  value.self = value;
  return value;
}

export const HOSTILE: readonly HostileKind[] = [
  {
    label: 'a null-prototype object',
    make: () => Object.assign(Object.create(null), { a: 1 }),
    stored: 'json',
    unreadable: true,
  },
  {
    label: 'an Error whose message getter throws',
    make: () => errorWhose('message'),
    stored: 'json',
    unreadable: true,
  },
  {
    label: 'an Error whose stack getter throws',
    make: () => errorWhose('stack'),
    stored: 'json',
    unreadable: false,
  },
  {
    label: 'an Error whose toString getter throws',
    make: () => errorWhose('toString'),
    stored: 'json',
    unreadable: false,
  },
  {
    label: 'an Error whose toJSON getter throws',
    make: () => errorWhose('toJSON'),
    stored: 'unreadable',
    unreadable: false,
  },
  { label: 'a revoked Proxy', make: revoked, stored: 'proxy', unreadable: true },
  { label: 'a Proxy whose traps throw', make: trapsThrow, stored: 'proxy', unreadable: true },
  { label: 'a symbol', make: () => Symbol('hostile'), stored: 'dropped', unreadable: false },
  { label: 'a BigInt', make: () => 12345678901234567890n, stored: 'bigint', unreadable: false },
  { label: 'a cyclic object', make: cyclic, stored: 'circular', unreadable: false },
];

/** Checks a stored value against what `kind` says is stored for it. */
export function expectStoredAs(kind: HostileKind, holder: Record<string, unknown>, key: string): void {
  const value = holder[key];
  switch (kind.stored) {
    case 'dropped':
      expect(Object.hasOwn(holder, key), kind.label).toBe(false);
      return;
    case 'json':
      expect(value, kind.label).toEqual(JSON.parse(JSON.stringify(kind.make())));
      return;
    case 'circular':
      expect(value, kind.label).toEqual({
        message: 'a cycle',
        self: { unserializable: true, type: 'circular', reason: expect.stringMatching(/cycle/) },
      });
      return;
    default:
      expect(value, kind.label).toEqual({
        unserializable: true,
        type: kind.stored,
        reason: expect.any(String),
      });
  }
}

/**
 * Checks a stored error: always a name and a message that are strings; for a value nothing
 * can be read from as it is, a description (the executor's `HOOKSPELL_HOOK_THREW` or the journal's
 * `unserializable`).
 */
export function expectStoredError(kind: HostileKind, error: JournalError | undefined): void {
  expect(error, kind.label).toBeDefined();
  expect(typeof error!.name, kind.label).toBe('string');
  expect(typeof error!.message, kind.label).toBe('string');
  if (kind.unreadable) {
    expect(error!.code === 'HOOKSPELL_HOOK_THREW' || error!.unserializable === true, kind.label).toBe(true);
  }
}

/** Collects unhandled rejections while `run` runs (vitest would only fail the file afterwards). */
export async function withoutUnhandledRejections(run: () => Promise<void>): Promise<void> {
  const rejections: unknown[] = [];
  const listener = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    // Rejections are reported after the microtask queue drains.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  expect(rejections.map((r) => (r instanceof Error ? r.message : String(r)))).toEqual([]);
}
