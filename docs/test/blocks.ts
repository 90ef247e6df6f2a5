// Finds the ```ts runnable blocks of a Markdown file and the output their `// → …` comments promise.

export interface RunnableBlock {
  /** Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*(.*)$/;
const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/;

/** Every fenced block whose info string is `ts runnable` (language `ts`, then the word `runnable`). */
export function extractRunnableBlocks(markdown: string, file: string): RunnableBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: RunnableBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = FENCE.exec(line);
    if (!open) {
      const h = HEADING.exec(line);
      if (h) heading = h[1]!;
      continue;
    }
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]!);
      if (close && close[2]![0] === fence[0] && close[2]!.length >= fence.length && close[3] === '') break;
      body.push(indent.length > 0 ? lines[j]!.replace(new RegExp(`^ {0,${indent.length}}`), '') : lines[j]!);
    }
    const words = info.trim().split(/\s+/);
    if ((words[0] === 'ts' || words[0] === 'typescript') && words.slice(1).includes('runnable')) {
      blocks.push({ file, line: i + 1, heading, code: `${body.join('\n')}\n` });
    }
    i = j;
  }
  return blocks;
}

/** The text after each `// → ` comment, in source order: what the block prints, in that order. */
export function expectedOutput(code: string): string[] {
  const expected: string[] = [];
  for (const line of code.split('\n')) {
    const m = /\/\/ → (.*)$/.exec(line);
    if (m) expected.push(m[1]!.trim());
  }
  return expected;
}

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Checks that `stdout` contains every expected piece, in order. Whitespace is compared loosely
 * (console.log breaks a long object over several lines), and `…` in an expectation stands for any
 * text. Returns the first expectation not found after the previous one, or undefined.
 */
export function findMissingOutput(stdout: string, expected: string[]): string | undefined {
  const out = squeeze(stdout);
  let from = 0;
  for (const want of expected) {
    const parts = squeeze(want)
      .split('…')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    for (const part of parts) {
      const found = out.indexOf(part, from);
      if (found === -1) return want;
      from = found + part.length;
    }
  }
  return undefined;
}
