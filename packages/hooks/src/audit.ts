import { type HookPoint, isBuiltinHookPoint } from './hook-points.js';
import type { AnyHookRegistry, HookRegistry } from './registry.js';
import type { HookLanguage } from './types.js';

/**
 * What a `cancel` stops at each built-in point whose cancel a host honours (the points a guard
 * sits on). A custom point counts as a guard point once it is configured `failClosed`: hookspell
 * cannot know what a custom point's cancel means to its host until the host says so.
 */
const GUARDED: Readonly<Partial<Record<HookPoint, string>>> = Object.freeze({
  BeforeAgentInit: 'the agent is not created',
  BeforeAgentExecution: 'the agent does not run (e.g. the prompt is refused)',
  BeforeAgentShutdown: 'the agent stays up',
  BeforeToolDiscovery: 'tools are not discovered',
  BeforeToolExecution: 'the tool call does not run',
  ToolValidation: 'the tool call is refused',
  BeforeWorkflowStart: 'the workflow does not start',
  BeforeWorkflowStage: 'the stage does not run',
  WorkflowStageTransition: 'the transition does not happen',
  BeforeStateRead: 'the state is not read',
  BeforeStateWrite: 'the state is not written',
  ConfigurationChange: 'the configuration change is refused',
  SessionStart: 'the session does not start',
  SessionRestore: 'the session is not restored',
  SessionCheckpoint: 'the checkpoint (e.g. a compaction) does not happen',
  BeforeEventEmit: 'the event is not published',
});

/** True for a built-in point where a `cancel` stops the action (see {@link auditHooks}). */
export function isGuardPoint(point: HookPoint): boolean {
  return isBuiltinHookPoint(point) && GUARDED[point] !== undefined;
}

/** A hook that can let a guarded action go ahead although it failed or did not run. */
export interface HookAuditFinding {
  readonly hookId: string;
  readonly name: string;
  readonly point: HookPoint;
  readonly language: HookLanguage;
  readonly onFailure: 'continue' | 'cancel';
  readonly onFailureSource: 'hook' | 'point' | 'default';
  /** How it can fail open: 'timeout', 'error', 'invalid result', 'launch failure', 'breaker open', 'disabled'. */
  readonly paths: readonly string[];
  /** One sentence: why this is a risk. */
  readonly why: string;
  /** One sentence: what to change. */
  readonly fix: string;
}

/**
 * Lists every registered hook that can fail open at a point where `cancel` stops something:
 * built-in guard points ({@link isGuardPoint}) and points configured `failClosed`. A fail-open
 * hook there lets the action through when it times out, throws, returns an invalid result or
 * cannot start (its open breaker skips it); a disabled hook guards nothing. Fail-closed hooks are
 * not listed: each of those paths cancels.
 *
 * @example
 * ```ts
 * for (const f of auditHooks(registry)) console.warn(`${f.point} ${f.name}: ${f.why} ${f.fix}`);
 * ```
 */
export function auditHooks(registry: AnyHookRegistry): HookAuditFinding[] {
  const findings: HookAuditFinding[] = [];
  for (const info of registry.list()) {
    const pointFailClosed = registry.pointConfig(info.point).failClosed;
    if (!pointFailClosed && !isGuardPoint(info.point)) continue;
    const stops = guardText(info.point);
    if (!info.enabled) {
      findings.push({
        ...base(info),
        paths: ['disabled'],
        why: `it is disabled, so nothing it guards is checked at ${info.point} (a cancel there means ${stops}).`,
        fix: `enable it (registry.enable('${info.name}@${info.point}')) or unregister it if it is retired.`,
      });
      continue;
    }
    if (info.onFailure === 'cancel') continue;
    const paths = ['timeout', 'error', 'invalid result'];
    if (info.language === 'command') paths.push('launch failure');
    if (info.breaker !== undefined) paths.push('breaker open');
    const why =
      info.onFailureSource === 'hook'
        ? `it is registered with onFailure: 'continue', so when it ${joinPaths(paths)} the fire goes on and the action it guards goes ahead (a cancel at ${info.point} means ${stops}).`
        : `it fails open by default: ${info.point} is not failClosed, so when it ${joinPaths(paths)} the fire goes on and the action goes ahead (a cancel there means ${stops}).`;
    const fix =
      info.onFailureSource === 'hook'
        ? `if it is a guard, drop onFailure: 'continue' (or set 'cancel'); if it only observes, nothing to do.`
        : `configure the point failClosed (registry.configurePoint('${info.point}', { failClosed: true }) or points.${info.point}.failClosed in a config file), or register the hook with onFailure: 'cancel'.`;
    findings.push({ ...base(info), paths, why, fix });
  }
  return findings;
}

function base(info: ReturnType<HookRegistry['list']>[number]) {
  return {
    hookId: info.id,
    name: info.name,
    point: info.point,
    language: info.language,
    onFailure: info.onFailure,
    onFailureSource: info.onFailureSource,
  };
}

function guardText(point: HookPoint): string {
  return (isBuiltinHookPoint(point) ? GUARDED[point] : undefined) ?? 'whatever the host guards there';
}

function joinPaths(paths: readonly string[]): string {
  const verbs = paths.map((p) =>
    p === 'timeout'
      ? 'times out'
      : p === 'error'
        ? 'throws'
        : p === 'invalid result'
          ? 'returns an invalid result'
          : p === 'launch failure'
            ? 'cannot be launched'
            : 'is skipped by its open breaker',
  );
  return verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} or ${verbs[verbs.length - 1]}` : verbs[0]!;
}
