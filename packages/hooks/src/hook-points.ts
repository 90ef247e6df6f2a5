import { nearestName } from './edit-distance.js';
import { HookError, HookErrorCode } from './errors/hook-error.js';

/**
 * The 43 built-in hook points, grouped as in the original system (agent, tool, workflow, state,
 * system, session, event, performance). Any other point must be spelled `custom:<name>`.
 *
 * @example
 * ```ts
 * import { HOOK_POINTS } from '@hookspell/hooks';
 * HOOK_POINTS.includes('BeforeToolExecution'); // true
 * ```
 */
export const HOOK_POINTS = Object.freeze([
  // agent (7)
  'BeforeAgentInit',
  'AfterAgentInit',
  'BeforeAgentExecution',
  'AfterAgentExecution',
  'AgentError',
  'BeforeAgentShutdown',
  'AfterAgentShutdown',
  // tool (6)
  'BeforeToolDiscovery',
  'AfterToolDiscovery',
  'BeforeToolExecution',
  'AfterToolExecution',
  'ToolValidation',
  'ToolError',
  // workflow (8)
  'BeforeWorkflowStart',
  'WorkflowStageTransition',
  'BeforeWorkflowStage',
  'AfterWorkflowStage',
  'WorkflowCheckpoint',
  'WorkflowRollback',
  'AfterWorkflowComplete',
  'WorkflowError',
  // state (6)
  'BeforeStateRead',
  'AfterStateRead',
  'BeforeStateWrite',
  'AfterStateWrite',
  'StateConflict',
  'StateMigration',
  // system (5)
  'SystemStartup',
  'SystemShutdown',
  'ConfigurationChange',
  'ResourceLimitExceeded',
  'SecurityViolation',
  // session (5)
  'SessionStart',
  'SessionEnd',
  'SessionCheckpoint',
  'SessionRestore',
  'SessionSave',
  // event (3)
  'BeforeEventEmit',
  'AfterEventEmit',
  'EventHandlerError',
  // performance (3)
  'PerformanceThresholdExceeded',
  'MemoryUsageHigh',
  'CpuUsageHigh',
] as const);

/** One of the 43 built-in point names. */
export type BuiltinHookPoint = (typeof HOOK_POINTS)[number];
/** A built-in point or a custom one spelled `custom:<name>`. */
export type HookPoint = BuiltinHookPoint | `custom:${string}`;

const BUILTIN = new Set<string>(HOOK_POINTS);
const CUSTOM_PREFIX = 'custom:';

/**
 * True for a built-in point name or a well-formed `custom:<name>`.
 *
 * @example
 * ```ts
 * isHookPoint('custom:agent_paused'); // true
 * isHookPoint('BeforeToolExecutoin'); // false
 * ```
 */
export function isHookPoint(point: unknown): point is HookPoint {
  if (typeof point !== 'string') return false;
  if (BUILTIN.has(point)) return true;
  return point.length > CUSTOM_PREFIX.length && point.startsWith(CUSTOM_PREFIX);
}

/** True for one of the 43 built-in names. */
export function isBuiltinHookPoint(point: unknown): point is BuiltinHookPoint {
  return typeof point === 'string' && BUILTIN.has(point);
}

/**
 * The built-in point nearest to `name` by edit distance (case-insensitive), or undefined when
 * nothing is reasonably close.
 *
 * @example
 * ```ts
 * suggestHookPoint('BeforeToolExecutoin'); // 'BeforeToolExecution'
 * ```
 */
export function suggestHookPoint(name: string): BuiltinHookPoint | undefined {
  return nearestName(name, HOOK_POINTS) as BuiltinHookPoint | undefined;
}

/**
 * Throws `HookError` `HOOKSPELL_UNKNOWN_HOOK_POINT` unless `point` is a hook point; the message
 * names the nearest built-in point, so a typo never registers a hook that silently never fires.
 */
export function assertHookPoint(point: unknown, where: string): asserts point is HookPoint {
  if (isHookPoint(point)) return;
  const text = typeof point === 'string' ? `'${point}'` : String(point);
  const suggestion = typeof point === 'string' ? suggestHookPoint(point) : undefined;
  const hint = suggestion
    ? `Did you mean '${suggestion}'?`
    : 'Use one of HOOK_POINTS or a custom point spelled `custom:<name>`.';
  throw new HookError(
    HookErrorCode.UNKNOWN_HOOK_POINT,
    `${where}: ${text} is not a hook point. ${hint}${suggestion ? ' Custom points are spelled `custom:<name>`.' : ''}`,
  );
}
