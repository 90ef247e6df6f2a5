import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HookExecutionRecord, HookExecutor, HookRegistry } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { CHECKS, POINT, prepareWorkspace, registerChecks } from '../checks.mjs';

const main = fileURLToPath(new URL('../main.mjs', import.meta.url));

async function fire(prepare?: (dir: string) => void) {
  const workspace = prepareWorkspace();
  try {
    prepare?.(workspace.dir);
    const registry = new HookRegistry();
    registerChecks(registry, workspace.dir);
    const outcome = await new HookExecutor(registry).fire(POINT, {}, { mode: 'parallel', maxParallel: 4 });
    return { outcome, money: readFileSync(join(workspace.dir, 'src', 'money.js'), 'utf8') };
  } finally {
    workspace.remove();
  }
}

const end = (r: HookExecutionRecord) => r.startedAt + r.durationMs;

describe('examples/parallel-checks', () => {
  it('runs the twelve checks sequentially and as a DAG, all ok, and prints the speed-up', () => {
    const out = execFileSync(process.execPath, [main], { encoding: 'utf8' });
    expect(out).toContain('parallel-checks: 12 command hooks at custom:pre-commit');
    for (const c of CHECKS) expect(out).toMatch(new RegExp(`^${c.name} +ok .* ok `, 'm'));
    expect(out).toMatch(/^sequential \d+\.\d\ds · DAG \d+\.\d\ds → \d+\.\d\d× faster$/m);
    expect(out).toContain('decision: sequential continue, DAG continue; 12/12 checks ok in both');
  });

  it('respects dependencies and never overlaps the fixers, and the fixers really fix', async () => {
    const { outcome, money } = await fire();
    expect(outcome.records.map((r) => [r.name, r.status])).toEqual(CHECKS.map((c) => [c.name, 'ok']));
    const byName = new Map(outcome.records.map((r) => [r.name, r]));
    for (const c of CHECKS) {
      for (const d of c.dependsOn ?? [])
        expect(byName.get(c.name)!.startedAt).toBeGreaterThanOrEqual(end(byName.get(d)!));
    }
    const fixers = outcome.records.filter((r) => CHECKS.find((c) => c.name === r.name)?.mutates);
    for (const a of fixers) {
      for (const b of fixers) if (a !== b) expect(end(a) <= b.startedAt || end(b) <= a.startedAt).toBe(true);
    }
    expect(money).toContain("throw new RangeError('parts must be an integer >= 1');"); // biome format
    expect(money).not.toMatch(/[ \t]$/m); // trailing-whitespace
    expect(money.endsWith('}\n')).toBe(true); // end-of-file
  });

  it('cancels when the secrets check finds a credential (exit code 2, stderr is the reason)', async () => {
    const { outcome } = await fire((dir) =>
      writeFileSync(join(dir, 'src', 'keys.js'), "export const KEY = 'sk-live-abcdefgh1234';\n"),
    );
    expect(outcome.decision).toEqual({
      type: 'cancel',
      reason: "possible secret: ./src/keys.js:1:export const KEY = 'sk-live-abcdefgh1234';",
    });
    expect(outcome.records.find((r) => r.name === 'secrets')?.result?.type).toBe('cancel');
  });
});
