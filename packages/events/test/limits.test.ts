import { MemoryStorage } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  DEFAULT_PATTERN_LIMITS,
  EventBus,
  EventError,
  EventLog,
  eventTypeProblem,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENT_TYPE_SEGMENTS,
  matchPattern,
} from '../src/index.js';

// Issue 14, item 6: a 9 MB subscription pattern cost the host ~170 MB and over a second. Patterns
// and event types are bounded in length and segments, with typed errors, wherever one enters.

const NINE_MB = 9 * 1024 * 1024;
const hugePattern = () => `${'a.'.repeat(NINE_MB / 2 - 1)}*`;
const segments = (n: number, s = 'a') => Array.from({ length: n }, () => s).join('.');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectLimitError(error: unknown, code: string, says: RegExp): void {
  expect(error).toBeInstanceOf(EventError);
  expect((error as EventError).code).toBe(code);
  expect((error as Error).message).toMatch(says);
  // The message quotes the start of the input, never all of it.
  expect((error as Error).message.length).toBeLessThan(1000);
}

describe('pattern limits', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_PATTERN_LIMITS).toEqual({ maxPatternLength: 1024, maxPatternSegments: 64 });
    expect(MAX_EVENT_TYPE_LENGTH).toBe(256);
    expect(MAX_EVENT_TYPE_SEGMENTS).toBe(64);
  });

  it('refuses a 9 MB subscription pattern before reading it, with a typed error', () => {
    const bus = new EventBus();
    const pattern = hugePattern();
    const error = thrown(() => bus.subscribe(pattern, () => {}));
    expectLimitError(
      error,
      'HOOKSPELL_PATTERN_TOO_LONG',
      new RegExp(`${pattern.length} characters.*limit is 1024.*maxPatternLength`),
    );
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('refuses more than 1024 characters or 64 segments, and accepts up to them', () => {
    const longest = `${'x'.repeat(1020)}.a.*`;
    expect(longest).toHaveLength(1024);
    expect(compilePattern(longest).segments).toHaveLength(3);
    expectLimitError(
      thrown(() => compilePattern(`${longest}x`)),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /1025 characters/,
    );
    expect(compilePattern(segments(64, '*')).segments).toHaveLength(64);
    expectLimitError(
      thrown(() => compilePattern(segments(65, '*'))),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /65 segments.*limit is 64.*maxPatternSegments/,
    );
    expectLimitError(
      thrown(() => matchPattern(hugePattern(), 'a.b')),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /limit/,
    );
  });

  it('applies at every entry point of a bus: subscribe, stream, once, persist', async () => {
    const bus = new EventBus();
    const long = segments(65);
    expectLimitError(
      thrown(() => bus.subscribe(long, () => {})),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /65 segments/,
    );
    expectLimitError(
      thrown(() => bus.stream(long)),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /65 segments/,
    );
    await expect(bus.once(long)).rejects.toMatchObject({ code: 'HOOKSPELL_PATTERN_TOO_LONG' });
    const log = new EventLog(MemoryStorage());
    expectLimitError(
      thrown(() => new EventBus({ log, persist: [hugePattern()] })),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /limit/,
    );
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('applies to stored-event queries', async () => {
    const log = new EventLog(MemoryStorage());
    await expect(log.query({ pattern: hugePattern() })).rejects.toMatchObject({
      code: 'HOOKSPELL_PATTERN_TOO_LONG',
    });
    await expect(log.query({ pattern: segments(65) })).rejects.toMatchObject({
      code: 'HOOKSPELL_PATTERN_TOO_LONG',
    });
    expect(await log.query({ pattern: segments(64) })).toEqual([]);
  });

  it('can be lowered (or raised) per bus and per log', async () => {
    const limits = { maxPatternLength: 16, maxPatternSegments: 3 };
    const bus = new EventBus({ limits });
    bus.subscribe('a.b.*', () => {});
    expectLimitError(
      thrown(() => bus.subscribe('a.b.c.d', () => {})),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /limit is 3/,
    );
    expectLimitError(
      thrown(() => bus.subscribe('abcdefghijklmnopq', () => {})),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /limit is 16/,
    );
    const log = new EventLog(MemoryStorage(), { limits });
    await expect(log.query({ pattern: 'a.b.c.d' })).rejects.toMatchObject({
      code: 'HOOKSPELL_PATTERN_TOO_LONG',
    });
    expectLimitError(
      thrown(() => compilePattern('a.b.c', { maxPatternSegments: 2 })),
      'HOOKSPELL_PATTERN_TOO_LONG',
      /limit is 2/,
    );
    expect(() => compilePattern('a', { maxPatternLength: 0 })).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_INVALID_ARGUMENT' }),
    );
    const roomy = new EventBus({ limits: { maxPatternSegments: 100 } });
    expect(roomy.subscribe(segments(100, '*'), () => {}).pattern).toBe(segments(100, '*'));
    for (const bad of [0, -1, 1.5, Number.NaN, '10'])
      expect(() => new EventBus({ limits: { maxPatternLength: bad as number } })).toThrow(
        expect.objectContaining({ code: 'HOOKSPELL_INVALID_ARGUMENT' }),
      );
  });
});

describe('event type limits', () => {
  it('refuses a 9 MB event type with a typed error that quotes only its start', async () => {
    const bus = new EventBus();
    const type = 'a'.repeat(NINE_MB);
    const error = await bus.publish(type).catch((e: unknown) => e);
    expectLimitError(error, 'HOOKSPELL_EVENT_TYPE_TOO_LONG', /9437184 characters.*limit is 256/);
    expectLimitError(
      thrown(() => bus.emit(type)),
      'HOOKSPELL_EVENT_TYPE_TOO_LONG',
      /limit is 256/,
    );
  });

  it('refuses more than 256 characters or 64 segments, and accepts up to them', async () => {
    const bus = new EventBus();
    await bus.publish('x'.repeat(256));
    await bus.publish(segments(64));
    await expect(bus.publish('x'.repeat(257))).rejects.toMatchObject({
      code: 'HOOKSPELL_EVENT_TYPE_TOO_LONG',
    });
    await expect(bus.publish(segments(65))).rejects.toMatchObject({
      code: 'HOOKSPELL_EVENT_TYPE_TOO_LONG',
      message: expect.stringMatching(/65 segments.*limit is 64/),
    });
    expect(eventTypeProblem(segments(65))).toMatch(/65 segments/);
  });

  it('a type that is not a string gets a typed error, even a hostile one', async () => {
    const bus = new EventBus();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const bad of [cyclic, proxy, Symbol('t'), 10n, null]) {
      await expect(bus.publish(bad as unknown as string)).rejects.toMatchObject({
        code: 'HOOKSPELL_INVALID_EVENT_TYPE',
      });
    }
  });

  it('keeps the per-type caches of a bus bounded when every event has a new type', () => {
    const bus = new EventBus({ log: new EventLog(MemoryStorage()), persist: ['x.*'] });
    for (let i = 0; i < 25_000; i++) bus.emit(`t${i}`);
    const internals = bus as unknown as { validTypes: Set<string>; persistCache: Map<string, boolean> };
    expect(internals.validTypes.size).toBeLessThanOrEqual(10_000);
    expect(internals.persistCache.size).toBeLessThanOrEqual(10_000);
  });
});
