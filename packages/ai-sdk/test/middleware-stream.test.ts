import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import {
  type AiSdkError,
  CallCancelledError,
  type HookspellMiddlewareOptions,
  hookspellMiddleware,
  type StreamPart,
} from '../src/index.js';
import { manualStream, partsStream, textModel, textParts } from './helpers.js';

function guarded(
  mock: MockLanguageModelV3,
  registry: HookRegistry,
  options: Partial<HookspellMiddlewareOptions> = {},
) {
  const executor = new HookExecutor(registry);
  return wrapLanguageModel({ model: mock, middleware: hookspellMiddleware({ executor, ...options }) });
}

/** Streams `prompt` and collects the text, the errors reported to onError and the finish usage. */
async function stream(model: ReturnType<typeof guarded>, prompt = 'Tell me a story') {
  const errors: unknown[] = [];
  const result = streamText({
    model,
    prompt,
    maxRetries: 0,
    onError: ({ error }) => void errors.push(error),
  });
  let text = '';
  for await (const delta of result.textStream) text += delta;
  const usage = await Promise.resolve(result.usage).catch(() => undefined);
  return { text, errors, usage };
}

describe('hookspellMiddleware with streamText (observe, the default)', () => {
  it('before-hooks run before the model is asked for its stream; after-hooks see the final text and usage', async () => {
    const order: string[] = [];
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', (ctx) => void order.push(`before ${ctx.data.mode}`));
    let after: Record<string, unknown> = {};
    registry.register('AfterAgentExecution', (ctx) => {
      order.push('after');
      after = structuredClone(ctx.data);
    });
    const mock = new MockLanguageModelV3({
      doStream: async () => {
        order.push('doStream');
        return { stream: partsStream(textParts('Once upon a time.', [7, 4])) };
      },
    });
    const { text, errors, usage } = await stream(guarded(mock, registry));
    expect(text).toBe('Once upon a time.');
    expect(errors).toEqual([]);
    expect(order).toEqual(['before stream', 'doStream', 'after']);
    expect(after).toMatchObject({
      mode: 'stream',
      text: 'Once upon a time.',
      content: [{ type: 'text', text: 'Once upon a time.' }],
      finishReason: 'stop',
      usage: { inputTokens: 7, outputTokens: 4, totalTokens: 11 },
      token_usage: { input_tokens: 7, output_tokens: 4 },
    });
    expect(usage?.totalTokens).toBe(11);
  });

  it('chunks reach the caller as the model sends them; the after-hooks run once the stream ends', async () => {
    const source = manualStream();
    const mock = new MockLanguageModelV3({ doStream: async () => ({ stream: source.stream }) });
    const registry = new HookRegistry();
    let afterRan = false;
    registry.register('AfterAgentExecution', () => void (afterRan = true));
    const result = streamText({ model: guarded(mock, registry), prompt: 'hi' });
    const reader = result.textStream[Symbol.asyncIterator]();
    for (const part of textParts('first second').slice(0, 3)) source.push(part);
    // The first delta arrives while the model's stream is still open.
    expect((await reader.next()).value).toBe('first ');
    expect(afterRan).toBe(false);
    for (const part of textParts('first second').slice(3)) source.push(part);
    source.close();
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest += next.value;
    expect(rest).toBe('second');
    expect(afterRan).toBe(true);
  });

  it('before cancel: no stream is asked for, onError gets the CallCancelledError', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.cancel('streaming is off tonight'), {
      name: 'curfew',
    });
    const mock = textModel('never');
    const { text, errors } = await stream(guarded(mock, registry));
    expect(text).toBe('');
    expect(mock.doStreamCalls).toHaveLength(0);
    expect(errors).toHaveLength(1);
    expect(CallCancelledError.isInstance(errors[0])).toBe(true);
    expect((errors[0] as CallCancelledError).hook).toBe('curfew');
  });

  it('before modified prompt reaches the model; before replace streams the replacement without asking the model', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.modified({ prompt: 'rewritten' }));
    const mock = textModel('ok');
    await stream(guarded(mock, registry));
    expect(mock.doStreamCalls[0]?.prompt).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'rewritten' }] },
    ]);

    const canned = new HookRegistry();
    canned.register('BeforeAgentExecution', () =>
      HookResult.replace({ text: 'canned', finishReason: 'stop' }),
    );
    const silent = textModel('never');
    const { text, usage } = await stream(guarded(silent, canned));
    expect(text).toBe('canned');
    expect(usage?.totalTokens).toBe(0);
    expect(silent.doStreamCalls).toHaveLength(0);
  });

  it('a failure to open the stream goes through AgentError: retry asks again, replace recovers', async () => {
    let calls = 0;
    const flaky = new MockLanguageModelV3({
      doStream: async () => {
        if (++calls === 1) throw new Error('connection reset');
        return { stream: partsStream(textParts('second time')) };
      },
    });
    const registry = new HookRegistry();
    registry.register('AgentError', () => HookResult.retry(0, 2));
    expect((await stream(guarded(flaky, registry))).text).toBe('second time');
    expect(calls).toBe(2);

    const down = new MockLanguageModelV3({
      doStream: async () => {
        throw new Error('down');
      },
    });
    const fallback = new HookRegistry();
    fallback.register('AgentError', () => HookResult.replace('fallback text'));
    expect((await stream(guarded(down, fallback))).text).toBe('fallback text');
  });

  it('after cancel: the text was sent, then an error part (CallCancelledError, phase after) comes before finish', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      String(ctx.data.text).includes('secret') ? HookResult.cancel('leaked a secret') : undefined,
    );
    const { text, errors } = await stream(guarded(textModel('the secret word'), registry));
    expect(text).toBe('the secret word');
    expect(errors).toHaveLength(1);
    expect((errors[0] as CallCancelledError).phase).toBe('after');
    expect((errors[0] as CallCancelledError).code).toBe('HOOKSPELL_MODEL_CALL_CANCELLED');
  });

  it('after modified/replace/retry cannot change a sent stream: reported once per hook to onWarning', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', () => HookResult.modified({ text: 'redacted' }), {
      name: 'redactor',
    });
    const warnings: Error[] = [];
    const mock = textModel('original text');
    const model = guarded(mock, registry, { onWarning: (w) => void warnings.push(w) });
    expect((await stream(model)).text).toBe('original text');
    expect((await stream(model)).text).toBe('original text');
    expect(warnings).toHaveLength(1);
    expect((warnings[0] as AiSdkError).code).toBe('HOOKSPELL_STREAM_RESULT_IGNORED');
    expect(warnings[0]?.message).toContain("hook 'redactor' answered modified at AfterAgentExecution");
    expect(warnings[0]?.message).toContain("stream: 'buffer'");
  });

  it('an error part mid-stream is seen by AgentError and still reaches the caller', async () => {
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.register('AgentError', (ctx) => void seen.push(ctx.data.error));
    const boom = new Error('stream broke');
    const parts: StreamPart[] = [...textParts('partial').slice(0, 3), { type: 'error', error: boom }];
    const mock = new MockLanguageModelV3({ doStream: async () => ({ stream: partsStream(parts) }) });
    const { text, errors } = await stream(guarded(mock, registry));
    expect(text).toBe('partial');
    expect(seen).toEqual([boom]);
    expect(errors).toContain(boom);
  });

  it('a stream that throws mid-way is seen by AgentError, and the caller gets the error', async () => {
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.register('AgentError', (ctx) => void seen.push(ctx.data.error));
    const boom = new Error('socket closed');
    let sent = 0;
    const broken = new ReadableStream<StreamPart>({
      pull(controller) {
        const parts = textParts('half');
        if (sent < 3) controller.enqueue(parts[sent++]!);
        else controller.error(boom);
      },
    });
    const mock = new MockLanguageModelV3({ doStream: async () => ({ stream: broken }) });
    const result = streamText({ model: guarded(mock, registry), prompt: 'hi', onError: () => {} });
    let text = '';
    const failure = await (async () => {
      for await (const delta of result.textStream) text += delta;
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(text).toBe('half');
    expect(failure).toBe(boom);
    expect(seen).toEqual([boom]);
  });

  it('a before-hook cache key stores the streamed answer once complete; generateText and streamText share it', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.cache('same', 60_000));
    const mock = textModel('cached story', 'never');
    const model = guarded(mock, registry);
    expect((await stream(model)).text).toBe('cached story');
    expect((await stream(model)).text).toBe('cached story');
    expect((await generateText({ model, prompt: 'x' })).text).toBe('cached story');
    expect(mock.doStreamCalls).toHaveLength(1);
    expect(mock.doGenerateCalls).toHaveLength(0);
  });
});

describe("hookspellMiddleware with streamText, stream: 'buffer'", () => {
  it('after modified changes the streamed text; usage is kept', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      HookResult.modified({ text: String(ctx.data.text).replace(/\d{3}-\d{4}/, '[phone]') }),
    );
    const { text, usage } = await stream(
      guarded(textModel('call 555-1234 now'), registry, { stream: 'buffer' }),
    );
    expect(text).toBe('call [phone] now');
    expect(usage?.totalTokens).toBe(15);
  });

  it('the first chunk waits for the whole answer', async () => {
    const source = manualStream();
    const mock = new MockLanguageModelV3({ doStream: async () => ({ stream: source.stream }) });
    const result = streamText({
      model: guarded(mock, new HookRegistry(), { stream: 'buffer' }),
      prompt: 'hi',
    });
    const reader = result.textStream[Symbol.asyncIterator]();
    const first = reader.next();
    const parts = textParts('one two');
    for (const part of parts.slice(0, 3)) source.push(part);
    const early = await Promise.race([
      first.then(() => 'delivered'),
      new Promise((r) => setTimeout(r, 50, 'waiting')),
    ]);
    expect(early).toBe('waiting');
    for (const part of parts.slice(3)) source.push(part);
    source.close();
    expect((await first).value).toBe('one ');
  });

  it('after cancel: nothing is streamed, onError gets the CallCancelledError', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', () => HookResult.cancel('unsafe answer'));
    const { text, errors } = await stream(
      guarded(textModel('something unsafe'), registry, { stream: 'buffer' }),
    );
    expect(text).toBe('');
    expect((errors[0] as CallCancelledError).phase).toBe('after');
  });

  it('after retry asks for a new stream; an error part is handled by AgentError like a thrown error', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      ctx.data.text === 'draft' ? HookResult.retry(0, 3) : undefined,
    );
    const mock = textModel('draft', 'final');
    expect((await stream(guarded(mock, registry, { stream: 'buffer' }))).text).toBe('final');
    expect(mock.doStreamCalls).toHaveLength(2);

    const broken: StreamPart[] = [
      ...textParts('bad').slice(0, 3),
      { type: 'error', error: new Error('cut') },
    ];
    let n = 0;
    const flaky = new MockLanguageModelV3({
      doStream: async () => ({ stream: partsStream(n++ === 0 ? broken : textParts('good')) }),
    });
    const recover = new HookRegistry();
    recover.register('AgentError', () => HookResult.retry(0, 2));
    expect((await stream(guarded(flaky, recover, { stream: 'buffer' }))).text).toBe('good');
  });
});

describe('the observed stream reads ahead, bounded', () => {
  /** A model stream that never ends: a text delta per pull, counted; its cancel recorded. */
  function endless() {
    const seen = { pulled: 0, cancelled: undefined as unknown };
    const stream = new ReadableStream<StreamPart>({
      start: (c) => c.enqueue({ type: 'text-start', id: '1' }),
      pull: (c) => c.enqueue({ type: 'text-delta', id: '1', delta: `w${seen.pulled++} ` }),
      cancel: (reason) => void (seen.cancelled = reason),
    });
    return { stream, seen };
  }
  const params = { prompt: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'go' }] }] };

  it('a caller that stops reading holds the model back (at most ~32 parts ahead); cancelling cancels the model stream, no after-hooks run', async () => {
    const source = endless();
    const mock = new MockLanguageModelV3({ doStream: async () => ({ stream: source.stream }) });
    const registry = new HookRegistry();
    let afterRan = false;
    registry.register('AfterAgentExecution', () => void (afterRan = true));
    const { stream } = await guarded(mock, registry).doStream(params);
    const reader = stream.getReader();
    expect((await reader.read()).value).toEqual({ type: 'text-start', id: '1' });
    await new Promise((r) => setTimeout(r, 50));
    const ahead = source.seen.pulled;
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(40);
    // Reading on resumes the pump; parts come in order.
    const got: string[] = [];
    for (let i = 0; i < 100; i++) got.push(((await reader.read()).value as { delta: string }).delta);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `w${i} `));
    await new Promise((r) => setTimeout(r, 50));
    expect(source.seen.pulled - 101).toBeLessThanOrEqual(40);
    await reader.cancel('caller went away');
    expect(source.seen.cancelled).toBe('caller went away');
    await new Promise((r) => setTimeout(r, 20));
    expect(afterRan).toBe(false);
  });
});
