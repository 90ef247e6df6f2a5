import { describe, expect, it } from 'vitest';
import { hookspell, json, oneLine, project } from './helpers.js';

/** Two built-ins from the config (one at its own points, one at a given point) and one from a script. */
const FILES = {
  'hookspell.config.yaml': `storage: { type: memory }
scripts:
  - observe.lua
hooks:
  - builtin: security
    options: { maxParameterLength: 8, block: true, sensitiveKeys: [api_key] }
  - builtin: rateLimit
    point: BeforeToolExecution
    name: tool-limit
    options: { capacity: 5, burst: 0 }
`,
  'observe.lua': 'Hook.builtin("metrics", { points = { "AfterToolExecution" } })\n',
};

async function configError(yaml: string, files: Record<string, string> = {}) {
  const r = await hookspell(['hooks', 'list'], { cwd: project({ 'hookspell.config.yaml': yaml, ...files }) });
  return { code: r.code, line: oneLine(r.stderr) };
}

describe('built-in hooks in the config (`builtin:`) and from CLI scripts (Hook.builtin)', () => {
  it('fires them: security masks sensitive data, and cancels a too-long parameter', async () => {
    const cwd = project(FILES);
    const masked = await hookspell(['fire', 'BeforeToolExecution', '--data', '{"api_key":"abc","q":"hi"}'], {
      cwd,
    });
    expect(masked.stderr).toBe('');
    expect(masked.code).toBe(0);
    expect(masked.stdout).toMatch(
      /^ {2}1 {2}security +ok +[\d.]+ ms +modified \{"api_key":"\*\*\*","q":"hi"\}$/m,
    );
    expect(masked.stdout).toMatch(/^ {2}2 {2}tool-limit +ok +[\d.]+ ms +continue$/m);

    const blocked = await hookspell(
      ['fire', 'BeforeToolExecution', '--data', '{"q":"a very long string"}', '--json'],
      {
        cwd,
      },
    );
    expect(blocked.code).toBe(3);
    expect(json(blocked).decision).toMatchObject({
      type: 'cancel',
      reason: expect.stringMatching(/data\.q is 18 characters long \(limit 8\)/),
    });
  });

  it('hooks list shows them with their source: builtin:<name>, or the script that asked', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['hooks', 'list', '--json'], { cwd });
    expect(r.code).toBe(0);
    const hooks = json<{ point: string; hooks: { name: string; language: string; source: string }[] }[]>(r);
    const at = (point: string) => hooks.find((p) => p.point === point)?.hooks;
    expect(at('BeforeToolExecution')).toMatchObject([
      { name: 'security', language: 'native', source: 'builtin:security' },
      { name: 'tool-limit', language: 'native', source: 'builtin:rateLimit' },
    ]);
    // security's own points
    for (const point of ['BeforeAgentExecution', 'ToolValidation', 'BeforeWorkflowStart'])
      expect(at(point), point).toMatchObject([{ name: 'security', source: 'builtin:security' }]);
    expect(at('AfterToolExecution')).toMatchObject([{ name: 'metrics', source: 'script:observe.lua' }]);

    const text = await hookspell(['hooks', 'list', '--point', 'BeforeToolExecution'], { cwd });
    expect(text.stdout).toMatch(/^ {2}2 +tool-limit +highest +native +.* builtin:rateLimit$/m);
  });

  it('an unknown built-in name: file:line:col, the nearest name and the list', async () => {
    const r = await configError('hooks:\n  - builtin: rateLimt\n');
    expect(r.code).toBe(2);
    expect(r.line).toBe(
      "hookspell: hookspell.config.yaml:2:14: hooks[0].builtin: 'rateLimt' is not a built-in hook. Did you mean 'rateLimit'? Built-ins: logging, metrics, caching, rateLimit, retry, costTracking, security, debugging",
    );
  });

  it('bad options: unknown names with a suggestion, function-only options, the factory’s own checks', async () => {
    const unknown = await configError('hooks:\n  - builtin: rateLimit\n    options: { capacty: 1 }\n');
    expect(unknown.code).toBe(2);
    expect(unknown.line).toMatch(
      /^hookspell: hookspell\.config\.yaml:3: hooks\[0\]\.options\.capacty: builtin 'rateLimit': unknown option `capacty`\. Did you mean `capacity`\?/,
    );
    const fn = await configError('hooks:\n  - builtin: caching\n    options:\n      key: x\n');
    expect(fn.line).toMatch(
      /hookspell\.config\.yaml:4: hooks\[0\]\.options\.key: .*option `key` takes a function/,
    );
    const value = await configError('hooks:\n  - builtin: rateLimit\n    options: { capacity: -1 }\n');
    expect(value.code).toBe(2);
    expect(value.line).toMatch(
      /hookspell\.config\.yaml:2: builtin 'rateLimit': .*rateLimit\(\): `capacity` must be a finite number > 0; got -1/,
    );
  });

  it('what the other kinds take is refused on a built-in, and the other way round', async () => {
    expect((await configError('hooks:\n  - builtin: retry\n    shell: true\n')).line).toMatch(
      /:2: hooks\[0\]: `shell` is only for command hooks \(this one is builtin:retry\)$/,
    );
    expect(
      (
        await configError(
          'hooks:\n  - name: a\n    point: SystemStartup\n    command: x\n    options: { a: 1 }\n',
        )
      ).line,
    ).toMatch(/:5: hooks\[0\]\.options: `options` is only for built-in hooks/);
    expect((await configError('hooks:\n  - builtin: retry\n    run: lua:x.lua\n')).line).toMatch(
      /:2:5: hooks\[0\]: needs exactly one of `run` .*, `command` .*, `builtin` .* or `claudeCode`/,
    );
    expect((await configError('hooks:\n  - point: SystemStartup\n    command: x\n')).line).toMatch(
      /:2:5: hooks\[0\]: missing required field `name`$/,
    );
  });

  it('a lua: hook file that calls Hook.builtin is told to use `builtin:` or `scripts`', async () => {
    const r = await configError('hooks:\n  - name: a\n    point: AfterToolExecution\n    run: lua:b.lua\n', {
      'b.lua': 'Hook.builtin("metrics")\n',
    });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(
      /hookspell\.config\.yaml:2: hook 'a' \(lua:b\.lua\): .*b\.lua:1: Hook\.builtin: .*name a built-in in the config instead \(`builtin: rateLimit`\), or call Hook\.builtin from a file listed under `scripts`$/,
    );
  });
});
