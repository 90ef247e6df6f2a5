import type { HookPoint } from '@hookspell/hooks';

/** The three points fired around one guarded call. */
export interface CallPoints {
  readonly before: HookPoint;
  readonly after: HookPoint;
  /** Fired when the call throws; none for a tool listing. */
  readonly error: HookPoint | undefined;
}

/**
 * The points every hookspell integration fires around one model call (AI SDK middleware here,
 * OpenTelemetry spans elsewhere). The 43 built-in points have no model-call points; a model call
 * is what the original system's agent execution is, and the built-in hooks already treat it so:
 * `costTracking` prices `data.token_usage` at `AfterAgentExecution`, `rateLimit`, `security` and
 * `caching` guard `BeforeAgentExecution`, `retry` retries at `AgentError`, and `auditHooks` counts
 * `BeforeAgentExecution` as a guard point. See docs/integrations.md.
 */
export const MODEL_CALL_POINTS: CallPoints = Object.freeze({
  before: 'BeforeAgentExecution',
  after: 'AfterAgentExecution',
  error: 'AgentError',
});

/** The points fired around one tool call (an AI SDK tool's `execute`, an MCP `callTool`). */
export const TOOL_CALL_POINTS: CallPoints = Object.freeze({
  before: 'BeforeToolExecution',
  after: 'AfterToolExecution',
  error: 'ToolError',
});

/** The points fired around one MCP `listTools` (no error point: a failed listing just throws). */
export const TOOL_DISCOVERY_POINTS: CallPoints = Object.freeze({
  before: 'BeforeToolDiscovery',
  after: 'AfterToolDiscovery',
  error: undefined,
});
