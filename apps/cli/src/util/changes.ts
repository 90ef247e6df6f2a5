import { CliError, CliErrorCode } from '../errors.js';

/**
 * `--set data.cmd=ls` / `--set data.limit=3` / `--set 'data.tags=["a"]'` → a change for a
 * modified replay. The value is JSON when it parses as JSON, else the text itself (under
 * `metadata.` always text: metadata values are strings);
 * `--set data.x` with no `=` is an error (use `--unset data.x` to delete).
 *
 * @example
 * parseSet('data.limit=3'); // ['data.limit', 3]
 * parseSet('data.cmd=rm -rf /'); // ['data.cmd', 'rm -rf /']
 */
export function parseSet(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new CliError(
      CliErrorCode.USAGE,
      `--set '${text}': expected <path>=<value>, e.g. --set data.cmd=ls or --set data.limit=3`,
    );
  }
  const path = text.slice(0, eq).trim();
  if (!/^(data|metadata)\.[^.\s]+(\.[^.\s]+)*$/.test(path)) {
    throw new CliError(
      CliErrorCode.USAGE,
      `--set '${text}': the path must start with data. or metadata. (e.g. data.args.cmd)`,
    );
  }
  const raw = text.slice(eq + 1);
  // ctx.metadata is strings, one level deep: `metadata.retries=3` means the text '3' (under
  // data. it would be the number 3); a JSON string literal is unquoted like under data.
  if (path.startsWith('metadata.')) {
    if (path.split('.').length !== 2) {
      throw new CliError(
        CliErrorCode.USAGE,
        `--set '${text}': metadata holds strings only, one level deep: use metadata.<key>=<text> (structured values go under data.)`,
      );
    }
    return [path, /^".*"$/s.test(raw) ? jsonString(raw) : raw];
  }
  try {
    return [path, JSON.parse(raw)];
  } catch {
    return [path, raw];
  }
}

function jsonString(raw: string): string {
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw;
  }
}

/** Collects repeated `--set` options (commander's reducer). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
