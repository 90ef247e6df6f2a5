/**
 * Script callbacks nested inside each other, all scripts together. Subscribers that publish to
 * each other in a ring nest every call inside the last one, each level holding an engine's frames
 * and the bus's on Node's stack: past this many levels a call fails with a `ScriptError` instead
 * of overflowing it (16 levels of 16 QuickJS scripts already reach QuickJS's stack limit, 32
 * scripts Node's). One script alone stops at 16 levels (each engine's own bound).
 * @internal
 */
export const MAX_SCRIPT_NESTING = 64;

/**
 * How many script callbacks are on the stack now, across engines and scripts; an engine
 * increments it around each call into a script and checks it against `MAX_SCRIPT_NESTING`.
 * @internal
 */
export const scriptNesting = { depth: 0 };
