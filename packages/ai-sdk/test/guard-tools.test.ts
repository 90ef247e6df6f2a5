import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { generateText, stepCountIs, streamText, type ToolSet, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AiSdkError,
  CallCancelledError,
  type GuardToolsOptions,
  guardTools,
  hookspellMiddleware,
  type StreamPart,
} from '../src/index.js';
import { answer, partsStream, textParts, toolCall, usage } from './helpers.js';

const files: Record<string, string> = { 'notes.txt': 'buy milk' };

function fileTools(log: string[] = []) {
  return {
    read_file: tool({
      description: 'Reads a file',
      inputSchema: z.object({ path: z.string() }),
      execute: async ({ path }) => {
        log.push(`read ${path}`);
        return files[path] ?? `no such file: ${path}`;
      },
    }),
    delete_file: tool({
      description: 'Deletes a file',
      inputSchema: z.object({ path: z.string() }),
      execute: async ({ path }) => {
        log.push(`delete ${path}`);
        return `deleted ${path}`;
      },
    }),
  };
}

/** A mock model that plays `steps` in turn, one per model call. */
function scripted(...steps: ReturnType<typeof answer>[]) {
  let i = 0;
  return new MockLanguageModelV3({ doGenerate: async () => steps[Math.min(i++, steps.length - 1)]! });
}

/** Calls one tool directly, the way the AI SDK does. */
function run(tools: ToolSet, name: string, input: unknown) {
  const t = tools[name]!;
  return t.execute!(input as never, { toolCallId: `call-${name}`, messages: [] }) as Promise<unknown>;
}

function guard<T extends ToolSet>(
  registry: HookRegistry,
  tools: T,
  options: Partial<GuardToolsOptions> = {},
): T {
  return guardTools(tools, { executor: new HookExecutor(registry), ...options });
}

describe('guardTools in a multi-step generateText loop', () => {
  it('a denied tool call becomes a tool error the model reads, and the agent goes on to answer', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      (ctx) =>
        ctx.data.tool_name === 'delete_file' ? HookResult.cancel('deleting files is not allowed') : undefined,
      { name: 'no-deletes' },
    );
    const log: string[] = [];
    const model = scripted(
      toolCall('delete_file', { path: 'notes.txt' }, 'c1'),
      toolCall('read_file', { path: 'notes.txt' }, 'c2'),
      answer('I may not delete files; notes.txt says: buy milk'),
    );
    const result = await generateText({
      model,
      tools: guard(registry, fileTools(log)),
      stopWhen: stepCountIs(5),
      prompt: 'Clean up notes.txt',
    });

    expect(result.text).toBe('I may not delete files; notes.txt says: buy milk');
    expect(result.steps).toHaveLength(3);
    expect(log).toEqual(['read notes.txt']); // delete never ran
    // Step 1: the SDK recorded a tool-error holding our typed error.
    const denied = result.steps[0]!.content.find((p) => p.type === 'tool-error');
    expect(denied).toBeDefined();
    const error = (denied as { error: unknown }).error;
    expect(CallCancelledError.isInstance(error)).toBe(true);
    expect((error as CallCancelledError).code).toBe('HOOKSPELL_TOOL_CALL_CANCELLED');
    expect((error as CallCancelledError).hook).toBe('no-deletes');
    // Step 2: the model was sent the denial as the tool's error result, with the reason.
    const sent = JSON.stringify(model.doGenerateCalls[1]!.prompt);
    expect(sent).toContain('"type":"error-text"');
    expect(sent).toContain(
      "tool 'delete_file' was not run: hook 'no-deletes' cancelled it at BeforeToolExecution: deleting files is not allowed",
    );
    // Step 3 saw the file's content.
    expect(JSON.stringify(model.doGenerateCalls[2]!.prompt)).toContain('buy milk');
  });

  it('fires the tool points with the tool name as component and data { tool_name, tool_input, tool_use_id }', async () => {
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.register(
      'BeforeToolExecution',
      (ctx) => void seen.push(['before', ctx.component, structuredClone(ctx.data)]),
    );
    registry.register('AfterToolExecution', (ctx) => void seen.push(['after', ctx.data.tool_response]));
    await generateText({
      model: scripted(toolCall('read_file', { path: 'notes.txt' }, 'c9'), answer('done')),
      tools: guard(registry, fileTools()),
      stopWhen: stepCountIs(3),
      prompt: 'read it',
    });
    expect(seen).toEqual([
      [
        'before',
        { type: 'tool', name: 'read_file' },
        { tool_name: 'read_file', tool_input: { path: 'notes.txt' }, tool_use_id: 'c9', attempt: 1 },
      ],
      ['after', 'buy milk'],
    ]);
  });

  it('with onCancel, the model reads a chosen output instead of an error', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.cancel('read-only mode'));
    const model = scripted(toolCall('delete_file', { path: 'notes.txt' }), answer('ok'));
    const result = await generateText({
      model,
      tools: guard(registry, fileTools(), { onCancel: (e) => ({ denied: true, reason: e.reason }) }),
      stopWhen: stepCountIs(3),
      prompt: 'x',
    });
    expect(result.steps[0]!.toolResults[0]?.output).toEqual({ denied: true, reason: 'read-only mode' });
    expect(JSON.stringify(model.doGenerateCalls[1]!.prompt)).toContain('read-only mode');
  });

  it('works with streamText and a guarded model: the denied call is a tool-error in the stream', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) =>
      ctx.data.tool_name === 'delete_file' ? HookResult.cancel('no') : undefined,
    );
    const calls = [
      [
        { type: 'stream-start', warnings: [] },
        { type: 'tool-call', toolCallId: 's1', toolName: 'delete_file', input: '{"path":"notes.txt"}' },
        { type: 'finish', finishReason: { unified: 'tool-calls', raw: undefined }, usage: usage(20, 8) },
      ],
      textParts('gave up'),
    ] satisfies StreamPart[][];
    let i = 0;
    const mock = new MockLanguageModelV3({ doStream: async () => ({ stream: partsStream(calls[i++]!) }) });
    const executor = new HookExecutor(registry);
    const { wrapLanguageModel } = await import('ai');
    const result = streamText({
      model: wrapLanguageModel({ model: mock, middleware: hookspellMiddleware({ executor }) }),
      tools: guardTools(fileTools(), { executor }),
      stopWhen: stepCountIs(3),
      prompt: 'x',
    });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(types).toContain('tool-error');
    expect(await result.text).toBe('gave up');
  });
});

describe('guardTools: every result at every point', () => {
  it('before modified changes the input the tool gets', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () =>
      HookResult.modified({ tool_input: { path: 'notes.txt' } }),
    );
    const log: string[] = [];
    expect(await run(guard(registry, fileTools(log)), 'read_file', { path: '/etc/passwd' })).toBe('buy milk');
    expect(log).toEqual(['read notes.txt']);
  });

  it('before replace answers without running the tool; a value JSON cannot hold is HOOKSPELL_INVALID_HOOK_VALUE', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      (ctx) =>
        HookResult.replace((ctx.data.tool_input as { path: string }).path === 'big' ? 10n : { cached: true }),
      { name: 'stub' },
    );
    const log: string[] = [];
    const tools = guard(registry, fileTools(log));
    expect(await run(tools, 'read_file', { path: 'a' })).toEqual({ cached: true });
    const error = (await run(tools, 'read_file', { path: 'big' }).catch((e) => e)) as AiSdkError;
    expect(error.code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect(error.message).toContain(
      "hook 'stub' at BeforeToolExecution answered replace() is not a valid output: it is a bigint",
    );
    expect(log).toEqual([]);
  });

  it('before cache serves the same key without running the tool', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) =>
      HookResult.cache(`read:${JSON.stringify(ctx.data.tool_input)}`, 60_000),
    );
    const log: string[] = [];
    const tools = guard(registry, fileTools(log));
    await run(tools, 'read_file', { path: 'notes.txt' });
    expect(await run(tools, 'read_file', { path: 'notes.txt' })).toBe('buy milk');
    expect(log).toEqual(['read notes.txt']);
  });

  it('before redirect runs the named tool of the set; an unknown target is HOOKSPELL_REDIRECT_UNHANDLED', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) =>
      ctx.data.tool_name === 'delete_file'
        ? HookResult.redirect((ctx.data.tool_input as { path: string }).path === 'x' ? 'trash' : 'read_file')
        : undefined,
    );
    const log: string[] = [];
    const tools = guard(registry, fileTools(log));
    expect(await run(tools, 'delete_file', { path: 'notes.txt' })).toBe('buy milk');
    expect(log).toEqual(['read notes.txt']);
    const error = (await run(tools, 'delete_file', { path: 'x' }).catch((e) => e)) as AiSdkError;
    expect(error.code).toBe('HOOKSPELL_REDIRECT_UNHANDLED');
    expect(error.message).toContain("has no tool 'trash'");
  });

  it('before retry runs the hooks again; fork runs its operations through `fork`', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) =>
      ctx.data.attempt === 1 ? HookResult.retry(0, 2) : HookResult.fork([{ id: 'f', type: 'notify' }]),
    );
    const forked: string[] = [];
    const tools = guard(registry, fileTools(), {
      fork: (op, { phase }) => void forked.push(`${op.type}@${phase}`),
    });
    expect(await run(tools, 'read_file', { path: 'notes.txt' })).toBe('buy milk');
    expect(forked).toEqual(['notify@before']);
  });

  it('after modified changes the output; after replace swaps it; after cancel withholds it', async () => {
    const registry = new HookRegistry();
    registry.register('AfterToolExecution', (ctx) => {
      const output = String(ctx.data.tool_response);
      if (output.includes('milk'))
        return HookResult.modified({ tool_response: output.replace('milk', '[redacted]') });
      if (output.startsWith('deleted')) return HookResult.cancel('deletion result is confidential');
      return HookResult.replace('nothing here');
    });
    const tools = guard(registry, fileTools());
    expect(await run(tools, 'read_file', { path: 'notes.txt' })).toBe('buy [redacted]');
    expect(await run(tools, 'read_file', { path: 'none' })).toBe('nothing here');
    const error = await run(tools, 'delete_file', { path: 'a' }).catch((e) => e);
    expect((error as CallCancelledError).phase).toBe('after');
    expect((error as Error).message).toContain("the result of tool 'delete_file' was withheld");
  });

  it('after retry runs the tool again', async () => {
    let n = 0;
    const tools = {
      roll: tool({ inputSchema: z.object({}), execute: async () => ++n }),
    };
    const registry = new HookRegistry();
    registry.register('AfterToolExecution', (ctx) =>
      (ctx.data.tool_response as number) < 3 ? HookResult.retry(0, 5) : undefined,
    );
    expect(await run(guard(registry, tools), 'roll', {})).toBe(3);
  });

  it('ToolError sees the error; replace recovers, retry runs again, cancel throws with the error as cause', async () => {
    /** A `fetch` tool that fails with 'timeout' `failures` times, then answers 'fetched'. */
    const flaky = (failures: number) => {
      const state = { calls: 0 };
      const tools = {
        fetch: tool({
          inputSchema: z.object({}),
          execute: async () => {
            if (++state.calls <= failures) throw new Error('timeout');
            return 'fetched';
          },
        }),
      };
      return { tools, state };
    };
    const recover = new HookRegistry();
    recover.register('ToolError', (ctx) =>
      HookResult.replace(`fallback after ${(ctx.data.error as Error).message}`),
    );
    expect(await run(guard(recover, flaky(1).tools), 'fetch', {})).toBe('fallback after timeout');

    const again = new HookRegistry();
    again.register('ToolError', () => HookResult.retry(0, 3));
    const twice = flaky(2);
    expect(await run(guard(again, twice.tools), 'fetch', {})).toBe('fetched');
    expect(twice.state.calls).toBe(3);

    const stop = new HookRegistry();
    stop.register('ToolError', () => HookResult.cancel('stop trying'));
    const error = (await run(guard(stop, flaky(1).tools), 'fetch', {}).catch((e) => e)) as CallCancelledError;
    expect(error.phase).toBe('error');
    expect((error.cause as Error).message).toBe('timeout');

    const plain = (await run(guard(new HookRegistry(), flaky(1).tools), 'fetch', {}).catch(
      (e) => e,
    )) as Error;
    expect(plain.message).toBe('timeout');
  });
});

describe('guardTools: shapes of tools', () => {
  it('leaves tools without execute as they are, and refuses a bad tool set or a missing executor', () => {
    const clientSide = tool({ inputSchema: z.object({ q: z.string() }) });
    const guarded = guard(new HookRegistry(), { ask_user: clientSide });
    expect(guarded.ask_user).toBe(clientSide);
    expect(() => guardTools(null as never, { executor: new HookExecutor(new HookRegistry()) })).toThrow(
      /tool set/,
    );
    expect(() => guardTools({}, {} as never)).toThrow(/`executor` is required/);
  });

  it('a streaming tool (async generator) passes its values through; an after-hook change is yielded last', async () => {
    const registry = new HookRegistry();
    registry.register('AfterToolExecution', (ctx) =>
      HookResult.modified({ tool_response: `${ctx.data.tool_response} (checked)` }),
    );
    const tools = {
      progress: tool({
        inputSchema: z.object({}),
        async *execute() {
          yield 'step 1';
          yield 'step 2';
          yield 'done';
        },
      }),
    };
    const guarded = guard(registry, tools);
    const values: unknown[] = [];
    for await (const v of guarded.progress.execute!(
      {},
      { toolCallId: 'p', messages: [] },
    ) as AsyncIterable<unknown>)
      values.push(v);
    expect(values).toEqual(['step 1', 'step 2', 'done', 'done (checked)']);

    const deny = new HookRegistry();
    deny.register('BeforeToolExecution', () => HookResult.cancel('busy'));
    const denied = guard(deny, tools).progress.execute!(
      {},
      { toolCallId: 'p', messages: [] },
    ) as AsyncIterable<unknown>;
    const error = await (async () => {
      for await (const _ of denied) {
        // nothing is yielded
      }
    })().catch((e) => e);
    expect(CallCancelledError.isInstance(error)).toBe(true);
  });

  it('in a generateText loop, a streaming tool final output (after the hooks) is what the model gets', async () => {
    const registry = new HookRegistry();
    registry.register('AfterToolExecution', () => HookResult.replace('final from hook'));
    const model = scripted(toolCall('progress', {}), answer('ok'));
    await generateText({
      model,
      tools: guard(registry, {
        progress: tool({
          inputSchema: z.object({}),
          async *execute() {
            yield 'working';
            yield 'raw result';
          },
        }),
      }),
      stopWhen: stepCountIs(3),
      prompt: 'x',
    });
    const sent = JSON.stringify(model.doGenerateCalls[1]!.prompt);
    expect(sent).toContain('final from hook');
    expect(sent).not.toContain('raw result');
  });
});
