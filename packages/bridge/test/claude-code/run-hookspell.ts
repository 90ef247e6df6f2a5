/**
 * Runs the same handlers through hookspell the way a host would: one `claudeCodeHook` per handler,
 * registered at the event's point with Claude Code's timeout, the point in parallel mode (Claude
 * Code's model), the Claude Code stdin object fired as `data`, then `claudeCodeAnswer`.
 */
import {
  HookExecutor,
  type HookOutcome,
  type HookPoint,
  HookRegistry,
  type RegisterOptions,
} from '@hookspell/hooks';
import {
  type ClaudeCodeAnswer,
  type ClaudeCodeEvent,
  claudeCodeAnswer,
  claudeCodeHook,
  claudeCodePoint,
  claudeCodeTimeoutMs,
} from '../../src/claude-code/index.js';
import type { DriverHook } from './driver.js';

export interface HookspellOptions {
  projectDir?: string;
  pluginRoot?: string;
  /** Per-hook registration extras (priority, onFailure, dependsOn …), by hook name. */
  register?: Record<string, Partial<RegisterOptions>>;
  /** Called before the fire, e.g. to configure the point. */
  setup?(registry: HookRegistry, point: HookPoint): void;
  mode?: 'parallel' | 'sequential';
}

export interface HookspellResult {
  answer: ClaudeCodeAnswer;
  outcome: HookOutcome;
}

export async function runHookspell(
  event: ClaudeCodeEvent,
  input: Record<string, unknown>,
  hooks: readonly DriverHook[],
  options: HookspellOptions = {},
): Promise<HookspellResult> {
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 30_000 });
  const point = claudeCodePoint(event);
  registry.configurePoint(point, { mode: options.mode ?? 'parallel' });
  options.setup?.(registry, point);
  for (const h of hooks) {
    const pluginRoot = h.pluginRoot ?? options.pluginRoot;
    const hook = claudeCodeHook({
      command: h.command,
      event,
      name: h.name,
      ...(h.args !== undefined && { args: h.args }),
      ...(h.shell !== undefined && { shell: h.shell }),
      ...(h.timeout !== undefined && { timeout: h.timeout }),
      ...(h.matcher !== undefined && { matcher: h.matcher }),
      ...(pluginRoot !== undefined && { pluginRoot }),
      ...(options.projectDir !== undefined && { projectDir: options.projectDir }),
    });
    registry.register(point, hook, {
      name: h.name,
      language: 'command',
      timeoutMs: claudeCodeTimeoutMs(hook),
      ...options.register?.[h.name],
    });
  }
  const outcome = await executor.fire(point, { data: structuredClone(input) });
  return { answer: claudeCodeAnswer(outcome, event), outcome };
}
