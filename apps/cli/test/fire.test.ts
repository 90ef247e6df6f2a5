import { describe, expect, it } from 'vitest';
import { hookspell, json, nodeHook, oneLine, project } from './helpers.js';

/** A project with one hook of each kind at BeforeToolExecution. */
function tools(extra = '') {
  return project({
    'hookspell.config.yaml': `hooks:
  - name: deny-shell
    point: BeforeToolExecution
    run: lua:hooks/deny-shell.lua
    priority: high
  - name: redact
    point: BeforeToolExecution
    run: js:hooks/redact.js
  - name: stamp
    point: BeforeToolExecution
    command: [node, hooks/stamp.mjs]
    dependsOn: [redact]
${extra}`,
    'hooks/deny-shell.lua': `Hook.register("BeforeToolExecution", function(ctx)
  if ctx.component.name == "shell" then return { type = "cancel", reason = "no shell" } end
end)
`,
    'hooks/redact.js': `Hook.register('BeforeToolExecution', (ctx) => {
  if (typeof ctx.data.q === 'string' && ctx.data.q.includes('@')) return { type: 'modified', data: { q: ctx.data.q.replace(/\\S+@\\S+/g, '[email]') } };
});
`,
    'hooks/stamp.mjs': nodeHook(`
  if (ctx.data.fail) { console.error('stamp broke'); process.exit(1); }
  console.log(JSON.stringify({ type: 'modified', data: { stamped: ctx.point, sawQ: ctx.data.q ?? null, env: process.env.HOOKSPELL_POINT } }));`),
  });
}

describe('hookspell fire', () => {
  it('runs Lua, JS and command hooks in order and prints the outcome, one line per hook', async () => {
    const cwd = tools();
    const r = await hookspell(
      ['fire', 'BeforeToolExecution', '--component', 'tool:search', '--data', '{"q":"mail bob@example.com"}'],
      { cwd },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^BeforeToolExecution {2}sequential {2}3 hooks {2}[\d.]+ m?s {2}correlation \S+$/,
    );
    expect(lines[1]).toBe(
      'decision: modified {"q":"mail [email]","stamped":"BeforeToolExecution","sawQ":"mail [email]","env":"BeforeToolExecution"}',
    );
    expect(lines[2]).toMatch(/^ {2}1 {2}deny-shell +ok +[\d.]+ ms +continue$/);
    expect(lines[3]).toMatch(/^ {2}2 {2}redact +ok +[\d.]+ ms +modified \{"q":"mail \[email\]"\}$/);
    expect(lines[4]).toMatch(/^ {2}3 {2}stamp +ok +[\d.]+ m?s +modified \{"stamped":/);
    expect(lines[5]).toMatch(/^data: \{"q":"mail \[email\]","stamped":"BeforeToolExecution"/);
  });

  it('exits 3 when a hook cancels, and the rest are reported skipped', async () => {
    const cwd = tools();
    const r = await hookspell(['fire', 'BeforeToolExecution', '--component', 'tool:shell', '--json'], {
      cwd,
    });
    expect(r.code).toBe(3);
    const out = json(r);
    expect(out.decision).toEqual({ type: 'cancel', reason: 'no shell' });
    expect(out.records.map((x: any) => [x.name, x.status])).toEqual([
      ['deny-shell', 'ok'],
      ['redact', 'skipped'],
      ['stamp', 'skipped'],
    ]);
    expect(out).toMatchObject({ point: 'BeforeToolExecution', mode: 'sequential' });
    expect(typeof out.correlationId).toBe('string');
    expect(out.records[0].executionId).toMatch(/\S+/);
  });

  it('exits 4 when a hook fails but nothing cancelled (fail-open), with the error on its line', async () => {
    const cwd = tools();
    const r = await hookspell(['fire', 'BeforeToolExecution', '--data', '{"fail":true}'], { cwd });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^ {2}3 {2}stamp +error +[\d.]+ m?s +.*exited with code 1: stamp broke$/m);
    expect(r.stdout).toMatch(/^decision: continue$/m);
  });

  it("keeps the log.warn/error lines of script hooks that fail (error, CPU limit) or whose file's top level fails", async () => {
    const cwd = project({
      'hookspell.config.yaml': `limits: { callbackMs: 100 }
hooks:
  - { name: boom, point: SystemStartup, run: 'lua:boom.lua' }
  - { name: spin, point: SystemStartup, run: 'js:spin.js' }
`,
      'boom.lua':
        'Hook.register("SystemStartup", function(ctx)\n  log.warn("boom warns")\n  error("boom")\nend)\n',
      'spin.js': "Hook.register('SystemStartup', () => { log.error('spin says'); for (;;) {} });\n",
      'top.lua': 'log.warn("top warns")\nerror("top fails")\n',
    });
    const r = await hookspell(['fire', 'SystemStartup'], { cwd });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^ {2}1 {2}boom +error .*boom\.lua:3: boom$/m);
    expect(r.stdout).toMatch(/^ {2}2 {2}spin +error .*CPU deadline of 100 ms/m);
    expect(r.stderr).toBe('[boom.lua] warn: boom warns\n[spin.js] error: spin says\n');
    const top = await hookspell(['fire', 'SystemStartup', '--script', 'top.lua'], { cwd });
    expect(top.code).toBe(1);
    expect(top.stderr).toMatch(/^\[top\.lua\] warn: top warns\nhookspell: top\.lua: .*top fails\n$/);
  });

  it('takes --data from a file or stdin, --metadata, and a given --correlation', async () => {
    const cwd = tools();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${cwd}/input.json`, '{"q":"x@y.z"}');
    let r = await hookspell(
      ['fire', 'BeforeToolExecution', '--data', '@input.json', '--json', '--correlation', 'req-1'],
      { cwd },
    );
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ correlationId: 'req-1', data: { q: '[email]' } });
    r = await hookspell(
      ['fire', 'BeforeToolExecution', '--data', '@-', '--metadata', '{"user":"bob"}', '--json'],
      { cwd, input: '{"q":"p@q.r"}' },
    );
    expect(json(r).data.q).toBe('[email]');
    // The fire's metadata after every hook is shown (where rate-limit headers appear), in both forms.
    expect(json(r).metadata).toEqual({ user: 'bob' });
    r = await hookspell(['fire', 'BeforeToolExecution', '--metadata', '{"user":"bob"}'], { cwd });
    expect(r.stdout).toMatch(/^metadata: \{"user":"bob"\}$/m);
    r = await hookspell(['fire', 'BeforeToolExecution'], { cwd });
    expect(r.stdout).not.toMatch(/^metadata:/m);
    r = await hookspell(['fire', 'BeforeToolExecution', '--data', '@-'], {
      cwd,
      input: '{\n  "q": "x"\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "hookspell: --data (stdin): invalid JSON at 2:11: unexpected end of file: the object opened at 1:1 is not closed (add '}')\n",
    );
  });

  it('loads --script files before firing; their hooks join the configured ones', async () => {
    const cwd = tools();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      `${cwd}/extra.lua`,
      'Hook.register("BeforeToolExecution", function(ctx) return {type="modified", data={extra=true}} end, {name="extra", priority="lowest"})\n',
    );
    const r = await hookspell(['fire', 'BeforeToolExecution', '--script', 'extra.lua', '--json'], { cwd });
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out.records.map((x: any) => x.name)).toEqual(['deny-shell', 'redact', 'stamp', 'extra']);
    expect(out.data.extra).toBe(true);
  });

  it('fires a point with no hooks (continue, exit 0)', async () => {
    const cwd = project();
    const r = await hookspell(['fire', 'custom:nothing-here', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ decision: { type: 'continue' }, records: [] });
  });

  it('draws a live progress line while hooks run in a terminal (forced here with HOOKSPELL_PROGRESS=1)', async () => {
    const cwd = project({
      'hookspell.config.yaml': `hooks:
  - { name: slow, point: custom:p, command: [node, -e, "setTimeout(() => {}, 400)"] }
`,
    });
    const r = await hookspell(['fire', 'custom:p'], { cwd, env: { HOOKSPELL_PROGRESS: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\r\x1b\[2K. 0\/1 done · running: slow · [\d.]+ m?s/);
    expect(r.stdout).toMatch(/\r\x1b\[2Kcustom:p {2}sequential {2}1 hook/); // erased before the outcome
    const plain = await hookspell(['fire', 'custom:p', '--json'], { cwd, env: { HOOKSPELL_PROGRESS: '1' } });
    expect(plain.stdout).not.toMatch(/\r/); // never in --json output
  });

  it('says what is wrong with its arguments on one line, exit 2', async () => {
    const cwd = tools();
    const cases: [string[], RegExp][] = [
      [
        ['fire', 'BeforeToolExecutoin'],
        /^hookspell: 'BeforeToolExecutoin' is not a hook point\. Did you mean 'BeforeToolExecution'\?/,
      ],
      [['fire', 'Before', '--data', '{}'], /is not a hook point/],
      [
        ['fire', 'SystemStartup', '--data', '{oops'],
        /^hookspell: --data: invalid JSON at 1:2: property name oops needs double quotes: "oops"$/,
      ],
      [
        ['fire', 'SystemStartup', '--data', '{"a":1,}'],
        /^hookspell: --data: invalid JSON at 1:7: trailing comma before '\}' \(JSON allows none: remove it\)$/,
      ],
      [
        ['fire', 'SystemStartup', '--metadata', '{"a":1} x'],
        /^hookspell: --metadata: invalid JSON at 1:9: unexpected 'x' after the end of the JSON value \(the input is one object\)$/,
      ],
      [
        ['fire', 'SystemStartup', '--metadata', '{"user":"bob","retries":3}'],
        /^hookspell: --metadata: "retries" must be a string \(got the number 3\); ctx\.metadata holds strings only: write "retries": "3", or pass structured values in --data$/,
      ],
      [
        ['fire', 'SystemStartup', '--metadata', '{"tags":["a"]}'],
        /^hookspell: --metadata: "tags" must be a string \(got an array\); ctx\.metadata holds strings only: pass structured values in --data$/,
      ],
      [
        ['fire', 'SystemStartup', '--metadata', '{"ok":null}'],
        /^hookspell: --metadata: "ok" must be a string \(got null\)/,
      ],
      [['fire', 'SystemStartup', '--data', '[1,2]'], /^hookspell: --data: must be a JSON object/],
      [
        ['fire', 'SystemStartup', '--data', '@missing.json'],
        /^hookspell: --data: file not found: missing\.json$/,
      ],
      [
        ['fire', 'SystemStartup', '--mode', 'wild'],
        /^hookspell: option '--mode <mode>' argument 'wild' is invalid\. Allowed choices are sequential, parallel\.$/,
      ],
      [
        ['fire', 'SystemStartup', '--max-parallel', '0'],
        /^hookspell: --max-parallel must be a whole number ≥ 1 \(got '0'\)$/,
      ],
      [['fire', 'SystemStartup', '--component', 'shell'], /^hookspell: --component must be <type>:<name>/],
      [['fire', 'SystemStartup', '--script', 'nope.lua'], /^hookspell: nope\.lua: script file not found: /],
      [['fire'], /^hookspell: missing required argument 'point'$/],
    ];
    for (const [args, expected] of cases) {
      const r = await hookspell(args, { cwd });
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr), args.join(' ')).toMatch(expected);
      expect(r.stdout).toBe('');
    }
  });
});
