import { readFileSync } from 'node:fs';
import { isHookPoint } from '@hookspell/hooks';
import { jsonSyntaxProblem } from '../config/json-syntax.js';
import { pointProblem } from '../config/schema.js';
import { CliError, CliErrorCode } from '../errors.js';

/**
 * `--data '{"cmd":"ls"}'` or `--data @input.json` (`@-` reads stdin) → a JSON object.
 * Anything else is a usage error naming the option; bad JSON is placed (`line:col`) and explained.
 */
export function parseJsonObject(value: string, option: string): Record<string, unknown> {
  let text = value;
  let from = '';
  if (value.startsWith('@')) {
    const file = value.slice(1);
    from = file === '-' ? ' (stdin)' : ` (${file})`;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      throw new CliError(
        missing ? CliErrorCode.FILE_NOT_FOUND : CliErrorCode.BAD_INPUT,
        missing
          ? `${option}: file not found: ${file}`
          : `${option}: cannot read ${file}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const { line, col, message } = jsonSyntaxProblem(text, cause, 'input');
    throw new CliError(
      CliErrorCode.BAD_INPUT,
      `${option}${from}: invalid JSON at ${line}:${col}: ${message}`,
      { cause },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(
      CliErrorCode.BAD_INPUT,
      `${option}${from}: must be a JSON object like {"key": "value"}`,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * `--metadata`: a JSON object (as `parseJsonObject` reads it) whose values are all strings, as
 * `ctx.metadata` is typed (`Record<string, string>`) and as command and script hooks expect it.
 * A number, boolean, null, array or object is refused naming its key and the fix.
 *
 * @example
 * parseMetadata('{"user":"bob"}', '--metadata'); // { user: 'bob' }
 * parseMetadata('{"retries":3}', '--metadata'); // CliError: --metadata: "retries" must be a string (got the number 3); …
 */
export function parseMetadata(value: string, option: string): Record<string, string> {
  const parsed = parseJsonObject(value, option);
  for (const [key, v] of Object.entries(parsed)) {
    if (typeof v === 'string') continue;
    const scalar = typeof v === 'number' || typeof v === 'boolean';
    throw new CliError(
      CliErrorCode.BAD_INPUT,
      `${option}: ${JSON.stringify(key)} must be a string (got ${describeJson(v)}); ctx.metadata holds strings only: ${
        scalar ? `write ${JSON.stringify(key)}: ${JSON.stringify(String(v))}, or pass` : 'pass'
      } structured values in --data`,
    );
  }
  return parsed as Record<string, string>;
}

/** A parsed JSON value as a message names it: "the number 3", "an array", "null". */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** A hook point argument: unknown names get the nearest built-in point. */
export function parsePoint(value: string): string {
  if (isHookPoint(value)) return value;
  throw new CliError(CliErrorCode.USAGE, pointProblem(value));
}

/** A positive integer option. */
export function parsePositiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(CliErrorCode.USAGE, `${option} must be a whole number ≥ 1 (got '${value}')`);
  return n;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A point in time: an ISO date/time, epoch milliseconds, or a duration ago (`90s`, `10m`, `2h`,
 * `1d`, `500ms`).
 *
 * @example
 * parseTime('10m', '--since', now); // now - 600000
 */
export function parseTime(value: string, option: string, now = Date.now()): number {
  const ago = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(value.trim());
  if (ago) return now - Number(ago[1]) * UNITS[ago[2]!]!;
  if (/^\d{10,}$/.test(value.trim())) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new CliError(
      CliErrorCode.USAGE,
      `${option}: '${value}' is not a time; use an ISO date (2025-01-31T12:00:00Z), epoch ms, or a duration ago (30s, 10m, 2h, 1d)`,
    );
  }
  return t;
}

/** `tool:shell` → `{ type: 'tool', name: 'shell' }` for `--component`. */
export function parseComponent(value: string): {
  type: 'agent' | 'tool' | 'workflow' | 'system' | 'custom';
  name: string;
} {
  const m = /^(agent|tool|workflow|system|custom):(.+)$/.exec(value);
  if (!m) {
    throw new CliError(
      CliErrorCode.USAGE,
      `--component must be <type>:<name> with type agent, tool, workflow, system or custom (got '${value}')`,
    );
  }
  return { type: m[1] as 'agent', name: m[2]! };
}
