import { HookExecutor, type HookOutcome, HookRegistry } from '@hookspell/hooks';
import { MockLanguageModelV3 } from 'ai/test';
import type { GenerateResult, StreamPart, Usage } from '../src/index.js';

export const usage = (input: number, output: number): Usage => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

export function answer(text: string, tokens: [number, number] = [10, 5]): GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: usage(...tokens),
    warnings: [],
  };
}

export function toolCall(toolName: string, input: unknown, toolCallId = `call-${toolName}`): GenerateResult {
  return {
    content: [{ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
    usage: usage(20, 8),
    warnings: [],
  };
}

/** A mock model answering `texts` in turn (the last one again when they run out). */
export function textModel(...texts: string[]): MockLanguageModelV3 {
  let i = 0;
  return new MockLanguageModelV3({
    doGenerate: async () => answer(texts[Math.min(i++, texts.length - 1)]!),
    doStream: async () => ({ stream: partsStream(textParts(texts[Math.min(i++, texts.length - 1)]!)) }),
  });
}

export function textParts(text: string, tokens: [number, number] = [10, 5]): StreamPart[] {
  const words = text.split(/(?<= )/);
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't1' },
    ...words.map((delta): StreamPart => ({ type: 'text-delta', id: 't1', delta })),
    { type: 'text-end', id: 't1' },
    { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(...tokens) },
  ];
}

export function partsStream(parts: readonly StreamPart[]): ReadableStream<StreamPart> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
  });
}

/** A stream the test feeds by hand: `push(part)`, `close()`. */
export function manualStream(): {
  stream: ReadableStream<StreamPart>;
  push(part: StreamPart): void;
  close(): void;
} {
  let controller!: ReadableStreamDefaultController<StreamPart>;
  const stream = new ReadableStream<StreamPart>({ start: (c) => void (controller = c) });
  return { stream, push: (p) => controller.enqueue(p), close: () => controller.close() };
}

export function setup(): { registry: HookRegistry; executor: HookExecutor; outcomes: HookOutcome[] } {
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry);
  return { registry, executor, outcomes: [] };
}

/** Settles `promise` and returns what it rejected with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}
