import { caching } from './caching.js';
import { costTracking } from './cost-tracking.js';
import { debugging } from './debugging.js';
import { logging } from './logging.js';
import { metrics } from './metrics.js';
import { rateLimit } from './rate-limit.js';
import { retry } from './retry.js';
import { security } from './security.js';

/**
 * The eight built-ins by name, for callers that pick them from configuration or a script. Lua and
 * JavaScript scripts register them with `Hook.builtin(name, options)` when the host grants them
 * (`new ScriptRuntime({ builtins: BUILTINS })` in @hookspell/bridge); the CLI's config names them
 * with `builtin: <name>`.
 *
 * @example
 * ```ts
 * for (const name of ['security', 'logging'] as const) BUILTINS[name]().register(registry);
 * ```
 */
export const BUILTINS = Object.freeze({
  logging,
  metrics,
  caching,
  rateLimit,
  retry,
  costTracking,
  security,
  debugging,
});

export type BuiltinName = keyof typeof BUILTINS;
