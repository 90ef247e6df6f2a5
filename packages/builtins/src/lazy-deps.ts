import { createRequire } from 'node:module';

// pino (logging), cockatiel (retry), limiter (rateLimit) and lru-cache (caching, metrics, rate
// limit, cost tracking) are loaded when a built-in that needs them is made, not when
// @hookspell/builtins is imported: a host — or a `hookspell claude-code hook` process, started once
// per tool call — that uses only `security` should not pay for them (measured: importing pino alone
// added ~50 ms to a 60 ms process start). A synchronous require keeps the factories synchronous
// (limiter is ESM: Node ≥ 20.19 loads it through require).
const require = createRequire(import.meta.url);

// require() keeps each module after its first load: no cache of our own.
export const loadPino = (): typeof import('pino') => require('pino');
export const loadCockatiel = (): typeof import('cockatiel') => require('cockatiel');
export const loadLimiter = (): typeof import('limiter') => require('limiter');
export const loadLruCache = (): typeof import('lru-cache') => require('lru-cache');
