import { CommandError, CommandErrorCode } from './command-error.js';

/**
 * Splits a command line into words the way a shell would quote them — `'single'`, `"double"`,
 * backslash escapes — but with no expansion of any kind (no `$VAR`, globs, `;`, pipes or
 * redirections): the words go to the program as they are. Use `shell: true` for shell syntax.
 *
 * @example
 * parseCommand(`eslint --format "json" 'src dir'`); // ['eslint', '--format', 'json', 'src dir']
 */
export function parseCommand(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `The command ${JSON.stringify(line)} has an unclosed ${quote} quote.`,
    );
  }
  if (inWord) words.push(word);
  if (words.length === 0) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      'The command is empty: give a program to run, e.g. "command: ./check.sh".',
    );
  }
  return words;
}
