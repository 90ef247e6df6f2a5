import type { HookContext } from '@hookspell/hooks';
import type { HookAnswer } from './output.js';

// A hookspell result cannot say everything a Claude Code answer says (allow as opposed to no
// opinion, systemMessage, a halt, the reason of a Stop block, every hook's context when several
// write it). Each Claude Code hook therefore also leaves its whole answer in the fire's metadata
// — one object per fire in both modes, so parallel hooks write side by side under their own key —
// and `claudeCodeAnswer` merges them in plan order.

const PREFIX = 'claude-code:';

export function sideChannelKey(name: string): string {
  return `${PREFIX}${name}`;
}

export function writeSideChannel(ctx: HookContext, key: string, answer: HookAnswer): void {
  ctx.metadata[key] = JSON.stringify(answer);
}

/** The answers a fire's hooks left, by hook name. */
export function readSideChannels(metadata: Readonly<Record<string, string>>): Map<string, HookAnswer> {
  const out = new Map<string, HookAnswer>();
  for (const [key, value] of Object.entries(metadata)) {
    if (!key.startsWith(PREFIX)) continue;
    try {
      out.set(key.slice(PREFIX.length), JSON.parse(value) as HookAnswer);
    } catch {
      // Not ours (a host wrote the key): ignored.
    }
  }
  return out;
}
