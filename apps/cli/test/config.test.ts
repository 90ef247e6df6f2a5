import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOOK_POINTS } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { hookspell, json, oneLine, project } from './helpers.js';

const LUA_HOOK = `Hook.register("BeforeToolExecution", function(ctx) return "continue" end)\n`;

async function listErr(files: Record<string, string>, args: string[] = []) {
  const cwd = project(files);
  const r = await hookspell([...args, 'hooks', 'list'], { cwd });
  return { ...r, line: r.code === 0 ? '' : oneLine(r.stderr) };
}

describe('config file', () => {
  it('the published schema knows exactly the 43 built-in points', () => {
    const schema = JSON.parse(readFileSync(new URL('../hookspell.schema.json', import.meta.url), 'utf8'));
    expect(schema.definitions.hook.properties.point.anyOf[0].enum).toEqual([...HOOK_POINTS]);
    expect(schema.properties.points.propertyNames.anyOf[0].enum).toEqual([...HOOK_POINTS]);
  });

  it('is the same whether written in YAML, YML or JSON', async () => {
    const hooks = [
      { name: 'deny', point: 'BeforeToolExecution', run: 'lua:deny.lua', priority: 'high' },
      { name: 'check', point: 'custom:checks', command: ['node', '-e', ''], dependsOn: ['fmt'] },
      { name: 'fmt', point: 'custom:checks', run: 'command: node -e ""', mutates: true },
    ];
    const yaml = `hooks:\n${hooks
      .map(
        (h) =>
          `  - name: ${h.name}\n    point: ${h.point}\n${h.run ? `    run: '${h.run}'\n` : `    command: ${JSON.stringify(h.command)}\n`}${h.priority ? `    priority: ${h.priority}\n` : ''}${h.dependsOn ? `    dependsOn: [${h.dependsOn}]\n` : ''}${h.mutates ? '    mutates: true\n' : ''}`,
      )
      .join('')}points:\n  custom:checks: { mode: parallel, maxParallel: 2 }\n`;
    const listings = [];
    for (const [name, text] of [
      ['hookspell.config.yaml', yaml],
      ['hookspell.config.yml', yaml],
      [
        'hookspell.config.json',
        JSON.stringify({ hooks, points: { 'custom:checks': { mode: 'parallel', maxParallel: 2 } } }),
      ],
    ] as const) {
      const cwd = project({ [name]: text, 'deny.lua': LUA_HOOK });
      const r = await hookspell(['hooks', 'list', '--json'], { cwd });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      listings.push(json(r));
    }
    expect(listings[1]).toEqual(listings[0]);
    expect(listings[2]).toEqual(listings[0]);
    expect(listings[0].find((p: any) => p.point === 'custom:checks')).toMatchObject({
      mode: 'parallel',
      maxParallel: 2,
    });
  });

  it('limits.printBytes reaches scripts; a bad value is a config error with its line', async () => {
    const cwd = project({
      'hookspell.config.yaml': 'limits:\n  printBytes: 64\n',
      'talk.lua': 'for i = 1, 50 do print("line " .. i) end\n',
    });
    const run = await hookspell(['run', 'talk.lua', '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.stringify(json(run))).toMatch(/bytes of output dropped/);
    const bad = await listErr({ 'hookspell.config.yaml': 'limits:\n  printBytes: lots\n' });
    expect(bad.code).toBe(2);
    expect(bad.line).toMatch(/hookspell\.config\.yaml:2.*printBytes/);
  });

  it('--config points at a file elsewhere; relative paths resolve against its directory', async () => {
    const cwd = project({
      'conf/my.yaml': 'hooks:\n  - name: deny\n    point: BeforeToolExecution\n    run: lua:hooks/deny.lua\n',
      'conf/hooks/deny.lua': LUA_HOOK,
    });
    const r = await hookspell(['hooks', 'list', '--config', 'conf/my.yaml', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(json(r)[0].hooks[0]).toMatchObject({
      name: 'deny',
      language: 'lua',
      source: 'lua:hooks/deny.lua',
    });
  });

  it('names the field and the line of an unknown point, with the nearest built-in name', async () => {
    const r = await listErr({
      'hookspell.config.yaml': 'hooks:\n  - name: a\n    point: BeforeToolExecutoin\n    command: x\n',
    });
    expect(r.code).toBe(2);
    expect(r.line).toBe(
      "hookspell: hookspell.config.yaml:3:12: hooks[0].point: 'BeforeToolExecutoin' is not a hook point. Did you mean 'BeforeToolExecution'? Custom points are spelled 'custom:<name>'.",
    );
  });

  it('checks the names under `points` too', async () => {
    const r = await listErr({
      'hookspell.config.yaml': 'points:\n  AfterToolExecutin: { mode: parallel }\n',
    });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(
      /hookspell\.config\.yaml:2:3: points: 'AfterToolExecutin' is not a hook point\. Did you mean 'AfterToolExecution'\?/,
    );
  });

  it('names unknown fields with a suggestion, bad values with what was given', async () => {
    const cases: [string, RegExp][] = [
      [
        'hooks:\n  - name: a\n    point: SystemStartup\n    command: x\n    prority: 3\n',
        /:5:5: hooks\[0\]\.prority: unknown field\. Did you mean `priority`\?$/,
      ],
      [
        'hooks:\n  - name: a\n    point: SystemStartup\n    command: x\n    breaker: sometimes\n',
        /:5:14: hooks\[0\]\.breaker: must be 'default', 'production', 'conservative', false, or an object .* \(got 'sometimes'\)$/,
      ],
      [
        'points:\n  SystemStartup: { mode: paralel }\n',
        /:2:26: points\.SystemStartup\.mode: must be one of 'sequential', 'parallel' \(got 'paralel'\)$/,
      ],
      [
        'hooks:\n  - name: a\n    point: SystemStartup\n',
        /:2:5: hooks\[0\]: needs exactly one of `run` .*, `command` .*, `builtin` .* or `claudeCode`/,
      ],
      [
        'hooks:\n  - name: a\n    point: SystemStartup\n    run: python:x.py\n',
        /:4:10: hooks\[0\]\.run: must be 'lua:<path>', 'js:<path>' or 'command: <program> <args…>' \(got 'python:x\.py'\)$/,
      ],
      [
        'hooks:\n  - name: a\n    point: SystemStartup\n    command: x\n    timeoutMs: 0\n',
        /:5:16: hooks\[0\]\.timeoutMs: must be > 0 \(got 0\)$/,
      ],
      [
        'storage:\n  type: postgres\n',
        /:2:3: storage: missing required field `connectionString` \(needed for type 'postgres'\)$/,
      ],
      [
        'storage:\n  type: redis\n',
        /:2:9: storage\.type: must be one of 'sqlite', 'memory', 'postgres' \(got 'redis'\)$/,
      ],
      ['hooks: {}\n', /:1:8: hooks: must be an array \(got an object\)$/],
      ['- a\n- b\n', /hookspell\.config\.yaml:1: the config must be a mapping of settings \(got a list\)$/],
    ];
    for (const [yaml, expected] of cases) {
      const r = await listErr({ 'hookspell.config.yaml': yaml });
      expect(r.code, yaml).toBe(2);
      expect(r.line, yaml).toMatch(expected);
    }
  });

  it('checks what the schema cannot: duplicate names, dependsOn targets, cycles, hook files', async () => {
    const base = (hooks: string) => ({ 'hookspell.config.yaml': `hooks:\n${hooks}`, 'h.lua': LUA_HOOK });
    let r = await listErr(
      base(
        '  - { name: a, point: SystemStartup, command: x }\n  - { name: a, point: SystemStartup, command: y }\n',
      ),
    );
    expect(r.line).toMatch(/:3: hooks\[1\]\.name: 'a' is already used at SystemStartup by hooks\[0\]/);
    r = await listErr(
      base(
        '  - { name: a, point: SystemStartup, command: x, dependsOn: [b] }\n  - { name: b, point: SystemShutdown, command: y }\n',
      ),
    );
    expect(r.line).toMatch(/:2: hooks\[0\]\.dependsOn: no hook named 'b' at SystemStartup/);
    r = await listErr(
      base(
        '  - { name: a, point: SystemStartup, command: x, dependsOn: [b] }\n  - { name: b, point: SystemStartup, command: y, dependsOn: [a] }\n',
      ),
    );
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/hookspell\.config\.yaml:\d+: .*cycle/i);
    r = await listErr(base('  - name: a\n    point: SystemStartup\n    run: lua:missing.lua\n'));
    expect(r.line).toMatch(/hookspell\.config\.yaml:4: hook 'a': script file not found: .*missing\.lua$/);
    r = await listErr(base('  - { name: a, point: SystemStartup, run: "lua:h.lua" }\n'));
    expect(r.line).toMatch(
      /:2: hook 'a' \(lua:h\.lua\) registered a hook at BeforeToolExecution; a hook file's top level must call Hook\.register\('SystemStartup', fn\) exactly once/,
    );
    r = await listErr(base('  - { name: a, point: BeforeToolExecution, run: "lua:h.lua", shell: true }\n'));
    expect(r.line).toMatch(/`shell` is only for command hooks/);
    expect(r.code).toBe(2);
  });

  it('reports invalid YAML and JSON with line and column', async () => {
    let r = await listErr({
      'hookspell.config.yaml': 'hooks:\n  - name: a\n    point: SystemStartup\n  run: x\n',
    });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/^hookspell: hookspell\.config\.yaml:4:1: invalid YAML: /);
    r = await listErr({ 'hookspell.config.yaml': 'hooks:\n  - name: a\n    name: b\n' });
    expect(r.line).toMatch(/hookspell\.config\.yaml:3:\d+: invalid YAML: Map keys must be unique/);
    r = await listErr({ 'hookspell.config.json': '{\n  "hooks": [\n    {"name": "a",\n  ]\n}\n' });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/^hookspell: hookspell\.config\.json:4:3: invalid JSON: /);
  });

  it('names file:line:col and what is wrong for every JSON syntax error (V8 gives no position for some)', async () => {
    const cases: [text: string, expected: string][] = [
      [
        '{\n  "hooks": [],\n}\n',
        "2:14: invalid JSON: trailing comma before '}' (JSON allows none: remove it)",
      ],
      [
        '{"hooks": [{ "name": "a", "point": "SystemStartup", "command": "x" },]}',
        "1:69: invalid JSON: trailing comma before ']' (JSON allows none: remove it)",
      ],
      [
        '{\n  "hooks": []\n',
        "2:14: invalid JSON: unexpected end of file: the object opened at 1:1 is not closed (add '}')",
      ],
      [
        '{\n  "hooks": [\n    {"name": "a"\n',
        "3:17: invalid JSON: unexpected end of file: the object opened at 3:5, the array opened at 2:12 and the object opened at 1:1 are not closed (add '}]}')",
      ],
      ['{"hooks": "abc}', '1:11: invalid JSON: unterminated string: the file ends before its closing "'],
      [
        '{\n  "persist": ["a.*\n  ]\n}',
        '2:15: invalid JSON: unterminated string: a string cannot span lines (close it with ", or write \\n for a line break)',
      ],
      [
        '{"hooks": abc}',
        `1:11: invalid JSON: unexpected word 'abc': strings need double quotes ("abc"); the only bare words are true, false and null`,
      ],
      [
        'hello',
        `1:1: invalid JSON: unexpected word 'hello': strings need double quotes ("hello"); the only bare words are true, false and null`,
      ],
      ['', '1:1: invalid JSON: the file is empty; a config with no settings is written {}'],
      [' \n\n', '1:1: invalid JSON: the file is empty; a config with no settings is written {}'],
      // a byte order mark is dropped, so columns are the ones an editor shows
      ['\uFEFF{"hooks": [],}', "1:13: invalid JSON: trailing comma before '}' (JSON allows none: remove it)"],
      [
        '{"persist": ["a"] "hooks": []}',
        `1:19: invalid JSON: missing ',' between the value of "persist" and the next property`,
      ],
      ['{"persist": ["a" "b"]}', "1:18: invalid JSON: missing ',' between array elements"],
      ['{"persist": ["a"}', "1:17: invalid JSON: '}' cannot close the array opened at 1:13 (expected ']')"],
      ['{}\n}', "2:1: invalid JSON: unexpected '}': nothing is open here (one closing bracket too many?)"],
      [
        '{} x',
        "1:4: invalid JSON: unexpected 'x' after the end of the JSON value (a config file is one object)",
      ],
      [
        '{\n  // hooks\n}',
        '2:3: invalid JSON: comments are not allowed in JSON: remove them, or write the config as YAML (hookspell.config.yaml), which has # comments',
      ],
      ["{'hooks': []}", '1:2: invalid JSON: property names need double quotes, not single quotes'],
      ['{hooks: []}', '1:2: invalid JSON: property name hooks needs double quotes: "hooks"'],
      [
        '{"defaultTimeoutMs": 0100}',
        "1:22: invalid JSON: invalid number '0100' (JSON numbers have no leading zeros)",
      ],
      [
        '{"defaultTimeoutMs" 100}',
        `1:21: invalid JSON: expected ':' after the property name "defaultTimeoutMs", found '1'`,
      ],
      ['{"defaultTimeoutMs": }', '1:22: invalid JSON: expected a value for "defaultTimeoutMs", found \'}\''],
      ['{"persist": ["a\tb"]}', '1:16: invalid JSON: U+0009 (a tab) inside a string must be written \\t'],
      [
        '{"a": "\\q"}',
        `1:8: invalid JSON: invalid escape '\\q' in a string (JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)`,
      ],
      ['{"a": "\\u12"}', '1:8: invalid JSON: invalid escape: \\u needs four hex digits (\\u00e9)'],
      ['{"a": 1.}', "1:7: invalid JSON: invalid number '1.' (write a digit after the '.')"],
      ['{"a": null+}', `1:11: invalid JSON: expected ',' or '}' after the value of "a", found '+'`],
    ];
    for (const [text, expected] of cases) {
      const r = await listErr({ 'hookspell.config.json': text });
      expect(r.code, text).toBe(2);
      expect(r.line, text).toBe(`hookspell: hookspell.config.json:${expected}`);
    }
  });

  it('refuses a YAML alias bomb (billion laughs) with exit 2, the alias that tipped it and what to do', async () => {
    const levels = 'abcdefghi'.split('');
    const bomb = levels
      .map((name, i) =>
        i === 0
          ? `${name}: &${name} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`
          : `${name}: &${name} [${Array(9)
              .fill(`*${levels[i - 1]}`)
              .join(',')}]`,
      )
      .join('\n');
    const r = await listErr({ 'hookspell.config.yaml': `${bomb}\n` });
    expect(r.code).toBe(2);
    // The alias that went past the bound: on line 4 (`d: &d [*c,…]`), 9 uses of *c × its 9 aliases of *b … > 100.
    expect(r.line).toMatch(
      /^hookspell: hookspell\.config\.yaml:4:8: YAML alias \*c expands the config past 100 alias uses .*write the repeated values out/,
    );
    // An alias whose anchor is not (yet) defined is placed too, instead of an unplaced exit 1.
    const missing = await listErr({
      'hookspell.config.yaml': 'hooks:\n  - name: a\n    point: SystemStartup\n    command: *nope\n',
    });
    expect(missing.code).toBe(2);
    expect(missing.line).toMatch(
      /^hookspell: hookspell\.config\.yaml:4:14: YAML alias \*nope has no anchor &nope before it/,
    );
  });

  it('accepts ordinary YAML anchors and aliases', async () => {
    const cwd = project({
      'hookspell.config.yaml':
        'hooks:\n  - { name: a, point: SystemStartup, command: x, env: &env { MODE: strict } }\n  - { name: b, point: SystemStartup, command: y, env: *env }\n',
    });
    const r = await hookspell(['hooks', 'list', '--json'], { cwd });
    expect(r.stderr).toBe('');
    expect(json(r)[0].hooks.map((h: any) => h.name)).toEqual(['a', 'b']);
  });

  it('accepts a JSON or YAML config saved with a byte order mark', async () => {
    for (const [name, text] of [
      ['hookspell.config.json', '\uFEFF{"hooks": [{"name": "a", "point": "SystemStartup", "command": "x"}]}'],
      ['hookspell.config.yaml', '\uFEFFhooks:\n  - { name: a, point: SystemStartup, command: x }\n'],
    ]) {
      const r = await hookspell(['hooks', 'list', '--json'], { cwd: project({ [name!]: text! }) });
      expect(r.stderr, name).toBe('');
      expect(json(r).find((p: any) => p.point === 'SystemStartup').hooks[0].name, name).toBe('a');
    }
  });

  it('refuses two config files, and a --config that does not exist', async () => {
    let r = await listErr({ 'hookspell.config.yaml': 'hooks: []\n', 'hookspell.config.json': '{}' });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(
      /found hookspell\.config\.json and hookspell\.config\.yaml; keep one, or choose with --config/,
    );
    r = await listErr({}, ['--config', 'nope.yaml']);
    expect(r.code).toBe(2);
    expect(r.line).toBe('hookspell: config file not found: nope.yaml');
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
  it('expands ${VAR} in storage settings, and says which variable is missing', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
    const files = { 'hookspell.config.yaml': 'storage:\n  type: sqlite\n  path: ${HS_DIR}/db.sqlite\n' };
    const cwd = project(files);
    let r = await hookspell(['fire', 'SystemStartup'], { cwd, env: { HS_DIR: 'data' } });
    expect(r.code).toBe(0);
    expect(existsSync(join(cwd, 'data', 'db.sqlite'))).toBe(true);
    r = await hookspell(['fire', 'SystemStartup'], { cwd, env: { HS_DIR: '' } });
    expect(r.code).toBe(0); // empty is set
    const unset = project(files);
    r = await hookspell(['fire', 'SystemStartup'], {
      cwd: unset,
      env: { HS_DIR: undefined as unknown as string },
    });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/hookspell\.config\.yaml:3: environment variable HS_DIR .* is not set/);
  });
});
