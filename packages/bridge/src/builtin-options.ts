import type { BUILTINS } from '@hookspell/builtins';
import { nearestName } from '@hookspell/hooks';
import { BridgeError, BridgeErrorCode, BridgeValueError } from './errors.js';

/**
 * How an option of a built-in can be given by a script:
 * - `value`: JSON-like data, passed as converted;
 * - `list`: an array (an empty Lua table `{}` counts as an empty list here);
 * - `function`: only a host function makes sense, and functions cannot cross the bridge;
 * - `host`: a host object (a logger, a clock, a backoff…) that a script cannot build;
 * - `wired`: a host object the runtime passes itself when it has one (`bus`, `executor`).
 */
type OptionKind = 'value' | 'list' | 'function' | 'host' | 'wired';

type BuiltinName = keyof typeof BUILTINS;
type OptionsOf<N extends BuiltinName> = NonNullable<Parameters<(typeof BUILTINS)[N]>[0]>;

/** Options every built-in takes (`BuiltinOptions`). */
const COMMON = { name: 'value', priority: 'value', points: 'list', clock: 'host' } as const;
/** `BuiltinEventOptions`: where a built-in's events go. */
const EVENTS = { bus: 'wired', emit: 'function' } as const;

/**
 * Every option of every built-in, classified. The mapped type makes the type check fail when a
 * built-in gains an option nobody classified here, so a script can never pass one unchecked.
 */
const KINDS: { readonly [N in BuiltinName]: { readonly [K in keyof Required<OptionsOf<N>>]: OptionKind } } = {
  logging: {
    ...COMMON,
    level: 'value',
    errorLevel: 'value',
    includeData: 'value',
    includeMetadata: 'value',
    maxDataBytes: 'value',
    logger: 'host',
    destination: 'host',
  },
  metrics: { ...COMMON, bucketsMs: 'list', maxPoints: 'value', maxInFlight: 'value' },
  caching: {
    ...COMMON,
    maxEntries: 'value',
    ttlMs: 'value',
    minExecutionMs: 'value',
    successOnly: 'value',
    neverCache: 'list',
    resultKey: 'value',
    ignoreKeys: 'list',
    key: 'function',
    hit: 'value',
  },
  rateLimit: {
    ...COMMON,
    ...EVENTS,
    capacity: 'value',
    burst: 'value',
    refillTokens: 'value',
    refillIntervalMs: 'value',
    key: 'value',
    userKey: 'value',
    action: 'value',
    redirectTarget: 'value',
    cached: 'host',
    maxDelayMs: 'value',
    warnAt: 'value',
    cost: 'function',
    maxKeys: 'value',
    sleep: 'function',
  },
  retry: {
    ...COMMON,
    maxAttempts: 'value',
    initialDelayMs: 'value',
    maxDelayMs: 'value',
    jitter: 'value',
    backoff: 'host',
    retryableErrors: 'list',
    classify: 'function',
    classifyResult: 'function',
  },
  costTracking: {
    ...COMMON,
    ...EVENTS,
    prices: 'value',
    useDefaultPrices: 'value',
    minimumCharge: 'value',
    currency: 'value',
    alertThresholds: 'list',
    blockAbove: 'value',
    windowMs: 'value',
    scopes: 'list',
    userKey: 'value',
    usageKey: 'value',
    maxKeys: 'value',
  },
  security: {
    ...COMMON,
    ...EVENTS,
    sensitiveKeys: 'list',
    mask: 'value',
    maskWith: 'value',
    maxParameterLength: 'value',
    validate: 'function',
    block: 'value',
    auditSize: 'value',
    executor: 'wired',
  },
  debugging: { ...COMMON, maxTraces: 'value', maxDataBytes: 'value' },
};

/**
 * The eight built-ins of @hookspell/hooks, by name (the keys of the table above, which the type
 * check keeps equal to BUILTINS'): to tell a name that was not granted from a typo.
 */
export const KNOWN_BUILTINS: readonly string[] = Object.freeze(Object.keys(KINDS));

/** Host objects the runtime can pass to the built-ins that take them. */
export interface WiredOptions {
  bus?: unknown;
  executor?: unknown;
}

/**
 * Turns the options a script gave `Hook.builtin(name, options)` into the factory's options:
 * snake_case names become camelCase (`refill_interval_ms` → `refillIntervalMs`; only top-level
 * names — nested tables such as `prices` are data and keep their keys), unknown names and
 * options only the host can give are refused naming the option, and `wired` host objects are
 * added. Built-ins a host defines itself (names not among the eight) get the options as they
 * are: the bridge cannot know which they take.
 */
export function builtinOptions(
  name: string,
  raw: unknown,
  wired: WiredOptions,
  where = `built-in \`${name}\``,
): Record<string, unknown> {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    throw optionError(`${where}: \`options\` must be a table/object of option names; got ${describe(raw)}.`);
  const given = (raw ?? {}) as Record<string, unknown>;
  const kinds = (KINDS as Record<string, Record<string, OptionKind>>)[name];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const option = camelCase(key);
    if (option in out)
      throw optionError(
        `${where}: option \`${option}\` is given twice (as \`${key}\` and in another spelling).`,
      );
    const kind = kinds === undefined ? 'value' : Object.hasOwn(kinds, option) ? kinds[option] : undefined;
    if (kind === undefined) {
      const settable = Object.keys(kinds!).filter((k) => kinds![k] === 'value' || kinds![k] === 'list');
      const guess = nearestName(option, settable);
      throw optionError(
        `${where}: unknown option \`${key}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Options that can be set here: ${settable.join(', ')}.`,
      );
    }
    if (kind === 'function' || kind === 'host' || kind === 'wired') throw hostOnly(where, name, option, kind);
    if (kind === 'list' && !Array.isArray(value)) {
      if (isEmptyObject(value)) {
        out[option] = [];
        continue;
      }
      throw optionError(`${where}: option \`${option}\` must be a list; got ${describe(value)}.`);
    }
    out[option] = value;
  }
  if (kinds !== undefined)
    for (const key of ['bus', 'executor'] as const)
      if (kinds[key] === 'wired' && wired[key] !== undefined) out[key] = wired[key];
  return out;
}

/**
 * A value of `options` that could not cross the bridge (a function, NaN…), reworded to name the
 * option, with what to do for options that only take functions. Other errors pass unchanged.
 */
export function builtinValueError(name: string, error: unknown): unknown {
  if (!BridgeValueError.isInstance(error)) return error;
  const e = error as BridgeValueError;
  const match = /^options(?:\.([A-Za-z_$][\w$]*)|\["(.*?)"\])/.exec(e.path);
  if (match === null) return error;
  const option = camelCase(match[1] ?? match[2] ?? '');
  const kind = (KINDS as Record<string, Record<string, OptionKind>>)[name]?.[option];
  if (kind === 'function' || kind === 'host' || kind === 'wired')
    return hostOnly(`built-in \`${name}\``, name, option, kind);
  return error;
}

function hostOnly(where: string, name: string, option: string, kind: OptionKind): BridgeError {
  const what =
    kind === 'function'
      ? 'takes a function, which cannot come from a script or a config file'
      : kind === 'wired'
        ? 'is a host object; the runtime passes its own when it has one'
        : 'is a host object, which cannot come from a script or a config file';
  return optionError(
    `${where}: option \`${option}\` ${what}. Leave it out, or have the host register ${name}({ ${option} }) itself in TypeScript.`,
  );
}

function optionError(message: string): BridgeError {
  return new BridgeError(BridgeErrorCode.INVALID_ARGUMENT, message);
}

/** `max_data_bytes` → `maxDataBytes`; camelCase names stay as they are. */
function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table/object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
