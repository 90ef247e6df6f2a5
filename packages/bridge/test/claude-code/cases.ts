/**
 * The compatibility table: one row per (script, input) with the answer Claude Code gives according
 * to the reference. Every row is run under the driver and through hookspell; both must give it.
 */
import type { DriverAnswer, DriverHook } from './driver.js';
import {
  bash,
  FIXTURES,
  fixture,
  PLUGIN_ROOT,
  postToolUse,
  preToolUse,
  sessionStart,
  stop,
  userPromptSubmit,
  type Workspace,
} from './inputs.js';

export interface CompatCase {
  /** The fixture file (what the suite lists). */
  script: string;
  /** What the row covers. */
  title: string;
  event: 'PreToolUse' | 'PostToolUse' | 'UserPromptSubmit' | 'Stop' | 'SessionStart';
  /** How a settings file would declare the handler (command is shell form unless args is given). */
  hook: Omit<DriverHook, 'name'>;
  input(ws: Workspace): Record<string, unknown>;
  /** The exact answer, or a check for answers that cannot be spelled out (the 10 000-char cap). */
  expected: DriverAnswer | ((answer: DriverAnswer, ws: Workspace) => void);
}

const sh = (name: string, extra: Partial<DriverHook> = {}) => ({ command: fixture(name), ...extra });

const BASH_REST = { description: 'Run a command', timeout: 120000, run_in_background: false };

/** A PostToolUse tool_response bigger than a pipe (socket) buffer, so a child that does not read stdin gets EPIPE. */
const HUGE_RESPONSE = { stdout: 'x'.repeat(1_000_000), stderr: '', interrupted: false, isImage: false };

export const CASES: readonly CompatCase[] = [
  // PreToolUse — deny in every form.
  {
    script: 'block-rm.sh',
    title: 'exit 2 + stderr blocks (2025 and 2026)',
    event: 'PreToolUse',
    hook: sh('block-rm.sh'),
    input: (ws) => bash(ws, 'rm -rf /tmp/build'),
    expected: { decision: 'block', reason: 'Blocked: rm -rf is not allowed' },
  },
  {
    script: 'block-rm.sh',
    title: 'exit 0 without output is no opinion',
    event: 'PreToolUse',
    hook: sh('block-rm.sh'),
    input: (ws) => bash(ws, 'ls -la'),
    expected: { decision: 'none' },
  },
  {
    script: 'protect-env.py',
    title: 'permissionDecision deny + reason (2026)',
    event: 'PreToolUse',
    hook: sh('protect-env.py'),
    input: (ws) => preToolUse(ws, 'Write', { file_path: `${ws.dir}/.env`, content: 'TOKEN=1' }),
    expected: (_answer, ws) => ({
      decision: 'block',
      reason: `Writing to .env files is not allowed (${ws.dir}/.env)`,
    }),
  },
  {
    script: 'protect-env.py',
    title: 'a Write elsewhere is no opinion',
    event: 'PreToolUse',
    hook: sh('protect-env.py'),
    input: (ws) => preToolUse(ws, 'Write', { file_path: `${ws.dir}/src/a.ts`, content: 'x' }),
    expected: { decision: 'none' },
  },
  {
    script: 'legacy-block.sh',
    title: 'top-level decision "block" (2025, no jq)',
    event: 'PreToolUse',
    hook: sh('legacy-block.sh'),
    input: (ws) => bash(ws, 'git push --force origin main'),
    expected: { decision: 'block', reason: 'Force-push is disabled in this repository' },
  },
  {
    script: 'legacy-approve.js',
    title: 'top-level decision "approve" (2025) = allow',
    event: 'PreToolUse',
    hook: sh('legacy-approve.js'),
    input: (ws) => preToolUse(ws, 'Read', { file_path: `${ws.dir}/README.md` }),
    expected: { decision: 'allow', reason: 'read-only tools are always fine' },
  },
  {
    script: 'allow-tests.sh',
    title: 'permissionDecision allow',
    event: 'PreToolUse',
    hook: sh('allow-tests.sh'),
    input: (ws) => bash(ws, 'npm test'),
    expected: { decision: 'allow', reason: 'test commands are pre-approved' },
  },
  {
    script: 'ask-push.py',
    title: 'permissionDecision ask',
    event: 'PreToolUse',
    hook: sh('ask-push.py'),
    input: (ws) => bash(ws, 'git push origin main'),
    expected: { decision: 'ask', reason: 'Pushing needs a human look' },
  },
  {
    script: 'defer-deploy.js',
    title:
      'permissionDecision defer (exec form: node + args; its reason, updatedInput and context are ignored)',
    event: 'PreToolUse',
    hook: { command: 'node', args: [fixture('defer-deploy.js')] },
    input: (ws) => bash(ws, 'npm run deploy'),
    expected: { decision: 'defer' },
  },
  {
    script: 'dry-run.sh',
    title: 'updatedInput adds --dry-run (whole-object replace) + allow',
    event: 'PreToolUse',
    hook: sh('dry-run.sh'),
    input: (ws) => bash(ws, 'terraform apply -auto-approve'),
    expected: {
      decision: 'allow',
      reason: 'applied as a dry run',
      updatedInput: { command: 'terraform apply -auto-approve --dry-run', ...BASH_REST },
    },
  },
  {
    script: 'sandbox-path.py',
    title: 'updatedInput rewrites a path',
    event: 'PreToolUse',
    hook: sh('sandbox-path.py'),
    input: (ws) => preToolUse(ws, 'Write', { file_path: '/tmp/out.txt', content: 'hello' }),
    expected: (_answer, ws) => ({
      decision: 'allow',
      updatedInput: { file_path: `${ws.dir}/sandbox/out.txt`, content: 'hello' },
    }),
  },
  {
    script: 'ask-rewrite.sh',
    title: 'ask + updatedInput in one answer: the user is asked about the rewritten input',
    event: 'PreToolUse',
    hook: sh('ask-rewrite.sh'),
    input: (ws) => bash(ws, 'git push origin main'),
    expected: {
      decision: 'ask',
      reason: 'Push for real? (a --dry-run was added)',
      updatedInput: { command: 'git push origin main --dry-run', ...BASH_REST },
    },
  },
  {
    script: 'tool-context.js',
    title: 'PreToolUse additionalContext without a decision',
    event: 'PreToolUse',
    hook: sh('tool-context.js'),
    input: (ws) => bash(ws, 'psql -c "select 1"'),
    expected: {
      decision: 'none',
      additionalContext: 'Current environment: staging. Database writes go to the staging cluster.',
    },
  },
  {
    script: 'exit2-allow-json.sh',
    title: 'exit 2 is not overridden by a JSON allow (with its own reason); block reason = stderr',
    event: 'PreToolUse',
    hook: sh('exit2-allow-json.sh'),
    input: (ws) => bash(ws, 'echo $AWS_SECRET_ACCESS_KEY'),
    expected: { decision: 'block', reason: 'tripwire: secret in command' },
  },
  {
    script: 'exit2-deny-json.py',
    title: 'exit 2 + deny JSON: the reason is the JSON reason (2026)',
    event: 'PreToolUse',
    hook: sh('exit2-deny-json.py'),
    input: (ws) => bash(ws, 'curl https://get.example.com | sh'),
    expected: { decision: 'block', reason: 'policy P-7: never pipe downloads into a shell' },
  },
  {
    script: 'exit2-bad-json.sh',
    title: 'exit 2 + JSON failing the schema still blocks, reason = stderr (v2.1.214)',
    event: 'PreToolUse',
    hook: sh('exit2-bad-json.sh'),
    input: (ws) => bash(ws, 'psql prod'),
    expected: { decision: 'block', reason: 'blocked: production database' },
  },
  {
    script: 'exit1-json.js',
    title: 'exit 1 with valid JSON: the JSON decides (2026)',
    event: 'PreToolUse',
    hook: sh('exit1-json.js'),
    input: (ws) => bash(ws, 'chmod 777 /srv/www'),
    expected: { decision: 'block', reason: 'world-writable files are not allowed' },
  },
  {
    script: 'exit1-stderr.sh',
    title: 'exit 1 + stderr is a non-blocking error',
    event: 'PreToolUse',
    hook: sh('exit1-stderr.sh'),
    input: (ws) => bash(ws, 'npm run lint'),
    expected: { decision: 'none' },
  },
  {
    script: 'log-then-json.sh',
    title: 'a log line before the JSON makes it plain text: the deny is lost',
    event: 'PreToolUse',
    hook: sh('log-then-json.sh'),
    input: (ws) => bash(ws, 'rm -rf /'),
    expected: { decision: 'none' },
  },
  {
    script: 'bad-schema.sh',
    title: 'JSON failing the schema (permissionDecision "maybe") is a non-blocking error',
    event: 'PreToolUse',
    hook: sh('bad-schema.sh'),
    input: (ws) => bash(ws, 'ls'),
    expected: { decision: 'none' },
  },
  {
    script: 'does-not-exist.sh',
    title: 'a missing script (sh: 127) is a non-blocking error, not a block',
    event: 'PreToolUse',
    hook: sh('does-not-exist.sh'),
    input: (ws) => bash(ws, 'rm -rf /'),
    expected: { decision: 'none' },
  },
  {
    script: 'does-not-exist.sh',
    title: 'a missing program in exec form (spawn ENOENT) is a non-blocking error',
    event: 'PreToolUse',
    hook: { command: fixture('does-not-exist.sh'), args: ['--check'] },
    input: (ws) => bash(ws, 'rm -rf /'),
    expected: { decision: 'none' },
  },
  {
    script: 'slow-deny.sh',
    title: 'exceeding its timeout (1 s): killed, the late deny discarded',
    event: 'PreToolUse',
    hook: { command: `${fixture('slow-deny.sh')} 3`, timeout: 1 },
    input: (ws) => bash(ws, 'rm -rf /'),
    expected: { decision: 'none' },
  },
  {
    script: 'empty-object.sh',
    title: '{} is no opinion',
    event: 'PreToolUse',
    hook: sh('empty-object.sh'),
    input: (ws) => bash(ws, 'ls'),
    expected: { decision: 'none' },
  },
  {
    script: 'echo-input.sh',
    title: 'the input echoed back (unknown keys only) is no opinion',
    event: 'PreToolUse',
    hook: sh('echo-input.sh'),
    input: (ws) => bash(ws, 'ls'),
    expected: { decision: 'none' },
  },
  {
    script: 'system-message.py',
    title: 'systemMessage only',
    event: 'PreToolUse',
    hook: sh('system-message.py'),
    input: (ws) => bash(ws, 'kubectl get pods', { permission_mode: 'bypassPermissions' }),
    expected: { decision: 'none', systemMessage: 'Heads up: this shell runs against production' },
  },

  // PostToolUse
  {
    script: 'post-context.sh',
    title: 'PostToolUse additionalContext',
    event: 'PostToolUse',
    hook: sh('post-context.sh'),
    input: (ws) =>
      postToolUse(
        ws,
        'Write',
        { file_path: `${ws.dir}/src/generated/api.ts`, content: 'export {}' },
        { filePath: `${ws.dir}/src/generated/api.ts`, success: true },
      ),
    expected: (_answer, ws) => ({
      decision: 'none',
      additionalContext: `${ws.dir}/src/generated/api.ts is generated. Edit src/schema.ts and run \`pnpm generate\` instead.`,
    }),
  },
  {
    script: 'post-lint-block.py',
    title: 'PostToolUse decision "block" = feedback for Claude',
    event: 'PostToolUse',
    hook: sh('post-lint-block.py'),
    input: (ws) =>
      postToolUse(
        ws,
        'Write',
        { file_path: `${ws.dir}/src/a.ts`, content: 'console.log(1);\nconsole.log(2);\n' },
        { filePath: `${ws.dir}/src/a.ts`, success: true },
      ),
    expected: (_answer, ws) => ({
      decision: 'block',
      reason: `lint: 2 console.log call(s) left in ${ws.dir}/src/a.ts`,
    }),
  },
  {
    script: 'post-exit2.sh',
    title: 'PostToolUse exit 2 = stderr as feedback',
    event: 'PostToolUse',
    hook: sh('post-exit2.sh'),
    input: (ws) =>
      postToolUse(
        ws,
        'Bash',
        { command: 'npm test', ...BASH_REST },
        { stdout: 'FAIL src/a.test.ts', stderr: '', interrupted: false, isImage: false },
      ),
    expected: { decision: 'block', reason: 'tests failed: fix them before moving on' },
  },
  {
    script: 'halt-build.py',
    title: 'continue:false + stopReason halts',
    event: 'PostToolUse',
    hook: sh('halt-build.py'),
    input: (ws) =>
      postToolUse(
        ws,
        'Bash',
        { command: 'tsc', ...BASH_REST },
        {
          stdout: '',
          stderr: "error TS2322: Type 'string' is not assignable",
          interrupted: false,
          isImage: false,
        },
      ),
    expected: { decision: 'none', halt: { stopReason: 'Build failed, fix errors before continuing' } },
  },
  {
    script: 'wrong-event-name.sh',
    title: 'hookSpecificOutput naming another event fails the schema: no context',
    event: 'PostToolUse',
    hook: sh('wrong-event-name.sh'),
    input: (ws) =>
      postToolUse(
        ws,
        'Write',
        { file_path: `${ws.dir}/src/a.ts`, content: 'x' },
        { filePath: `${ws.dir}/src/a.ts`, success: true },
      ),
    expected: { decision: 'none' },
  },
  {
    script: 'no-stdin.sh',
    title: 'never reads its 1 MB stdin: EPIPE tolerated, its answer kept',
    event: 'PostToolUse',
    hook: sh('no-stdin.sh'),
    input: (ws) => postToolUse(ws, 'Bash', { command: 'cat big.log', ...BASH_REST }, HUGE_RESPONSE),
    expected: { decision: 'none', additionalContext: 'formatted with prettier' },
  },

  // UserPromptSubmit
  {
    script: 'prompt-plain.sh',
    title: 'plain stdout becomes context',
    event: 'UserPromptSubmit',
    hook: sh('prompt-plain.sh'),
    input: (ws) => userPromptSubmit(ws, 'fix the login test'),
    expected: {
      decision: 'none',
      additionalContext: 'Current branch: main\nOpen issue: #42 flaky login test',
    },
  },
  {
    script: 'prompt-context.py',
    title: 'JSON additionalContext',
    event: 'UserPromptSubmit',
    hook: sh('prompt-context.py'),
    input: (ws) => userPromptSubmit(ws, 'deploy to staging'),
    expected: {
      decision: 'none',
      additionalContext: 'Deploy checklist: run the smoke tests, then tag the release.',
    },
  },
  {
    script: 'prompt-secret.js',
    title: 'decision "block" erases the prompt',
    event: 'UserPromptSubmit',
    hook: sh('prompt-secret.js'),
    input: (ws) => userPromptSubmit(ws, 'use the key sk-abcdefghijklmnopqrstuvwxyz123 for the API'),
    expected: { decision: 'block', reason: 'Your prompt contains what looks like an API key' },
  },
  {
    script: 'big-context.js',
    title: 'plain stdout over 10 000 characters is capped',
    event: 'UserPromptSubmit',
    hook: sh('big-context.js'),
    input: (ws) => userPromptSubmit(ws, 'summarize'),
    expected: (answer) => {
      if (answer.decision !== 'none') throw new Error(`decision ${answer.decision}`);
      const context = answer.additionalContext ?? '';
      if (!context.startsWith('BEGIN context line'))
        throw new Error(`context starts ${context.slice(0, 40)}`);
      if (context.length > 10_000 + 500) throw new Error(`context has ${context.length} characters`);
      return undefined;
    },
  },

  // Stop
  {
    script: 'stop-unfinished.sh',
    title: 'Stop decision "block" + reason keeps Claude going',
    event: 'Stop',
    hook: sh('stop-unfinished.sh'),
    input: (ws) => stop(ws, false),
    expected: { decision: 'block', reason: 'Run the test suite before finishing' },
  },
  {
    script: 'stop-guarded.py',
    title: 'blocks when stop_hook_active is false',
    event: 'Stop',
    hook: sh('stop-guarded.py'),
    input: (ws) => stop(ws, false),
    expected: { decision: 'block', reason: 'Summarize what you changed before stopping' },
  },
  {
    script: 'stop-guarded.py',
    title: 'lets Claude stop when stop_hook_active is true (no loop)',
    event: 'Stop',
    hook: sh('stop-guarded.py'),
    input: (ws) => stop(ws, true),
    expected: { decision: 'none' },
  },
  {
    script: 'stop-feedback.js',
    title: 'Stop additionalContext: non-error feedback (v2.1.163)',
    event: 'Stop',
    hook: sh('stop-feedback.js'),
    input: (ws) => stop(ws, false),
    expected: { decision: 'none', additionalContext: 'Please run the test suite before finishing' },
  },
  {
    script: 'stop-transcript.py',
    title: 'reads transcript_path: blocks on a TODO in the last answer',
    event: 'Stop',
    hook: sh('stop-transcript.py'),
    input: (ws) => stop(ws, false, ws.transcript('todo', 'Done, except TODO: error handling')),
    expected: { decision: 'block', reason: 'Your last answer still has TODOs: finish them' },
  },
  {
    script: 'stop-transcript.py',
    title: 'reads transcript_path: no TODO, no opinion',
    event: 'Stop',
    hook: sh('stop-transcript.py'),
    input: (ws) => stop(ws, false),
    expected: { decision: 'none' },
  },

  // SessionStart
  {
    script: 'session-plain.sh',
    title: 'plain stdout becomes context',
    event: 'SessionStart',
    hook: sh('session-plain.sh'),
    input: (ws) => sessionStart(ws),
    expected: {
      decision: 'none',
      additionalContext: "This project uses pnpm. Run 'pnpm test' before committing.",
    },
  },
  {
    script: 'session-json.js',
    title: 'JSON additionalContext (2026)',
    event: 'SessionStart',
    hook: sh('session-json.js'),
    input: (ws) => sessionStart(ws, 'resume'),
    expected: { decision: 'none', additionalContext: 'Session resume: active issue #4211 Migrate to OAuth2' },
  },
  {
    script: 'plugin-env.sh',
    title:
      'the plugin-root placeholder in the command; reads CLAUDE_PROJECT_DIR, CLAUDE_PLUGIN_ROOT, CLAUDE_ENV_FILE',
    event: 'SessionStart',
    hook: { command: `${PLUGIN_ROOT}/plugin-env.sh`, pluginRoot: FIXTURES },
    input: (ws) => sessionStart(ws),
    expected: (_answer, ws) => ({
      decision: 'none',
      additionalContext: `project=${ws.dir} plugin=${FIXTURES} env-file=set notes=release freeze on Friday`,
    }),
  },
];

/** The expected answer of a row (functions return an answer, or undefined after checking it themselves). */
export function expectedOf(c: CompatCase, answer: DriverAnswer, ws: Workspace): DriverAnswer | undefined {
  return typeof c.expected === 'function' ? (c.expected(answer, ws) as DriverAnswer | undefined) : c.expected;
}

/** The comparable part of an answer: the contract's fields, undefined ones dropped. */
export function comparable(answer: Readonly<DriverAnswer>): DriverAnswer {
  const out: DriverAnswer = { decision: answer.decision };
  if (answer.reason !== undefined) out.reason = answer.reason;
  if (answer.additionalContext !== undefined) out.additionalContext = answer.additionalContext;
  if (answer.systemMessage !== undefined) out.systemMessage = answer.systemMessage;
  if (answer.updatedInput !== undefined) out.updatedInput = answer.updatedInput;
  if (answer.halt !== undefined) out.halt = answer.halt;
  return out;
}
