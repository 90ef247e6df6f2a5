import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hookspell, json, oneLine, project } from './helpers.js';

const POLICY = (word: string) => `Hook.register('BeforeToolExecution', (ctx) => {
  if (String(ctx.data.cmd).includes('${word}')) return { type: 'cancel', reason: 'blocked ${word}' };
  return { type: 'modified', data: { checked: true, limit: ctx.data.limit ?? 1 } };
});
`;

describe('hookspell replay', () => {
  let cwd: string;
  let fire: any;
  beforeAll(async () => {
    cwd = project({
      'hookspell.config.yaml': `hooks:
  - { name: policy, point: BeforeToolExecution, run: 'js:policy.js' }
  - { name: echo, point: BeforeToolExecution, command: [node, -e, 'process.stdin.pipe(process.stdout)'], dependsOn: [policy], enabled: false }
`,
      'policy.js': POLICY('rm'),
    });
    fire = json(
      await hookspell(
        ['fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}', '--json', '--correlation', 'c-1'],
        { cwd },
      ),
    );
  });

  it('says which recorded hooks this config does not register, instead of silently reporting them absent', async () => {
    // The same database, opened with a config that registers nothing.
    const bare = project({
      'hookspell.config.yaml': `storage: { type: sqlite, path: ${JSON.stringify(join(cwd, '.hookspell/hookspell.db'))} }\n`,
    });
    const r = await hookspell(['replay', '--correlation', 'c-1'], { cwd: bare });
    expect(r.stderr).toMatch(
      /^note: 1 recorded hook\(s\) are not registered by this config \(policy@BeforeToolExecution\).*--mode simulate\.$/m,
    );
    const simulated = await hookspell(['replay', '--correlation', 'c-1', '--mode', 'simulate'], {
      cwd: bare,
    });
    expect(simulated.stderr).toBe('');
  });

  it('exact: re-runs the hook on the stored context; identical when nothing changed', async () => {
    const id = fire.records[0].executionId;
    const r = await hookspell(['replay', id], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^replay ${id.replace(/[.]/g, '\\.')} · policy@BeforeToolExecution · exact$`, 'm'),
    );
    expect(r.stdout).toMatch(/^original: ok {2}modified \{"checked":true,"limit":1\}$/m);
    expect(r.stdout).toMatch(/^identical: yes · similarity 1\.00$/m);
    expect(r.stdout).toMatch(/^ {2}no differences$/m);
  });

  it('modified: --set changes the stored data; the comparator prints each difference', async () => {
    const id = fire.records[0].executionId;
    let r = await hookspell(['replay', id, '--set', 'data.cmd=rm -rf /'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/· modified$/m);
    expect(r.stdout).toMatch(/^replayed: ok {2}cancel: blocked rm$/m);
    expect(r.stdout).toMatch(/^identical: no · similarity 0\.\d\d$/m);
    expect(r.stdout).toMatch(/^ {2}result\.type +"modified" +→ +"cancel"$/m);
    expect(r.stdout).toMatch(/^ {2}result\.reason +\(absent\) +→ +"blocked rm"$/m);
    r = await hookspell(['replay', id, '--mode', 'modified', '--set', 'data.limit=5', '--json'], { cwd });
    const result = json(r);
    expect(result.replayed.context.data).toEqual({ cmd: 'ls', limit: 5 });
    expect(result.comparison.differences).toEqual([{ path: 'result.data.limit', original: 1, replayed: 5 }]);
    r = await hookspell(['replay', id, '--unset', 'data.cmd', '--set', 'metadata.user=bob', '--json'], {
      cwd,
    });
    expect(json(r).replayed.context).toEqual({ data: {}, metadata: { user: 'bob' } });
    expect(json(r).comparison.identical).toBe(true);
    // metadata values are strings: `3` and `true` stay text (they would be a number and a boolean under data.)
    r = await hookspell(
      [
        'replay',
        id,
        '--set',
        'metadata.retries=3',
        '--set',
        'metadata.dry=true',
        '--set',
        'metadata.q="x"',
        '--json',
      ],
      { cwd },
    );
    expect(json(r).replayed.context.metadata).toEqual({ retries: '3', dry: 'true', q: 'x' });
  });

  it('exact after the hook changed shows the new behaviour; simulate returns the stored result', async () => {
    const dir = project({
      'hookspell.config.yaml':
        "hooks:\n  - { name: policy, point: BeforeToolExecution, run: 'js:policy.js' }\n",
      'policy.js': POLICY('rm'),
    });
    const f = json(
      await hookspell(['fire', 'BeforeToolExecution', '--data', '{"cmd":"ls -la"}', '--json'], { cwd: dir }),
    );
    writeFileSync(join(dir, 'policy.js'), POLICY('ls'));
    const id = f.records[0].executionId;
    const exact = json(await hookspell(['replay', id, '--json'], { cwd: dir }));
    expect(exact.comparison.identical).toBe(false);
    expect(exact.replayed.result).toEqual({ type: 'cancel', reason: 'blocked ls' });
    const sim = json(await hookspell(['replay', id, '--mode', 'simulate', '--json'], { cwd: dir }));
    expect(sim.comparison.identical).toBe(true);
    const corr = await hookspell(['replay', '--correlation', f.correlationId], { cwd: dir });
    expect(corr.code).toBe(0);
    expect(corr.stdout).toMatch(
      new RegExp(
        `^replay of correlation ${f.correlationId} \\(new fires under ${f.correlationId}:replay\\): 1 fire\\(s\\)$`,
        'm',
      ),
    );
    expect(corr.stdout).toMatch(/^ {2}policy: \d+ difference\(s\), similarity/m);
    expect(corr.stdout).toMatch(/^identical: no/m);
  });

  it('--correlation --mode simulate compares the records with themselves', async () => {
    const r = await hookspell(['replay', '--correlation', 'c-1', '--mode', 'simulate', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ correlationId: 'c-1', identical: true, similarity: 1 });
  });

  it('bad input: unknown ids, conflicting options (exit 2, one line)', async () => {
    const id = fire.records[0].executionId;
    const cases: [string[], RegExp][] = [
      [['replay', 'nope.0'], /no execution 'nope\.0' in the journal/],
      [['replay', '--correlation', 'nobody'], /no hook executions recorded for correlation 'nobody'/],
      [['replay'], /give an execution id or --correlation <id>/],
      [['replay', id, '--correlation', 'c-1'], /give an execution id or --correlation <id> \(one of them\)/],
      [['replay', id, '--set', 'cmd=ls'], /--set 'cmd=ls': the path must start with data\. or metadata\./],
      [['replay', id, '--set', 'data.cmd'], /--set 'data\.cmd': expected <path>=<value>/],
      [
        ['replay', id, '--set', 'metadata.user.name=bob'],
        /--set 'metadata\.user\.name=bob': metadata holds strings only, one level deep: use metadata\.<key>=<text>/,
      ],
      [['replay', id, '--mode', 'exact', '--set', 'data.cmd=x'], /--set\/--unset need --mode modified/],
      [['replay', id, '--mode', 'modified'], /--mode modified needs at least one --set or --unset/],
      [
        ['replay', '--correlation', 'c-1', '--mode', 'modified'],
        /--correlation replays with --mode exact or simulate/,
      ],
    ];
    for (const [args, expected] of cases) {
      const r = await hookspell(args, { cwd });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(oneLine(r.stderr), args.join(' ')).toMatch(expected);
    }
    // the hook is gone from the config now
    const gone = project({ 'hookspell.config.yaml': 'hooks: []\n' });
    writeFileSync(join(gone, 'x.lua'), 'Hook.register("SystemStartup", function() end, {name="tmp"})\n');
    const f = json(await hookspell(['fire', 'SystemStartup', '--script', 'x.lua', '--json'], { cwd: gone }));
    const r = await hookspell(['replay', f.records[0].executionId], { cwd: gone });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/no hook 'tmp' is registered at SystemStartup now/);
  });
});
