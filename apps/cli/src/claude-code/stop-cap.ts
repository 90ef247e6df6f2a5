import type { StorageBackend } from '@hookspell/storage';
import type { HookReply } from './hook.js';

/** Claude Code forces an end after this many consecutive Stop blocks; hookspell's default cap. */
export const DEFAULT_STOP_BLOCK_CAP = 8;

/**
 * The Stop loop cap. A Stop (or SubagentStop) hook that blocks makes Claude keep going, and
 * Claude Code says so in the next Stop's `stop_hook_active: true`; hooks that block regardless
 * loop until Claude Code's own cap (8). hookspell counts the blocks it answered in a row, per
 * session and agent, in the config's storage: `stop_hook_active: false` starts a new count, a
 * fire that does not block resets it, and once `cap` blocks were answered in a row the next
 * block is answered as "let Claude stop" (exit 0) with a `systemMessage` saying why.
 * With `memory` storage nothing survives the process, so only Claude Code's own cap applies.
 */
export async function applyStopCap(
  storage: StorageBackend,
  call: { reply: HookReply; input: Record<string, unknown>; cap: number | undefined; sessionId: string },
): Promise<HookReply> {
  const cap = call.cap ?? DEFAULT_STOP_BLOCK_CAP;
  const agent = typeof call.input.agent_id === 'string' ? call.input.agent_id : 'main';
  const key = `claude-code/stop-blocks/${safe(call.sessionId)}/${safe(agent)}`;
  const active = call.input.stop_hook_active === true;
  const before = active ? Number((await storage.get<number>(key)) ?? 0) : 0;
  const blocks = call.reply.exitCode === 2;
  if (!blocks) {
    if (before !== 0 || active) await storage.delete(key);
    return call.reply;
  }
  if (before >= cap) {
    await storage.delete(key);
    const message = `hookspell: the Stop hooks blocked ${before} time(s) in a row (stopBlockCap ${cap}); letting Claude stop. Last reason: ${call.reply.stderr.trim()}`;
    return { exitCode: 0, stdout: `${JSON.stringify({ systemMessage: message })}\n`, stderr: '' };
  }
  await storage.set(key, before + 1);
  return call.reply;
}

/** A session or agent id as one segment of a storage key. */
function safe(id: string): string {
  return (
    id
      .replace(/[^A-Za-z0-9_.:-]/g, '_')
      .replace(/\.\.+/g, '_')
      .slice(0, 200) || '_'
  );
}
