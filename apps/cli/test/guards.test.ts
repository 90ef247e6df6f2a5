import { describe, expect, it } from 'vitest';
import { hookspell, json, oneLine, project } from './helpers.js';

// A command hook that never answers (its timeout kills it), one that crashes, one that denies.
const HANG = '[node, -e, "setTimeout(() => {}, 10000)"]';
const CRASH = '[node, -e, "process.exit(1)"]';
/** A guard that takes ~100 ms (plus the start of node) and denies: exit 2, stderr is the reason. */
const DENY_100MS = `[node, -e, "setTimeout(() => { process.stderr.write('no rm'); process.exit(2) }, 100)"]`;

/** Publishes `n` events from a Lua script (each fires BeforeEventEmit) and prints how many were refused. */
const publishLoop = (n: number) => `local denied = 0
for i = 1, ${n} do
  local ok = pcall(Event.publish, "tool.call", { cmd = "rm -rf /" })
  if not ok then denied = denied + 1 end
end
print("denied " .. denied)
`;

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('hookspell: warning: '));

describe('guards that the defaults cannot switch off', () => {
  it('points.<name>.failClosed makes a timing-out command hook cancel, naming the hook and the cause', async () => {
    const hooks = `hooks:\n  - { name: slow-guard, point: BeforeToolExecution, command: ${HANG}, timeoutMs: 300 }\n`;
    const closed = project({
      'hookspell.config.yaml': `${hooks}points:\n  BeforeToolExecution: { failClosed: true }\n`,
    });
    let r = await hookspell(['fire', 'BeforeToolExecution', '--json'], { cwd: closed });
    expect(r.code, r.stderr).toBe(3);
    const outcome = json(r);
    expect(outcome.decision.type).toBe('cancel');
    expect(outcome.decision.reason).toMatch(/hook 'slow-guard' is fail-closed and timed out/);
    expect(outcome.records[0].status).toBe('timeout');
    // The same hook without failClosed fails open: the fire goes on (exit 4: a hook failed).
    const open = project({ 'hookspell.config.yaml': hooks });
    r = await hookspell(['fire', 'BeforeToolExecution', '--json'], { cwd: open });
    expect(r.code).toBe(4);
    expect(json(r).decision.type).toBe('continue');
    // A hook that says onFailure: continue itself stays fail-open at a failClosed point.
    const observer = project({
      'hookspell.config.yaml': `hooks:\n  - { name: observer, point: BeforeToolExecution, command: ${HANG}, timeoutMs: 300, onFailure: continue }\npoints:\n  BeforeToolExecution: { failClosed: true }\n`,
    });
    r = await hookspell(['fire', 'BeforeToolExecution', '--json'], { cwd: observer });
    expect(r.code).toBe(4);
    expect(json(r).decision.type).toBe('continue');
  });

  it('hooks list shows the point failClosed and where each onFailure comes from', async () => {
    const cwd = project({
      'hookspell.config.yaml': `hooks:
  - { name: guard, point: BeforeToolExecution, command: ${CRASH} }
  - { name: observer, point: BeforeToolExecution, command: ${CRASH}, onFailure: continue }
  - { name: plain, point: custom:checks, command: ${CRASH} }
points:
  BeforeToolExecution: { failClosed: true }
`,
    });
    const r = await hookspell(['hooks', 'list', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const listing = json(r);
    expect(listing.map((p: any) => [p.point, p.failClosed])).toEqual([
      ['BeforeToolExecution', true],
      ['custom:checks', false],
    ]);
    expect(
      listing.flatMap((p: any) => p.hooks.map((h: any) => [h.name, h.onFailure, h.onFailureSource])),
    ).toEqual([
      ['guard', 'cancel', 'point'],
      ['observer', 'continue', 'hook'],
      ['plain', 'continue', 'default'],
    ]);
    const text = await hookspell(['hooks', 'list'], { cwd });
    expect(text.stdout).toMatch(/^BeforeToolExecution {2}sequential {2}failClosed$/m);
    expect(text.stdout).toMatch(/^ {2}1 {2}guard .* fail-closed /m);
    expect(text.stdout).toMatch(/^ {2}2 {2}observer .* fail-open /m);
  });

  it('a wrong failClosed or onFailure is a config error with file:line:col (exit 2)', async () => {
    const cases: [string, RegExp][] = [
      [
        'points:\n  BeforeToolExecution: { failClosed: yes }\n',
        /^hookspell: hookspell\.config\.yaml:2:38: points\.BeforeToolExecution\.failClosed: must be a boolean \(got 'yes'\)$/,
      ],
      [
        `hooks:\n  - name: a\n    point: BeforeToolExecution\n    command: ${CRASH}\n    onFailure: stop\n`,
        /^hookspell: hookspell\.config\.yaml:5:16: hooks\[0\]\.onFailure: must be one of 'continue', 'cancel' \(got 'stop'\)$/,
      ],
      [
        'points:\n  BeforeToolExecution: { failclosed: true }\n',
        /hookspell\.config\.yaml:2:26: points\.BeforeToolExecution\.failclosed: unknown field\. Did you mean `failClosed`\?$/,
      ],
    ];
    for (const [yaml, expected] of cases) {
      const r = await hookspell(['hooks', 'list'], { cwd: project({ 'hookspell.config.yaml': yaml }) });
      expect(r.code, yaml).toBe(2);
      expect(oneLine(r.stderr), yaml).toMatch(expected);
    }
  });

  it('fire warns on stderr when a breaker opens (hook, point, reason, fail-open or closed); --json lists it too', async () => {
    const cwd = project({
      'hookspell.config.yaml': `hooks:
  - { name: flaky, point: custom:checks, command: ${CRASH}, breaker: { failureThreshold: 1 } }
  - { name: guard, point: BeforeToolExecution, command: ${CRASH}, breaker: { failureThreshold: 1 } }
points:
  BeforeToolExecution: { failClosed: true }
`,
    });
    let r = await hookspell(['fire', 'custom:checks'], { cwd });
    expect(r.code).toBe(4);
    expect(warnings(r.stderr)).toEqual([
      expect.stringMatching(
        /^hookspell: warning: breaker opened for hook 'flaky' at custom:checks: 1 failures? within 30000 ms.*\. It fails open: while open, the fire goes on without it \(to cancel instead: points\.custom:checks\.failClosed: true; see `hookspell hooks audit`\)\.$/,
      ),
    ]);
    r = await hookspell(['fire', 'custom:checks', '--json'], { cwd });
    expect(warnings(r.stderr)).toHaveLength(1);
    const [warning] = json(r).warnings;
    expect(warning).toMatchObject({
      kind: 'breaker-opened',
      point: 'custom:checks',
      hook: 'flaky',
      failClosed: false,
      reason: expect.stringMatching(/within 30000 ms/),
    });
    expect(`hookspell: warning: ${warning.message}`).toBe(warnings(r.stderr)[0]);
    // At a failClosed point the breaker cancels: the warning says so.
    r = await hookspell(['fire', 'BeforeToolExecution', '--json'], { cwd });
    expect(r.code).toBe(3);
    expect(json(r).warnings).toEqual([
      expect.objectContaining({ hook: 'guard', point: 'BeforeToolExecution', failClosed: true }),
    ]);
    expect(warnings(r.stderr)[0]).toMatch(
      /It fails closed: while open, the breaker cancels each fire \(it does not skip the hook\)\.$/,
    );
    // No breaker opened: no warning, an empty list.
    const quiet = project({
      'hookspell.config.yaml': `hooks:\n  - { name: ok, point: custom:checks, command: [node, -e, ""] }\n`,
    });
    r = await hookspell(['fire', 'custom:checks', '--json'], { cwd: quiet });
    expect(r.stderr).toBe('');
    expect(json(r).warnings).toEqual([]);
  });

  it('run: a hook that fails 3 times in one script opens its default breaker; one warning, the 4th call is skipped', async () => {
    const cwd = project({
      'hookspell.config.yaml': `hooks:\n  - { name: flaky, point: BeforeEventEmit, command: ${CRASH} }\n`,
      'loop.lua': publishLoop(4),
    });
    const r = await hookspell(['run', 'loop.lua', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const result = json(r);
    // Fail-open: every publish went through although the hook failed (and was then skipped).
    expect(result.printed).toEqual(['denied 0']);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        kind: 'breaker-opened',
        hook: 'flaky',
        point: 'BeforeEventEmit',
        failClosed: false,
        reason: expect.stringMatching(/^3 failures/),
      }),
    ]);
    expect(warnings(r.stderr)).toHaveLength(1);
    // The breaker's opening is stored with the rest: the third failure opened it, the 4th call was skipped.
    const stored = json(await hookspell(['events', 'query', '--pattern', 'hook.**', '--json'], { cwd }));
    expect(stored.map((e: any) => e.type).filter((t: string) => !t.startsWith('hook.fire.'))).toEqual([
      'hook.execution.failed',
      'hook.execution.failed',
      'hook.breaker.opened',
      'hook.execution.failed',
      'hook.execution.skipped',
    ]);
  });

  it('a command guard of ~100 ms denies 10 times in a row with default options (issue 13)', async () => {
    const cwd = project({
      'hookspell.config.yaml': `hooks:\n  - { name: deny-rm, point: BeforeEventEmit, command: ${DENY_100MS} }\n`,
      'loop.lua': publishLoop(10),
    });
    const r = await hookspell(['run', 'loop.lua', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).printed).toEqual(['denied 10']);
    expect(json(r).warnings).toEqual([]);
    expect(warnings(r.stderr)).toEqual([]);
  });

  it('with an absolute slow-call rule the breaker opens: fail-open lets the action through (warned), failClosed keeps denying', async () => {
    // The former default's rule (a call of ≥ 50 ms is slow, 2 slow calls open the breaker).
    const hook = `hooks:\n  - { name: deny-rm, point: BeforeEventEmit, command: ${DENY_100MS}, breaker: { slowCallMs: 50, slowCallThreshold: 2 } }\n`;
    const open = project({ 'hookspell.config.yaml': hook, 'loop.lua': publishLoop(10) });
    let r = await hookspell(['run', 'loop.lua', '--json'], { cwd: open });
    expect(json(r).printed).toEqual(['denied 2']);
    expect(json(r).warnings).toEqual([expect.objectContaining({ hook: 'deny-rm', failClosed: false })]);
    const closed = project({
      'hookspell.config.yaml': `${hook}points:\n  BeforeEventEmit: { failClosed: true }\n`,
      'loop.lua': publishLoop(10),
    });
    r = await hookspell(['run', 'loop.lua', '--json'], { cwd: closed });
    expect(json(r).printed).toEqual(['denied 10']);
    expect(json(r).warnings).toEqual([expect.objectContaining({ hook: 'deny-rm', failClosed: true })]);
  });

  it('hooks audit lists a fail-open hook at a guard point and not a fail-closed one (exit 5), else says none (exit 0)', async () => {
    const cwd = project({
      'hookspell.config.yaml': `hooks:
  - { name: open-guard, point: BeforeToolExecution, command: ${CRASH} }
  - { name: closed-guard, point: BeforeToolExecution, command: ${CRASH}, onFailure: cancel }
  - { name: watcher, point: AfterToolExecution, command: ${CRASH} }
`,
    });
    let r = await hookspell(['hooks', 'audit', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(5);
    const result = json(r);
    expect(result.checked).toBe(2); // AfterToolExecution is not a guard point
    expect(result.findings).toEqual([
      expect.objectContaining({
        name: 'open-guard',
        point: 'BeforeToolExecution',
        language: 'command',
        onFailure: 'continue',
        onFailureSource: 'default',
        paths: ['timeout', 'error', 'invalid result', 'launch failure', 'breaker open'],
        why: expect.stringMatching(/fails open by default/),
        fix: expect.stringMatching(/failClosed/),
        source: 'command: ["node","-e","process.exit(1)"]',
      }),
    ]);
    r = await hookspell(['hooks', 'audit'], { cwd });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(
      /^1 hook can let a guarded action go ahead although it failed or did not run \(2 checked\):$/m,
    );
    expect(r.stdout).toMatch(
      /^BeforeToolExecution {2}open-guard {2}command +continue \(default\) {2}timeout, error, /m,
    );
    expect(r.stdout).toMatch(/^ {2}why: /m);
    expect(r.stdout).toMatch(/^ {2}fix: /m);
    expect(r.stdout).not.toMatch(/closed-guard|watcher/);
    // The fix the audit suggests, applied: nothing left to report.
    const fixed = project({
      'hookspell.config.yaml': `hooks:\n  - { name: open-guard, point: BeforeToolExecution, command: ${CRASH} }\npoints:\n  BeforeToolExecution: { failClosed: true }\n`,
    });
    r = await hookspell(['hooks', 'audit'], { cwd: fixed });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no hook can fail open at a guard point (1 hook at guard points checked)\n');
    r = await hookspell(['hooks', 'audit', '--json'], { cwd: fixed });
    expect(json(r)).toEqual({ checked: 1, findings: [] });
  });
});
