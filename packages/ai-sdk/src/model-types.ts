import type { LanguageModelMiddleware } from 'ai';

// The AI SDK exports the middleware type but not the provider-level (v3) types it is made of, and
// this package takes no dependency on `@ai-sdk/provider`: the types are read off the middleware.

type WrapGenerateOptions = Parameters<NonNullable<LanguageModelMiddleware['wrapGenerate']>>[0];

/** The options of one model call (`LanguageModelV3CallOptions`). */
export type CallOptions = WrapGenerateOptions['params'];
/** A provider-level language model (`LanguageModelV3`). */
export type Model = WrapGenerateOptions['model'];
/** What `doGenerate` resolves to (`LanguageModelV3GenerateResult`). */
export type GenerateResult = Awaited<ReturnType<Model['doGenerate']>>;
/** What `doStream` resolves to (`LanguageModelV3StreamResult`). */
export type StreamResult = Awaited<ReturnType<Model['doStream']>>;
/** One part of a model's stream (`LanguageModelV3StreamPart`). */
export type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;
/** One part of a model's answer (`LanguageModelV3Content`). */
export type Content = GenerateResult['content'][number];
/** A model's token usage (`LanguageModelV3Usage`). */
export type Usage = GenerateResult['usage'];
/** Why a model stopped (`LanguageModelV3FinishReason`). */
export type FinishReason = GenerateResult['finishReason'];
/** The prompt of one call (`LanguageModelV3Prompt`). */
export type Prompt = CallOptions['prompt'];

/** Token usage in the shape the `costTracking` built-in reads (`data.token_usage`). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** The model id. */
  model: string;
  /** The provider, up to its first dot (`openai.chat` → `openai`), as price tables name it. */
  provider: string;
}

/** Token usage flattened the way the AI SDK reports it to users (`LanguageModelUsage`). */
export interface UsageSummary {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  totalTokens: number | undefined;
  reasoningTokens: number | undefined;
  cachedInputTokens: number | undefined;
}
