import { randomBytes, randomInt } from 'node:crypto';

// One clock per process, shared by every bus: sequences never repeat within a process.
let last = 0;

// Each process starts every millisecond at its own random place among the 1000 sequence numbers
// of that millisecond. Several processes may write one event log (Claude Code starts a
// `hookspell claude-code hook` process per tool call, in parallel); a log segment is keyed by its
// first sequence, so two processes starting a segment in the same millisecond at the same number
// would write the same key, and one segment would replace the other. With a lane per process that
// takes the same millisecond and the same lane (1 in 1000). A log shared by many writers is
// designed properly in the scale-out work; this keeps the common case from losing events.
const LANE = randomInt(0, 1000);

/**
 * The next sequence number: `now × 1000` plus this process's lane when the clock moved on, else
 * the previous one plus 1. Strictly increasing, ordered like time across restarts, never below
 * `now × 1000`, so a time range maps to a sequence range (what the event log's key layout relies
 * on). Past the millisecond's numbers it runs slightly ahead of the clock and catches up.
 */
export function nextSequence(now: number): number {
  const candidate = now * 1000 + LANE;
  last = candidate > last ? candidate : last + 1;
  return last;
}

/** The millisecond a sequence number was issued in (approximately, under bursts). */
export function sequenceTime(sequence: number): number {
  return Math.floor(sequence / 1000);
}

// A per-process prefix (start time + randomness): `prefix + counter` is unique without a UUID per
// event (crypto.randomUUID per event costs two thirds of the publish hot path) and cheap to format
// (a small-integer counter, where formatting the 16-digit sequence itself cost more than the rest
// of a publish).
/** Prefix of every event id made by this process. */
export const PROCESS_PREFIX = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-`;
// Formatting a number per event costs ~20 ns; instead the id is a block prefix (re-formatted every
// 1024 events) joined with one of 1024 precomputed suffixes.
const SUFFIXES = Array.from({ length: 1024 }, (_, i) => String(i).padStart(4, '0'));
let counter = 0;
let block = `${PROCESS_PREFIX}0`;

/** A unique event id: a per-process prefix and a counter (`lx3k9a-1f2e3d4c-0000012`). */
export function nextEventId(): string {
  const low = counter & 1023;
  if (low === 0) block = PROCESS_PREFIX + counter / 1024;
  counter++;
  return block + SUFFIXES[low]!;
}
