import { costTracking } from '@hookspell/builtins';
import { HookExecutor, type HookOutcome, HookRegistry, HookResult } from '@hookspell/hooks';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import {
  AiSdkError,
  CallCancelledError,
  type HookspellMiddlewareOptions,
  hookspellMiddleware,
} from '../src/index.js';
import { answer, rejectionOf, textModel, usage } from './helpers.js';

function guarded(
  mock: MockLanguageModelV3,
  registry: HookRegistry,
  options: Partial<HookspellMiddlewareOptions> = {},
) {
  const executor = new HookExecutor(registry);
  return wrapLanguageModel({ model: mock, middleware: hookspellMiddleware({ executor, ...options }) });
}

const ask = (model: ReturnType<typeof guarded>, prompt = 'What is 6 × 7?') =>
  generateText({ model, prompt, maxRetries: 0 });

describe('hookspellMiddleware with generateText: what hooks see', () => {
  it('fires BeforeAgentExecution with the prompt, model and settings, AfterAgentExecution with the answer, usage and cost', async () => {
    const registry = new HookRegistry();
    const seen: Record<string, Record<string, unknown>> = {};
    const components: unknown[] = [];
    registry.register('BeforeAgentExecution', (ctx) => {
      seen.before = structuredClone(ctx.data);
      components.push(ctx.component);
    });
    registry.register('AfterAgentExecution', (ctx) => {
      seen.after = structuredClone(ctx.data);
    });
    const model = guarded(textModel('42'), registry, {
      cost: (u) => u.input_tokens * 0.001 + u.output_tokens * 0.002,
    });
    const result = await generateText({
      model,
      prompt: 'What is 6 × 7?',
      temperature: 0.3,
      maxOutputTokens: 50,
    });

    expect(result.text).toBe('42');
    expect(components).toEqual([{ type: 'agent', name: 'mock-model-id' }]);
    expect(seen.before).toMatchObject({
      model: 'mock-model-id',
      provider: 'mock-provider',
      mode: 'generate',
      prompt: 'What is 6 × 7?',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is 6 × 7?' }] }],
      settings: { temperature: 0.3, maxOutputTokens: 50 },
      tools: [],
      attempt: 1,
    });
    expect(seen.after).toMatchObject({
      text: '42',
      content: [{ type: 'text', text: '42' }],
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      token_usage: {
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
        model: 'mock-model-id',
        provider: 'mock-provider',
      },
      attempt: 1,
    });
    expect(seen.after?.cost).toBeCloseTo(0.02, 10);
  });

  it('names the model in the component, or the `name` option', async () => {
    const registry = new HookRegistry();
    const names: string[] = [];
    registry.register('BeforeAgentExecution', (ctx) => void names.push(ctx.component.name));
    await ask(guarded(textModel('x'), registry, { name: 'support-agent' }));
    expect(names).toEqual(['support-agent']);
  });

  it('a call with no hooks registered is the model call, unchanged', async () => {
    const mock = textModel('plain');
    const result = await ask(guarded(mock, new HookRegistry()));
    expect(result.text).toBe('plain');
    expect(mock.doGenerateCalls).toHaveLength(1);
  });

  it('a hook that throws fails open: the call goes on', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => {
      throw new Error('policy bug');
    });
    const result = await ask(guarded(textModel('still here'), registry));
    expect(result.text).toBe('still here');
  });

  it('a hook that throws at a failClosed point cancels the call', async () => {
    const registry = new HookRegistry();
    registry.configurePoint('BeforeAgentExecution', { failClosed: true });
    registry.register(
      'BeforeAgentExecution',
      () => {
        throw new Error('policy bug');
      },
      { name: 'strict' },
    );
    const mock = textModel('never');
    const error = await rejectionOf(ask(guarded(mock, registry)));
    expect(CallCancelledError.isInstance(error)).toBe(true);
    expect((error as CallCancelledError).code).toBe('HOOKSPELL_MODEL_CALL_CANCELLED');
    expect(mock.doGenerateCalls).toHaveLength(0);
  });
});

describe('hookspellMiddleware: before-hook results', () => {
  it('cancel stops the call with CallCancelledError naming the hook, the point and the reason', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.cancel('prompt mentions a password'), {
      name: 'no-secrets',
    });
    const mock = textModel('never');
    const error = await rejectionOf(ask(guarded(mock, registry)));
    expect(error).toBeInstanceOf(CallCancelledError);
    const e = error as CallCancelledError;
    expect(e.code).toBe('HOOKSPELL_MODEL_CALL_CANCELLED');
    expect([e.kind, e.target, e.phase, e.point, e.hook, e.reason]).toEqual([
      'model',
      'mock-model-id',
      'before',
      'BeforeAgentExecution',
      'no-secrets',
      'prompt mentions a password',
    ]);
    expect(e.message).toBe(
      "[hookspell] [ai-sdk] the call to model 'mock-model-id' was not made: hook 'no-secrets' cancelled it at BeforeAgentExecution: prompt mentions a password",
    );
    expect(e.outcome.decision.type).toBe('cancel');
    expect(mock.doGenerateCalls).toHaveLength(0);
  });

  it('modified changes the messages and the settings the model gets (settings merge; null removes one)', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', (ctx) =>
      HookResult.modified({
        messages: [{ role: 'system', content: 'Answer briefly.' }, ...ctx.data.messages],
        settings: { temperature: 0, maxOutputTokens: null },
      }),
    );
    const mock = textModel('ok');
    await generateText({
      model: guarded(mock, registry),
      prompt: 'hi',
      temperature: 0.9,
      maxOutputTokens: 99,
      topP: 0.5,
    });
    const call = mock.doGenerateCalls[0]!;
    expect(call.prompt).toEqual([
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    ]);
    expect([call.temperature, call.maxOutputTokens, call.topP]).toEqual([0, undefined, 0.5]);
  });

  it('modified prompt (a string) rewrites the text of the last user message, as a Claude Code prompt hook would', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', (ctx) =>
      HookResult.modified({ prompt: String(ctx.data.prompt).replace(/[\w.]+@[\w.]+/g, '<email>') }),
    );
    const mock = textModel('ok');
    await generateText({
      model: guarded(mock, registry),
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'mail ann@example.com the report' },
      ],
    });
    const sent = mock.doGenerateCalls[0]!.prompt;
    expect(sent[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'first question' }] });
    expect(sent[2]).toEqual({ role: 'user', content: [{ type: 'text', text: 'mail <email> the report' }] });
  });

  it('modified messages that are not messages, or a prompt that is not a string, is HOOKSPELL_INVALID_HOOK_VALUE naming the hook; the model is not called', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeAgentExecution',
      (ctx) =>
        HookResult.modified(ctx.data.prompt === 'a' ? { messages: 'just a string' } : { prompt: ['x'] }),
      { name: 'rewriter' },
    );
    const mock = textModel('never');
    const a = await rejectionOf(ask(guarded(mock, registry), 'a'));
    expect(AiSdkError.isInstance(a)).toBe(true);
    expect((a as AiSdkError).code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect((a as Error).message).toContain(
      "hook 'rewriter' at BeforeAgentExecution answered modified({ messages })",
    );
    expect((a as Error).message).toContain('not an array of messages');
    const b = await rejectionOf(ask(guarded(mock, registry), 'b'));
    expect((b as Error).message).toContain(
      "hook 'rewriter' at BeforeAgentExecution answered modified({ prompt })",
    );
    expect(mock.doGenerateCalls).toHaveLength(0);
  });

  it('a misspelt setting is HOOKSPELL_INVALID_HOOK_VALUE suggesting the right name', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.modified({ settings: { temprature: 0 } }), {
      name: 'cool',
    });
    const error = await rejectionOf(ask(guarded(textModel('never'), registry)));
    expect((error as AiSdkError).code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect((error as Error).message).toContain(
      "'temprature' is not a call setting (did you mean 'temperature'?)",
    );
  });

  it('replace answers without calling the model: a string, or { text } / { content, finishReason, usage }', async () => {
    const registry = new HookRegistry();
    const replies: unknown[] = [
      'canned answer',
      { text: 'from text', finishReason: 'length' },
      { content: [{ type: 'text', text: 'from content' }], usage: usage(1, 2) },
    ];
    let i = 0;
    registry.register('BeforeAgentExecution', () => HookResult.replace(replies[i++]));
    const mock = textModel('never');
    const model = guarded(mock, registry);
    const a = await ask(model);
    const b = await ask(model);
    const c = await ask(model);
    expect([a.text, b.text, c.text]).toEqual(['canned answer', 'from text', 'from content']);
    expect([a.finishReason, b.finishReason]).toEqual(['stop', 'length']);
    expect(a.usage.inputTokens).toBe(0);
    expect(c.usage.outputTokens).toBe(2);
    expect(mock.doGenerateCalls).toHaveLength(0);
  });

  it.each([
    [42, 'it is a number'],
    [{ foo: 1 }, 'neither `text`'],
    [{ content: [{ type: 'text' }] }, 'content[0] (text) needs a string `text`'],
    [{ text: 'x', finishReason: 'done' }, 'finishReason "done" is not a finish reason'],
  ])('replace(%j) is HOOKSPELL_INVALID_HOOK_VALUE: %s', async (value, problem) => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.replace(value), { name: 'canned' });
    const error = await rejectionOf(ask(guarded(textModel('never'), registry)));
    expect((error as AiSdkError).code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect((error as Error).message).toContain("hook 'canned' at BeforeAgentExecution answered replace()");
    expect((error as Error).message).toContain(problem);
  });

  it('cache serves later calls with the same key from the first answer', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', (ctx) => {
      const text = JSON.stringify(ctx.data.messages);
      return HookResult.cache(`answer:${text}`, 60_000);
    });
    const mock = textModel('first', 'second', 'third');
    const model = guarded(mock, registry);
    const a = await ask(model, 'same question');
    const b = await ask(model, 'same question');
    const c = await ask(model, 'another question');
    expect([a.text, b.text, c.text]).toEqual(['first', 'first', 'second']);
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('retry runs the before-hooks again (attempt 2) and then calls the model once; past maxAttempts it is HOOKSPELL_RETRY_EXHAUSTED', async () => {
    const registry = new HookRegistry();
    const attempts: unknown[] = [];
    registry.register('BeforeAgentExecution', (ctx) => {
      attempts.push(ctx.data.attempt);
      return ctx.data.attempt === 1 ? HookResult.retry(0, 2) : undefined;
    });
    const mock = textModel('after retry');
    expect((await ask(guarded(mock, registry))).text).toBe('after retry');
    expect(attempts).toEqual([1, 2]);
    expect(mock.doGenerateCalls).toHaveLength(1);

    const always = new HookRegistry();
    always.register('BeforeAgentExecution', () => HookResult.retry(0, 3));
    const never = textModel('never');
    const error = await rejectionOf(ask(guarded(never, always)));
    expect((error as AiSdkError).code).toBe('HOOKSPELL_RETRY_EXHAUSTED');
    expect((error as Error).message).toContain('after 3 attempt(s)');
    expect(never.doGenerateCalls).toHaveLength(0);
  });

  it('redirect calls the model the `redirect` option names, with the same prompt', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.redirect('cheap'));
    const main = textModel('main');
    const cheap = new MockLanguageModelV3({
      modelId: 'cheap-model',
      doGenerate: async () => answer('cheap answer'),
    });
    const model = guarded(main, registry, { redirect: (target) => (target === 'cheap' ? cheap : undefined) });
    expect((await ask(model, 'route me')).text).toBe('cheap answer');
    expect(main.doGenerateCalls).toHaveLength(0);
    expect(cheap.doGenerateCalls[0]?.prompt).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'route me' }] },
    ]);

    const error = await rejectionOf(ask(guarded(textModel('x'), registry)));
    expect((error as AiSdkError).code).toBe('HOOKSPELL_REDIRECT_UNHANDLED');
    expect((error as Error).message).toContain("redirect('cheap')");
  });

  it('fork runs its operations through the `fork` handler beside the call; without one it is HOOKSPELL_FORK_UNHANDLED', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.fork([{ id: 'audit-1', type: 'audit' }]));
    let forksSeen: unknown;
    registry.register('AfterAgentExecution', (ctx) => void (forksSeen = ctx.data.forks));
    const ran: string[] = [];
    const model = guarded(textModel('ok'), registry, {
      fork: async (op, { phase }) => {
        ran.push(`${op.type}@${phase}`);
        return 'logged';
      },
    });
    expect((await ask(model)).text).toBe('ok');
    expect(ran).toEqual(['audit@before']);
    expect(forksSeen).toEqual([{ id: 'audit-1', type: 'audit', status: 'fulfilled', value: 'logged' }]);

    const error = await rejectionOf(ask(guarded(textModel('x'), registry)));
    expect((error as AiSdkError).code).toBe('HOOKSPELL_FORK_UNHANDLED');
  });

  it('skipped is reported, never acted on', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.skipped('not my model'));
    const outcomes: HookOutcome[] = [];
    const model = guarded(textModel('ok'), registry, { onOutcome: (_, o) => void outcomes.push(o) });
    expect((await ask(model)).text).toBe('ok');
    expect(outcomes[0]?.records[0]?.result).toEqual({ type: 'skipped', reason: 'not my model' });
  });
});

describe('hookspellMiddleware: after-hook results', () => {
  it('modified text replaces the answer text; modified content replaces the parts', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      HookResult.modified({ text: String(ctx.data.text).replace(/\d{4}-\d{4}/g, '[card]') }),
    );
    const result = await ask(guarded(textModel('your card is 1234-5678'), registry));
    expect(result.text).toBe('your card is [card]');

    const other = new HookRegistry();
    other.register('AfterAgentExecution', () =>
      HookResult.modified({
        content: [
          { type: 'reasoning', text: 'thought' },
          { type: 'text', text: 'rewritten' },
        ],
      }),
    );
    const rewritten = await ask(guarded(textModel('original'), other));
    expect(rewritten.text).toBe('rewritten');
    expect(rewritten.reasoningText).toBe('thought');
  });

  it('a modified text that is not a string is HOOKSPELL_INVALID_HOOK_VALUE naming the hook', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', () => HookResult.modified({ text: 7 }), {
      name: 'bad-redactor',
    });
    const error = await rejectionOf(ask(guarded(textModel('x'), registry)));
    expect((error as AiSdkError).code).toBe('HOOKSPELL_INVALID_HOOK_VALUE');
    expect((error as Error).message).toContain(
      "hook 'bad-redactor' at AfterAgentExecution answered modified({ text })",
    );
  });

  it('replace gives another answer; cancel withholds the answer (phase after)', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      String(ctx.data.text).includes('secret')
        ? HookResult.cancel('the answer leaks a secret')
        : HookResult.replace('replaced'),
    );
    expect((await ask(guarded(textModel('harmless'), registry))).text).toBe('replaced');
    const error = await rejectionOf(ask(guarded(textModel('the secret is 42'), registry)));
    expect(CallCancelledError.isInstance(error)).toBe(true);
    expect((error as CallCancelledError).phase).toBe('after');
    expect((error as Error).message).toContain("the answer of model 'mock-model-id' was withheld");
  });

  it('retry calls the model again, up to maxAttempts; then the last answer stands', async () => {
    const registry = new HookRegistry();
    registry.register('AfterAgentExecution', (ctx) =>
      String(ctx.data.text).startsWith('bad') ? HookResult.retry(0, 3) : undefined,
    );
    const mock = textModel('bad 1', 'good');
    expect((await ask(guarded(mock, registry))).text).toBe('good');
    expect(mock.doGenerateCalls).toHaveLength(2);

    const stubborn = textModel('bad 1', 'bad 2', 'bad 3', 'bad 4');
    expect((await ask(guarded(stubborn, registry))).text).toBe('bad 3');
    expect(stubborn.doGenerateCalls).toHaveLength(3);
  });

  it('cache at after stores the answer under the key, for a before-hook to serve', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeAgentExecution', () => HookResult.cache('k', 60_000));
    registry.register('AfterAgentExecution', () => HookResult.cache('k', 60_000));
    const mock = textModel('stored', 'never');
    const model = guarded(mock, registry);
    await ask(model);
    expect((await ask(model)).text).toBe('stored');
    expect(mock.doGenerateCalls).toHaveLength(1);
  });
});

describe('hookspellMiddleware: AgentError', () => {
  const failing = (...outcomes: (Error | string)[]) => {
    let i = 0;
    return new MockLanguageModelV3({
      doGenerate: async () => {
        const next = outcomes[Math.min(i++, outcomes.length - 1)]!;
        if (next instanceof Error) throw next;
        return answer(next);
      },
    });
  };

  it('sees the error; without a recovery the model error reaches the caller unchanged', async () => {
    const registry = new HookRegistry();
    const errors: unknown[] = [];
    registry.register('AgentError', (ctx) => void errors.push(ctx.data.error));
    const boom = new Error('provider down');
    const error = await rejectionOf(ask(guarded(failing(boom), registry)));
    expect(error).toBe(boom);
    expect(errors).toEqual([boom]);
  });

  it('replace recovers with an answer, retry calls again, cancel throws CallCancelledError with the error as cause', async () => {
    const recover = new HookRegistry();
    recover.register('AgentError', () => HookResult.replace('fallback answer'));
    expect((await ask(guarded(failing(new Error('down')), recover))).text).toBe('fallback answer');

    const again = new HookRegistry();
    again.register('AgentError', () => HookResult.retry(0, 3));
    const flaky = failing(new Error('blip'), 'second try');
    expect((await ask(guarded(flaky, again))).text).toBe('second try');
    expect(flaky.doGenerateCalls).toHaveLength(2);

    const stop = new HookRegistry();
    stop.register('AgentError', () => HookResult.cancel('give up'), { name: 'stopper' });
    const cause = new Error('down');
    const error = await rejectionOf(ask(guarded(failing(cause), stop)));
    expect((error as CallCancelledError).phase).toBe('error');
    expect((error as Error).cause).toBe(cause);
  });

  it('the retry built-in retries a 503 from the model at AgentError', async () => {
    const { retry } = await import('@hookspell/builtins');
    const registry = new HookRegistry();
    retry({ maxAttempts: 3, initialDelayMs: 1 }).register(registry);
    const busy = Object.assign(new Error('busy'), { status: 503 });
    const flaky = failing(busy, busy, 'third time');
    expect((await ask(guarded(flaky, registry))).text).toBe('third time');
    expect(flaky.doGenerateCalls).toHaveLength(3);
  });
});

describe('hookspellMiddleware with the costTracking built-in', () => {
  it('prices data.token_usage at AfterAgentExecution, reports the cost, and stops calls over budget', async () => {
    const registry = new HookRegistry();
    const costs = costTracking({
      prices: { 'mock-provider': { 'mock-model-id': { input: 1, output: 2 } } }, // per 1K tokens
      alertThresholds: [0.03],
      scopes: ['model'],
    });
    costs.register(registry);
    const events: { type: string; data: Record<string, unknown> }[] = [];
    const bus = {
      publish: (type: string, data: Record<string, unknown>) => void events.push({ type, data }),
    };
    const mock = textModel('priced');
    const model = guarded(mock, registry, { bus });
    await ask(model); // 10 input + 5 output tokens = 0.01 + 0.01
    expect(costs.total('model', 'mock-model-id')).toBeCloseTo(0.02, 10);
    expect(events.find((e) => e.type === 'model.call.finished')?.data.cost).toBeCloseTo(0.02, 10);
    // The second call takes the total to 0.04, above 0.03: its answer is withheld…
    const second = await rejectionOf(ask(model));
    expect((second as CallCancelledError).phase).toBe('after');
    expect((second as CallCancelledError).reason).toContain('cost budget exceeded');
    // …and the third is not made at all.
    const third = await rejectionOf(ask(model));
    expect((third as CallCancelledError).phase).toBe('before');
    expect(mock.doGenerateCalls).toHaveLength(2);
  });
});

describe('hookspellMiddleware: lifecycle events on the bus', () => {
  it('publishes started/finished with usage, and cancelled/failed, never the prompt', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeAgentExecution',
      (ctx) => (String(ctx.data.prompt).includes('forbidden') ? HookResult.cancel('no') : undefined),
      { name: 'gate' },
    );
    const events: { type: string; data: Record<string, unknown> }[] = [];
    const bus = {
      publish: (type: string, data: Record<string, unknown>) => void events.push({ type, data }),
    };
    const model = guarded(textModel('fine'), registry, { bus });
    await ask(model, 'allowed');
    await rejectionOf(ask(model, 'forbidden'));
    expect(events.map((e) => e.type)).toEqual([
      'model.call.started',
      'model.call.finished',
      'model.call.started',
      'model.call.cancelled',
    ]);
    expect(events[1]?.data).toMatchObject({
      model: 'mock-model-id',
      provider: 'mock-provider',
      mode: 'generate',
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      source: 'call',
      attempts: 1,
    });
    expect(events[3]?.data).toMatchObject({
      phase: 'before',
      point: 'BeforeAgentExecution',
      hook: 'gate',
      reason: 'no',
    });
    expect(JSON.stringify(events)).not.toContain('allowed');
  });

  it('a bus that throws or rejects never fails the call: the problem goes to onWarning', async () => {
    const warnings: Error[] = [];
    const throwing = {
      publish: () => {
        throw new Error('bus full');
      },
    };
    const rejecting = { publish: () => Promise.reject(new Error('bus closed')) };
    for (const bus of [throwing, rejecting]) {
      const model = guarded(textModel('ok'), new HookRegistry(), {
        bus,
        onWarning: (w) => void warnings.push(w),
      });
      expect((await ask(model)).text).toBe('ok');
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(warnings.map((w) => (w as AiSdkError).code)).toEqual(
      Array(4).fill('HOOKSPELL_EVENT_PUBLISH_FAILED'),
    );
    expect(warnings[0]?.message).toContain("the bus refused the event 'model.call.started' (bus full)");
  });
});

describe('hookspellMiddleware: options', () => {
  it('refuses a missing executor and an unknown stream mode with HOOKSPELL_INVALID_ARGUMENT', () => {
    expect(() => hookspellMiddleware({} as never)).toThrow(/`executor` is required/);
    expect(() =>
      hookspellMiddleware({ executor: new HookExecutor(new HookRegistry()), stream: 'fast' as never }),
    ).toThrow(/`stream` is "fast"/);
  });
});
