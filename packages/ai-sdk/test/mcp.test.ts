import { ScriptRuntime } from '@hookspell/bridge';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AiSdkError, CallCancelledError } from '../src/index.js';
import { type CallToolResult, type GuardMcpClientOptions, guardMcpClient } from '../src/mcp/index.js';

const text = (result: CallToolResult) =>
  (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

/** A real MCP server (the SDK's McpServer) with a few file tools, connected in memory to a client. */
async function fileServer() {
  const files = new Map([['notes.txt', 'buy milk']]);
  const log: string[] = [];
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  server.registerTool(
    'read_file',
    { description: 'Reads a file', inputSchema: { path: z.string() } },
    async ({ path }) => {
      log.push(`read ${path}`);
      const content = files.get(path);
      return content === undefined
        ? { isError: true, content: [{ type: 'text', text: `no such file: ${path}` }] }
        : { content: [{ type: 'text', text: content }] };
    },
  );
  server.registerTool(
    'delete_file',
    { description: 'Deletes a file', inputSchema: { path: z.string() } },
    async ({ path }) => {
      log.push(`delete ${path}`);
      files.delete(path);
      return { content: [{ type: 'text', text: `deleted ${path}` }] };
    },
  );
  server.registerTool('slow', { description: 'Never answers in time', inputSchema: {} }, async () => {
    log.push('slow');
    await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    return { content: [{ type: 'text', text: 'late' }] };
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientSide);
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return { client, files, log };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function guarded(client: Client, registry: HookRegistry, options: Partial<GuardMcpClientOptions> = {}) {
  return guardMcpClient(client, { executor: new HookExecutor(registry), ...options });
}

describe('guardMcpClient with a Lua policy (ScriptRuntime)', () => {
  const POLICY = `
    Hook.register("BeforeToolExecution", function(ctx)
      if ctx.component.name == "files" and ctx.data.tool_name == "delete_file" then
        return { type = "cancel", reason = "deleting " .. ctx.data.tool_input.path .. " is not allowed" }
      end
    end, { name = "deny-delete" })
    Hook.register("AfterToolDiscovery", function(ctx)
      local keep = {}
      for _, t in ipairs(ctx.data.tools) do
        if t.name ~= "delete_file" then keep[#keep + 1] = t.name end
      end
      return { type = "modified", data = { tools = keep } }
    end, { name = "hide-delete" })
  `;

  it('denies one tool, lets the others through, and hides the denied tool from listings', async () => {
    const { client, files, log } = await fileServer();
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const runtime = new ScriptRuntime({ registry, executor });
    const script = await runtime.load(POLICY, { name: 'policy.lua' });
    await script.run();
    try {
      const mcp = guardMcpClient(client, { executor });

      const read = await mcp.callTool({ name: 'read_file', arguments: { path: 'notes.txt' } });
      expect(text(read as CallToolResult)).toBe('buy milk');

      const error = await mcp
        .callTool({ name: 'delete_file', arguments: { path: 'notes.txt' } })
        .catch((e) => e);
      expect(CallCancelledError.isInstance(error)).toBe(true);
      expect((error as CallCancelledError).code).toBe('HOOKSPELL_TOOL_CALL_CANCELLED');
      expect((error as CallCancelledError).hook).toBe('deny-delete');
      expect((error as CallCancelledError).reason).toBe('deleting notes.txt is not allowed');
      expect(files.has('notes.txt')).toBe(true);
      expect(log).toEqual(['read notes.txt']);

      const listed = await mcp.listTools();
      expect(listed.tools.map((t) => t.name)).toEqual(['read_file', 'slow']);
      // The kept tools are the server's own objects (names crossed the bridge, not schemas).
      expect(listed.tools[0]?.inputSchema).toMatchObject({
        type: 'object',
        properties: { path: { type: 'string' } },
      });
      const unguarded = await client.listTools();
      expect(unguarded.tools.map((t) => t.name)).toEqual(['read_file', 'delete_file', 'slow']);
    } finally {
      await runtime.dispose();
    }
  });

  it("with onCancel: 'result', a denied call resolves with an error result (what a model would read)", async () => {
    const { client } = await fileServer();
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.cancel('read-only'), { name: 'ro' });
    const result = (await guarded(client, registry, { onCancel: 'result' }).callTool({
      name: 'delete_file',
      arguments: { path: 'notes.txt' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(
      "tool 'delete_file' was not run: hook 'ro' cancelled it at BeforeToolExecution: read-only",
    );
  });
});

describe('guardMcpClient: callTool through the tool points', () => {
  it('fires with the server name as the component and data { server, tool_name, tool_input }; output after', async () => {
    const { client } = await fileServer();
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.register(
      'BeforeToolExecution',
      (ctx) => void seen.push([ctx.component, structuredClone(ctx.data)]),
    );
    registry.register(
      'AfterToolExecution',
      (ctx) => void seen.push(text(ctx.data.tool_response as CallToolResult)),
    );
    await guarded(client, registry).callTool({ name: 'read_file', arguments: { path: 'notes.txt' } });
    expect(seen).toEqual([
      [
        { type: 'tool', name: 'files' },
        { server: 'files', tool_name: 'read_file', tool_input: { path: 'notes.txt' }, attempt: 1 },
      ],
      'buy milk',
    ]);
  });

  it('before modified input, after modified output, replace (a string is a text result), cache', async () => {
    const { client, files, log } = await fileServer();
    files.set('cached', 'kept for a minute');
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) => {
      const { path } = ctx.data.tool_input as { path: string };
      if (path === 'canned') return HookResult.replace('canned text');
      if (path === 'alias') return HookResult.modified({ tool_input: { path: 'notes.txt' } });
      if (path === 'cached') return HookResult.cache('k', 60_000);
      return undefined;
    });
    registry.register('AfterToolExecution', (ctx) => {
      const output = ctx.data.tool_response as CallToolResult;
      return HookResult.modified({
        tool_response: { ...output, content: [{ type: 'text', text: text(output).toUpperCase() }] },
      });
    });
    const mcp = guarded(client, registry);
    expect(
      text((await mcp.callTool({ name: 'read_file', arguments: { path: 'alias' } })) as CallToolResult),
    ).toBe('BUY MILK');
    expect(
      text((await mcp.callTool({ name: 'read_file', arguments: { path: 'canned' } })) as CallToolResult),
    ).toBe('canned text');
    await mcp.callTool({ name: 'read_file', arguments: { path: 'cached' } });
    const again = (await mcp.callTool({
      name: 'read_file',
      arguments: { path: 'cached' },
    })) as CallToolResult;
    expect(text(again)).toBe('KEPT FOR A MINUTE');
    expect(log).toEqual(['read notes.txt', 'read cached']);
  });

  it('a replace that is not a tool result, or a modified input that is not an object, is HOOKSPELL_INVALID_HOOK_VALUE', async () => {
    const { client, log } = await fileServer();
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      (ctx) =>
        ctx.data.tool_name === 'read_file'
          ? HookResult.replace({ text: 'no content array' })
          : HookResult.modified({ tool_input: 'x' }),
      { name: 'broken' },
    );
    const mcp = guarded(client, registry);
    const a = (await mcp
      .callTool({ name: 'read_file', arguments: { path: 'a' } })
      .catch((e) => e)) as AiSdkError;
    expect(a.code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect(a.message).toContain(
      "hook 'broken' at BeforeToolExecution answered replace() is not a valid output: it has no `content` array",
    );
    const b = (await mcp
      .callTool({ name: 'delete_file', arguments: { path: 'a' } })
      .catch((e) => e)) as AiSdkError;
    expect(b.code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect(b.message).toContain("hook 'broken' at BeforeToolExecution answered modified({ tool_input })");
    expect(log).toEqual([]);
  });

  it('redirect calls another tool of the same server by default', async () => {
    const { client, log } = await fileServer();
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) =>
      ctx.data.tool_name === 'delete_file' ? HookResult.redirect('read_file') : undefined,
    );
    const result = await guarded(client, registry).callTool({
      name: 'delete_file',
      arguments: { path: 'notes.txt' },
    });
    expect(text(result as CallToolResult)).toBe('buy milk');
    expect(log).toEqual(['read notes.txt']);
  });

  it('an isError result goes through ToolError: replace recovers; unrecovered, the result is returned as it was', async () => {
    const { client } = await fileServer();
    const seen: unknown[] = [];
    const registry = new HookRegistry();
    registry.register('ToolError', (ctx) => {
      seen.push((ctx.data.error as Error).message);
      return (ctx.data.tool_input as { path: string }).path === 'fallback'
        ? HookResult.replace('default content')
        : undefined;
    });
    const mcp = guarded(client, registry);
    const recovered = (await mcp.callTool({
      name: 'read_file',
      arguments: { path: 'fallback' },
    })) as CallToolResult;
    expect(text(recovered)).toBe('default content');
    const failed = (await mcp.callTool({
      name: 'read_file',
      arguments: { path: 'missing' },
    })) as CallToolResult;
    expect(failed.isError).toBe(true);
    expect(text(failed)).toBe('no such file: missing');
    expect(seen).toEqual(['no such file: fallback', 'no such file: missing']);
  });

  it('a call that throws (request timeout) goes through ToolError: retry, then cancel with the error as cause', async () => {
    const { client, log } = await fileServer();
    const registry = new HookRegistry();
    registry.register('ToolError', (ctx) =>
      ctx.data.attempt === 1 ? HookResult.retry(0, 2) : HookResult.cancel('server too slow'),
    );
    const error = (await guarded(client, registry)
      .callTool({ name: 'slow', arguments: {} }, undefined, { timeout: 50 })
      .catch((e) => e)) as CallCancelledError;
    expect(error.phase).toBe('error');
    expect(String((error.cause as Error).message)).toMatch(/timed out/i);
    expect(log).toEqual(['slow', 'slow']);
  });

  it('everything else of the client is the client itself', async () => {
    const { client } = await fileServer();
    const mcp = guarded(client, new HookRegistry());
    expect(mcp.getServerVersion()).toEqual({ name: 'files', version: '1.0.0' });
    expect((await mcp.listResources().catch((e: Error) => e.message)) as unknown).toBeDefined();
    await expect(mcp.ping()).resolves.toEqual({});
  });
});

describe('guardMcpClient: listTools through the discovery points', () => {
  it('BeforeToolDiscovery can cancel (typed error) or replace the listing; AfterToolDiscovery hides tools given as objects', async () => {
    const { client } = await fileServer();
    const deny = new HookRegistry();
    deny.register('BeforeToolDiscovery', (ctx) => HookResult.cancel(`no listing of ${ctx.data.server}`));
    const error = (await guarded(client, deny)
      .listTools()
      .catch((e) => e)) as CallCancelledError;
    expect(error.code).toBe('HOOKSPELL_TOOL_DISCOVERY_CANCELLED');
    expect(error.message).toContain("the tools of MCP server 'files' were not listed");

    const fixed = new HookRegistry();
    fixed.register('BeforeToolDiscovery', () =>
      HookResult.replace([{ name: 'only', inputSchema: { type: 'object' } }]),
    );
    expect((await guarded(client, fixed).listTools()).tools.map((t) => t.name)).toEqual(['only']);

    const hide = new HookRegistry();
    hide.register('AfterToolDiscovery', (ctx) =>
      HookResult.modified({
        tools: (ctx.data.tools as { name: string }[]).filter((t) => t.name === 'read_file'),
      }),
    );
    expect((await guarded(client, hide).listTools()).tools.map((t) => t.name)).toEqual(['read_file']);
  });

  it('a hook naming a tool the server did not list is HOOKSPELL_INVALID_HOOK_VALUE; an empty Lua table is no tools', async () => {
    const { client } = await fileServer();
    const registry = new HookRegistry();
    let answer: unknown = ['ghost'];
    registry.register('AfterToolDiscovery', () => HookResult.modified({ tools: answer }), { name: 'lister' });
    const mcp = guarded(client, registry);
    const error = (await mcp.listTools().catch((e) => e)) as AiSdkError;
    expect(error.code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect(error.message).toContain("tools[0] names 'ghost', which the server did not list");
    answer = {};
    expect((await mcp.listTools()).tools).toEqual([]);
  });

  it('publishes tool.call.* and tool.discovery.* on the bus', async () => {
    const { client } = await fileServer();
    const events: string[] = [];
    const mcp = guarded(client, new HookRegistry(), { bus: { publish: (type) => void events.push(type) } });
    await mcp.listTools();
    await mcp.callTool({ name: 'read_file', arguments: { path: 'notes.txt' } });
    await mcp.callTool({ name: 'read_file', arguments: { path: 'missing' } });
    expect(events).toEqual([
      'tool.discovery.started',
      'tool.discovery.finished',
      'tool.call.started',
      'tool.call.finished',
      'tool.call.started',
      'tool.call.failed',
    ]);
  });

  it('refuses something that is not a client, and a missing executor', () => {
    expect(() => guardMcpClient({} as never, { executor: new HookExecutor(new HookRegistry()) })).toThrow(
      /MCP `Client`/,
    );
    expect(() => guardMcpClient(new Client({ name: 'c', version: '1' }), {} as never)).toThrow(
      /`executor` is required/,
    );
  });
});
