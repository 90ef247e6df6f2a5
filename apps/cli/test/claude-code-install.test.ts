/**
 * `hookspell claude-code install | uninstall` on a temporary HOME and project, and
 * `hookspell import claude-settings` round trips: a settings file imported into a config decides
 * what the same file decides under a Claude Code driver.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClaudeCode } from '../../../packages/bridge/test/claude-code/driver.js';
import { CACHE_DIR, CLI, hookspell, json, oneLine, project } from './helpers.js';

const CONFIG = `hooks:
  - { name: policy, point: BeforeToolExecution, command: [node, -e, '0'] }
  - claudeCode: { event: Stop, command: 'exit 0' }
  - { name: checks, point: custom:checks, command: [node, -e, '0'] }
`;

/** A user's existing project settings: other keys, another hook, formatting with 4 spaces. */
const EXISTING = `{
    "permissions": { "allow": ["Bash(npm test)"] },
    "hooks": {
        "PreToolUse": [
            { "matcher": "Write", "hooks": [ { "type": "command", "command": "./format.sh" } ] }
        ]
    },
    "model": "opus"
}
`;

function dirs(files: Record<string, string> = {}) {
  const home = project();
  const dir = project({ 'hookspell.config.yaml': CONFIG, ...files });
  return { home, dir, run: (args: string[]) => hookspell(args, { cwd: dir, env: { HOME: home } }) };
}

describe('hookspell claude-code install / uninstall', () => {
  it('adds one handler per event the config needs, keeps everything else, backs up, and is idempotent', async () => {
    const { dir, run } = dirs({ '.claude/settings.json': EXISTING });
    const file = join(dir, '.claude/settings.json');

    const dry = await run(['claude-code', 'install', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+++ ');
    expect(dry.stdout).toContain('claude-code hook');
    expect(dry.stdout).toContain('dry run: .claude/settings.json not written');
    expect(readFileSync(file, 'utf8')).toBe(EXISTING);

    const first = await run(['claude-code', 'install']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('events: PreToolUse → BeforeToolExecution, Stop → AfterAgentExecution');
    expect(first.stdout).toContain('not fired by Claude Code (no event maps to them): custom:checks');
    expect(first.stdout).toContain(
      'wrote .claude/settings.json (the previous file is in .claude/settings.json.hookspell.bak)',
    );
    expect(readFileSync(`${file}.hookspell.bak`, 'utf8')).toBe(EXISTING);
    const written = readFileSync(file, 'utf8');
    const settings = JSON.parse(written);
    const command = `${process.execPath} ${CLI} claude-code hook`;
    expect(settings).toEqual({
      permissions: { allow: ['Bash(npm test)'] },
      hooks: {
        PreToolUse: [
          { matcher: 'Write', hooks: [{ type: 'command', command: './format.sh' }] },
          { hooks: [{ type: 'command', command }] },
        ],
        Stop: [{ hooks: [{ type: 'command', command }] }],
      },
      model: 'opus',
    });
    // The user's lines are untouched (jsonc edits, not a rewrite): their 4-space indentation stays.
    expect(written).toContain('    "permissions": { "allow": ["Bash(npm test)"] },');

    const second = await run(['claude-code', 'install']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('.claude/settings.json: up to date, nothing to change');
    expect(readFileSync(file, 'utf8')).toBe(written);

    const removed = await run(['claude-code', 'uninstall']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(EXISTING));
    const again = await run(['claude-code', 'uninstall']);
    expect(again.stdout).toContain('up to date, nothing to change');
  });

  it('updates its own handler in place and drops events the config no longer needs', async () => {
    const moved = {
      hooks: {
        Stop: [
          {
            hooks: [
              { type: 'command', command: 'node /old/path/cli.js claude-code hook' },
              { type: 'command', command: './notify.sh' },
            ],
          },
        ],
        SessionEnd: [{ hooks: [{ type: 'command', command: 'hookspell claude-code hook' }] }],
      },
    };
    const { dir, run } = dirs({ '.claude/settings.json': `${JSON.stringify(moved, null, 2)}\n` });
    const r = await run(['claude-code', 'install', '--events', 'Stop']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, '.claude/settings.json'), 'utf8'))).toEqual({
      hooks: {
        Stop: [
          {
            hooks: [
              { type: 'command', command: `${process.execPath} ${CLI} claude-code hook` },
              { type: 'command', command: './notify.sh' },
            ],
          },
        ],
      },
    });
  });

  it('--user writes ~/.claude/settings.json (created with its folder); --events all names every event', async () => {
    const { home, run } = dirs();
    const r = await run(['claude-code', 'install', '--user', '--events', 'all']);
    expect(r.code, r.stderr).toBe(0);
    const settings = JSON.parse(readFileSync(join(home, '.claude/settings.json'), 'utf8'));
    expect(Object.keys(settings.hooks)).toHaveLength(33);
    expect(existsSync(join(home, '.claude/settings.json.hookspell.bak'))).toBe(false);
    const u = await run(['claude-code', 'uninstall', '--user']);
    expect(u.code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, '.claude/settings.json'), 'utf8'))).toEqual({});
  });

  it('refuses a settings file that is not JSON, and bad flags, without writing anything', async () => {
    const { dir, run } = dirs({ '.claude/settings.json': '{ "hooks": { ' });
    const r = await run(['claude-code', 'install']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /settings\.json:1: not valid JSON .*hookspell does not rewrite a settings file it cannot read/,
    );
    expect(readFileSync(join(dir, '.claude/settings.json'), 'utf8')).toBe('{ "hooks": { ');
    expect((await run(['claude-code', 'install', '--project', '--user'])).code).toBe(2);
    const bad = await run(['claude-code', 'install', '--events', 'PreToolUze']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'PreToolUze' is not a Claude Code hook event");
  });
});

type Group = { matcher?: string; hooks: { type: string; command?: string }[] };

const GUARD = `input=$(cat); case "$input" in *'rm -rf'*) echo "no rm -rf" >&2; exit 2;; esac; exit 0`;
const CONTEXT = `echo '{"hookSpecificOutput":{"hookEventName":"UserPromptSubmit","additionalContext":"from the plugin"}}'`;

describe('hookspell import claude-settings', () => {
  it('turns a settings file into a config that decides what the file decides under Claude Code', async () => {
    const settings = {
      permissions: { allow: [] },
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [{ type: 'command', command: GUARD, timeout: 30 }] },
          { matcher: 'Write|Edit', hooks: [{ type: 'command', command: 'exit 0', if: 'Edit(*.ts)' }] },
        ],
        UserPromptSubmit: [
          {
            hooks: [
              { type: 'command', command: CONTEXT },
              { type: 'http', url: 'http://x' },
            ],
          },
        ],
        Stop: [{ hooks: [{ type: 'command', command: 'exit 0', once: true }] }],
      },
    };
    const dir = project({ '.claude/settings.json': JSON.stringify(settings, null, 2) });
    const r = await hookspell(
      ['import', 'claude-settings', '.claude/settings.json', '--out', 'hookspell.config.yaml'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote hookspell.config.yaml: 4 hook(s) from .claude/settings.json');
    expect(r.stderr).toContain('handler type "http" is not run by hookspell');
    expect(r.stderr).toContain('"once" is not carried over');
    expect(r.stderr).toContain('only "hooks" is imported; "permissions" is Claude Code\'s own setting');
    const yaml = readFileSync(join(dir, 'hookspell.config.yaml'), 'utf8');
    expect(yaml).toContain('# Imported from .claude/settings.json');
    expect(yaml).toContain('timeout: 30');

    const list = await hookspell(['hooks', 'list', '--json'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    const points = json(list);
    expect(points.map((p: { point: string; mode: string }) => [p.point, p.mode])).toEqual([
      ['BeforeToolExecution', 'parallel'],
      ['BeforeAgentExecution', 'sequential'],
      ['AfterAgentExecution', 'sequential'],
    ]);
    expect(points[0].hooks.map((h: { name: string; timeoutMs: number }) => [h.name, h.timeoutMs])).toEqual([
      ['claude:PreToolUse:input=$(cat);', 30_000],
      ['claude:PreToolUse:exit', 600_000],
    ]);

    // Same inputs, same decisions: the file under the driver, the config under hookspell.
    const cases: [string, Record<string, unknown>][] = [
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'rm -rf /' } }],
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' } }],
      ['UserPromptSubmit', { prompt: 'hi' }],
    ];
    const fromFile = (event: string) =>
      (settings.hooks[event as keyof typeof settings.hooks] as Group[]).flatMap((g, i) =>
        g.hooks
          .filter((h) => h.type === 'command')
          .map((h, j) => ({ name: `${i}.${j}`, command: h.command!, matcher: g.matcher })),
      );
    for (const [event, fields] of cases) {
      const input = { session_id: 'imp', cwd: dir, hook_event_name: event, ...fields };
      const direct = await runClaudeCode(event, input, fromFile(event), { projectDir: dir });
      const through = await runClaudeCode(
        event,
        input,
        [{ name: 'hookspell', command: `"${process.execPath}" "${CLI}" claude-code hook` }],
        {
          projectDir: dir,
          env: { HOOKSPELL_CACHE_DIR: CACHE_DIR },
        },
      );
      expect(through.answer, `${event} ${JSON.stringify(fields)}`).toEqual(direct.answer);
    }
  });

  it("keeps a plugin's CLAUDE_PLUGIN_ROOT placeholder and points pluginRoot at the plugin, relative to the config", async () => {
    const dir = project({
      'plugins/guard/hooks/hooks.json': JSON.stringify({
        description: 'a guard plugin',
        hooks: {
          PreToolUse: [
            {
              matcher: 'Bash',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's placeholder, written as in a plugin
              hooks: [{ type: 'command', command: 'sh "${CLAUDE_PLUGIN_ROOT}/scripts/guard.sh"' }],
            },
          ],
        },
      }),
      'plugins/guard/scripts/guard.sh': 'echo "blocked by the plugin" >&2; exit 2\n',
    });
    mkdirSync(join(dir, 'conf'));
    const r = await hookspell(
      ['import', 'claude-settings', 'plugins/guard/hooks/hooks.json', '-o', 'conf/hookspell.config.json'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'conf/hookspell.config.json'), 'utf8'));
    expect(config.hooks).toEqual([
      {
        name: 'claude:PreToolUse:guard.sh',
        claudeCode: {
          event: 'PreToolUse',
          matcher: 'Bash',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: kept unexpanded, as Claude Code keeps it
          command: 'sh "${CLAUDE_PLUGIN_ROOT}/scripts/guard.sh"',
          pluginRoot: '../plugins/guard',
        },
      },
    ]);
    const fired = await hookspell(['claude-code', 'hook', '--config', 'conf'], {
      cwd: dir,
      input: JSON.stringify({
        session_id: 'p',
        cwd: dir,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
      }),
    });
    expect(fired.code).toBe(2);
    expect(fired.stderr).toBe('blocked by the plugin');
    const exists = await hookspell(
      ['import', 'claude-settings', 'plugins/guard/hooks/hooks.json', '-o', 'conf/hookspell.config.json'],
      {
        cwd: dir,
      },
    );
    expect(exists.code).toBe(2);
    writeFileSync(join(dir, 'x.json'), '[]');
    const notObject = await hookspell(['import', 'claude-settings', 'x.json'], { cwd: dir });
    expect(notObject.code).toBe(2);
  });
});
