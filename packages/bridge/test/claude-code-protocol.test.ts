import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLAUDE_CODE_EVENTS,
  type ClaudeCodeEvent,
  claudeCodeAnswer,
  claudeCodeHook,
  compileIf,
  compileMatcher,
  parseClaudeSettings,
  readAnswer,
  registerClaudeSettings,
  TEXT_CAP,
} from '../src/claude-code/index.js';
import { subcommands } from '../src/claude-code/matcher.js';

// The protocol rules of docs/claude-code.md, on fixed process runs (no processes: fast and exact).
// The scripts themselves run in test/claude-code/ (the compatibility suite).

const run = (exitCode: number | null, stdout = '', stderr = '', extra: object = {}) => ({
  exitCode,
  stdout,
  stderr,
  timedOut: false,
  aborted: false,
  overflowed: false,
  ...extra,
});
const pre = (exitCode: number | null, stdout = '', stderr = '') =>
  readAnswer('PreToolUse', run(exitCode, stdout, stderr), 'guard.sh');
const json = (o: unknown) => JSON.stringify(o);

describe('readAnswer: exit codes and stdout (reference §2.1–2.2)', () => {
  it('exit 0 with nothing, {} or unknown keys is no opinion', () => {
    for (const out of [
      '',
      '  \n',
      '{}',
      json({ continue: true }),
      json({ tool_name: 'Bash', tool_input: {} }),
    ]) {
      expect(pre(0, out)).toEqual({ decision: 'none', exitCode: 0 });
    }
  });

  it('exit 2 blocks with stderr, and nothing in stdout can override it', () => {
    expect(pre(2, '', 'no rm -rf\n')).toMatchObject({ decision: 'block', reason: 'no rm -rf' });
    const allow = json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow' } });
    expect(pre(2, allow, 'denied anyway').decision).toBe('block');
    const reasoned = json({
      hookSpecificOutput: { permissionDecision: 'deny', permissionDecisionReason: 'from json' },
    });
    expect(pre(2, reasoned, 'from stderr').reason).toBe('from json');
  });

  it('exit 2 at an event that cannot block is no decision', () => {
    expect(readAnswer('SessionEnd', run(2, '', 'x'), 's').decision).toBe('none');
    expect(readAnswer('Notification', run(2, '', 'x'), 's').decision).toBe('none');
  });

  it('JSON only when stdout starts with {: a log line first makes it plain text (decision lost)', () => {
    const deny = json({ hookSpecificOutput: { permissionDecision: 'deny', permissionDecisionReason: 'r' } });
    expect(pre(0, deny).decision).toBe('block');
    expect(pre(0, `checking...\n${deny}`).decision).toBe('none');
    expect(pre(0, `[${deny}]`).decision).toBe('none');
  });

  it('another non-zero exit is a failure, unless stdout is valid JSON, which then decides', () => {
    expect(() => pre(1, '', 'boom')).toThrow(/exited with code 1: boom/);
    expect(() => pre(3, 'not json')).toThrow(/exited with code 3/);
    const deny = json({
      hookSpecificOutput: { permissionDecision: 'deny', permissionDecisionReason: 'json wins' },
    });
    expect(pre(1, deny)).toMatchObject({ decision: 'block', reason: 'json wins', exitCode: 1 });
  });

  it('a launch failure is never a block: missing program, 126/127, CPython exit 2 on a missing file', () => {
    const enoent = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' });
    expect(() => readAnswer('PreToolUse', run(null, '', '', { launchError: enoent }), 'x')).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_COMMAND_NOT_STARTED' }),
    );
    expect(() => pre(127, '', 'sh: 1: ./guard.sh: not found')).toThrow(/could not be started.*not a block/);
    expect(() => pre(126, '', 'permission denied')).toThrow(/could not be started/);
    const python =
      "python3: can't open file '/p/.claude/hooks/guard.py': [Errno 2] No such file or directory";
    expect(() => pre(2, '', python)).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_COMMAND_NOT_STARTED' }),
    );
  });

  it('a timeout or an abort is a failure with its own code', () => {
    expect(() => readAnswer('PreToolUse', run(null, '', '', { timedOut: true }), 'x')).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_COMMAND_TIMEOUT' }),
    );
  });

  it('invalid JSON answers are errors, not silent no-opinions', () => {
    expect(() => pre(0, json({ hookSpecificOutput: { permissionDecision: 'maybe' } }))).toThrow(
      /permissionDecision/,
    );
    expect(() => pre(0, json({ hookSpecificOutput: { updatedInput: 'rm' } }))).toThrow(/updatedInput/);
    expect(() => pre(0, json({ decision: 'nope' }))).toThrow(/decision/);
  });
});

describe('readAnswer: decision fields per event (reference §2.3–2.4)', () => {
  it('PreToolUse: permissions, legacy decision, updatedInput, context', () => {
    const p = (o: object) => pre(0, json({ hookSpecificOutput: { hookEventName: 'PreToolUse', ...o } }));
    expect(p({ permissionDecision: 'allow' }).decision).toBe('allow');
    expect(p({ permissionDecision: 'ask', permissionDecisionReason: 'sure?' })).toMatchObject({
      decision: 'ask',
      reason: 'sure?',
    });
    expect(p({ permissionDecision: 'defer' }).decision).toBe('defer');
    expect(pre(0, json({ decision: 'block', reason: 'legacy' }))).toMatchObject({
      decision: 'block',
      reason: 'legacy',
    });
    expect(pre(0, json({ decision: 'approve' })).decision).toBe('allow');
    expect(p({ updatedInput: { command: 'ls' }, additionalContext: 'c' })).toMatchObject({
      updatedInput: { command: 'ls' },
      additionalContext: 'c',
    });
  });

  it('continue:false halts with its stopReason; systemMessage is kept', () => {
    expect(pre(0, json({ continue: false, stopReason: 'done', systemMessage: 'bye' }))).toMatchObject({
      halt: { stopReason: 'done' },
      systemMessage: 'bye',
    });
  });

  it('plain stdout is context only where Claude Code says so', () => {
    expect(readAnswer('UserPromptSubmit', run(0, 'today is Monday\n'), 's').additionalContext).toBe(
      'today is Monday',
    );
    expect(readAnswer('SessionStart', run(0, 'branch: main'), 's').additionalContext).toBe('branch: main');
    expect(readAnswer('PreToolUse', run(0, 'debug noise'), 's').additionalContext).toBeUndefined();
  });

  it('strings over 10 000 characters are capped with a preview and the path of the full text', () => {
    const long = 'x'.repeat(TEXT_CAP + 5);
    const ctx = readAnswer('SessionStart', run(0, long), 's').additionalContext!;
    expect(ctx.length).toBeLessThan(TEXT_CAP);
    expect(ctx).toMatch(/10005 characters in all; the full text is in \/.*\.txt\]$/);
  });

  it('other events: PostToolUse replacement, WorktreeCreate path, PermissionRequest, PermissionDenied retry', () => {
    expect(
      readAnswer('PostToolUse', run(0, json({ hookSpecificOutput: { updatedToolOutput: { ok: 1 } } })), 's')
        .replacement,
    ).toEqual({ value: { ok: 1 } });
    expect(readAnswer('WorktreeCreate', run(0, 'creating\n/tmp/wt-1\n'), 's').replacement).toEqual({
      value: '/tmp/wt-1',
    });
    expect(readAnswer('WorktreeCreate', run(1, '', 'disk full'), 's')).toMatchObject({ decision: 'block' });
    const deny = json({ hookSpecificOutput: { decision: { behavior: 'deny', message: 'no' } } });
    expect(readAnswer('PermissionRequest', run(0, deny), 's')).toMatchObject({
      decision: 'block',
      reason: 'no',
    });
    expect(
      readAnswer('PermissionDenied', run(0, json({ hookSpecificOutput: { retry: true } })), 's').retry,
    ).toBe(true);
  });
});

describe('matchers (reference §2.7)', () => {
  const tool = (name: string) => ({ tool_name: name });

  it('exact names and lists; regex otherwise (unanchored); all for "", "*" or none', () => {
    expect(compileMatcher('PreToolUse', undefined)).toBeUndefined();
    expect(compileMatcher('PreToolUse', '*')).toBeUndefined();
    const list = compileMatcher('PreToolUse', 'Edit|Write')!;
    expect([list(tool('Edit')), list(tool('Write')), list(tool('NotebookEdit'))]).toEqual([
      true,
      true,
      false,
    ]);
    expect(compileMatcher('PreToolUse', 'Edit, Write')!(tool('Write'))).toBe(true);
    const regex = compileMatcher('PreToolUse', 'Edit.*')!;
    expect([regex(tool('Edit')), regex(tool('NotebookEdit'))]).toEqual([true, true]);
    expect(compileMatcher('PreToolUse', 'mcp__memory')!(tool('mcp__memory__create'))).toBe(false);
    expect(compileMatcher('PreToolUse', 'mcp__memory__.*')!(tool('mcp__memory__create'))).toBe(true);
    expect(compileMatcher('Stop', 'Bash')).toBeUndefined(); // Stop has no matcher
    expect(compileMatcher('FileChanged', '.envrc')!({ file_path: '/p/.envrc' })).toBe(true);
    expect(() => compileMatcher('PreToolUse', 'Bash(')).toThrow(/not a valid regular expression/);
  });

  it('property: an exact list matches exactly its names, case-sensitively', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,11}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), name, (names, probe) => {
        const m = compileMatcher('PreToolUse', names.join('|'))!;
        expect(m({ tool_name: probe })).toBe(names.includes(probe));
        for (const n of names) expect(m({ tool_name: n })).toBe(true);
      }),
    );
  });

  it('`if` rules: Bash subcommands, prefix rules, file globs; unparsable rules run the hook', () => {
    const rm = compileIf('PreToolUse', 'Bash(rm *)')!;
    const bash = (command: string) => ({ tool_name: 'Bash', tool_input: { command } });
    expect(rm(bash('rm -rf /'))).toBe(true);
    expect(rm(bash('cd /tmp && rm -rf x'))).toBe(true);
    expect(rm(bash('echo $(rm -rf x)'))).toBe(true);
    expect(rm(bash('ls -la | grep rm'))).toBe(false);
    expect(rm(bash('echo "unbalanced'))).toBe(true); // fails open
    expect(rm({ tool_name: 'Write', tool_input: {} })).toBe(false);
    const npm = compileIf('PreToolUse', 'Bash(npm run test:*)')!;
    expect(npm(bash('npm run test:unit'))).toBe(true);
    const ts = compileIf('PreToolUse', 'Edit(*.ts)')!;
    expect(ts({ tool_name: 'Edit', tool_input: { file_path: '/p/src/a.ts' } })).toBe(true);
    expect(ts({ tool_name: 'Edit', tool_input: { file_path: '/p/src/a.js' } })).toBe(false);
    expect(compileIf('PreToolUse', 'not a rule')).toBeUndefined();
    expect(compileIf('Stop', 'Bash(rm *)')!({})).toBe(false); // `if` off tool events never runs
    expect(subcommands('a; b && c || d | e')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('settings files (reference §2.8)', () => {
  it('reads groups and command handlers; skips what it cannot run, with warnings', () => {
    const settings = parseClaudeSettings(
      {
        hooks: {
          PreToolUse: [
            {
              matcher: 'Bash',
              id: 'ignored',
              hooks: [{ type: 'command', command: 'guard.sh', timeout: 5000 }],
            },
            { hooks: [{ type: 'prompt', prompt: 'x' }, { type: 'command' }] },
          ],
          Bogus: [],
          Stop: [{ matcher: 'x', hooks: [{ type: 'command', command: 'stop.sh', args: ['--a'] }] }],
        },
      },
      's.json',
    );
    expect(settings.hooks.map((h) => [h.event, h.command, h.matcher])).toEqual([
      ['PreToolUse', 'guard.sh', 'Bash'],
      ['Stop', 'stop.sh', 'x'],
    ]);
    expect(settings.warnings.join('\n')).toMatch(/5000 is in seconds .*did you mean milliseconds/);
    expect(settings.warnings.join('\n')).toMatch(/"prompt" is not run by hookspell/);
    expect(settings.warnings.join('\n')).toMatch(/"Bogus" is not a Claude Code hook event/);
    expect(settings.warnings.join('\n')).toMatch(/Stop has no matcher/);
    expect(parseClaudeSettings({ disableAllHooks: true, hooks: { Stop: [] } }).warnings[0]).toMatch(
      /disableAllHooks/,
    );
  });

  it('dedups identical handlers on the resolved command, not the unexpanded string', () => {
    const plugin = (root: string) => ({
      ...parseClaudeSettings(
        {
          hooks: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's own placeholder, substituted by hookspell
            PreToolUse: [{ hooks: [{ type: 'command', command: '${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh' }] }],
          },
        },
        `${root}/hooks/hooks.json`,
      ),
      pluginRoot: root,
    });
    const same = parseClaudeSettings({
      hooks: { Stop: [{ hooks: [{ type: 'command', command: 'stop.sh' }] }] },
    });
    const registry = new HookRegistry();
    const batch = registerClaudeSettings(registry, [plugin('/plugins/a'), plugin('/plugins/b'), same, same]);
    expect(batch.handles.map((h) => h.name)).toEqual([
      'claude:PreToolUse:guard.sh',
      'claude:PreToolUse:guard.sh#2',
      'claude:Stop:stop.sh',
    ]);
    expect(batch.warnings.join('\n')).toMatch(/the same handler as .*registered once/);
    expect(batch.sources).toEqual([
      '/plugins/a/hooks/hooks.json#/hooks/PreToolUse/0/hooks/0',
      '/plugins/b/hooks/hooks.json#/hooks/PreToolUse/0/hooks/0',
      'settings#/hooks/Stop/0/hooks/0',
    ]);
    expect(registry.pointConfig('BeforeToolExecution').mode).toBe('parallel');
    expect(registry.get('claude:PreToolUse:guard.sh@BeforeToolExecution')!.timeoutMs).toBe(600_000);
  });
});

describe('claudeCodeAnswer: the merge (reference §2.5), from any hook', () => {
  const fire = async (event: ClaudeCodeEvent, ...hooks: (() => unknown)[]) => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    hooks.forEach((h, i) => {
      registry.register('BeforeToolExecution', h as never, { name: `h${i}` });
    });
    registry.configurePoint('BeforeToolExecution', { mode: 'parallel' });
    return claudeCodeAnswer(
      await executor.fire('BeforeToolExecution', { data: { tool_input: { command: 'x' } } }),
      event,
    );
  };

  it('a cancel from a native hook is a deny, exit 2 with the reason on stderr and in JSON', async () => {
    const a = await fire('PreToolUse', () => HookResult.cancel('policy says no'));
    expect(a).toMatchObject({ decision: 'block', exitCode: 2, stderr: 'policy says no' });
    expect(JSON.parse(a.stdout).hookSpecificOutput).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: 'policy says no',
    });
  });

  it('defer beats ask; conflicting rewrites are reported with both hooks named', async () => {
    const a = await fire(
      'PreToolUse',
      () => HookResult.redirect('ask'),
      () => HookResult.redirect('defer'),
    );
    expect(a.decision).toBe('defer');
    const b = await fire(
      'PreToolUse',
      () => HookResult.modified({ tool_input: { command: 'a' } }),
      () => HookResult.modified({ tool_input: { command: 'b' } }),
    );
    expect(b.updatedInput).toEqual({ command: 'b' });
    expect(b.conflicts).toEqual([{ key: 'tool_input', hooks: ['h0', 'h1'] }]);
  });

  it('a Stop retry is "keep going": exit 2 with the reason', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', () => HookResult.retry(0, 8));
    const out = await new HookExecutor(registry).fire('AfterAgentExecution');
    expect(claudeCodeAnswer(out, 'Stop')).toMatchObject({ decision: 'block', exitCode: 2 });
  });

  it('a halt without a stopReason is not taken for a deny: continue:false, exit 0, no permission decision', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      claudeCodeHook({ event: 'PreToolUse', command: `echo '{"continue": false}'`, name: 'halter' }),
      { timeoutMs: 10_000 },
    );
    const out = await new HookExecutor(registry).fire('BeforeToolExecution', {
      data: { tool_name: 'Bash', tool_input: { command: 'ls' } },
    });
    const a = claudeCodeAnswer(out, 'PreToolUse');
    expect(a).toMatchObject({ decision: 'none', exitCode: 0, halt: {} });
    expect(JSON.parse(a.stdout)).toEqual({ continue: false });
  });

  it('no opinion prints nothing and exits 0', async () => {
    expect(await fire('PreToolUse', () => undefined)).toMatchObject({
      exitCode: 0,
      stdout: '',
      decision: 'none',
    });
  });

  it('every event has a point and a default timeout', () => {
    expect(CLAUDE_CODE_EVENTS).toHaveLength(33);
  });
});
