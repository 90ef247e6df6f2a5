import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The package as a user gets it: the tarball `pnpm pack` makes (its `files`, its `exports`, its
// built dist), unpacked into a fresh node_modules next to its dependencies and peers, and used by
// plain Node (no TypeScript, no workspace links to src). Needs the package built (`pnpm build`;
// turbo's test task builds first).

const pkg = fileURLToPath(new URL('..', import.meta.url));
let work = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'hookspell-ai-sdk-packed-'));
  execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: pkg, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball into ${work}`);
  const modules = join(work, 'app', 'node_modules');
  mkdirSync(join(modules, '@hookspell'), { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', join(modules, '@hookspell')]);
  execFileSync('mv', [join(modules, '@hookspell', 'package'), join(modules, '@hookspell', 'ai-sdk')]);
  // Its dependencies and peers, as installed for this package (their own dependencies resolve
  // from their real paths in the store).
  for (const name of [
    '@hookspell/core',
    '@hookspell/hooks',
    'lru-cache',
    'ai',
    '@modelcontextprotocol/sdk',
    'zod',
  ]) {
    const target = join(modules, name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(realpathSync(join(pkg, 'node_modules', name)), target, 'dir');
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships its build only, and works from plain Node: middleware, guardTools, the MCP guard', () => {
    const files = execFileSync(
      'tar',
      ['-tzf', join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!)],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/mcp.d.ts');
    expect(
      files.filter((f) => !/^package\/(dist|src)\/|^package\/(package\.json|README\.md|LICENSE)$/.test(f)),
    ).toEqual([]);

    writeFileSync(
      join(work, 'app', 'main.mjs'),
      `
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { CallCancelledError, guardTools, hookspellMiddleware } from '@hookspell/ai-sdk';
import { guardMcpClient } from '@hookspell/ai-sdk/mcp';
import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

const registry = new HookRegistry();
registry.register('BeforeToolExecution', (ctx) => ctx.data.tool_name === 'rm' ? HookResult.cancel('no rm') : undefined);
registry.register('AfterAgentExecution', (ctx) => HookResult.modified({ text: ctx.data.text.toUpperCase() }));
const executor = new HookExecutor(registry);
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
let step = 0;
const base = new MockLanguageModelV3({
  doGenerate: async () => step++ === 0
    ? { content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'rm', input: '{}' }], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] }
    : { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] },
});
const model = wrapLanguageModel({ model: base, middleware: hookspellMiddleware({ executor }) });
const tools = guardTools({ rm: tool({ inputSchema: jsonSchema({ type: 'object' }), execute: async () => 'removed' }) }, { executor });
const result = await generateText({ model, tools, stopWhen: stepCountIs(3), prompt: 'x' });
const denied = result.steps[0].content.find((p) => p.type === 'tool-error');

const server = new McpServer({ name: 'packed', version: '1.0.0' });
server.registerTool('echo', { inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'hi' }] }));
const [a, b] = InMemoryTransport.createLinkedPair();
await server.connect(b);
const client = new Client({ name: 'c', version: '1.0.0' });
await client.connect(a);
const listed = await guardMcpClient(client, { executor }).listTools();
await client.close();
console.log(JSON.stringify({ text: result.text, denied: CallCancelledError.isInstance(denied?.error), tools: listed.tools.map((t) => t.name) }));
`,
    );
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: join(work, 'app'), encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      text: 'DONE',
      denied: true,
      tools: ['echo'],
    });
  });
});
