/**
 * Start-up of `hookspell claude-code hook`, which Claude Code starts once per tool call: from
 * spawn to answer (the process has exited and its stdout is read), side by side with a bare
 * `node -e 0`, the anchor, in the same run. One driving process, cases interleaved (each round
 * runs every case once, in a rotating order), a warm-up round first, the median of ROUNDS rounds.
 *
 * Cases (all answer a PreToolUse call for `Bash: ls`, which every hook lets through):
 *   - `hookspell --version` — the CLI with no command to run;
 *   - 5 hooks — the kinds the CLI loads, at BeforeToolExecution (failClosed), SQLite journal and
 *     event log as by default: the `security` built-in, a JavaScript hook (QuickJS), two native
 *     command hooks (`sh -c 'cat >/dev/null'`) and a Claude Code command hook (`claudeCode:` with
 *     a `grep` guard); TypeScript hooks cannot be loaded from a config file;
 *   - the same + a Lua hook (6 hooks);
 *   - 4 hooks: the 5 without the built-in (what importing the built-ins costs), and with Lua;
 *   - no hooks: the floor of the path (config from the cache, SQLite opened and closed, the answer);
 *   - 5 hooks with the config cache off (`HOOKSPELL_CONFIG_CACHE=0`: YAML + ajv on every call);
 *   - 5 hooks, and 5 + Lua, answered by a `hookspell claude-code serve` kept up for the config.
 * With BEFORE_CLI=<path to an older dist/cli.js>, `--version` and `fire` with one command hook
 * are also run on it (the "before" rows of benchmarks/README.md); HOOKSPELL_CLI=<path> measures
 * another build than apps/cli/dist.
 *
 *   pnpm --filter hookspell build && pnpm --filter @hookspell/benchmarks bench claude-code-startup
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

const ROUNDS = Number(process.env.ROUNDS ?? 21);
const CLI =
  process.env.HOOKSPELL_CLI ?? fileURLToPath(new URL('../../apps/cli/dist/cli.js', import.meta.url));
const BEFORE = process.env.BEFORE_CLI;

const JS_HOOK = `Hook.register('BeforeToolExecution', (ctx) => {
  const input = ctx.data.tool_input;
  if (input && typeof input.command === 'string' && input.command.includes('SECRET'))
    return { type: 'modified', data: { tool_input: { ...input, command: input.command.replace('SECRET', '***') } } };
  return undefined;
});
`;
const LUA_HOOK = `Hook.register("BeforeToolExecution", function(ctx)
  local input = ctx.data.tool_input or {}
  if input.command and string.find(input.command, "git push --force", 1, true) then
    return { type = "cancel", reason = "force-push is not allowed" }
  end
  return "continue"
end)
`;

function config(options: { builtin: boolean; lua: boolean }): string {
  return `hooks:
${options.builtin ? '  - { builtin: security, point: BeforeToolExecution }\n' : ''}  - { name: redact, point: BeforeToolExecution, run: js:hooks/redact.js }
  - { name: audit, point: BeforeToolExecution, command: [sh, -c, 'cat >/dev/null'] }
  - { name: size, point: BeforeToolExecution, command: [sh, -c, 'cat >/dev/null'] }
  - claudeCode:
      event: PreToolUse
      matcher: Bash
      command: "grep -q 'rm -rf' && { echo 'rm -rf is not allowed' >&2; exit 2; }; exit 0"
${options.lua ? '  - { name: policy, point: BeforeToolExecution, run: lua:hooks/policy.lua }\n' : ''}points:
  BeforeToolExecution: { failClosed: true }
`;
}

function projectDir(name: string, text: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'hooks'), { recursive: true });
  writeFileSync(join(dir, 'hookspell.config.yaml'), text);
  writeFileSync(join(dir, 'hooks/redact.js'), JS_HOOK);
  writeFileSync(join(dir, 'hooks/policy.lua'), LUA_HOOK);
  return dir;
}

const root = mkdtempSync(join(tmpdir(), 'hookspell-startup-'));
const cache = join(root, 'cache');
const five = projectDir('five', config({ builtin: true, lua: false }));
const six = projectDir('six', config({ builtin: true, lua: true }));
const four = projectDir('four', config({ builtin: false, lua: false }));
const fourLua = projectDir('four-lua', config({ builtin: false, lua: true }));
const none = projectDir('none', 'hooks: []\npoints:\n  BeforeToolExecution: { failClosed: true }\n');
// The same configs answered by a `hookspell claude-code serve` kept up for each (started below).
const fiveServed = projectDir('five-served', config({ builtin: true, lua: false }));
const sixServed = projectDir('six-served', config({ builtin: true, lua: true }));
const fire = projectDir(
  'fire',
  `hooks:\n  - { name: audit, point: BeforeToolExecution, command: [sh, -c, 'cat >/dev/null'] }\n`,
);

const input = (cwd: string) =>
  JSON.stringify({
    session_id: 'bench',
    transcript_path: join(cwd, 'transcript.jsonl'),
    cwd,
    hook_event_name: 'PreToolUse',
    permission_mode: 'default',
    tool_name: 'Bash',
    tool_input: { command: 'ls', description: 'list' },
    tool_use_id: 'toolu_bench',
  });

interface Case {
  name: string;
  args: string[];
  cwd: string;
  stdin?: string;
  env?: Record<string, string>;
}

const hook = (dir: string): Case => ({
  name: '',
  args: [CLI, 'claude-code', 'hook'],
  cwd: dir,
  stdin: input(dir),
});
const cases: Case[] = [
  { name: 'node -e 0 (bare Node)', args: ['-e', '0'], cwd: root },
  { name: 'hookspell --version', args: [CLI, '--version'], cwd: root },
  { ...hook(five), name: 'claude-code hook, 5 hooks (built-in, JS, 2 command, claudeCode)' },
  { ...hook(six), name: 'claude-code hook, 5 hooks + Lua' },
  { ...hook(four), name: 'claude-code hook, 4 hooks (the 5 without the built-in)' },
  { ...hook(fourLua), name: 'claude-code hook, 4 hooks + Lua' },
  { ...hook(none), name: 'claude-code hook, no hooks (config, SQLite, answer)' },
  { ...hook(fiveServed), name: 'claude-code hook, 5 hooks, served (claude-code serve)' },
  { ...hook(sixServed), name: 'claude-code hook, 5 hooks + Lua, served' },
  {
    ...hook(five),
    name: 'claude-code hook, 5 hooks, config cache off',
    env: { HOOKSPELL_CONFIG_CACHE: '0' },
  },
  {
    name: 'fire, 1 command hook',
    args: [CLI, 'fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}'],
    cwd: fire,
  },
];
if (BEFORE !== undefined) {
  cases.push(
    { name: 'before: hookspell --version', args: [BEFORE, '--version'], cwd: root },
    {
      name: 'before: fire, 1 command hook',
      args: [BEFORE, 'fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}'],
      cwd: fire,
    },
  );
}

/** Spawn to answer: until the process has exited and its output is read. */
function run(c: Case): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, c.args, {
      cwd: c.cwd,
      env: { ...process.env, HOOKSPELL_CACHE_DIR: cache, CLAUDE_PROJECT_DIR: c.cwd, ...c.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(c.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0) reject(new Error(`${c.name}: exit ${code}\n${stderr}`));
      else resolve(ms);
    });
  });
}

/** Starts `claude-code serve` for `dir` with the environment the calls have; resolved once it listens. */
function startServer(dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'claude-code', 'serve'], {
      cwd: dir,
      env: { ...process.env, HOOKSPELL_CACHE_DIR: cache, CLAUDE_PROJECT_DIR: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('listening on')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`claude-code serve in ${dir} exited ${code}: ${err}`)));
  });
}
const servers = await Promise.all([startServer(fiveServed), startServer(sixServed)]);

// Warm-up: the file cache, the config cache, the SQLite files. A case that fails is left out, said why.
for (const c of [...cases]) {
  try {
    await run(c);
  } catch (error) {
    console.error(`left out: ${(error as Error).message.split('\n').slice(0, 2).join(' — ')}`);
    cases.splice(cases.indexOf(c), 1);
  }
}
const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + r) % cases.length]!;
    try {
      times.get(c.name)!.push(await run(c));
    } catch (error) {
      // A sample lost to the machine (a rebuild under way, a spawn refused) is dropped and said.
      console.error(`round ${r + 1}: ${(error as Error).message.split('\n')[0]}; sample dropped`);
    }
  }
}
const anchor = median(times.get(cases[0]!.name)!);
const lines = [
  `### spawn to answer, median of ${ROUNDS} interleaved rounds`,
  '',
  '| case | median | min – max | vs bare Node |',
  '|---|---:|---:|---:|',
  ...cases.map((c) => {
    const t = times.get(c.name)!;
    return `| ${c.name} | ${median(t).toFixed(1)} ms | ${Math.min(...t).toFixed(1)} – ${Math.max(...t).toFixed(1)} ms | ${(median(t) / anchor).toFixed(2)}× |`;
  }),
  '',
];
console.log(lines.join('\n'));
for (const server of servers) server.kill('SIGTERM');
rmSync(root, { recursive: true, force: true });
