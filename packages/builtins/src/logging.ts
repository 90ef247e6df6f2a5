import { HOOK_POINTS, type HookContext, systemClock } from '@hookspell/hooks';
import type { DestinationStream, Level, Logger } from 'pino';
import {
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  ERROR_POINTS,
  isoAt,
} from './builtin-hook.js';
import { loadPino } from './lazy-deps.js';
import { truncated } from './truncate.js';

export interface LoggingOptions extends BuiltinOptions {
  /** pino level of ordinary points. @default 'info' */
  level?: Level;
  /** Level of error points (ToolError, AgentError, WorkflowError, …). @default 'error' */
  errorLevel?: Level;
  /** Log `ctx.data`. @default true */
  includeData?: boolean;
  /** Log `ctx.metadata`. @default true */
  includeMetadata?: boolean;
  /** Data longer than this (JSON, UTF-8 bytes) is logged as a truncated string. @default 1024 */
  maxDataBytes?: number;
  /** Your pino logger (its level and destination apply). @default a new pino logger */
  logger?: Logger;
  /** Where a logger made here writes. @default stdout */
  destination?: DestinationStream;
}

/** What `logging()` returns: the hook, and the pino logger it writes to. */
export interface LoggingHook extends BuiltinHook {
  readonly logger: Logger;
}

/**
 * Logs every point it sees through pino: point, component, correlation id, language, data
 * (truncated at `maxDataBytes`) and metadata; writes `logged_at`. Priority `low`, so it sees
 * what the hooks before it decided to keep (e.g. data the security hook masked).
 *
 * @example
 * ```ts
 * import { logging } from '@hookspell/builtins';
 * logging({ level: 'debug', maxDataBytes: 512 }).register(registry); // every built-in point
 * ```
 */
export function logging(options: LoggingOptions = {}): LoggingHook {
  const {
    level = 'info',
    errorLevel = 'error',
    includeData = true,
    includeMetadata = true,
    maxDataBytes = 1024,
    clock = systemClock,
  } = options;
  check(
    Number.isInteger(maxDataBytes) && maxDataBytes >= 0,
    'logging',
    '`maxDataBytes` must be an integer ≥ 0.',
  );
  const pinoOptions = { level, base: undefined, timestamp: () => `,"time":${Math.round(clock.now())}` };
  const logger =
    options.logger ??
    (options.destination === undefined
      ? loadPino().pino(pinoOptions)
      : loadPino().pino(pinoOptions, options.destination));
  const execute = (ctx: HookContext): void => {
    const at = isoAt(clock);
    ctx.metadata.logged_at = at;
    const method = ERROR_POINTS.has(ctx.point) ? errorLevel : level;
    if (!logger.isLevelEnabled(method)) return;
    const record: Record<string, unknown> = {
      point: ctx.point,
      component: ctx.component,
      correlationId: ctx.correlationId,
      language: ctx.language,
    };
    if (includeData) record.data = truncated(ctx.data, maxDataBytes);
    if (includeMetadata) record.metadata = { ...ctx.metadata };
    logger[method](record, `hook point ${ctx.point}`);
  };
  return defineBuiltin(
    { name: 'logging', priority: 'low', points: HOOK_POINTS, options, execute },
    { logger },
  );
}
