import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.mjs', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'hookspell-quickstart-'));
const run = () => execFileSync(process.execPath, [main], { cwd, encoding: 'utf8' });

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('examples/quickstart', () => {
  it('guards the agent with Lua, JS, command and built-in hooks and prints the stored timeline', () => {
    const out = run();
    expect(out).toContain('hookspell quickstart · run 1 · SQLite .hookspell/hookspell.db');
    // Order of the chain: built-ins (highest), Lua (high), JS then the command (normal).
    expect(out).toMatch(
      /rate-limit +native +highest\n +security +native +highest\n +deny-shell +lua +high\n/,
    );
    expect(out).toMatch(/redact-email +javascript +normal\n +allowlist +command +normal\n/);
    expect(out).toContain('1. search     ok: 3 results for "weather in Paris"');
    expect(out).toContain('2. send_email ok: sent to <email>: "Sunny in Paris. Ask <email> for more."');
    expect(out).toContain('3. shell      denied by deny-shell: shell commands are not allowed');
    expect(out).toContain("4. deploy     denied by allowlist: tool 'deploy' is not on the allowlist");
    expect(out).toContain("5. search     denied by rate-limit: rate limit exceeded for 'tool:search'");
    expect(out).toContain('emails redacted so far (State, kept across runs): 2');
    expect(out).toContain('"api_key":"***"');
    expect(out).not.toContain('sk-live-0000'); // the secret never reaches the output or the log
    // The CLI's tree of what was stored under the run's correlation id.
    expect(out).toMatch(/correlation quickstart-run-1 · \d+ events · 5 roots/);
    expect(out).toMatch(/redact-email ok .* · modified/);
    expect(out).toMatch(/deny-shell ok .* · cancel: shell commands are not allowed\n.*policy\.denied/);
    expect(out).toMatch(/allowlist ok .* · cancel: tool 'deploy' is not on the allowlist/);
    expect(out).toMatch(/allowlist skipped .* · skipped: chain stopped by 'rate-limit' \(cancel\)/);
  });

  it('keeps state and events in SQLite across runs', () => {
    const out = run();
    expect(out).toContain('run 2');
    expect(out).toContain('emails redacted so far (State, kept across runs): 4');
    expect(out).toMatch(/correlation quickstart-run-2 · 46 events/);
    const cli = fileURLToPath(new URL('../node_modules/hookspell/dist/cli.js', import.meta.url));
    const first = execFileSync(
      process.execPath,
      [cli, 'events', 'query', '--correlation', 'quickstart-run-1', '--json'],
      {
        cwd,
        encoding: 'utf8',
      },
    );
    const events = JSON.parse(first) as { type: string }[];
    expect(events).toHaveLength(46);
    expect(events.filter((e) => e.type === 'tool.denied')).toHaveLength(3);
    expect(first).not.toContain('sk-live-0000');
  });
});
