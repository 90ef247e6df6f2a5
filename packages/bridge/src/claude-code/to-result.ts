import { type HookContext, HookResult } from '@hookspell/hooks';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent } from './events.js';
import type { HookAnswer } from './output.js';

/** The cancel reason of a halt (`continue: false`) that gave no `stopReason`. */
export const HALT_REASON = 'a hook stopped the session (continue: false)';

/** Consecutive Stop blocks Claude Code allows before it forces the end; a block becomes this retry. */
export const STOP_BLOCK_CAP = 8;

/**
 * A Claude Code answer as a hookspell result (reference §5.2). What a result cannot carry — allow
 * as opposed to no opinion, systemMessage, a halt, the reason of a Stop block — stays in the
 * hook's side channel in `ctx.metadata` (see `claudeCodeHook`), from which `claudeCodeAnswer`
 * merges a fire's answers.
 */
export function toHookResult(event: ClaudeCodeEvent, answer: HookAnswer, ctx: HookContext): HookResult {
  const info = CLAUDE_CODE_EVENT_INFO[event];
  if (answer.halt !== undefined) return HookResult.cancel(answer.halt.stopReason ?? HALT_REASON);
  if (answer.decision === 'block') {
    const reason = answer.reason ?? 'blocked by a hook';
    switch (info.block) {
      case 'deny':
      case 'cancel':
        return HookResult.cancel(reason);
      case 'keep-going':
        return HookResult.retry(0, STOP_BLOCK_CAP);
      case 'feedback':
        return HookResult.modified({ ...changes(answer, ctx), feedback: reason });
      case 'none':
        break;
    }
  }
  if (answer.decision === 'ask' || answer.decision === 'defer') return HookResult.redirect(answer.decision);
  // Stop/SubagentStop: context is "hook feedback" and the agent goes on (Claude Code 2.1.163).
  if (info.block === 'keep-going' && answer.additionalContext !== undefined)
    return HookResult.retry(0, STOP_BLOCK_CAP);
  if (answer.replacement !== undefined) return HookResult.replace(answer.replacement.value);
  if (answer.retry === true) return HookResult.retry(0, 1);
  const data = changes(answer, ctx);
  return Object.keys(data).length > 0 ? HookResult.modified(data) : HookResult.continue();
}

/** The data keys an answer changes: the whole new tool input, the context (appended), extras. */
function changes(answer: HookAnswer, ctx: HookContext): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (answer.updatedInput !== undefined) data.tool_input = answer.updatedInput;
  if (answer.additionalContext !== undefined) {
    const before = ctx.data.additionalContext;
    data.additionalContext =
      typeof before === 'string' && before !== ''
        ? `${before}\n${answer.additionalContext}`
        : answer.additionalContext;
  }
  if (answer.extras !== undefined) Object.assign(data, answer.extras);
  return data;
}
