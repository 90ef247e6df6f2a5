import type { HookOutcome, HookResult } from '@hookspell/hooks';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent } from './events.js';
import type { HookAnswer } from './output.js';
import { readSideChannels } from './side-channel.js';
import { HALT_REASON } from './to-result.js';

/** What Claude Code should do after a fire, and the exit code and output that make it do that. */
export interface ClaudeCodeAnswer {
  /** Exit code for Claude Code: 2 when the fire blocks at an event that can block, else 0. */
  readonly exitCode: 0 | 2;
  /** JSON for Claude Code's stdout (empty when there is nothing to say). */
  readonly stdout: string;
  /** The block message (read by Claude Code on exit 2). */
  readonly stderr: string;
  /** deny > defer > ask > allow > none; `block` also stands for Stop's "keep going". */
  readonly decision: 'block' | 'defer' | 'ask' | 'allow' | 'none';
  readonly reason?: string;
  /** Every hook's context, in plan order, one per line. */
  readonly additionalContext?: string;
  readonly systemMessage?: string;
  /** The whole new tool input (PreToolUse, PermissionRequest). */
  readonly updatedInput?: Record<string, unknown>;
  /** A value replacing the event's output (updatedToolOutput, displayContent, worktree path, elicitation answer). */
  readonly replacement?: unknown;
  /** `continue: false`: the session stops. */
  readonly halt?: { readonly stopReason?: string };
  /** Keys the host may honour (sessionTitle, watchPaths, initialUserMessage, …). */
  readonly extras?: Readonly<Record<string, unknown>>;
  /** Keys written by several hooks with no order between them (the last in plan order won). */
  readonly conflicts: readonly { readonly key: string; readonly hooks: readonly string[] }[];
}

/**
 * Merges a fire's outcome into the one answer Claude Code acts on — deterministically, whatever
 * order the hooks finished in (Claude Code races here; see docs/claude-code.md, "Merging"):
 * a halt (`continue: false`) beats everything; then deny > defer > ask > allow > no opinion
 * (a `cancel` from any hook — TypeScript, Lua, JavaScript, command, built-in — is a deny, and a
 * fail-closed failure is one too); the tool input is the outcome's `tool_input` when a hook
 * rewrote it, conflicting rewrites are reported with every hook named; every hook's
 * `additionalContext` and `systemMessage` is kept, in plan order.
 */
export function claudeCodeAnswer(outcome: HookOutcome, event: ClaudeCodeEvent): ClaudeCodeAnswer {
  const info = CLAUDE_CODE_EVENT_INFO[event];
  const sides = readSideChannels(outcome.metadata);
  const contexts: string[] = [];
  const messages: string[] = [];
  const blockReasons: string[] = [];
  const feedback: string[] = [];
  const haltReasons = new Set<string>();
  let halt: { stopReason?: string } | undefined;
  let allow = false;
  let allowReason: string | undefined;
  let askReason: string | undefined;
  let updatedInput: Record<string, unknown> | undefined;
  let extras: Record<string, unknown> | undefined;
  let accumulated = '';

  const collect = (side: HookAnswer): void => {
    if (side.additionalContext !== undefined) {
      contexts.push(side.additionalContext);
      accumulated = accumulated === '' ? side.additionalContext : `${accumulated}\n${side.additionalContext}`;
    }
    if (side.systemMessage !== undefined) messages.push(side.systemMessage);
    if (side.halt !== undefined) {
      halt ??= side.halt;
      // The reason its cancel carries (to-result.ts), so that cancel is not taken for a deny.
      haltReasons.add(side.halt.stopReason ?? HALT_REASON);
    }
    if (side.decision === 'allow') {
      allow = true;
      allowReason ??= side.reason;
    } else if (side.decision === 'ask') askReason ??= side.reason;
    // a `defer` carries no reason on: it hands the call back untouched
    else if (side.decision === 'block' && side.reason !== undefined) blockReasons.push(side.reason);
    if (side.updatedInput !== undefined) updatedInput = side.updatedInput;
    if (side.extras !== undefined) extras = { ...extras, ...side.extras };
  };
  // Plan order, whatever order the hooks finished in.
  for (const record of outcome.records) {
    const side = sides.get(record.name);
    if (side !== undefined) {
      sides.delete(record.name);
      collect(side);
      continue;
    }
    // A hookspell-native hook: what it says is in its `modified` data (in a sequential chain,
    // its context is appended to what came before — keep only the new part).
    const data = modifiedData(record.result);
    if (data === undefined) continue;
    const text = data.additionalContext;
    if (typeof text === 'string' && text !== '') {
      const fresh =
        accumulated !== '' && text.startsWith(accumulated)
          ? text.slice(accumulated.length).replace(/^\n/, '')
          : text;
      if (fresh !== '') contexts.push(fresh);
      accumulated = text;
    }
    if (typeof data.feedback === 'string' && data.feedback !== '') feedback.push(data.feedback);
    if (typeof data.tool_input === 'object' && data.tool_input !== null)
      updatedInput = data.tool_input as Record<string, unknown>;
  }
  for (const side of sides.values()) collect(side); // answers of hooks not among the records

  const decision = outcome.decision;
  let kind: ClaudeCodeAnswer['decision'] = 'none';
  let reason: string | undefined;
  // A deny is any cancel that is not only a halt's (continue: false alone may let the tool run).
  const cancels = outcome.directives.filter((d) => d.type === 'cancel') as { reason: string }[];
  const deny =
    cancels.find((c) => !haltReasons.has(c.reason)) ??
    (decision.type === 'cancel' && cancels.length === 0 ? decision : undefined);
  if (deny !== undefined) {
    kind = 'block';
    reason = deny.reason;
  } else if (decision.type === 'retry' && info.block === 'keep-going') {
    if (blockReasons.length > 0) {
      kind = 'block';
      reason = blockReasons.join('\n');
    } else if (contexts.length === 0) {
      kind = 'block';
      reason = 'a hook asked to keep going';
    } // else: context only — delivered as hook feedback, the agent goes on without a block
  } else if (decision.type === 'redirect') {
    const targets = outcome.directives
      .filter((d) => d.type === 'redirect')
      .map((d) => (d as { target: string }).target);
    if (targets.includes('defer')) kind = 'defer';
    else {
      kind = 'ask';
      reason = askReason;
    }
  } else if (allow) {
    kind = 'allow';
    reason = allowReason;
  }
  if (kind === 'none' && info.block === 'feedback') {
    const all = [...blockReasons, ...feedback];
    if (all.length > 0) {
      kind = 'block';
      reason = all.join('\n');
    }
  }
  // `defer` hands the call back untouched: no reason, no rewrite, no context (reference §2.4).
  const deferred = kind === 'defer';
  const replacement =
    decision.type === 'replace' ? { value: (decision as { value: unknown }).value } : undefined;
  const answer = {
    decision: kind,
    ...(reason === undefined || deferred ? {} : { reason }),
    ...(contexts.length && !deferred ? { additionalContext: contexts.join('\n') } : {}),
    ...(messages.length ? { systemMessage: messages.join('\n') } : {}),
    ...(updatedInput === undefined || deferred || !info.tool ? {} : { updatedInput }),
    ...(replacement === undefined ? {} : { replacement: replacement.value }),
    ...(halt === undefined ? {} : { halt }),
    ...(extras === undefined ? {} : { extras }),
    conflicts: outcome.conflicts.map((c) => ({ key: c.key, hooks: c.hooks })),
  };
  return { ...answer, ...render(event, answer, kind === 'block' && info.block === 'feedback') };
}

function modifiedData(result: HookResult | undefined): Record<string, unknown> | undefined {
  return result?.type === 'modified' ? result.data : undefined;
}

type Merged = Omit<ClaudeCodeAnswer, 'exitCode' | 'stdout' | 'stderr'>;

/**
 * The exit code and JSON that make Claude Code do what the merged answer says, in a form every
 * version since 2025 reads: a block exits 2 with the reason on stderr (the one signal no version
 * ignores and no JSON can override) and also prints the JSON form for the fields that go with it;
 * everything else exits 0 with JSON on stdout.
 */
function render(
  event: ClaudeCodeEvent,
  a: Merged,
  feedbackBlock: boolean,
): Pick<ClaudeCodeAnswer, 'exitCode' | 'stdout' | 'stderr'> {
  const info = CLAUDE_CODE_EVENT_INFO[event];
  const out: Record<string, unknown> = {};
  const specific: Record<string, unknown> = { hookEventName: event };
  if (a.halt !== undefined) {
    out.continue = false;
    if (a.halt.stopReason !== undefined) out.stopReason = a.halt.stopReason;
  }
  if (a.systemMessage !== undefined) out.systemMessage = a.systemMessage;
  if (a.additionalContext !== undefined) specific.additionalContext = a.additionalContext;
  let exitCode: 0 | 2 = 0;
  let stderr = '';
  if (event === 'PreToolUse') {
    if (a.decision !== 'none') {
      specific.permissionDecision = a.decision === 'block' ? 'deny' : a.decision;
      if (a.reason !== undefined) specific.permissionDecisionReason = a.reason;
    }
    if (a.updatedInput !== undefined && a.decision !== 'block') specific.updatedInput = a.updatedInput;
  } else if (event === 'PermissionRequest') {
    if (a.decision === 'block' || a.decision === 'allow') {
      const d: Record<string, unknown> = { behavior: a.decision === 'block' ? 'deny' : 'allow' };
      if (a.reason !== undefined && a.decision === 'block') d.message = a.reason;
      if (a.updatedInput !== undefined && a.decision === 'allow') d.updatedInput = a.updatedInput;
      specific.decision = d;
    }
  } else if (a.decision === 'block' && info.block !== 'none') {
    out.decision = 'block';
    if (a.reason !== undefined) out.reason = a.reason;
  }
  if (a.replacement !== undefined) {
    if (event === 'PostToolUse') specific.updatedToolOutput = a.replacement;
    else if (event === 'MessageDisplay') specific.displayContent = a.replacement;
    else if (event === 'WorktreeCreate') specific.worktreePath = a.replacement;
    else if (event === 'Elicitation' || event === 'ElicitationResult') Object.assign(specific, a.replacement);
  }
  if (a.extras !== undefined) Object.assign(specific, a.extras);
  if (a.decision === 'block' && info.block !== 'none' && a.halt === undefined) {
    exitCode = 2;
    stderr = a.reason ?? (feedbackBlock ? 'hook feedback' : 'blocked by a hookspell hook');
  }
  if (Object.keys(specific).length > 1) out.hookSpecificOutput = specific;
  // A WorktreeCreate command hook answers with the path as its last stdout line.
  if (event === 'WorktreeCreate' && typeof a.replacement === 'string' && exitCode === 0)
    return { exitCode, stdout: `${a.replacement}\n`, stderr };
  const stdout = Object.keys(out).length > 0 ? `${JSON.stringify(out)}\n` : '';
  return { exitCode, stdout, stderr };
}
