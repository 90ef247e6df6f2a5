/**
 * A warning the CLI gives about what happened while hooks ran. `fire --json` and `run --json`
 * print them in a `warnings` array; the line (`message`) also goes to stderr as it happens.
 */
export type CliWarning = BreakerWarning | SettingsWarning;

/** Something in a `claudeSettings` file that was skipped or changed on registration, and why. */
export interface SettingsWarning {
  kind: 'claude-settings';
  /** The warning as one line of text (what stderr shows, without the `hookspell: warning: ` prefix). */
  message: string;
}

export interface BreakerWarning {
  /** What happened: `breaker-opened` (a hook's circuit breaker opened). */
  kind: 'breaker-opened';
  point: string;
  hook: string;
  hookId: string;
  /** Why it opened, as the executor says it (failures or slow calls, and for how long). */
  reason: string;
  /** Whether the hook fails closed: then its calls cancel while the breaker is open, else they are skipped. */
  failClosed: boolean;
  /** The whole warning as one line of text (what stderr shows, without the `hookspell: warning: ` prefix). */
  message: string;
}

/**
 * The data of a `hook.breaker.opened` lifecycle event as a warning. The event's data comes from
 * the executor; it is read field by field (anything missing is shown as unknown, never thrown on).
 *
 * @example
 * breakerWarning({ point: 'BeforeToolExecution', hook: 'deny-rm', hookId: 'h1', reason: '3 failures in 30000 ms', failClosed: false }).message
 * // "breaker opened for hook 'deny-rm' at BeforeToolExecution: 3 failures in 30000 ms. It fails open: …"
 */
export function breakerWarning(data: unknown): BreakerWarning {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  const point = text(d.point, '(unknown point)');
  const hook = text(d.hook, '(unknown hook)');
  const reason = text(d.reason, 'no reason given');
  const failClosed = d.failClosed === true;
  const effect = failClosed
    ? 'It fails closed: while open, the breaker cancels each fire (it does not skip the hook).'
    : `It fails open: while open, the fire goes on without it (to cancel instead: points.${point}.failClosed: true; see \`hookspell hooks audit\`).`;
  return {
    kind: 'breaker-opened',
    point,
    hook,
    hookId: text(d.hookId, ''),
    reason,
    failClosed,
    message: `breaker opened for hook '${hook}' at ${point}: ${reason}. ${effect}`,
  };
}
