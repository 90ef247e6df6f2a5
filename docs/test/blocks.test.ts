import { describe, expect, it } from 'vitest';
import { expectedOutput, extractRunnableBlocks, findMissingOutput } from './blocks.js';

const md = [
  '# Title',
  '',
  '```ts',
  'fragment();',
  '```',
  '',
  '## Run it',
  '',
  '```ts runnable',
  'console.log(1); // → 1',
  '```',
  '',
  '````md',
  '```ts runnable',
  'inside a four-backtick fence: not a block of its own',
  '```',
  '````',
  '',
  '- a list',
  '  ```ts runnable',
  '  indented();',
  '  ```',
  '```js runnable',
  'notTs();',
  '```',
].join('\n');

describe('extractRunnableBlocks', () => {
  it('finds ```ts runnable fences, with their line and heading, and nothing else', () => {
    expect(extractRunnableBlocks(md, 'x.md')).toEqual([
      { file: 'x.md', line: 9, heading: 'Run it', code: 'console.log(1); // → 1\n' },
      { file: 'x.md', line: 20, heading: 'Run it', code: 'indented();\n' },
    ]);
  });
});

describe('expectedOutput', () => {
  it('collects // → comments in source order', () => {
    expect(expectedOutput('f(); // → a\n// → b  \nconsole.log(2); // c')).toEqual(['a', 'b']);
  });
});

describe('findMissingOutput', () => {
  const out = "{\n  type: 'cancel',\n  reason: 'no'\n}\n[ 1, 2 ]\ndone 3\n";
  it('accepts output broken over lines and skips lines without comments', () => {
    expect(findMissingOutput(out, ["{ type: 'cancel', reason: 'no' }", 'done 3'])).toBeUndefined();
  });
  it('treats … as any text', () => {
    expect(findMissingOutput(out, ["{ type: 'cancel', … }", '[ 1, … ]'])).toBeUndefined();
  });
  it('reports what is not printed, or printed out of order', () => {
    expect(findMissingOutput(out, ['done 4'])).toBe('done 4');
    expect(findMissingOutput(out, ['done 3', '[ 1, 2 ]'])).toBe('[ 1, 2 ]');
  });
});
