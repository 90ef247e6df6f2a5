import { guardTools, hookspellMiddleware } from '@hookspell/ai-sdk';
import { guardMcpClient } from '@hookspell/ai-sdk/mcp';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { generateText, jsonSchema, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentHookspell } from '../src/index.js';
import { memoryTracer, named, one, parentOf } from './helpers.js';

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

describe('callTracer: a span per model and tool call, the fires inside', () => {
  it('chat <model> and execute_tool <tool> spans under the agent step, with usage; a denied tool call is an ERROR span', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => undefined, { name: 'pre' });
    registry.register(
      'BeforeToolExecution',
      (ctx) => (ctx.data.tool_name === 'rm' ? HookResult.cancel('no rm') : undefined),
      { name: 'no-rm' },
    );
    const executor = new HookExecutor(registry);
    const bus = new EventBus();
    disposers.push(() => bus.close());
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, bus, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    let n = 0;
    const base = new MockLanguageModelV3({
      modelId: 'gpt-mock',
      provider: 'mock.chat',
      doGenerate: async () => ({
        content:
          n++ === 0
            ? [{ type: 'tool-call', toolCallId: 'c1', toolName: 'rm', input: '{}' }]
            : [{ type: 'text', text: 'ok' }],
        finishReason: { unified: n === 1 ? 'tool-calls' : 'stop', raw: undefined },
        usage: usage(50 + n, 5),
        warnings: [],
      }),
    });
    const model = wrapLanguageModel({
      model: base,
      middleware: hookspellMiddleware({ executor, bus, callTracer: otel.callTracer }),
    });
    const tools = guardTools(
      { rm: tool({ inputSchema: jsonSchema<object>({ type: 'object' }), execute: async () => 'gone' }) },
      { executor, bus, callTracer: otel.callTracer },
    );
    await mem.tracer.startActiveSpan('agent.step', async (step) => {
      await generateText({ model, tools, stopWhen: stepCountIs(3), prompt: 'clean up' });
      step.end();
    });
    const spans = mem.spans();
    const step = one(spans, 'agent.step');
    const chats = named(spans, 'chat gpt-mock');
    expect(chats).toHaveLength(2);
    for (const c of chats) {
      expect(parentOf(c)).toBe(step.spanContext().spanId);
      expect(c.kind).toBe(SpanKind.CLIENT);
    }
    expect(chats[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-mock',
      'gen_ai.provider.name': 'mock.chat',
      'gen_ai.usage.input_tokens': 51,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['tool-calls'],
    });
    // The call's lifecycle events are events of its span, the last one included.
    expect(chats[0]!.events.map((e) => e.name)).toEqual(['model.call.started', 'model.call.finished']);
    // Each model call's before fire is inside its chat span.
    const before = named(spans, 'hookspell.fire BeforeAgentExecution');
    expect(before.map(parentOf)).toEqual(chats.map((c) => c.spanContext().spanId));
    const rm = one(spans, 'execute_tool rm');
    expect(rm.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'rm',
      'gen_ai.tool.call.id': 'c1',
    });
    expect(rm.status.code).toBe(SpanStatusCode.ERROR);
    expect(rm.events.map((e) => e.name)).toEqual(['tool.call.started', 'tool.call.cancelled']);
    expect(rm.attributes['error.type']).toBe('HOOKSPELL_TOOL_CALL_CANCELLED');
    expect(parentOf(one(spans, 'hookspell.fire BeforeToolExecution'))).toBe(rm.spanContext().spanId);
  });

  it('a streamed call: the chat span ends with the stream, the after fire inside it', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', () => undefined, { name: 'post' });
    const executor = new HookExecutor(registry);
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    const parts = [
      { type: 'text-start' as const, id: '1' },
      { type: 'text-delta' as const, id: '1', delta: 'hi' },
      { type: 'text-end' as const, id: '1' },
      {
        type: 'finish' as const,
        finishReason: { unified: 'stop' as const, raw: undefined },
        usage: usage(3, 1),
      },
    ];
    const base = new MockLanguageModelV3({
      modelId: 'streamer',
      doStream: async () => ({
        stream: new ReadableStream({
          pull: (c) => {
            const p = parts.shift();
            if (p === undefined) c.close();
            else c.enqueue(p);
          },
        }),
      }),
    });
    const model = wrapLanguageModel({
      model: base,
      middleware: hookspellMiddleware({ executor, callTracer: otel.callTracer }),
    });
    let text = '';
    for await (const d of streamText({ model, prompt: 'x' }).textStream) text += d;
    expect(text).toBe('hi');
    const chat = one(mem.spans(), 'chat streamer');
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBe(1);
    expect(parentOf(one(mem.spans(), 'hookspell.fire AfterAgentExecution'))).toBe(chat.spanContext().spanId);
  });

  it('an MCP callTool is an execute_tool span named after the tool; a tracer that throws leaves the call untraced', async () => {
    const server = new McpServer({ name: 'files', version: '1.0.0' });
    server.registerTool('read', { inputSchema: { path: z.string() } }, async ({ path }) => ({
      content: [{ type: 'text', text: path }],
    }));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: 'c', version: '1.0.0' });
    await client.connect(a);
    disposers.push(() => client.close());
    const executor = new HookExecutor(new HookRegistry());
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    const mcp = guardMcpClient(client, { executor, callTracer: otel.callTracer });
    await mcp.callTool({ name: 'read', arguments: { path: 'a.txt' } });
    expect(one(mem.spans(), 'execute_tool read').attributes).toMatchObject({
      'hookspell.component.name': 'files',
      'gen_ai.tool.name': 'read',
    });
    const warnings: Error[] = [];
    const broken = guardMcpClient(client, {
      executor,
      onWarning: (w) => warnings.push(w),
      callTracer: {
        start: () => {
          throw new Error('tracer down');
        },
      },
    });
    const out = await broken.callTool({ name: 'read', arguments: { path: 'b.txt' } });
    expect(out.content).toEqual([{ type: 'text', text: 'b.txt' }]);
    expect(warnings.map((w) => w.message)).toEqual(['tracer down']);
  });
});
