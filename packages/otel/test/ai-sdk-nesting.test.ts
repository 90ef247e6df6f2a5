import { guardTools, hookspellMiddleware } from '@hookspell/ai-sdk';
import { EventBus, withCorrelation } from '@hookspell/events';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { generateText, jsonSchema, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
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

/** A scripted agent: asks for `add`, then for `rm` (denied), then answers. */
function agent() {
  const registry = new HookRegistry();
  registry.register(
    'BeforeToolExecution',
    (ctx) => (ctx.data.tool_name === 'rm' ? HookResult.cancel('rm is not allowed') : undefined),
    { name: 'no-rm' },
  );
  registry.register('AfterAgentExecution', () => undefined, { name: 'audit-model' });
  const bus = new EventBus();
  const executor = new HookExecutor(registry, { sink: bus.hookSink() });
  const answers = [
    {
      content: [{ type: 'tool-call' as const, toolCallId: 'c1', toolName: 'add', input: '{"a":6,"b":7}' }],
      finish: 'tool-calls' as const,
    },
    {
      content: [{ type: 'tool-call' as const, toolCallId: 'c2', toolName: 'rm', input: '{}' }],
      finish: 'tool-calls' as const,
    },
    { content: [{ type: 'text' as const, text: '13' }], finish: 'stop' as const },
  ];
  let n = 0;
  const base = new MockLanguageModelV3({
    modelId: 'scripted-1',
    provider: 'mock.chat',
    doGenerate: async () => {
      const a = answers[Math.min(n++, answers.length - 1)]!;
      return {
        content: a.content,
        finishReason: { unified: a.finish, raw: undefined },
        usage: usage(100 + n, 7),
        warnings: [],
      };
    },
  });
  const model = wrapLanguageModel({ model: base, middleware: hookspellMiddleware({ executor, bus }) });
  const schema = jsonSchema<{ a?: number; b?: number }>({ type: 'object' });
  const tools = guardTools(
    {
      add: tool({ inputSchema: schema, execute: async ({ a = 0, b = 0 }) => a + b }),
      rm: tool({ inputSchema: schema, execute: async () => 'removed' }),
    },
    { executor, bus },
  );
  disposers.push(() => bus.close());
  return { executor, bus, model, tools };
}

describe('an AI SDK agent, traced', () => {
  it("spans of a wrapLanguageModel call nest under the AI SDK's step span (experimental_telemetry), with GenAI attributes", async () => {
    const { executor, bus, model, tools } = agent();
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, bus, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    const result = await generateText({
      model,
      tools,
      stopWhen: stepCountIs(5),
      prompt: '6 + 7? then clean up',
      experimental_telemetry: { isEnabled: true, tracer: mem.tracer },
    });
    expect(result.text).toBe('13');
    const spans = mem.spans();
    const steps = named(spans, 'ai.generateText.doGenerate');
    expect(steps).toHaveLength(3);
    const before = named(spans, 'hookspell.fire BeforeAgentExecution');
    const after = named(spans, 'hookspell.fire AfterAgentExecution');
    expect(before).toHaveLength(0); // no hook there: no fire span
    expect(after).toHaveLength(3);
    // Each model call's fire is a child of the step that made the call, in the step's trace.
    expect(after.map(parentOf)).toEqual(steps.map((s) => s.spanContext().spanId));
    const root = one(spans, 'ai.generateText');
    for (const s of after) expect(s.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(after[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'scripted-1',
      'gen_ai.provider.name': 'mock.chat',
      'gen_ai.usage.input_tokens': 101,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['tool-calls'],
      'hookspell.component.type': 'agent',
      'hookspell.component.name': 'scripted-1',
    });
    // Tool calls: the fire sits in the AI SDK's tool-call span.
    const toolFires = named(spans, 'hookspell.fire BeforeToolExecution');
    expect(toolFires.map((s) => s.attributes['gen_ai.tool.name'])).toEqual(['add', 'rm']);
    expect(toolFires.map((s) => s.attributes['hookspell.decision'])).toEqual(['continue', 'cancel']);
    const toolSpans = named(spans, 'ai.toolCall');
    expect(toolFires.map(parentOf)).toEqual(toolSpans.map((s) => s.spanContext().spanId));
    // The integration's lifecycle events are span events where they were published.
    const events = spans.flatMap((s) => s.events.map((e) => e.name));
    expect(events.filter((e) => e.startsWith('model.call.'))).toEqual([
      'model.call.started',
      'model.call.finished',
      'model.call.started',
      'model.call.finished',
      'model.call.started',
      'model.call.finished',
    ]);
    expect(events).toContain('tool.call.cancelled');
    expect(events.some((e) => e.startsWith('hook.execution.') || e.startsWith('hook.fire.'))).toBe(false);
    const finished = spans.flatMap((s) => s.events).find((e) => e.name === 'model.call.finished')!;
    expect(finished.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 101,
      'data.finishReason': 'tool-calls',
    });
  });

  it("nests under the host's own agent span; with none, the run's correlation id is one trace", async () => {
    const { executor, bus, model, tools } = agent();
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, bus, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    await mem.tracer.startActiveSpan('my-agent.run', async (span) => {
      await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: 'x' });
      span.end();
    });
    const run = one(mem.spans(), 'my-agent.run');
    const fires = mem.spans().filter((s) => s.name.startsWith('hookspell.fire '));
    expect(fires.length).toBe(5); // 3 after-model fires + 2 before-tool fires
    for (const f of fires) expect(parentOf(f)).toBe(run.spanContext().spanId);
    otel.dispose();
    mem.reset();

    // A second run of a fresh agent (the scripted model is used up), no span around it.
    const second = agent();
    const otel2 = instrumentHookspell({ executor: second.executor, bus: second.bus, tracer: mem.tracer });
    disposers.push(() => otel2.dispose());
    await withCorrelation('run-42', () =>
      generateText({ model: second.model, tools: second.tools, stopWhen: stepCountIs(5), prompt: 'y' }),
    );
    otel2.endTrace('run-42');
    const root = one(mem.spans(), 'hookspell.correlation');
    expect(root.attributes['hookspell.correlation_id']).toBe('run-42');
    const again = mem.spans().filter((s) => s.name.startsWith('hookspell.fire '));
    expect(again.length).toBe(5);
    for (const f of again) expect(parentOf(f)).toBe(root.spanContext().spanId);
    // The run's events went to the same root.
    expect(root.events.map((e) => e.name)).toContain('tool.call.cancelled');
  });

  it('a streamed call (streamText): the after-hooks run once the stream ends, their fire still nests under the SDK step that opened it', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => undefined, { name: 'pre' });
    registry.register('AfterAgentExecution', () => undefined, { name: 'post' });
    const executor = new HookExecutor(registry);
    const mem = memoryTracer();
    const otel = instrumentHookspell({ executor, tracer: mem.tracer });
    disposers.push(() => otel.dispose());
    const parts = [
      { type: 'stream-start' as const, warnings: [] },
      { type: 'text-start' as const, id: '1' },
      ...['Once ', 'upon ', 'a ', 'time.'].map((delta) => ({ type: 'text-delta' as const, id: '1', delta })),
      { type: 'text-end' as const, id: '1' },
      {
        type: 'finish' as const,
        finishReason: { unified: 'stop' as const, raw: undefined },
        usage: usage(9, 4),
      },
    ];
    const base = new MockLanguageModelV3({
      modelId: 'streamer',
      doStream: async () => ({
        stream: new ReadableStream({
          pull(c) {
            const next = parts.shift();
            if (next === undefined) c.close();
            else c.enqueue(next);
          },
        }),
      }),
    });
    const model = wrapLanguageModel({ model: base, middleware: hookspellMiddleware({ executor }) });
    const result = streamText({
      model,
      prompt: 'story',
      experimental_telemetry: { isEnabled: true, tracer: mem.tracer },
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    await result.usage;
    expect(text).toBe('Once upon a time.');
    const spans = mem.spans();
    const step = one(spans, 'ai.streamText.doStream');
    const before = one(spans, 'hookspell.fire BeforeAgentExecution');
    const after = one(spans, 'hookspell.fire AfterAgentExecution');
    expect(parentOf(before)).toBe(step.spanContext().spanId);
    expect(parentOf(after)).toBe(step.spanContext().spanId);
    expect(after.attributes).toMatchObject({
      'gen_ai.request.model': 'streamer',
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });
});
