import type { SourcePosition } from './locate.js';

/** A JSON syntax error as the config loader reports it: where (1-based) and what, in words. */
export interface JsonSyntaxProblem extends SourcePosition {
  message: string;
}

/**
 * Says where a JSON text that `JSON.parse` refused is wrong, and what is wrong. V8's own message
 * is not enough: for an unexpected token or the end of the input it gives no position at all,
 * and it words a trailing comma as "Expected double-quoted property name". So the text is
 * scanned again (only after `JSON.parse` failed: a valid config never depends on this scanner)
 * and the first problem is named with the fix. Columns count UTF-16 code units, as the YAML
 * errors' do.
 *
 * @example
 * jsonSyntaxProblem('{\n  "hooks": [],\n}', error);
 * // { line: 2, col: 14, message: "trailing comma before '}' (JSON allows none: remove it)" }
 */
export function jsonSyntaxProblem(text: string, parseError: unknown): JsonSyntaxProblem {
  const found = firstJsonProblem(text) ?? v8Problem(parseError);
  return { ...lineCol(text, found.offset), message: found.message };
}

/** The first syntax error of a JSON text (`offset` in UTF-16 code units), or undefined when it is valid JSON. */
export function firstJsonProblem(text: string): JsonProblem | undefined {
  return new JsonScanner(text).firstProblem();
}

/** 1-based line and column of a string offset (lines end at `\n`, as the YAML line counter has them). */
export function lineCol(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: offset - lineStart + 1 };
}

export interface JsonProblem {
  offset: number;
  message: string;
}

/** Should the scanner ever accept what V8 refused: V8's message, its position when it has one. */
function v8Problem(error: unknown): JsonProblem {
  const message = error instanceof Error ? error.message : String(error);
  const at = /at position (\d+)/.exec(message);
  return {
    offset: at ? Number(at[1]) : 0,
    message: message
      .replace(/\s*(in|after) JSON at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)$/, ''),
  };
}

/** Thrown inside the scanner to stop at the first problem. */
class Stop {
  constructor(readonly problem: JsonProblem) {}
}

interface Open {
  char: '{' | '[';
  offset: number;
  /** In an object: the last property name read, to say whose value is wrong. */
  key?: string;
}

const CLOSER = { '{': '}', '[': ']' } as const;
const WHAT = { '{': 'object', '[': 'array' } as const;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBERISH = /[-+.\w]*/y;
const WORD = /[A-Za-z_$][\w$]*/y;

/**
 * A strict RFC 8259 scanner that only looks for the first error. Iterative (an explicit stack
 * of open objects and arrays), so a deeply nested file cannot overflow the call stack.
 */
class JsonScanner {
  readonly #text: string;
  readonly #open: Open[] = [];
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  firstProblem(): JsonProblem | undefined {
    try {
      this.#scan();
      return undefined;
    } catch (error) {
      if (error instanceof Stop) return error.problem;
      throw error;
    }
  }

  #scan(): void {
    const text = this.#text;
    this.#space();
    if (this.#pos >= text.length) this.#fail(0, 'the file is empty; a config with no settings is written {}');
    let expect: 'value' | 'key' | 'after' = 'value';
    for (;;) {
      this.#space();
      if (this.#pos >= text.length) {
        if (this.#open.length === 0 && expect === 'after') return;
        this.#unclosed();
      }
      if (expect === 'value') {
        expect = this.#value();
      } else if (expect === 'key') {
        this.#key();
        expect = 'value';
      } else if (this.#open.length === 0) {
        this.#trailingContent();
      } else {
        expect = this.#afterValue();
      }
    }
  }

  /** A value, or the start of an object or array; returns what comes next. */
  #value(): 'value' | 'key' | 'after' {
    const text = this.#text;
    const at = this.#pos;
    const c = text[at]!;
    if (c === '{' || c === '[') {
      this.#open.push({ char: c, offset: at });
      this.#pos++;
      this.#space();
      if (text[this.#pos] === CLOSER[c]) {
        this.#open.pop();
        this.#pos++;
        return 'after';
      }
      return c === '{' ? 'key' : 'value';
    }
    if (c === '"') {
      this.#string();
      return 'after';
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      this.#number();
      return 'after';
    }
    const word = this.#match(WORD);
    if (word !== undefined) {
      if (word === 'true' || word === 'false' || word === 'null') return 'after';
      if (word === 'NaN' || word === 'Infinity' || word === 'undefined')
        this.#fail(at, `'${word}' is not a JSON value (use null or a number)`);
      this.#fail(
        at,
        `unexpected word '${word}': strings need double quotes ("${word}"); the only bare words are true, false and null`,
      );
    }
    if (c === "'") this.#fail(at, 'strings need double quotes, not single quotes');
    const top = this.#open.at(-1);
    const whose = top?.char === '{' && top.key !== undefined ? ` for "${top.key}"` : '';
    this.#fail(at, `expected a value${whose}, found ${describe(text, at)}`);
  }

  /** A property name and its ':'. */
  #key(): void {
    const text = this.#text;
    const at = this.#pos;
    const c = text[at]!;
    if (c !== '"') {
      const word = this.#match(WORD);
      if (word !== undefined) this.#fail(at, `property name ${word} needs double quotes: "${word}"`);
      if (c === "'") this.#fail(at, 'property names need double quotes, not single quotes');
      this.#fail(at, `expected a property name in double quotes, found ${describe(text, at)}`);
    }
    const key = this.#string();
    this.#open.at(-1)!.key = key;
    this.#space();
    if (this.#pos >= text.length) this.#unclosed();
    if (text[this.#pos] !== ':')
      this.#fail(
        this.#pos,
        `expected ':' after the property name "${key}", found ${describe(text, this.#pos)}`,
      );
    this.#pos++;
  }

  /** After a value inside an object or array: ',' or the closing bracket. */
  #afterValue(): 'value' | 'key' | 'after' {
    const text = this.#text;
    const top = this.#open.at(-1)!;
    const at = this.#pos;
    const c = text[at]!;
    const closer = CLOSER[top.char];
    if (c === closer) {
      this.#open.pop();
      this.#pos++;
      return 'after';
    }
    if (c === ',') {
      this.#pos++;
      this.#space();
      if (text[this.#pos] === closer)
        this.#fail(at, `trailing comma before '${closer}' (JSON allows none: remove it)`);
      return top.char === '{' ? 'key' : 'value';
    }
    const opened = this.#where(top.offset);
    if (c === '}' || c === ']')
      this.#fail(at, `'${c}' cannot close the ${WHAT[top.char]} opened at ${opened} (expected '${closer}')`);
    if (top.char === '{') {
      const after = top.key !== undefined ? `the value of "${top.key}"` : 'a value';
      if (c === '"') this.#fail(at, `missing ',' between ${after} and the next property`);
      this.#fail(at, `expected ',' or '}' after ${after}, found ${describe(text, at)}`);
    }
    if (/["{[\-\dtfn]/.test(c)) this.#fail(at, "missing ',' between array elements");
    this.#fail(at, `expected ',' or ']' after an array element, found ${describe(text, at)}`);
  }

  #trailingContent(): never {
    const at = this.#pos;
    const c = this.#text[at];
    if (c === '}' || c === ']')
      this.#fail(at, `unexpected '${c}': nothing is open here (one closing bracket too many?)`);
    this.#fail(
      at,
      `unexpected ${describe(this.#text, at)} after the end of the JSON value (a config file is one object)`,
    );
  }

  /** The end of the file came with objects or arrays still open: name them, innermost first. */
  #unclosed(): never {
    const open = [...this.#open].reverse();
    const list = open.map((o) => `the ${WHAT[o.char]} opened at ${this.#where(o.offset)}`);
    const names = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)}` : list[0];
    const closers = open.map((o) => CLOSER[o.char]).join('');
    // Point just past the last thing written: that is where the missing bracket goes.
    const end = this.#text.trimEnd().length;
    this.#fail(
      end,
      `unexpected end of file: ${names} ${list.length > 1 ? 'are' : 'is'} not closed (add '${closers}')`,
    );
  }

  /** A string starting at the current '"'; returns its raw content. */
  #string(): string {
    const text = this.#text;
    const start = this.#pos;
    let i = start + 1;
    for (;;) {
      if (i >= text.length) this.#fail(start, 'unterminated string: the file ends before its closing "');
      const code = text.charCodeAt(i);
      if (code === 0x22) break;
      if (code === 0x0a || code === 0x0d)
        this.#fail(
          start,
          'unterminated string: a string cannot span lines (close it with ", or write \\n for a line break)',
        );
      if (code === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (e === 'u') this.#fail(i, 'invalid escape: \\u needs four hex digits (\\u00e9)');
        else if (e === undefined || e === '\n' || e === '\r')
          this.#fail(start, 'unterminated string: a string cannot end with a lone \\');
        else
          this.#fail(
            i,
            `invalid escape '\\${e}' in a string (JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)`,
          );
        continue;
      }
      if (code < 0x20) {
        const written = code === 0x09 ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
        this.#fail(i, `${describe(text, i)} inside a string must be written ${written}`);
      }
      i++;
    }
    this.#pos = i + 1;
    return text.slice(start + 1, i);
  }

  #number(): void {
    const at = this.#pos;
    const token = this.#match(NUMBERISH) ?? '';
    NUMBER.lastIndex = at;
    const valid = NUMBER.exec(this.#text)?.[0];
    if (valid === token) return;
    const hint = /^-?0\d/.test(token)
      ? ' (JSON numbers have no leading zeros)'
      : /^-?\d+\.(\D|$)/.test(token)
        ? " (write a digit after the '.')"
        : '';
    this.#fail(at, `invalid number '${token}'${hint}`);
  }

  /** Skips JSON whitespace; comments are not JSON, and are the usual reason a '/' is here. */
  #space(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.#pos++;
      else if (c === '/' && (text[this.#pos + 1] === '/' || text[this.#pos + 1] === '*'))
        this.#fail(
          this.#pos,
          'comments are not allowed in JSON: remove them, or write the config as YAML (hookspell.config.yaml), which has # comments',
        );
      else return;
    }
  }

  /** The match of a sticky regex at the current position (advancing past it), if any. */
  #match(re: RegExp): string | undefined {
    re.lastIndex = this.#pos;
    const m = re.exec(this.#text);
    if (m === null || m[0] === '') return undefined;
    this.#pos += m[0].length;
    return m[0];
  }

  #where(offset: number): string {
    const { line, col } = lineCol(this.#text, offset);
    return `${line}:${col}`;
  }

  #fail(offset: number, message: string): never {
    throw new Stop({ offset, message });
  }
}

/** A character as shown in a message: itself when visible, else its code point (a tab, a NBSP…). */
function describe(text: string, offset: number): string {
  const cp = text.codePointAt(offset);
  if (cp === undefined) return 'the end of the file';
  if (cp > 0x20 && cp < 0x7f) return `'${String.fromCodePoint(cp)}'`;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[cp];
  if (name !== undefined) return `${hex} (${name})`;
  // Letters and symbols beyond ASCII are visible; spaces and controls are not.
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp)) ? `'${String.fromCodePoint(cp)}'` : hex;
}

const NAMES: Record<number, string> = {
  9: 'a tab',
  160: 'a non-breaking space',
  8203: 'a zero-width space',
  8232: 'a line separator',
  8233: 'a paragraph separator',
  65279: 'a byte order mark',
};
