import type { HookContext, HookPoint } from '@hookspell/hooks';

/** The Claude Code hook events (reference: docs/claude-code.md, "Events and points"). */
export const CLAUDE_CODE_EVENTS = Object.freeze([
  'PreToolUse',
  'PermissionRequest',
  'PermissionDenied',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'Notification',
  'MessageDisplay',
  'SubagentStart',
  'SubagentStop',
  'Stop',
  'StopFailure',
  'TeammateIdle',
  'TaskCreated',
  'TaskCompleted',
  'SessionStart',
  'SessionEnd',
  'Setup',
  'PreCompact',
  'PostCompact',
  'InstructionsLoaded',
  'ConfigChange',
  'CwdChanged',
  'FileChanged',
  'DirectoryAdded',
  'WorktreeCreate',
  'WorktreeRemove',
  'Elicitation',
  'ElicitationResult',
  'PreModelSwitch',
  'PostModelSwitch',
] as const);

export type ClaudeCodeEvent = (typeof CLAUDE_CODE_EVENTS)[number];

/**
 * What exit code 2 (or `decision: "block"`) does at an event, in hookspell's terms:
 * - `deny`: the tool call does not run (`cancel`);
 * - `cancel`: the event's action does not happen (`cancel`);
 * - `feedback`: the tool already ran; the reason goes to the model (`modified { feedback }`);
 * - `keep-going`: the agent does not stop; the reason is its next instruction (`retry`);
 * - `none`: nothing to block (stderr is shown to the user only; output ignored).
 */
export type BlockKind = 'deny' | 'cancel' | 'feedback' | 'keep-going' | 'none';

/** How hookspell treats one Claude Code event. */
export interface ClaudeCodeEventInfo {
  readonly point: HookPoint;
  /** The stdin field the `matcher` is tested against; undefined where matchers are ignored. */
  readonly matcherField?: string;
  readonly block: BlockKind;
  /** Claude Code's default `timeout` for command hooks, seconds. */
  readonly timeoutSec: number;
  /** Plain (non-JSON) stdout on exit 0 becomes context for the model. */
  readonly plainStdoutIsContext: boolean;
  /** `CLAUDE_ENV_FILE` is set for this event. */
  readonly envFile: boolean;
  /** A tool event (`if` rules apply). */
  readonly tool: boolean;
}

function info(
  point: HookPoint,
  block: BlockKind,
  extra: Partial<Omit<ClaudeCodeEventInfo, 'point' | 'block'>> = {},
): ClaudeCodeEventInfo {
  return Object.freeze({
    point,
    block,
    timeoutSec: 600,
    plainStdoutIsContext: false,
    envFile: false,
    tool: false,
    ...extra,
  });
}

const TOOL = { matcherField: 'tool_name', tool: true } as const;

/**
 * Every event: its hookspell point (the mapping of reference §5.1), matcher field, what a block
 * does, and its default timeout (600 s since Claude Code 2.1.3; 30 s for UserPromptSubmit and the
 * model-switch events; 10 s for MessageDisplay; 1.5 s for SessionEnd).
 */
export const CLAUDE_CODE_EVENT_INFO: Readonly<Record<ClaudeCodeEvent, ClaudeCodeEventInfo>> = Object.freeze({
  PreToolUse: info('BeforeToolExecution', 'deny', TOOL),
  PermissionRequest: info('ToolValidation', 'none', TOOL),
  PermissionDenied: info('SecurityViolation', 'none', TOOL),
  PostToolUse: info('AfterToolExecution', 'feedback', TOOL),
  PostToolUseFailure: info('ToolError', 'feedback', TOOL),
  PostToolBatch: info('custom:post_tool_batch', 'cancel'),
  UserPromptSubmit: info('BeforeAgentExecution', 'cancel', { timeoutSec: 30, plainStdoutIsContext: true }),
  UserPromptExpansion: info('custom:user_prompt_expansion', 'cancel', {
    matcherField: 'command_name',
    plainStdoutIsContext: true,
  }),
  Notification: info('custom:notification', 'none', { matcherField: 'notification_type' }),
  MessageDisplay: info('custom:message_display', 'none', { timeoutSec: 10 }),
  SubagentStart: info('BeforeAgentExecution', 'none', { matcherField: 'agent_type' }),
  SubagentStop: info('AfterAgentExecution', 'keep-going', { matcherField: 'agent_type' }),
  Stop: info('AfterAgentExecution', 'keep-going'),
  StopFailure: info('AgentError', 'none', { matcherField: 'error' }),
  TeammateIdle: info('BeforeAgentShutdown', 'cancel'),
  TaskCreated: info('custom:task_created', 'cancel'),
  TaskCompleted: info('custom:task_completed', 'cancel'),
  SessionStart: info('SessionStart', 'none', {
    matcherField: 'source',
    plainStdoutIsContext: true,
    envFile: true,
  }),
  SessionEnd: info('SessionEnd', 'none', { matcherField: 'reason', timeoutSec: 1.5 }),
  Setup: info('SystemStartup', 'none', { matcherField: 'trigger', envFile: true }),
  PreCompact: info('SessionCheckpoint', 'cancel', { matcherField: 'trigger' }),
  PostCompact: info('SessionSave', 'none', { matcherField: 'trigger' }),
  InstructionsLoaded: info('custom:instructions_loaded', 'none', { matcherField: 'load_reason' }),
  ConfigChange: info('ConfigurationChange', 'cancel', { matcherField: 'source' }),
  CwdChanged: info('custom:cwd_changed', 'none', { envFile: true }),
  FileChanged: info('custom:file_changed', 'none', { matcherField: 'file_path', envFile: true }),
  DirectoryAdded: info('custom:directory_added', 'none', { matcherField: 'source' }),
  WorktreeCreate: info('custom:worktree_create', 'cancel'),
  WorktreeRemove: info('custom:worktree_remove', 'none'),
  Elicitation: info('custom:elicitation', 'cancel', { matcherField: 'mcp_server_name' }),
  ElicitationResult: info('custom:elicitation_result', 'cancel', { matcherField: 'mcp_server_name' }),
  PreModelSwitch: info('custom:pre_model_switch', 'cancel', { matcherField: 'to_model', timeoutSec: 30 }),
  PostModelSwitch: info('custom:post_model_switch', 'none', {
    matcherField: 'to_model',
    timeoutSec: 30,
    plainStdoutIsContext: true,
  }),
});

const EVENT_NAMES: ReadonlySet<string> = new Set(CLAUDE_CODE_EVENTS);

export function isClaudeCodeEvent(name: unknown): name is ClaudeCodeEvent {
  return typeof name === 'string' && EVENT_NAMES.has(name);
}

/** The point a Claude Code event is fired at. */
export function claudeCodePoint(event: ClaudeCodeEvent): HookPoint {
  return CLAUDE_CODE_EVENT_INFO[event].point;
}

/**
 * The Claude Code event a fire stands for: `data.hook_event_name` when it names one, else the
 * event mapped to the point (a subagent — `data.agent_type` or an agent component — makes
 * BeforeAgentExecution/AfterAgentExecution SubagentStart/SubagentStop).
 */
export function eventForContext(ctx: HookContext): ClaudeCodeEvent | undefined {
  const named = ctx.data.hook_event_name;
  if (isClaudeCodeEvent(named)) return named;
  const subagent = typeof ctx.data.agent_type === 'string';
  switch (ctx.point) {
    case 'BeforeAgentExecution':
      return subagent ? 'SubagentStart' : 'UserPromptSubmit';
    case 'AfterAgentExecution':
      return subagent ? 'SubagentStop' : 'Stop';
  }
  return eventForPoint(ctx.point);
}

/** The event fired at `point` when nothing else says: the first that maps to it. */
export function eventForPoint(point: string): ClaudeCodeEvent | undefined {
  return CLAUDE_CODE_EVENTS.find((event) => CLAUDE_CODE_EVENT_INFO[event].point === point);
}
