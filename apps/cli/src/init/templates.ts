/** The files `hookspell init` writes, by path relative to the target directory. */
export const STARTER_FILES: Readonly<Record<string, string>> = {
  'hooks/deny-shell.lua': `-- A Lua policy, registered by hookspell.config.yaml (run: lua:hooks/deny-shell.lua).
-- A hook file's top level calls Hook.register exactly once, at the entry's point; the entry's
-- name, priority, dependsOn, timeoutMs, onFailure … apply to that hook.
Hook.register("BeforeToolExecution", function(ctx)
  if ctx.component.name == "shell" then
    return { type = "cancel", reason = "shell tools are not allowed (hooks/deny-shell.lua)" }
  end
  return "continue"
end)
`,
  'hooks/redact-email.js': `// A JavaScript hook (sandboxed QuickJS: no fs, network or modules), registered by
// hookspell.config.yaml (run: js:hooks/redact-email.js). Returning nothing means continue.
Hook.register('BeforeToolExecution', (ctx) => {
  const text = JSON.stringify(ctx.data);
  const redacted = text.replace(/[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+/g, '[email]');
  if (redacted === text) return undefined;
  return { type: 'modified', data: JSON.parse(redacted) };
});
`,
  'hooks/audit.mjs': `// A command hook: hookspell runs \`node hooks/audit.mjs\` (no shell) in the config's directory,
// with the hook context as JSON on stdin and in HOOKSPELL_* variables. It answers with a result
// object on stdout, or nothing (= continue). Exit code 2 = cancel (stderr is the reason); any
// other non-zero exit = an error record.
import { appendFileSync, mkdirSync } from 'node:fs';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const ctx = JSON.parse(input);
mkdirSync('.hookspell', { recursive: true });
appendFileSync('.hookspell/audit.log', \`\${new Date().toISOString()} \${ctx.point} \${ctx.component.name} \${JSON.stringify(ctx.data)}\\n\`);
console.log(JSON.stringify({ type: 'modified', data: { audited: true } }));
`,
  'hooks/check.mjs': `// A stand-in for a real check (tsc --noEmit, a linter, a test run): takes a name and a
// duration in ms, works that long, then passes. Set FAIL_CHECK=<name> to see a failure.
const [name = 'check', ms = '200'] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Number(ms)));
if (process.env.FAIL_CHECK === name) {
  console.error(\`\${name}: 3 problems found\`);
  process.exit(1);
}
`,
  'scripts/observer.lua': `-- Listed under \`scripts\`: loaded by every command that fires hooks. It may register any
-- number of hooks and subscriptions. This one counts fire decisions in State (global scope).
Event.subscribe("hook.fire.completed", function(event)
  local key = "decisions." .. tostring(event.data.decision)
  State.save("global", key, (State.load("global", key) or 0) + 1)
end)
`,
  'scripts/demo.lua': `-- hookspell run scripts/demo.lua: publishes a small agent run as events (stored under one
-- correlation id, drawn by \`hookspell events timeline <id>\`) and keeps a counter in State.
print("demo: an agent asks for two tools")
Event.publish("agent.started", { task = "summarise the README" })
Event.publish("tool.requested", { tool = "search", query = "hookspell" })
Event.publish("tool.requested", { tool = "shell", cmd = "rm -rf /" })
Event.publish("agent.finished", { ok = true })
local runs = (State.load("global", "demo.runs") or 0) + 1
State.save("global", "demo.runs", runs)
print("demo runs so far: " .. runs)
`,
};

/** The starter config, YAML. */
export const STARTER_YAML = `# yaml-language-server: $schema=./node_modules/hookspell/hookspell.schema.json
# hookspell configuration. Paths are relative to this file. \`hookspell --help\` for the commands.

storage:
  type: sqlite                  # or: { type: memory } / { type: postgres, connectionString: "\${DATABASE_URL}" }
  path: .hookspell/hookspell.db

# Scripts loaded before hooks fire; they may register hooks and subscribe to events.
scripts:
  - scripts/observer.lua

# Event types kept in the event log ('**' = all, including the hook.* lifecycle events).
persist: ['**']

hooks:
  # A Lua policy. onFailure: cancel makes it fail-closed (if the policy breaks, the tool does not run).
  - name: deny-shell
    point: BeforeToolExecution
    run: lua:hooks/deny-shell.lua
    priority: high
    onFailure: cancel

  # A sandboxed JavaScript hook.
  - name: redact-email
    point: BeforeToolExecution
    run: js:hooks/redact-email.js

  # An external command (quote 'command: …' in YAML, or use \`command: [program, args…]\`).
  - name: audit
    point: BeforeToolExecution
    run: 'command: node hooks/audit.mjs'
    dependsOn: [redact-email]
    timeoutMs: 5000

  # Checks run as a DAG in parallel (see \`points\`): format rewrites files (mutates), lint waits for it.
  - name: format
    point: custom:checks
    command: [node, hooks/check.mjs, format, '150']
    mutates: true
  - name: lint
    point: custom:checks
    command: [node, hooks/check.mjs, lint, '300']
    dependsOn: [format]
  - name: typecheck
    point: custom:checks
    command: [node, hooks/check.mjs, typecheck, '400']
  - name: test
    point: custom:checks
    command: [node, hooks/check.mjs, test, '350']
    critical: true

points:
  custom:checks:
    mode: parallel
    maxParallel: 2
`;

/** What to try after `init`. */
export const NEXT_STEPS = `next:
  hookspell hooks list
  hookspell fire BeforeToolExecution --component tool:shell --data '{"cmd":"ls"}'
  hookspell fire BeforeToolExecution --component tool:search --data '{"q":"mail bob@example.com"}'
  hookspell fire custom:checks
  hookspell run scripts/demo.lua
  hookspell events query --limit 20`;
