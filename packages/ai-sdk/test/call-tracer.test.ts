import { AsyncLocalStorage } from 'node:async_hooks';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { type CallTracer, guardTools, hookspellMiddleware, type TracedCallEnd } from '../src/index.js';
import { answer, toolCall } from './helpers.js';

/** A tracer that records what it saw, and in which scope each hook ran. */
function recordingTracer() {
  const scope = new AsyncLocalStorage<string>();
  const log: { kind: string; target: string; end?: TracedCallEnd }[] = [];
  const tracer: CallTracer = {
    start(call) {
      const entry: (typeof log)[number] = { kind: call.kind, target: call.target };
      log.push(entry);
      const id = `${call.kind}:${call.target}#${log.length}`;
      return { run: (fn) => scope.run(id, fn), end: (how) => void (entry.end = how) };
    },
  };
  return { tracer, log, current: () => scope.getStore() };
}

describe('callTracer', () => {
  it('each model and tool call runs in its own scope (its hooks inside it), ended once with a summary or the error', async () => {
    const { tracer, log, current } = recordingTracer();
    const registry = new HookRegistry();
    const seen: (string | undefined)[] = [];
    registry.register('BeforeAgentExecution', () => void seen.push(current()), { name: 'm' });
    registry.register(
      'BeforeToolExecution',
      (ctx) => {
        seen.push(current());
        return ctx.data.tool_name === 'rm' ? HookResult.cancel('no') : undefined;
      },
      { name: 't' },
    );
    const executor = new HookExecutor(registry);
    let n = 0;
    const base = new MockLanguageModelV3({
      doGenerate: async () => (n++ === 0 ? toolCall('rm', {}) : answer('done', [7, 2])),
    });
    const model = wrapLanguageModel({
      model: base,
      middleware: hookspellMiddleware({ executor, callTracer: tracer }),
    });
    const tools = guardTools(
      { rm: tool({ inputSchema: jsonSchema<object>({ type: 'object' }), execute: async () => 'x' }) },
      { executor, callTracer: tracer },
    );
    await generateText({ model, tools, stopWhen: stepCountIs(3), prompt: 'go' });
    expect(log.map((l) => `${l.kind}:${l.target}`)).toEqual([
      'model:mock-model-id',
      'tool:rm',
      'model:mock-model-id',
    ]);
    expect(seen).toEqual(['model:mock-model-id#1', 'tool:rm#2', 'model:mock-model-id#3']);
    expect(log[2]!.end?.summary).toMatchObject({
      finishReason: 'stop',
      usage: { inputTokens: 7, outputTokens: 2 },
      source: 'call',
      attempts: 1,
    });
    expect((log[1]!.end!.error as { code?: string }).code).toBe('HOOKSPELL_TOOL_CALL_CANCELLED');
  });

  it('a tracer whose start, run or end throws never fails the call: it goes to onWarning', async () => {
    const executor = new HookExecutor(new HookRegistry());
    const warnings: string[] = [];
    const base = new MockLanguageModelV3({ doGenerate: async () => answer('fine') });
    for (const broken of [
      {
        start: () => {
          throw new Error('start');
        },
      },
      {
        start: () => ({
          run: () => {
            throw new Error('run');
          },
          end: () => {},
        }),
      },
      {
        start: () => ({
          run: <T>(fn: () => T) => fn(),
          end: () => {
            throw new Error('end');
          },
        }),
      },
    ] as CallTracer[]) {
      const model = wrapLanguageModel({
        model: base,
        middleware: hookspellMiddleware({
          executor,
          callTracer: broken,
          onWarning: (w) => void warnings.push(w.message),
        }),
      });
      expect((await generateText({ model, prompt: 'x' })).text).toBe('fine');
    }
    expect(warnings).toEqual(['start', 'run', 'end']);
  });
});
