/** Price of one model, per 1 000 tokens, in the table's currency. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Least a call costs. @default the table's `minimumCharge` */
  minimumCharge?: number;
}

/** Prices by provider, then model; `'*'` is the fallback of a provider (or of all providers). */
export type PriceTable = Record<string, Record<string, ModelPrice>>;

/**
 * A small default table (USD per 1K tokens, list prices of late 2024). Prices change: pass your
 * own `prices` (merged over this one) for anything that bills you.
 */
export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  openai: {
    'gpt-4o': { input: 0.0025, output: 0.01 },
    'gpt-4o-mini': { input: 0.00015, output: 0.0006 },
    'gpt-4-turbo': { input: 0.01, output: 0.03 },
    'gpt-3.5-turbo': { input: 0.0005, output: 0.0015 },
  },
  anthropic: {
    'claude-3-5-sonnet': { input: 0.003, output: 0.015 },
    'claude-3-5-haiku': { input: 0.0008, output: 0.004 },
    'claude-3-opus': { input: 0.015, output: 0.075 },
  },
  google: {
    'gemini-1.5-pro': { input: 0.00125, output: 0.005 },
    'gemini-1.5-flash': { input: 0.000075, output: 0.0003 },
  },
});

/** `overrides` merged over `base`, provider by provider. */
export function mergePrices(base: Readonly<PriceTable>, overrides: PriceTable | undefined): PriceTable {
  const out: PriceTable = {};
  for (const [provider, models] of Object.entries(base)) out[provider] = { ...models };
  for (const [provider, models] of Object.entries(overrides ?? {}))
    out[provider] = { ...out[provider], ...models };
  return out;
}

/**
 * The price of `model` at `provider`: exact, then the longest model-name prefix (dated model ids
 * such as `gpt-4o-2024-08-06`), then the provider's `'*'`, then the table's `'*'`.
 */
export function priceOf(table: PriceTable, provider: string, model: string): ModelPrice | undefined {
  const models = table[provider];
  if (models !== undefined) {
    if (models[model] !== undefined) return models[model];
    let best: string | undefined;
    for (const name of Object.keys(models)) {
      if (name !== '*' && model.startsWith(name) && (best === undefined || name.length > best.length))
        best = name;
    }
    if (best !== undefined) return models[best];
    if (models['*'] !== undefined) return models['*'];
  }
  return table['*']?.['*'];
}
