import { printParseErrorCode, visit } from 'jsonc-parser';
import type { SourcePosition } from './locate.js';

/** A JSON syntax error as the config loader reports it: where (1-based) and what, in words. */
export interface JsonSyntaxProblem extends SourcePosition {
  message: string;
}

/**
 * Says where a JSON text that `JSON.parse` refused is wrong, and what is wrong. V8's own message
 * is not enough: for an unexpected token or the end of the input it gives no position at all,
 * and it words a trailing comma as "Expected double-quoted property name". So the text is
 * parsed again with `jsonc-parser` in strict mode (only after `JSON.parse` failed: a valid config
 * never depends on it), and its first error is named with the fix. Columns count UTF-16 code
 * units, as the YAML errors' do. `source` words the few messages that depend on what the text is.
 *
 * @example
 * jsonSyntaxProblem('{\n  "hooks": [],\n}', error);
 * // { line: 2, col: 14, message: "trailing comma before '}' (JSON allows none: remove it)" }
 */
export function jsonSyntaxProblem(
  text: string,
  parseError: unknown,
  source: JsonSource = 'config',
): JsonSyntaxProblem {
  // jsonc-parser lets through a few texts V8 refuses: then V8's message is the one there is.
  const found = firstJsonProblem(text, source) ?? v8Problem(parseError);
  return { ...lineCol(text, found.offset), message: found.message };
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

/** V8's message, and its position when it has one. */
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

interface Open {
  char: '{' | '[';
  offset: number;
  /** In an object: the last property name read, to say whose value is wrong. */
  key?: string;
}

/** What the parser was about to read when the error came. */
type Expect = 'value' | 'key' | 'colon' | 'after';

/** Where jsonc-parser stood at its first error: the error, the open objects and arrays, what came last. */
interface ErrorState {
  code: string;
  offset: number;
  open: Open[];
  expect: Expect;
  /** The ',' just read, when nothing came after it yet. */
  comma: number | undefined;
  /** The last number read, to tell `0100` or `1.5.3` from a missing comma. */
  number: { offset: number; end: number } | undefined;
}

const CLOSER = { '{': '}', '[': ']' } as const;
const WHAT = { '{': 'object', '[': 'array' } as const;
const NUMBERISH = /[-+.\w]*/y;
const WORD = /[A-Za-z_$][\w$]*/y;
/** The valid start of a string's content: what follows it is its first problem. */
const STRING_OK = /(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;

/** A config file, or a JSON object given on the command line (`--data`, `--metadata`). */
export type JsonSource = 'config' | 'input';

const WORDING = {
  config: {
    empty: 'the file is empty; a config with no settings is written {}',
    oneValue: 'a config file is one object',
    comments:
      'comments are not allowed in JSON: remove them, or write the config as YAML (hookspell.config.yaml), which has # comments',
  },
  input: {
    empty: 'the input is empty; an empty object is written {}',
    oneValue: 'the input is one object',
    comments: 'comments are not allowed in JSON: remove them',
  },
} as const;
type Wording = (typeof WORDING)[JsonSource];

/**
 * The first syntax error of a JSON text (`offset` in UTF-16 code units), or undefined when
 * jsonc-parser, in strict mode, finds none.
 */
export function firstJsonProblem(text: string, source: JsonSource = 'config'): JsonProblem | undefined {
  const state = firstError(text);
  return state === undefined ? undefined : explain(text, state, WORDING[source]);
}

/** Runs jsonc-parser's visitor, keeping a stack of what is open, until its first error. */
function firstError(text: string): ErrorState | undefined {
  const open: Open[] = [];
  let expect: Expect = 'value';
  let comma: number | undefined;
  let number: ErrorState['number'];
  let first: ErrorState | undefined;
  const close = (offset: number) => {
    // The parser ends an object or array at the end of the file too, then reports the missing bracket.
    if (first !== undefined || text[offset] !== CLOSER[open.at(-1)!.char]) return;
    open.pop();
    expect = 'after';
    comma = undefined;
  };
  visit(
    text,
    {
      onObjectBegin: (offset) => {
        if (first !== undefined) return;
        open.push({ char: '{', offset });
        expect = 'key';
        comma = undefined;
      },
      onArrayBegin: (offset) => {
        if (first !== undefined) return;
        open.push({ char: '[', offset });
        expect = 'value';
        comma = undefined;
      },
      onObjectEnd: close,
      onArrayEnd: close,
      onObjectProperty: (_name, offset, length) => {
        if (first !== undefined) return;
        // As written (escapes and all), so that the message quotes what the file says.
        open.at(-1)!.key = text.slice(offset + 1, offset + length - 1);
        expect = 'colon';
        comma = undefined;
      },
      onLiteralValue: (value, offset, length) => {
        if (first !== undefined) return;
        expect = 'after';
        comma = undefined;
        number = typeof value === 'number' ? { offset, end: offset + length } : undefined;
      },
      onSeparator: (char, offset) => {
        if (first !== undefined) return;
        if (char === ':') expect = 'value';
        else {
          expect = open.at(-1)?.char === '{' ? 'key' : 'value';
          comma = offset;
        }
      },
      onError: (error, offset) => {
        first ??= { code: printParseErrorCode(error), offset, open: [...open], expect, comma, number };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return first;
}

/** jsonc-parser's error codes are coarse: the text around the error says which mistake it is. */
function explain(text: string, state: ErrorState, words: Wording): JsonProblem {
  const { code, offset, open } = state;
  const top = open.at(-1);
  const c = text[offset];
  if (/^[ \t\n\r]*$/.test(text)) return { offset: 0, message: words.empty };
  if (/^(UnexpectedEndOfString|InvalidCharacter|InvalidUnicode|InvalidEscapeCharacter)$/.test(code))
    return stringProblem(text, offset) ?? { offset, message: `invalid string (${code})` };
  if (code === 'InvalidCommentToken' || code === 'UnexpectedEndOfComment')
    return { offset, message: words.comments };
  if (offset >= text.length && top !== undefined) return unclosed(text, open);
  // `0100` is read as 0 then 100, `1.5.3` as 1.5 then an unknown `.3`.
  const num = state.number;
  if (num !== undefined && num.end === offset && c !== undefined && /[\w.+-]/.test(c))
    return numberProblem(text, num.offset);
  if ((code === 'UnexpectedEndOfNumber' || code === 'InvalidNumberFormat') && state.expect !== 'key')
    return numberProblem(text, offset);
  if (
    (code === 'PropertyNameExpected' || code === 'ValueExpected') &&
    state.comma !== undefined &&
    top !== undefined &&
    c === CLOSER[top.char]
  )
    return { offset: state.comma, message: `trailing comma before '${c}' (JSON allows none: remove it)` };
  if (top === undefined && state.expect === 'after') return afterEndProblem(text, offset, words);
  switch (state.expect) {
    case 'key':
      return keyProblem(text, offset);
    case 'colon':
      return {
        offset,
        message: `expected ':' after the property name "${top?.key}", found ${describe(text, offset)}`,
      };
    case 'after':
      return afterValueProblem(text, offset, top!);
    default:
      return valueProblem(text, offset, top, words);
  }
}

/** Where a value should start. */
function valueProblem(text: string, at: number, top: Open | undefined, words: Wording): JsonProblem {
  const c = text[at];
  const word = matchAt(WORD, text, at);
  // jsonc-parser reads `null+` or `true` and a NBSP as one unknown word: the value is fine, what follows is not.
  if (word === 'true' || word === 'false' || word === 'null') {
    const next = at + word.length;
    return top === undefined ? afterEndProblem(text, next, words) : afterValueProblem(text, next, top);
  }
  if (word === 'NaN' || word === 'Infinity' || word === 'undefined')
    return { offset: at, message: `'${word}' is not a JSON value (use null or a number)` };
  if (word !== undefined)
    return {
      offset: at,
      message: `unexpected word '${word}': strings need double quotes ("${word}"); the only bare words are true, false and null`,
    };
  if (c === "'") return { offset: at, message: 'strings need double quotes, not single quotes' };
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return numberProblem(text, at);
  const whose = top?.char === '{' && top.key !== undefined ? ` for "${top.key}"` : '';
  return { offset: at, message: `expected a value${whose}, found ${describe(text, at)}` };
}

/** Where a property name should start. */
function keyProblem(text: string, at: number): JsonProblem {
  const word = matchAt(WORD, text, at);
  if (word !== undefined)
    return { offset: at, message: `property name ${word} needs double quotes: "${word}"` };
  if (text[at] === "'")
    return { offset: at, message: 'property names need double quotes, not single quotes' };
  return { offset: at, message: `expected a property name in double quotes, found ${describe(text, at)}` };
}

/** After a value inside an object or array: ',' or the closing bracket should come. */
function afterValueProblem(text: string, at: number, top: Open): JsonProblem {
  const c = text[at]!;
  const closer = CLOSER[top.char];
  if (c === '}' || c === ']') {
    const { line, col } = lineCol(text, top.offset);
    return {
      offset: at,
      message: `'${c}' cannot close the ${WHAT[top.char]} opened at ${line}:${col} (expected '${closer}')`,
    };
  }
  if (top.char === '{') {
    const after = top.key !== undefined ? `the value of "${top.key}"` : 'a value';
    if (c === '"') return { offset: at, message: `missing ',' between ${after} and the next property` };
    return { offset: at, message: `expected ',' or '}' after ${after}, found ${describe(text, at)}` };
  }
  if (/["{[\-\dtfn]/.test(c)) return { offset: at, message: "missing ',' between array elements" };
  return { offset: at, message: `expected ',' or ']' after an array element, found ${describe(text, at)}` };
}

/** After the top-level value: nothing may come. */
function afterEndProblem(text: string, at: number, words: Wording): JsonProblem {
  const c = text[at];
  if (c === '}' || c === ']')
    return { offset: at, message: `unexpected '${c}': nothing is open here (one closing bracket too many?)` };
  return {
    offset: at,
    message: `unexpected ${describe(text, at)} after the end of the JSON value (${words.oneValue})`,
  };
}

/** The end of the file came with objects or arrays still open: name them, innermost first. */
function unclosed(text: string, stack: Open[]): JsonProblem {
  const open = [...stack].reverse();
  const list = open.map((o) => {
    const { line, col } = lineCol(text, o.offset);
    return `the ${WHAT[o.char]} opened at ${line}:${col}`;
  });
  const names = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)}` : list[0];
  const closers = open.map((o) => CLOSER[o.char]).join('');
  // Point just past the last thing written: that is where the missing bracket goes.
  return {
    offset: text.trimEnd().length,
    message: `unexpected end of file: ${names} ${list.length > 1 ? 'are' : 'is'} not closed (add '${closers}')`,
  };
}

/** The first problem inside the string starting at `start` (jsonc-parser reports the string's start). */
function stringProblem(text: string, start: number): JsonProblem | undefined {
  if (text[start] !== '"') return undefined;
  STRING_OK.lastIndex = start + 1;
  STRING_OK.exec(text);
  const i = STRING_OK.lastIndex;
  const code = text.charCodeAt(i);
  if (i >= text.length)
    return { offset: start, message: 'unterminated string: the file ends before its closing "' };
  if (code === 0x0a || code === 0x0d)
    return {
      offset: start,
      message:
        'unterminated string: a string cannot span lines (close it with ", or write \\n for a line break)',
    };
  if (code === 0x5c) {
    const e = text[i + 1];
    if (e === 'u') return { offset: i, message: 'invalid escape: \\u needs four hex digits (\\u00e9)' };
    if (e === undefined || e === '\n' || e === '\r')
      return { offset: start, message: 'unterminated string: a string cannot end with a lone \\' };
    return {
      offset: i,
      message: `invalid escape '\\${e}' in a string (JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)`,
    };
  }
  if (code < 0x20) {
    const written = code === 0x09 ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
    return { offset: i, message: `${describe(text, i)} inside a string must be written ${written}` };
  }
  return undefined;
}

function numberProblem(text: string, at: number): JsonProblem {
  const token = matchAt(NUMBERISH, text, at) ?? text[at] ?? '';
  const hint = /^-?0\d/.test(token)
    ? ' (JSON numbers have no leading zeros)'
    : /^-?\d+\.(\D|$)/.test(token)
      ? " (write a digit after the '.')"
      : '';
  return { offset: at, message: `invalid number '${token}'${hint}` };
}

/** The non-empty match of a sticky regex at `at`, if any. */
function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  return m === null || m[0] === '' ? undefined : m[0];
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
