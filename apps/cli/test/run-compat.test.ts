import { describe, expect, it } from 'vitest';
import { hookspell, json, project } from './helpers.js';

const FILES = {
  'passing.lua': `-- a self-checking script in the original's style
local sub = Event.subscribe("test.*")
Event.publish("test.pattern.example", { n = 1 })
local e = Event.receive(sub, 500)
print("received: " .. tostring(e and e.event_type))
State.save("system", "runs", 1)
return e ~= nil and State.load("system", "runs") == 1, "done"
`,
  'failing.lua': `print("checking...")
print("1 of 2 checks failed")
return false
`,
  'nothing.lua': 'print("no return")\n',
  'module.mjs': 'print("js");\nexport default { ok: true };\n',
  'stats.lua': `Hook.register("BeforeAgentExecution", function() end, "low")
local stats = Event.get_stats()
return Hook.list()[1].priority, stats.bridge_stats ~= nil
`,
  'tool.lua': `local r = Tool.invoke("search", { q = "x" })
local ok, err = pcall(Tool.invoke, "missing", {})
return r.tool, err.code, os.getenv("HOOKSPELL_CLI_GRANTED"), os.getenv("HOME")
`,
  'host-globals.mjs': `export default async () => ({
  Tool: {
    invoke: async (name, args) => {
      if (name === 'missing') throw Object.assign(new Error('no such tool'), { code: 'TOOL_NOT_FOUND' });
      return { tool: name, args };
    },
  },
});
`,
};

describe('hookspell run: return values, --check, --compat', () => {
  it('shows return values; --json includes them (nil as null)', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['run', 'passing.lua', '--compat', 'llmspell'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/received: test\.pattern\.example/);
    expect(r.stdout).toMatch(/^returned: true, "done"$/m);
    const j = await hookspell(['run', 'module.mjs', '--json'], { cwd });
    expect(json(j)).toMatchObject({ printed: ['js'], returned: [{ ok: true }] });
    const n = await hookspell(['run', 'nothing.lua', '--json'], { cwd });
    expect(json(n).returned).toEqual([]);
  });

  it('without --compat, the same script gets hookspell rules (test.* is one segment)', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['run', 'passing.lua', '--check'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/received: nil/);
    expect(r.stderr).toMatch(/--check: passing\.lua returned false first/);
  });

  it('--check exits 1 on false or nil, showing the printed output', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['run', 'failing.lua', '--check'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/checking\.\.\.\n1 of 2 checks failed/);
    expect(r.stderr).toMatch(/--check: failing\.lua returned false first/);
    const j = await hookspell(['run', 'failing.lua', '--check', '--json'], { cwd });
    expect(j.code).toBe(1);
    expect(json(j)).toMatchObject({
      printed: ['checking...', '1 of 2 checks failed'],
      returned: [false],
      check: { passed: false },
    });
    const none = await hookspell(['run', 'nothing.lua', '--check'], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/returned nothing/);
    const ok = await hookspell(['run', 'passing.lua', '--check', '--compat', 'llmspell'], { cwd });
    expect(ok.code).toBe(0);
    const failingWithoutCheck = await hookspell(['run', 'failing.lua'], { cwd });
    expect(failingWithoutCheck.code).toBe(0);
  });

  it('compat from the config file; an unknown profile is a usage error', async () => {
    const cwd = project({ ...FILES, 'hookspell.config.yaml': 'compat: llmspell\n' });
    const r = await hookspell(['run', 'stats.lua', '--json'], { cwd });
    expect(json(r).returned).toEqual(['Priority(100)', true]);
    const own = project(FILES);
    expect(json(await hookspell(['run', 'stats.lua', '--json'], { cwd: own })).returned).toEqual([
      'low',
      false,
    ]);
    const bad = await hookspell(['run', 'stats.lua', '--compat', 'rs'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown profile 'rs'/);
    const badConfig = project({ ...FILES, 'hookspell.config.yaml': 'compat: other\n' });
    const c = await hookspell(['run', 'stats.lua'], { cwd: badConfig });
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/compat/);
  });

  it('a config names a module of host globals, and env grants os.getenv', async () => {
    const cwd = project({
      ...FILES,
      'hookspell.config.yaml': 'globals: ./host-globals.mjs\nenv: [HOOKSPELL_CLI_GRANTED]\n',
    });
    const r = await hookspell(['run', 'tool.lua', '--json'], {
      cwd,
      env: { HOOKSPELL_CLI_GRANTED: 'granted' },
    });
    expect(r.code).toBe(0);
    expect(json(r).returned).toEqual(['search', 'TOOL_NOT_FOUND', 'granted', null]);
  });

  it('a bad globals module is named with its config line', async () => {
    const missing = project({ ...FILES, 'hookspell.config.yaml': 'globals: ./nope.mjs\n' });
    const r = await hookspell(['run', 'nothing.lua'], { cwd: missing });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/hookspell\.config\.yaml:1.*globals module not found/);
    const bad = project({
      ...FILES,
      'hookspell.config.yaml': 'globals: ./g.mjs\n',
      'g.mjs': 'export default { Hook: { x: () => 1 } };\n',
    });
    const b = await hookspell(['run', 'nothing.lua'], { cwd: bad });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/hookspell\.config\.yaml:1.*bridge's own globals/);
  });
});
