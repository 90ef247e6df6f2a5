import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STARTER_YAML } from '../src/init/templates.js';
import { hookspell, json, oneLine, project } from './helpers.js';

describe('hookspell init', () => {
  it('writes a starter config and example hooks that work as written', async () => {
    const cwd = project();
    const r = await hookspell(['init', 'agent'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^created in agent: hookspell\.config\.yaml, hooks\/deny-shell\.lua, hooks\/redact-email\.js, hooks\/audit\.mjs/,
    );
    expect(r.stdout).toMatch(/^next \(in agent\):$/m);
    const dir = join(cwd, 'agent');
    for (const f of [
      'hookspell.config.yaml',
      'hooks/deny-shell.lua',
      'hooks/redact-email.js',
      'hooks/audit.mjs',
      'hooks/check.mjs',
      'scripts/observer.lua',
      'scripts/demo.lua',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const list = json(await hookspell(['hooks', 'list', '--json'], { cwd: dir }));
    const tools = list.find((p: any) => p.point === 'BeforeToolExecution');
    expect(tools.hooks.map((h: any) => [h.name, h.language])).toEqual([
      ['deny-shell', 'lua'],
      ['redact-email', 'javascript'],
      ['audit', 'command'],
    ]);
    // the Lua policy cancels a shell tool
    let fire = await hookspell(
      ['fire', 'BeforeToolExecution', '--component', 'tool:shell', '--data', '{"cmd":"ls"}'],
      { cwd: dir },
    );
    expect(fire.code).toBe(3);
    // the JS hook redacts, the command hook audits
    fire = await hookspell(
      [
        'fire',
        'BeforeToolExecution',
        '--component',
        'tool:search',
        '--data',
        '{"q":"mail bob@example.com"}',
        '--json',
      ],
      { cwd: dir },
    );
    expect(fire.code).toBe(0);
    expect(json(fire).data).toEqual({ q: 'mail [email]', audited: true });
    expect(readFileSync(join(dir, '.hookspell/audit.log'), 'utf8')).toMatch(
      /BeforeToolExecution search \{"q":"mail \[email\]"\}/,
    );
    // the parallel checks
    fire = await hookspell(['fire', 'custom:checks', '--json'], { cwd: dir });
    expect(fire.code).toBe(0);
    expect(json(fire).records.map((x: any) => x.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const failing = await hookspell(['fire', 'custom:checks'], { cwd: dir, env: { FAIL_CHECK: 'lint' } });
    expect(failing.code).toBe(4);
    expect(failing.stdout).toMatch(/lint +error .*lint: 3 problems found/);
    // the demo script and the observer's state
    const run = await hookspell(['run', 'scripts/demo.lua'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^demo runs so far: 1$/m);
  });

  it('--format json writes hookspell.config.json with the same content', async () => {
    const cwd = project();
    const r = await hookspell(['init', '--format', 'json'], { cwd });
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(cwd, 'hookspell.config.json'), 'utf8'));
    expect(config.hooks).toHaveLength(7);
    expect(config.points['custom:checks']).toEqual({ mode: 'parallel', maxParallel: 2 });
    expect((await hookspell(['hooks', 'list'], { cwd })).code).toBe(0);
  });

  it('never overwrites without --force (exit 2)', async () => {
    const cwd = project({ 'hooks/deny-shell.lua': '-- mine\n' });
    let r = await hookspell(['init'], { cwd });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      'hookspell: hooks/deny-shell.lua already exists in .; use --force to overwrite',
    );
    expect(readFileSync(join(cwd, 'hooks/deny-shell.lua'), 'utf8')).toBe('-- mine\n');
    r = await hookspell(['init', '--force'], { cwd });
    expect(r.code).toBe(0);
    expect(readFileSync(join(cwd, 'hooks/deny-shell.lua'), 'utf8')).toMatch(/Hook\.register/);
    r = await hookspell(['init', '--format', 'json', '--force'], { cwd });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /already has hookspell\.config\.yaml; a directory keeps one config file/,
    );
  });

  it('the storage alternatives named in the starter config are valid YAML as written', () => {
    // Copying `{ type: postgres, connectionString: ${DATABASE_URL} }` out of the comment used to
    // give invalid YAML (a flow map cannot hold an unquoted `${…}`).
    const line = STARTER_YAML.split('\n').find((l) => l.includes('# or:'))!;
    const alternatives = line.slice(line.indexOf('# or:') + 5).split(' / ');
    expect(alternatives.map((a) => parse(a.trim()))).toEqual([
      { type: 'memory' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${VAR} syntax, kept as written
      { type: 'postgres', connectionString: '${DATABASE_URL}' },
    ]);
  });
});
