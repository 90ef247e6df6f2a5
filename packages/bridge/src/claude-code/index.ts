// @hookspell/bridge/claude-code — Claude Code hook scripts, run unchanged (docs/claude-code.md).
export { type ClaudeCodeAnswer, claudeCodeAnswer } from './answer.js';
export {
  asObserver,
  type ClaudeCodeHookInfo,
  type ClaudeCodeHookOptions,
  claudeCodeHook,
  claudeCodeTimeoutMs,
} from './claude-code-hook.js';
export {
  type BlockKind,
  CLAUDE_CODE_EVENT_INFO,
  CLAUDE_CODE_EVENTS,
  type ClaudeCodeEvent,
  type ClaudeCodeEventInfo,
  claudeCodePoint,
  eventForContext,
  eventForPoint,
  isClaudeCodeEvent,
} from './events.js';
export { claudeCodeInput } from './input.js';
export { compileIf, compileMatcher } from './matcher.js';
export { type HookAnswer, readAnswer, TEXT_CAP } from './output.js';
export {
  type ClaudeSettings,
  type ClaudeSettingsBatch,
  type ClaudeSettingsHook,
  parseClaudeSettings,
  type RegisterClaudeSettingsOptions,
  readClaudeSettings,
  registerClaudeSettings,
} from './settings.js';
export { STOP_BLOCK_CAP, toHookResult } from './to-result.js';
export {
  type TranscriptEntry,
  type TranscriptLine,
  type TranscriptSource,
  transcriptLines,
  writeTranscript,
} from './transcript.js';
