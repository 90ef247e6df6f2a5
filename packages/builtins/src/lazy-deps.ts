import { createRequire } from 'node:module';

// pino (logging), cockatiel (retry), limiter (rateLimit) and lru-cache (caching, metrics, rate
// limit, cost tracking) are loaded when a built-in that needs them is made, not when
// @hookspell/builtins is imported: a host — or a `hookspell claude-code hook` process, started once
// per tool call — that uses only `security` should not pay for them (measured: importing pino alone
// added ~50 ms to a 60 ms process start). A synchronous require keeps the factories synchronous
// (limiter is ESM: Node ≥ 20.19 loads it through require).
const require = createRequire(import.meta.url);

let pinoModule: typeof import('pino') | undefined;
export function loadPino(): typeof import('pino') {
  pinoModule ??= require('pino') as typeof import('pino');
  return pinoModule;
}

let cockatielModule: typeof import('cockatiel') | undefined;
export function loadCockatiel(): typeof import('cockatiel') {
  cockatielModule ??= require('cockatiel') as typeof import('cockatiel');
  return cockatielModule;
}

let limiterModule: typeof import('limiter') | undefined;
export function loadLimiter(): typeof import('limiter') {
  limiterModule ??= require('limiter') as typeof import('limiter');
  return limiterModule;
}

let lruCacheModule: typeof import('lru-cache') | undefined;
export function loadLruCache(): typeof import('lru-cache') {
  lruCacheModule ??= require('lru-cache') as typeof import('lru-cache');
  return lruCacheModule;
}
