import type { Content, FinishReason, GenerateResult, StreamPart, Usage } from './model-types.js';
import { NO_USAGE } from './model-values.js';

/**
 * Builds a streamed answer's final form (a `GenerateResult`) from its parts as they pass: text and
 * reasoning deltas joined per part id in the order the parts started, tool calls and other whole
 * parts in place, usage and finish reason from the `finish` part.
 */
export class AnswerBuilder {
  readonly content: Content[] = [];
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  providerMetadata: GenerateResult['providerMetadata'];
  warnings: GenerateResult['warnings'] = [];
  response: GenerateResult['response'];
  /** The first `error` part's error, if any. */
  error: unknown;
  hasError = false;
  // Open text and reasoning parts by id (two maps: no key built per delta).
  private readonly openText = new Map<string, { type: 'text'; text: string }>();
  private readonly openReasoning = new Map<string, { type: 'reasoning'; text: string }>();

  add(part: StreamPart): void {
    switch (part.type) {
      case 'text-delta':
        this.slot(this.openText, 'text', part.id).text += part.delta;
        break;
      case 'reasoning-delta':
        this.slot(this.openReasoning, 'reasoning', part.id).text += part.delta;
        break;
      case 'text-start':
        this.open(this.openText, 'text', part.id);
        break;
      case 'reasoning-start':
        this.open(this.openReasoning, 'reasoning', part.id);
        break;
      case 'text-end':
        this.openText.delete(part.id);
        break;
      case 'reasoning-end':
        this.openReasoning.delete(part.id);
        break;
      case 'tool-call':
      case 'tool-result':
      case 'tool-approval-request':
      case 'file':
      case 'source':
        this.content.push(part as Content);
        break;
      case 'stream-start':
        this.warnings = part.warnings;
        break;
      case 'response-metadata': {
        const { type: _type, ...metadata } = part;
        this.response = metadata;
        break;
      }
      case 'finish':
        this.usage = part.usage;
        this.finishReason = part.finishReason;
        this.providerMetadata = part.providerMetadata;
        break;
      case 'error':
        if (!this.hasError) {
          this.hasError = true;
          this.error = part.error;
        }
        break;
      default:
        // tool-input-* (the tool call follows whole), raw: not part of the final answer.
        break;
    }
  }

  private open<T extends 'text' | 'reasoning'>(
    map: Map<string, { type: T; text: string }>,
    type: T,
    id: string,
  ): { type: T; text: string } {
    const slot = { type, text: '' };
    map.set(id, slot);
    this.content.push(slot as Content);
    return slot;
  }

  // A delta without a start (some providers) opens its part.
  private slot<T extends 'text' | 'reasoning'>(
    map: Map<string, { type: T; text: string }>,
    type: T,
    id: string,
  ): { type: T; text: string } {
    return map.get(id) ?? this.open(map, type, id);
  }

  result(): GenerateResult {
    const result: GenerateResult = {
      content: this.content,
      finishReason: this.finishReason ?? { unified: 'other', raw: undefined },
      usage: this.usage ?? NO_USAGE,
      warnings: this.warnings,
    };
    if (this.providerMetadata !== undefined) result.providerMetadata = this.providerMetadata;
    if (this.response !== undefined) result.response = this.response;
    return result;
  }
}

/**
 * The parts that stream `result`: `stream-start`, the response metadata, each text and reasoning
 * part as start / one delta / end, every other part whole, and `finish`.
 */
export function partsOf(result: GenerateResult): StreamPart[] {
  const parts: StreamPart[] = [{ type: 'stream-start', warnings: result.warnings ?? [] }];
  const r = result.response;
  if (r !== undefined && (r.id !== undefined || r.modelId !== undefined || r.timestamp !== undefined)) {
    parts.push({ type: 'response-metadata', id: r.id, modelId: r.modelId, timestamp: r.timestamp });
  }
  result.content.forEach((part, i) => {
    if (part.type === 'text' || part.type === 'reasoning') {
      const id = String(i);
      const [start, delta, end] =
        part.type === 'text'
          ? (['text-start', 'text-delta', 'text-end'] as const)
          : (['reasoning-start', 'reasoning-delta', 'reasoning-end'] as const);
      parts.push({ type: start, id }, { type: delta, id, delta: part.text }, { type: end, id });
    } else {
      parts.push(part as StreamPart);
    }
  });
  const finish: StreamPart = { type: 'finish', usage: result.usage, finishReason: result.finishReason };
  if (result.providerMetadata !== undefined) finish.providerMetadata = result.providerMetadata;
  parts.push(finish);
  return parts;
}

/** A stream of `parts`. */
export function streamOf(parts: readonly StreamPart[]): ReadableStream<StreamPart> {
  let i = 0;
  return new ReadableStream<StreamPart>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
  });
}
