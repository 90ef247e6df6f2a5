import { randomBytes } from 'node:crypto';

// Ids are a per-process random prefix plus a counter: unique enough to join records and events,
// and ~20× cheaper than crypto.randomUUID() (DESIGN.md, "The event envelope…"). The prefix is
// made on first use, not at module load.
let prefix: string | undefined;
let fireSeq = 0;

/** A new fire sequence number; formatted into an id only when someone reads it. */
export function nextFireSeq(): number {
  return ++fireSeq;
}

/** `<process prefix>-<seq in base 36>`, e.g. `k3j9x0ab-1z`. */
export function formatFireId(seq: number): string {
  prefix ??= randomBytes(5).toString('hex');
  return `${prefix}-${seq.toString(36)}`;
}

/** Id of one hook execution within a fire: `<fire id>.<index in the plan>`. */
export function formatExecutionId(fireSeq: number, index: number): string {
  return `${formatFireId(fireSeq)}.${index}`;
}
