/**
 * Node's `util.inspect` hook, by its registered symbol so the package needs no `node:util`.
 *
 * The context, outcome and record classes format their ids on first read (a getter) and keep the
 * raw sequence numbers in fields; without this, `console.log(outcome)` would show `corr` and
 * `fireSeq` instead of `correlationId`. Each returns the public shape instead.
 * @internal
 */
export const inspectView: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
