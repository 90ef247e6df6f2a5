import { describe, expect, it } from 'vitest';
import { hookspell, json, oneLine, project } from './helpers.js';

const FILES = {
  'hookspell.config.yaml': `hooks:
  - { name: tag, point: BeforeEventEmit, run: 'js:tag.js' }
`,
  // A BeforeEventEmit hook: every event a script publishes goes through it.
  'tag.js':
    "Hook.register('BeforeEventEmit', (ctx) => ({ type: 'modified', data: { tags: ['seen-by-hook'] } }));\n",
  'agent.lua': `print("agent starting")
Event.publish("agent.started", { task = "demo" })
Event.publish("tool.called", { tool = "search" })
State.save("global", "runs", (State.load("global", "runs") or 0) + 1)
print("runs: " .. State.load("global", "runs"))
Hook.register("AfterToolExecution", function(ctx) end, { name = "late-hook" })
log.warn("careful")
log.info("only with --verbose")
`,
  'report.js': `print('js here');
Event.publish('report.done', { ok: true }).then(() => print('published'));
`,
  'broken.lua': 'print("before")\nerror("boom at runtime")\n',
  'syntax.lua': 'this is not lua\n',
};

describe('hookspell run', () => {
  it('runs a Lua script against the configured runtime: prints, events (through hooks), state', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['run', 'agent.lua', '--correlation', 'run-1'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('[agent.lua] warn: careful');
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['agent starting', 'runs: 1']);
    expect(lines[2]).toMatch(
      /^ran agent\.lua: 1 hook\(s\) registered, 0 subscription\(s\), \d+ event\(s\) stored · correlation run-1$/,
    );
    expect(lines[3]).toBe('see it: hookspell events timeline run-1');
    // state persisted across runs; events stored under the run's correlation, tagged by the hook
    const again = await hookspell(['run', 'agent.lua', '--verbose', '--json'], { cwd });
    expect(json(again).printed).toEqual(['agent starting', 'runs: 2']);
    expect(again.stderr).toMatch(/\[agent\.lua\] info: only with --verbose/);
    const events = json(
      await hookspell(['events', 'query', '--correlation', 'run-1', '--pattern', '*.*', '--json'], { cwd }),
    );
    const published = events.filter((e: any) => !e.type.startsWith('hook.'));
    expect(published.map((e: any) => [e.type, e.metadata.tags])).toEqual([
      ['agent.started', ['seen-by-hook']],
      ['tool.called', ['seen-by-hook']],
    ]);
    const timeline = await hookspell(['events', 'timeline', 'run-1'], { cwd });
    expect(timeline.stdout).toMatch(/agent\.started/);
  });

  it('runs a JavaScript script; --json summarises', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['run', 'report.js', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({
      script: 'report.js',
      printed: ['js here', 'published'],
      hooks: [],
      subscriptions: [],
    });
    expect(json(r).events).toBeGreaterThanOrEqual(1);
  });

  it('a script that fails while running: exit 1, one line naming the script and line', async () => {
    const cwd = project(FILES);
    const r = await hookspell(['run', 'broken.lua'], { cwd });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^hookspell: broken\.lua: .*boom at runtime/);
    const debug = await hookspell(['run', 'broken.lua', '--debug'], { cwd });
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n').length).toBeGreaterThan(2);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it("a script that fails shows what it printed first: stdout as on success, or --json's printed", async () => {
    const cwd = project({
      'hookspell.config.yaml': 'limits: { scriptMs: 300, memoryBytes: 8000000 }\n',
      'broken.lua': 'print("step 1")\nlog.warn("careful")\nprint("step 2")\nerror("boom at runtime")\n',
      'spin.lua': 'print("spinning")\nwhile true do end\n',
      'hog.lua': 'print("doubling")\nlocal s = "xxxxxxxxxxxxxxxx"\nwhile true do s = s .. s end\n',
      'throws.js': "print('js before');\nconsole.log('console too');\nthrow new Error('js boom');\n",
    });
    for (const [file, printed, error, code] of [
      ['broken.lua', ['step 1', 'step 2'], /boom at runtime/, 'HOOKSPELL_SCRIPT_ERROR'],
      ['spin.lua', ['spinning'], /CPU deadline of 300 ms/, 'HOOKSPELL_SCRIPT_TIMEOUT'],
      ['hog.lua', ['doubling'], /over its memory bound of 8000000 bytes/, 'HOOKSPELL_SCRIPT_MEMORY'],
      // console.log is print() in JS scripts
      ['throws.js', ['js before', 'console too'], /js boom/, 'HOOKSPELL_SCRIPT_ERROR'],
    ] as const) {
      const r = await hookspell(['run', file], { cwd });
      expect(r.code, file).toBe(1);
      expect(r.stdout, file).toBe(`${printed.join('\n')}\n`);
      // log.warn/error are written as they come, failing or not
      if (file === 'broken.lua') expect(r.stderr).toMatch(/^\[broken\.lua\] warn: careful\n/);
      const line = oneLine(r.stderr.replace('[broken.lua] warn: careful\n', ''));
      expect(line, file).toMatch(error);
      const j = await hookspell(['run', file, '--json'], { cwd });
      expect(j.code, file).toBe(1);
      expect(json(j), file).toEqual({
        script: file,
        correlationId: expect.any(String),
        printed,
        error: { code, line: expect.any(Number), message: line.replace(/^hookspell: /, '') },
        warnings: [],
      });
    }
  });

  it('a script that does not compile, a missing file, an unknown extension: exit 2', async () => {
    const cwd = project({ ...FILES, 'notes.txt': 'hi' });
    for (const [file, expected] of [
      ['syntax.lua', /^hookspell: syntax\.lua: .*syntax\.lua/],
      ['missing.lua', /^hookspell: script file not found: missing\.lua$/],
      ['notes.txt', /^hookspell: cannot tell the language of notes\.txt/],
    ] as const) {
      const r = await hookspell(['run', file], { cwd });
      expect(r.code, file).toBe(2);
      expect(oneLine(r.stderr), file).toMatch(expected);
    }
  });
});
