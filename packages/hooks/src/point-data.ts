import type { BuiltinHookPoint, HookPoint } from './hook-points.js';

/**
 * The data of a fire when nothing more is known: a record whose values are untyped, like
 * hookable's default — so code written without a point map compiles and reads `ctx.data.query`
 * without a cast. Declare a {@link PointMap} to get exact types instead.
 */
export type HookData = Record<string, any>;

/**
 * Data shapes by point, declared by a host (as emittery's event map): `ctx.data` of every hook
 * registered at a point, `input.data` of `fire()` and `outcome.data` are typed by it. Keys must be
 * built-in point names or `custom:<name>`.
 *
 * @example
 * ```ts
 * interface Points {
 *   BeforeToolExecution: { tool: string; args: string[] };
 *   'custom:deploy': { env: 'staging' | 'prod' };
 * }
 * const registry = new HookRegistry<Points>();
 * registry.register('BeforeToolExecution', (ctx) => (ctx.data.tool === 'rm' ? HookResult.cancel('no') : undefined));
 * const executor = new HookExecutor(registry);
 * await executor.fire('custom:deploy', { data: { env: 'prod' } });
 * ```
 */
export type PointMap = object;

/** The data of a tool call: Claude Code's field names and `instrumentTool`'s, anything else untyped. */
export interface ToolCallData extends HookData {
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  tool_use_id?: string;
  tool_response?: unknown;
  /** `instrumentTool`: the call's parameters. */
  parameters?: unknown;
}

/** The data of an agent step: the prompt (Claude Code's UserPromptSubmit) and `agentLifecycle`'s fields. */
export interface AgentStepData extends HookData {
  prompt?: string;
  /** `agentLifecycle`: the agent's name and the transition. */
  agent?: string;
  from?: string;
  to?: string;
  /** A subagent's type (Claude Code's SubagentStart/SubagentStop). */
  agent_type?: string;
  stop_hook_active?: boolean;
}

/** The data the event bus fires `BeforeEventEmit` / `AfterEventEmit` / `EventHandlerError` with. */
export interface EventEmitData extends HookData {
  eventId?: string;
  type?: string;
  data?: unknown;
  tags?: string[];
}

/** The documented shapes of the built-in points; the others carry {@link HookData}. */
export interface BuiltinPointData {
  BeforeToolExecution: ToolCallData;
  AfterToolExecution: ToolCallData;
  ToolValidation: ToolCallData;
  ToolError: ToolCallData;
  BeforeAgentExecution: AgentStepData;
  AfterAgentExecution: AgentStepData;
  BeforeEventEmit: EventEmitData;
  AfterEventEmit: EventEmitData;
  EventHandlerError: EventEmitData;
}

/** The point map of a registry that declares none: the documented built-in shapes, {@link HookData} elsewhere. */
export type DefaultPoints = BuiltinPointData & {
  [P in Exclude<BuiltinHookPoint, keyof BuiltinPointData>]: HookData;
} & { [custom: `custom:${string}`]: HookData };

/** The points a map declares (only valid point names); every point for `any`. */
export type PointOf<P extends PointMap> = string extends keyof P ? HookPoint : Extract<keyof P, HookPoint>;

/** The data type of point `K` in map `P` ({@link HookData} where the map says nothing usable). */
export type DataOf<P extends PointMap, K> = K extends keyof P
  ? P[K] extends object
    ? P[K]
    : HookData
  : HookData;
