import { BREAKER_PRESETS, type HookInfo, type HookRegistry, PRIORITY } from '@hookspell/hooks';
import { columns, ms } from '../util/format.js';

/**
 * Hooks of one point in the order a fire runs them: the registry's (priority, registration)
 * order with dependencies first (Kahn's algorithm, always taking the earliest ready hook, as
 * the executor's plan does). Disabled hooks come last; they do not run.
 */
export function executionOrder(hooks: readonly HookInfo[]): HookInfo[] {
  const enabled = hooks.filter((h) => h.enabled);
  const names = new Set(enabled.map((h) => h.name));
  const done = new Set<string>();
  const order: HookInfo[] = [];
  while (order.length < enabled.length) {
    const next = enabled.find(
      (h) => !done.has(h.name) && h.dependsOn.every((d) => done.has(d) || !names.has(d)),
    );
    if (next === undefined) break; // a cycle: the registry refuses those
    done.add(next.name);
    order.push(next);
  }
  return [...order, ...hooks.filter((h) => !h.enabled)];
}

/** One point and its hooks, as `hooks list --json` prints them. */
export interface PointListing {
  point: string;
  mode: 'sequential' | 'parallel';
  maxParallel: number | null;
  /** Every hook here fails closed unless it says `onFailure: 'continue'` itself. */
  failClosed: boolean;
  hooks: {
    order: number | null;
    name: string;
    priority: number;
    priorityName: string | null;
    language: string;
    source: string | null;
    dependsOn: string[];
    timeoutMs: number | null;
    /** The effective value: the hook's own, else its point's (`failClosed`), else 'continue'. */
    onFailure: 'continue' | 'cancel';
    /** Where `onFailure` comes from: the hook's registration, its point, or the default. */
    onFailureSource: 'hook' | 'point' | 'default';
    critical: boolean;
    mutates: boolean;
    enabled: boolean;
    breaker: { state: string; preset: string; recentFailures: number } | null;
  }[];
}

export function listHooks(
  registry: HookRegistry,
  sources: ReadonlyMap<string, string>,
  point?: string,
): PointListing[] {
  const byPoint = new Map<string, HookInfo[]>();
  for (const info of registry.list(point === undefined ? {} : { point: point as HookInfo['point'] })) {
    const list = byPoint.get(info.point);
    if (list) list.push(info);
    else byPoint.set(info.point, [info]);
  }
  return [...byPoint].map(([p, infos]) => {
    const config = registry.pointConfig(p as HookInfo['point']);
    let order = 0;
    return {
      point: p,
      mode: config.mode,
      maxParallel: Number.isFinite(config.maxParallel) ? config.maxParallel : null,
      failClosed: config.failClosed,
      hooks: executionOrder(infos).map((h) => ({
        order: h.enabled ? ++order : null,
        name: h.name,
        priority: h.priority,
        priorityName: priorityName(h.priority),
        language: h.language,
        source: sources.get(`${h.name}@${h.point}`) ?? null,
        dependsOn: [...h.dependsOn],
        timeoutMs: h.timeoutMs ?? null,
        onFailure: h.onFailure,
        onFailureSource: h.onFailureSource,
        critical: h.critical,
        mutates: h.mutates,
        enabled: h.enabled,
        breaker: h.breaker
          ? {
              state: h.breaker.state,
              preset: presetName(h.breaker.config),
              recentFailures: h.breaker.recentFailures,
            }
          : null,
      })),
    };
  });
}

export function renderHooks(listing: readonly PointListing[]): string {
  if (listing.length === 0)
    return 'no hooks registered (add some under `hooks:` in hookspell.config.yaml, or run `hookspell init`)\n';
  const out: string[] = [];
  for (const p of listing) {
    const parallel = p.mode === 'parallel' ? ` (maxParallel ${p.maxParallel ?? '∞'})` : '';
    out.push(`${p.point}  ${p.mode}${parallel}${p.failClosed ? '  failClosed' : ''}`);
    const rows = [
      ['#', 'name', 'priority', 'language', 'depends on', 'timeout', 'flags', 'breaker', 'source'],
    ];
    for (const h of p.hooks) {
      const flags = [
        h.critical && 'critical',
        h.mutates && 'mutates',
        h.onFailure === 'cancel' && 'fail-closed',
        // Said only where it departs from the point: a fail-open hook at a failClosed point.
        h.onFailure === 'continue' && p.failClosed && 'fail-open',
        !h.enabled && 'disabled',
      ]
        .filter(Boolean)
        .join(',');
      rows.push([
        h.order === null ? '-' : String(h.order),
        h.name,
        h.priorityName ?? String(h.priority),
        h.language,
        h.dependsOn.join(',') || '-',
        h.timeoutMs === null ? 'default' : ms(h.timeoutMs),
        flags || '-',
        h.breaker ? `${h.breaker.state} (${h.breaker.preset})` : 'none',
        h.source ?? '-',
      ]);
    }
    out.push(...columns(rows, '  '), '');
  }
  return out.join('\n');
}

function priorityName(value: number): string | null {
  for (const [name, n] of Object.entries(PRIORITY)) if (n === value) return name;
  return null;
}

function presetName(config: object): string {
  for (const [name, preset] of Object.entries(BREAKER_PRESETS)) {
    if (JSON.stringify(preset) === JSON.stringify(config)) return name;
  }
  return 'custom';
}
