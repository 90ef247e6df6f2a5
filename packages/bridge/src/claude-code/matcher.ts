import { basename } from 'node:path';
import { CommandError, CommandErrorCode } from '../command/command-error.js';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent } from './events.js';

/** Decides whether a hook runs for one stdin object. */
export type InputMatcher = (input: Record<string, unknown>) => boolean;

const EXACT = /^[A-Za-z0-9_ ,|-]+$/;

/**
 * Claude Code's matcher rules (reference §2.7): `"*"`, `""` or none match everything; a matcher
 * of only letters, digits, `_`, `-`, spaces, `,` and `|` is an exact name or a list of them
 * (`Edit|Write`, `Edit, Write`); anything else is an unanchored, case-sensitive JavaScript regex
 * (`Edit.*` also matches `NotebookEdit`). Events without a matcher field ignore the matcher.
 * An invalid regex is an error here, at registration — never a hook that silently never runs.
 */
export function compileMatcher(
  event: ClaudeCodeEvent,
  matcher: string | undefined,
): InputMatcher | undefined {
  const field = CLAUDE_CODE_EVENT_INFO[event].matcherField;
  if (field === undefined || matcher === undefined || matcher === '' || matcher === '*') return undefined;
  const read = (input: Record<string, unknown>): string => {
    const value = input[field];
    if (typeof value !== 'string') return '';
    return event === 'FileChanged' ? basename(value) : value;
  };
  if (EXACT.test(matcher)) {
    const names = new Set(
      matcher
        .split(/[|,]/)
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    );
    return (input) => names.has(read(input));
  }
  let regex: RegExp;
  try {
    regex = new RegExp(matcher);
  } catch (cause) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `matcher ${JSON.stringify(matcher)} of a ${event} hook is not a valid regular expression (${(cause as Error).message}). Use an exact name, a list like "Edit|Write", or a valid regex.`,
      { cause },
    );
  }
  return (input) => regex.test(read(input));
}

const RULE = /^([A-Za-z0-9_]+)\((.*)\)$/s;

/**
 * A best-effort `if` permission rule (`Bash(git *)`, `Edit(*.ts)`, `Bash(npm run test:*)`), as
 * Claude Code applies it: only on tool events (elsewhere the hook never runs); the tool name must
 * match; for Bash the pattern is tried on every subcommand (`&&`, `||`, `;`, `|`, `$(…)`,
 * backticks) and one match runs the hook; for file tools it is a glob on `file_path` (or
 * `path`/`pattern`). What cannot be parsed fails open: the hook runs.
 */
export function compileIf(event: ClaudeCodeEvent, rule: string | undefined): InputMatcher | undefined {
  if (rule === undefined || rule.trim() === '') return undefined;
  if (!CLAUDE_CODE_EVENT_INFO[event].tool) return () => false;
  const m = RULE.exec(rule.trim());
  if (m === null) return undefined; // unparsable: fail open
  const [, tool, pattern] = m as unknown as [string, string, string];
  if (tool === 'Bash' || tool === 'PowerShell') {
    const test = commandPattern(pattern);
    return (input) => {
      if (input.tool_name !== tool) return false;
      const command = (input.tool_input as { command?: unknown } | undefined)?.command;
      if (typeof command !== 'string') return true;
      const parts = subcommands(command);
      return parts === undefined || parts.some(test);
    };
  }
  const glob = globRegex(pattern);
  return (input) => {
    if (input.tool_name !== tool) return false;
    if (pattern === '' || pattern === '*') return true;
    const ti = (input.tool_input ?? {}) as Record<string, unknown>;
    const target = [ti.file_path, ti.path, ti.url, ti.pattern].find((v) => typeof v === 'string') as
      | string
      | undefined;
    if (target === undefined) return true;
    return glob.test(target) || glob.test(basename(target));
  };
}

/** `npm run test:*` (prefix) and `git *` (glob) forms of a Bash rule. */
function commandPattern(pattern: string): (command: string) => boolean {
  if (pattern === '' || pattern === '*') return () => true;
  if (pattern.endsWith(':*')) {
    const prefix = pattern.slice(0, -2);
    return (c) => c === prefix || c.startsWith(`${prefix} `) || c.startsWith(prefix);
  }
  const source = pattern
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (c) => regex.test(c);
}

/** The simple commands of a shell line, or undefined when quoting is unbalanced. */
export function subcommands(command: string): string[] | undefined {
  const out: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  const stack: string[] = [];
  const push = () => {
    const t = current.trim();
    if (t !== '') out.push(t);
    current = '';
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') current += command[++i] ?? '';
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (c === '\\') {
      current += command[++i] ?? '';
      continue;
    }
    if (c === '$' && command[i + 1] === '(') {
      stack.push(current);
      current = '';
      i++;
      continue;
    }
    if (c === ')' && stack.length > 0) {
      push();
      current = stack.pop()!;
      continue;
    }
    if (c === '`') {
      push();
      continue;
    }
    if (c === ';' || c === '\n' || c === '|' || c === '&') {
      push();
      if ((c === '|' || c === '&') && command[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  if (quote !== undefined || stack.length > 0) return undefined;
  push();
  return out;
}

function globRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(^|/)${source}$`);
}
