import { createRequire } from 'node:module';

// pino (logging) and cockatiel (retry) are loaded when the built-in that needs them is made, not
// when @hookspell/builtins is imported: a host — or a `hookspell claude-code hook` process, started
// once per tool call — that uses only `security` or `rateLimit` should not pay for them (measured:
// importing pino alone added ~50 ms to a 60 ms process start). Both are CommonJS, so a synchronous
// require keeps the factories synchronous.
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
