import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { generateText, tool, wrapLanguageModel } from 'ai';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkError, guardTools, hookspellMiddleware } from '../src/index.js';
import { guardMcpClient } from '../src/mcp/index.js';
import { textModel } from './helpers.js';

// Whatever a hook puts in place — any value fast-check makes, plus values that throw when read —
// the call either succeeds or fails with HOOKSPELL_INVALID_HOOK_VALUE naming the hook: never a
// TypeError from deep inside, never a hang, never an unhandled rejection.

/** Values that throw when read; made inside the property (fast-check cannot hold a revoked Proxy). */
const HOSTILE: (() => unknown)[] = [
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  () =>
    Object.defineProperty({}, 'content', {
      enumerable: true,
      get() {
        throw new Error('getter throws');
      },
    }),
  () =>
    Object.defineProperty({}, 'text', {
      enumerable: true,
      get() {
        throw new Error('getter throws');
      },
    }),
  () => Object.create(null),
  () => Symbol('s'),
  () => 10n,
  () => () => 'fn',
];
/** A thunk making the value: fast-check's own values, or one of HOSTILE. */
const anyValue = fc.oneof(
  fc.anything().map((v) => () => v),
  fc.integer({ min: 0, max: HOSTILE.length - 1 }).map((i) => HOSTILE[i]!),
);

/** Resolves with undefined on success, else the error's code (or the error itself when it has none). */
async function outcomeOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return AiSdkError.isInstance(error) ? error.code : error;
  }
}

describe('arbitrary hook values (property)', () => {
  it('model: replace(anything) and modified({ messages, prompt, settings, text, content: anything })', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('replace', 'messages', 'prompt', 'settings', 'text', 'content'),
        anyValue,
        async (kind, make) => {
          const value = make();
          const registry = new HookRegistry();
          const point =
            kind === 'text' || kind === 'content' ? 'AfterAgentExecution' : 'BeforeAgentExecution';
          registry.register(
            point,
            () => (kind === 'replace' ? HookResult.replace(value) : HookResult.modified({ [kind]: value })),
            {
              name: 'arbitrary',
            },
          );
          const model = wrapLanguageModel({
            model: textModel('fine'),
            middleware: hookspellMiddleware({ executor: new HookExecutor(registry) }),
          });
          const result = await outcomeOf(generateText({ model, prompt: 'x', maxRetries: 0 }));
          expect([undefined, 'HOOKSPELL_INVALID_HOOK_VALUE']).toContain(result);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('AI SDK tool: replace(anything) and modified({ tool_response: anything })', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), anyValue, async (replace, make) => {
        const value = make();
        const registry = new HookRegistry();
        registry.register(
          replace ? 'BeforeToolExecution' : 'AfterToolExecution',
          () => (replace ? HookResult.replace(value) : HookResult.modified({ tool_response: value })),
          { name: 'arbitrary' },
        );
        const tools = guardTools(
          { t: tool({ inputSchema: z.object({}), execute: async () => 'ok' }) },
          { executor: new HookExecutor(registry) },
        );
        const result = await outcomeOf(
          Promise.resolve(tools.t.execute!({}, { toolCallId: 'c', messages: [] }) as Promise<unknown>),
        );
        expect([undefined, 'HOOKSPELL_INVALID_HOOK_VALUE']).toContain(result);
      }),
      { numRuns: 150 },
    );
  });

  describe('MCP', () => {
    let client: Client;
    let server: McpServer;
    beforeAll(async () => {
      server = new McpServer({ name: 's', version: '1.0.0' });
      server.registerTool('t', { inputSchema: {} }, async () => ({
        content: [{ type: 'text', text: 'ok' }],
      }));
      const [a, b] = InMemoryTransport.createLinkedPair();
      await server.connect(b);
      client = new Client({ name: 'c', version: '1.0.0' });
      await client.connect(a);
    });
    afterAll(async () => {
      await client.close();
      await server.close();
    });

    it('replace / modified tool_input / modified tool_response / modified tools: anything', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('replace', 'tool_input', 'tool_response', 'tools', 'listing'),
          anyValue,
          async (kind, make) => {
            const value = make();
            const registry = new HookRegistry();
            const point =
              kind === 'tool_response'
                ? 'AfterToolExecution'
                : kind === 'tools'
                  ? 'AfterToolDiscovery'
                  : kind === 'listing'
                    ? 'BeforeToolDiscovery'
                    : 'BeforeToolExecution';
            registry.register(
              point,
              () =>
                kind === 'replace' || kind === 'listing'
                  ? HookResult.replace(value)
                  : HookResult.modified({ [kind]: value }),
              { name: 'arbitrary' },
            );
            const mcp = guardMcpClient(client, { executor: new HookExecutor(registry) });
            const call =
              kind === 'tools' || kind === 'listing'
                ? mcp.listTools()
                : mcp.callTool({ name: 't', arguments: {} });
            const result = await outcomeOf(call);
            expect([undefined, 'HOOKSPELL_INVALID_HOOK_VALUE']).toContain(result);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
