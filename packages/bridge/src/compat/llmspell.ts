import type { EventBusStats } from '@hookspell/events';
import type { HookInfo } from '@hookspell/hooks';
import { invalidArgument } from '../errors.js';
import type { ScriptLanguage } from '../types.js';

/**
 * The original rs-llmspell's observable rules, for `compat: 'llmspell'`. Each rule cites the
 * file of lexlapax/rs-llmspell (commit 68b77cf2b54f941770add8a0d556482d7b1e97ca) it comes from.
 * Without the profile hookspell keeps its own rules (docs/from-rs-llmspell.md has both).
 */

/**
 * Does `type` match `pattern` by the original's rules? From `llmspell-events/src/pattern.rs`
 * (`PatternMatcher::matches`, which `EventBus::route_event` in `bus.rs` uses): `*` matches every
 * type; a pattern ending in `*` matches every type that starts with the rest (`test.*` matches
 * `test.pattern.example`, `api.v*` matches `api.v1.response`); any other pattern, `*` inside it
 * included, matches only the same string (`*.error` and `api.v*.response` match no event a
 * script can publish). An empty pattern is accepted (it matches nothing here; the original's
 * `EventPattern::new` refused it, see the guide).
 */
export function llmspellMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return type.startsWith(pattern.slice(0, -1));
  return type === pattern;
}

/**
 * A priority as the original prints it: `format!("{:?}", hook.priority)` of `Priority(pub i32)`
 * in `llmspell-hooks/src/types.rs`, e.g. `Priority(100)`, `Priority(-2147483648)` for highest
 * (`llmspell-bridge/src/lua/globals/hook.rs`, `Hook.list`).
 */
export function priorityString(priority: number): string {
  return `Priority(${priority})`;
}

const NAMED: Record<string, number> = {
  highest: -(2 ** 31),
  high: -100,
  normal: 0,
  low: 100,
  lowest: 2 ** 31 - 1,
};
const PRIORITY_TEXT = /^\s*Priority\(\s*(-?\d+)\s*\)\s*$/i;

/**
 * A priority a script gave (register option or list filter): one of the five names (any case,
 * as the original lowercases them in `hook.rs`), a `Priority(N)` string as `Hook.list()` prints
 * it, or a number. Anything else raises (the original fell back to normal in `parse_priority`
 * and to "no match" in the list filter; hookspell does not turn a typo into a silent default).
 */
export function llmspellPriority(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const named = NAMED[value.trim().toLowerCase()];
    if (named !== undefined) return named;
    const m = PRIORITY_TEXT.exec(value);
    if (m !== null) {
      const n = Number(m[1]);
      if (n >= -(2 ** 31) && n <= 2 ** 31 - 1) return n;
    }
  }
  throw invalidArgument(
    `${what} must be highest, high, normal, low, lowest, a "Priority(N)" string or an integer; got ${JSON.stringify(value) ?? String(value)}.`,
  );
}

/**
 * A `Hook.list()` entry in the original's shape (`hook.rs`): `name`, `priority` as
 * `"Priority(N)"`, `language`, `version`, `tags` — plus hookspell's `id`, `hook_point` and
 * `enabled`, which no original script reads and handles need.
 */
export function llmspellHookEntry(info: HookInfo, language: ScriptLanguage): Record<string, unknown> {
  return {
    id: info.id,
    name: info.name,
    hook_point: info.point,
    ...(language === 'javascript' && { hookPoint: info.point }),
    priority: priorityString(info.priority),
    language: info.language,
    version: info.version,
    tags: [...info.tags],
    enabled: info.enabled,
  };
}

/**
 * The original's `Hook.list(filter)` filter (`hook.rs`): `language` compared without case, a
 * `tag` that any tag contains (a substring, as `tag.contains(&tag_filter)`), a priority (see
 * `llmspellPriority`). The point filter is applied by the registry.
 */
export function llmspellHookFilter(filter: Record<string, unknown>): (info: HookInfo) => boolean {
  const language = typeof filter.language === 'string' ? filter.language.toLowerCase() : undefined;
  const tag = typeof filter.tag === 'string' ? filter.tag : undefined;
  const priority =
    filter.priority === undefined ? undefined : llmspellPriority(filter.priority, 'Hook.list: `priority`');
  return (info) =>
    (language === undefined || info.language.toLowerCase() === language) &&
    (tag === undefined || info.tags.some((t) => t.includes(tag))) &&
    (priority === undefined || info.priority === priority);
}

/** The original's language names in listings: `format!("{:?}", language)` (`Lua`, `JavaScript`). */
export function llmspellLanguage(language: ScriptLanguage): string {
  return language === 'lua' ? 'Lua' : 'JavaScript';
}

/**
 * `Event.get_stats()` in the original's shape (`llmspell-bridge/src/event_bridge.rs`,
 * `EventBridge::get_stats`): `event_bus_stats { events_processed, rate_limit_violations,
 * buffer_size }` and `bridge_stats { active_subscriptions, subscriptions_by_language }`.
 * Here events_processed is the bus's published count, buffer_size the events queued for
 * `Event.receive` in this script, and the subscriptions are this script's.
 */
export function llmspellStats(
  bus: EventBusStats,
  subscriptions: number,
  queued: number,
  language: ScriptLanguage,
): Record<string, unknown> {
  return {
    event_bus_stats: {
      events_processed: bus.published,
      rate_limit_violations: bus.rateLimited,
      buffer_size: queued,
    },
    bridge_stats: {
      active_subscriptions: subscriptions,
      subscriptions_by_language: subscriptions > 0 ? { [llmspellLanguage(language)]: subscriptions } : {},
    },
  };
}
