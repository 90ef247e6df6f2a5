import { describe, expect, it } from 'vitest';
import { hookspell, oneLine, project } from './helpers.js';

describe('errors and help', () => {
  it('every command has --help', async () => {
    const cwd = project();
    for (const args of [
      [],
      ['run'],
      ['fire'],
      ['hooks'],
      ['hooks', 'list'],
      ['hooks', 'audit'],
      ['hooks', 'points'],
      ['events'],
      ['events', 'tail'],
      ['events', 'query'],
      ['events', 'timeline'],
      ['replay'],
      ['init'],
    ]) {
      const r = await hookspell([...args, '--help'], { cwd });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(
        new RegExp(`^Usage: hookspell${args.length ? ` ${args.join(' ')}` : ''} `),
      );
    }
    const top = await hookspell(['--help'], { cwd });
    expect(top.stdout).toMatch(
      /Exit codes: 0 ok · 1 runtime failure · 2 usage or config error · 3 fire: a hook cancelled · 4 fire: a hook failed · 5 hooks audit: a hook can fail open at a guard point\./,
    );
  });

  it('usage errors from the parser: one line, exit 2', async () => {
    const cwd = project();
    const cases: [string[], RegExp][] = [
      [['frob'], /^hookspell: unknown command 'frob'$/],
      [['fier', 'SystemStartup'], /^hookspell: unknown command 'fier' \(Did you mean fire\?\)$/],
      [['fire', 'SystemStartup', '--nope'], /^hookspell: unknown option '--nope' \(Did you mean --mode\?\)$/],
      [['fire', 'SystemStartup', '--xyzzy'], /^hookspell: unknown option '--xyzzy'$/],
      [['events', 'timeline'], /^hookspell: missing required argument 'correlationId'$/],
    ];
    for (const [args, expected] of cases) {
      const r = await hookspell(args, { cwd });
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr), args.join(' ')).toMatch(expected);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('unreachable PostgreSQL: one line naming the server, exit 1; --debug adds the stack and cause', async () => {
    const cwd = project({
      'hookspell.config.yaml':
        'storage:\n  type: postgres\n  connectionString: postgres://postgres@127.0.0.1:1/test\n  connectTimeoutMs: 2000\n',
    });
    const r = await hookspell(['fire', 'SystemStartup'], { cwd });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /^hookspell: \[postgres\] Cannot reach PostgreSQL at 127\.0\.0\.1:1\/test \(ECONNREFUSED\)/,
    );
    const debug = await hookspell(['fire', 'SystemStartup', '--debug'], { cwd });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^\s+at /m);
    expect(debug.stderr).toMatch(/caused by: /);
  });

  it('a SQLite path that cannot be a database: one line, exit 1', async () => {
    const cwd = project({
      'hookspell.config.yaml': 'storage: { type: sqlite, path: not-a-db.txt }\n',
      'not-a-db.txt': 'hello, this is text and not sqlite at all\n'.repeat(40),
    });
    const r = await hookspell(['fire', 'SystemStartup'], { cwd });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^hookspell: \[sqlite\] /);
  });

  it('--version prints the package version', async () => {
    const r = await hookspell(['--version'], { cwd: project() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
