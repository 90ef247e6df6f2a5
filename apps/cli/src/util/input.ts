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
