import { HOOK_POINTS } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { hookspell, json, oneLine, project } from './helpers.js';

const FILES = {
  'hookspell.config.yaml': `scripts:
  - extra.js
hooks:
  - { name: audit, point: BeforeToolExecution, command: 'node -e ""', priority: low, timeoutMs: 2000 }
  - { name: policy, point: BeforeToolExecution, run: 'lua:policy.lua', priority: high, onFailure: cancel, breaker: production }
  - { name: enrich, point: BeforeToolExecution, run: 'js:enrich.js', dependsOn: [late] }
  - { name: late, point: BeforeToolExecution, command: [node, -e, ''], priority: lowest, breaker: false }
  - { name: fmt, point: custom:checks, command: 'node -e ""', mutates: true, critical: true, enabled: false }
points:
  custom:checks: { mode: parallel, maxParallel: 4 }
`,
  'policy.lua': 'Hook.register("BeforeToolExecution", function(ctx) end, "lowest")\n',
  'enrich.js': "Hook.register('BeforeToolExecution', () => undefined);\n",
  'extra.js':
    "Hook.register('AfterToolExecution', () => undefined, { name: 'from-script', priority: 'high' });\n",
};

describe('hookspell hooks list', () => {
  it('lists hooks in execution order with priority, language, dependencies, flags and breaker', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['hooks', 'list'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('BeforeToolExecution  sequential');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toMatch(
      /^ {2}# +name +priority +language +depends on +timeout +flags +breaker +source$/,
    );
    // priority high < normal(0) < low < lowest, with `enrich` waiting for `late` (its dependency)
    expect(lines[at + 2]).toMatch(
      /^ {2}1 +policy +high +lua +- +default +fail-closed +closed \(production\) +lua:policy\.lua$/,
    );
    expect(lines[at + 3]).toMatch(
      /^ {2}2 +audit +low +command +- +2\.00 s +- +closed \(default\) +command: node -e ""$/,
    );
    expect(lines[at + 4]).toMatch(
      /^ {2}3 +late +lowest +command +- +default +- +none +command: \["node","-e",""\]$/,
    );
    expect(lines[at + 5]).toMatch(/^ {2}4 +enrich +normal +javascript +late +/);
    expect(r.stdout).toMatch(/^custom:checks {2}parallel \(maxParallel 4\)$/m);
    expect(r.stdout).toMatch(/^ {2}- +fmt +normal +command +- +default +critical,mutates,disabled +/m);
    expect(r.stdout).toMatch(
      /^ {2}1 +from-script +high +javascript +- +default +- +closed \(default\) +script:extra\.js$/m,
    );
  });

  it('--json gives the same for scripts; --point filters', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['hooks', 'list', '--json', '--point', 'BeforeToolExecution'], { cwd });
    expect(r.code).toBe(0);
    const listing = json(r);
    expect(listing).toHaveLength(1);
    expect(listing[0]).toMatchObject({ point: 'BeforeToolExecution', mode: 'sequential', maxParallel: null });
    expect(
      listing[0].hooks.map((h: any) => [h.order, h.name, h.priorityName, h.language, h.dependsOn]),
    ).toEqual([
      [1, 'policy', 'high', 'lua', []],
      [2, 'audit', 'low', 'command', []],
      [3, 'late', 'lowest', 'command', []],
      [4, 'enrich', 'normal', 'javascript', ['late']],
    ]);
    expect(listing[0].hooks[0]).toMatchObject({
      onFailure: 'cancel',
      breaker: { state: 'closed', preset: 'production', recentFailures: 0 },
      source: 'lua:policy.lua',
    });
    expect(listing[0].hooks[2].breaker).toBeNull();
  });

  it('says so when nothing is registered, and suggests a point for --point typos', async () => {
    const cwd = project();
    let r = await hookspell(['hooks', 'list'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no hooks registered/);
    r = await hookspell(['hooks', 'list', '--point', 'SystemStrtup'], { cwd });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/'SystemStrtup' is not a hook point\. Did you mean 'SystemStartup'\?/);
  });

  it('hooks points lists the 43 built-in points', async () => {
    const cwd = project();
    const r = await hookspell(['hooks', 'points', '--json'], { cwd });
    expect(json(r)).toEqual([...HOOK_POINTS]);
    const text = await hookspell(['hooks', 'points'], { cwd });
    expect(text.stdout.trim().split('\n')).toHaveLength(43);
  });
});
