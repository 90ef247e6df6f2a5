import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, EventError, eventTypeProblem, matchPattern } from '../src/index.js';

// Reference: the definition written out as plain recursion (exponential, fine for small inputs).
function reference(pattern: string[], type: string[]): boolean {
  if (type.length > 0 && type[0]!.startsWith('$') && pattern[0] !== type[0]) return false;
  const go = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === type.length;
    const part = pattern[p]!;
    if (part === '**') {
      for (let k = t; k <= type.length; k++) if (go(p + 1, k)) return true;
      return false;
    }
    if (t === type.length) return false;
    return (part === '*' || part === type[t]) && go(p + 1, t + 1);
  };
  return go(0, 0);
}

const segment = fc.constantFrom('a', 'b', 'tool', 'error', 'x-1', '$bus', 'agent');
const typeArb = fc
  .array(segment, { minLength: 1, maxLength: 6 })
  .filter((s) => s.slice(1).every((x) => !x.startsWith('$')));
const patternArb = fc.array(fc.oneof(segment, fc.constant('*'), fc.constant('**')), {
  minLength: 1,
  maxLength: 6,
});

describe('pattern matching', () => {
  it('agrees with the reference definition on random types and patterns', () => {
    fc.assert(
      fc.property(patternArb, typeArb, (pattern, type) => {
        expect(matchPattern(pattern.join('.'), type.join('.'))).toBe(reference(pattern, type));
      }),
      { numRuns: 5000 },
    );
  });

  it('handles the documented examples', () => {
    expect(matchPattern('*.error', 'tool.error')).toBe(true);
    expect(matchPattern('*.error', 'tool.x.error')).toBe(false);
    expect(matchPattern('**.error', 'tool.x.error')).toBe(true);
    expect(matchPattern('agent.**', 'agent')).toBe(true);
    expect(matchPattern('agent.**', 'agent.start')).toBe(true);
    expect(matchPattern('agent.**', 'agent.a.b')).toBe(true);
    expect(matchPattern('agent.**', 'agentx')).toBe(false);
    expect(matchPattern('tool.*', 'tool')).toBe(false);
    expect(matchPattern('a.**.b', 'a.b')).toBe(true);
    expect(matchPattern('a.**.b', 'a.x.y.b')).toBe(true);
    expect(matchPattern('tool.started', 'tool.started')).toBe(true);
  });

  it('keeps reserved $-types away from wildcards', () => {
    expect(matchPattern('**', '$bus.dropped')).toBe(false);
    expect(matchPattern('*.dropped', '$bus.dropped')).toBe(false);
    expect(matchPattern('$bus.**', '$bus.dropped')).toBe(true);
    expect(matchPattern('$bus.*', '$bus.dropped')).toBe(true);
  });

  it('stays linear on adversarial globstar patterns', () => {
    const pattern = Array.from({ length: 30 }, () => '**.a').join('.');
    const type = `${Array.from({ length: 60 }, () => 'a').join('.')}.b`;
    expect(matchPattern(pattern, type)).toBe(false);
  });

  it.each([
    ['', 'non-empty'],
    ['tool..x', 'segment 2 is empty'],
    ['.tool', 'segment 1 is empty'],
    ['tool.', 'segment 2 is empty'],
    ['to*l', 'mixes `*`'],
    ['tool.***', 'mixes `*`'],
    ['tool. x', 'whitespace'],
  ])('rejects the pattern %j (%s)', (pattern, why) => {
    const error = (() => {
      try {
        compilePattern(pattern);
      } catch (e) {
        return e;
      }
    })();
    expect(EventError.hasCode(error, 'HOOKSPELL_INVALID_PATTERN')).toBe(true);
    expect((error as Error).message).toContain(why);
  });

  it.each([
    ['', 'empty'],
    ['a..b', 'segment 2 is empty'],
    ['a.*', 'contains `*`'],
    ['a b', 'whitespace'],
    ['a.$b', 'starts with `$`'],
  ])('rejects the event type %j (%s)', (type, why) => {
    expect(eventTypeProblem(type)).toContain(why);
  });

  it('accepts ordinary types', () => {
    for (const t of [
      'tool.started',
      'agent',
      'hook.execution.completed',
      'custom:x.y',
      'a-b.c_d',
      '$bus.dropped',
    ]) {
      expect(eventTypeProblem(t)).toBeUndefined();
    }
  });

  it('reports the literal prefix used by log queries', () => {
    expect(compilePattern('tool.*').literalPrefix).toBe('tool');
    expect(compilePattern('tool.started').exact).toBe(true);
    expect(compilePattern('*.error').literalPrefix).toBe('');
  });
});
