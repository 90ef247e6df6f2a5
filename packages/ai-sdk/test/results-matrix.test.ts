import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { generateText, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardTools, hookspellMiddleware } from '../src/index.js';
import { answer, textModel } from './helpers.js';

// The combinations the per-feature files do not reach: redirect and fork after the call, redirect
// from the error point, cache after a tool call, and skipped everywhere.

describe('model call: redirect and fork after, redirect at AgentError', () => {
  const other = () =>
    new MockLanguageModelV3({ modelId: 'backup', doGenerate: async () => answer('from backup') });

  it('after redirect replaces the answer with the other model’s; error redirect recovers with it', async () => {
    const backup = other();
    const after = new HookRegistry();
    after.register('AfterAgentExecution', () => HookResult.redirect('backup'));
    const model = wrapLanguageModel({
      model: textModel('first'),
      middleware: hookspellMiddleware({ executor: new HookExecutor(after), redirect: () => backup }),
    });
    expect((await generateText({ model, prompt: 'x' })).text).toBe('from backup');

    const failing = new MockLanguageModelV3({
      doGenerate: async () => {
        throw new Error('primary down');
      },
    });
    const onError = new HookRegistry();
    onError.register('AgentError', () => HookResult.redirect('backup'));
    const recovered = wrapLanguageModel({
      model: failing,
      middleware: hookspellMiddleware({ executor: new HookExecutor(onError), redirect: () => backup }),
    });
    expect((await generateText({ model: recovered, prompt: 'x', maxRetries: 0 })).text).toBe('from backup');
    expect(backup.doGenerateCalls).toHaveLength(2);
  });

  it('after fork runs through `fork` once the answer is in', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      HookResult.fork([{ id: 'log', type: 'archive', parameters: { text: ctx.data.text } }]),
    );
    const ran: unknown[] = [];
    const model = wrapLanguageModel({
      model: textModel('keep me'),
      middleware: hookspellMiddleware({
        executor: new HookExecutor(registry),
        fork: (op, { phase }) => void ran.push([op.type, op.parameters, phase]),
      }),
    });
    expect((await generateText({ model, prompt: 'x' })).text).toBe('keep me');
    expect(ran).toEqual([['archive', { text: 'keep me' }, 'after']]);
  });
});

describe('tool call: cache and redirect after, redirect at ToolError, skipped', () => {
  const tools = (log: string[]) => ({
    primary: tool({
      inputSchema: z.object({ q: z.string() }),
      execute: async ({ q }) => {
        log.push(`primary ${q}`);
        if (q === 'fail') throw new Error('primary failed');
        return `primary: ${q}`;
      },
    }),
    backup: tool({
      inputSchema: z.object({ q: z.string() }),
      execute: async ({ q }) => {
        log.push(`backup ${q}`);
        return `backup: ${q}`;
      },
    }),
  });
  const run = (t: ReturnType<typeof tools>, q: string) =>
    t.primary.execute!({ q }, { toolCallId: 'c', messages: [] }) as Promise<unknown>;

  it('after cache stores the output for a before-hook to serve', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) =>
      HookResult.cache(`q:${ctx.data.tool_input?.q}`, 60_000),
    );
    registry.register('AfterToolExecution', (ctx) => HookResult.cache(`q:${ctx.data.tool_input?.q}`, 60_000));
    const log: string[] = [];
    const guarded = guardTools(tools(log), { executor: new HookExecutor(registry) });
    expect(await run(guarded, 'a')).toBe('primary: a');
    expect(await run(guarded, 'a')).toBe('primary: a');
    expect(log).toEqual(['primary a']);
  });

  it('after redirect and ToolError redirect run the named tool of the set', async () => {
    const registry = new HookRegistry();
    registry.register('AfterToolExecution', (ctx) =>
      ctx.data.tool_name === 'primary' ? HookResult.redirect('backup') : undefined,
    );
    registry.register('ToolError', () => HookResult.redirect('backup'));
    const log: string[] = [];
    const guarded = guardTools(tools(log), { executor: new HookExecutor(registry) });
    expect(await run(guarded, 'a')).toBe('backup: a');
    expect(await run(guarded, 'fail')).toBe('backup: fail');
    expect(log).toEqual(['primary a', 'backup a', 'primary fail', 'backup fail']);
  });

  it('skipped at every point is reported and changes nothing', async () => {
    const registry = new HookRegistry();
    for (const point of ['BeforeToolExecution', 'AfterToolExecution', 'ToolError'] as const) {
      registry.register(point, () => HookResult.skipped('not mine'));
    }
    const phases: string[] = [];
    const log: string[] = [];
    const guarded = guardTools(tools(log), {
      executor: new HookExecutor(registry),
      onOutcome: (phase, o) => void phases.push(`${phase}:${o.records[0]?.result?.type}`),
    });
    expect(await run(guarded, 'a')).toBe('primary: a');
    await expect(run(guarded, 'fail')).rejects.toThrow('primary failed');
    expect(phases).toEqual(['before:skipped', 'after:skipped', 'before:skipped', 'error:skipped']);
  });
});
