import type { BatchOp } from '@hookspell/storage';
import type { HookspellEvent } from './event.js';
import { correlationPart, groupSequences, pad, type StoredSegment, typePart } from './log-layout.js';

/**
 * The storage operations that remove `victims` (the oldest events of one segment) from the log:
 * the segment row is deleted or rewritten with the events kept, and every index row of the
 * segment is deleted or rewritten with the sequences kept. Needs nothing but the segment itself.
 */
export function pruneSegmentOps(
  prefix: string,
  segment: number,
  stored: StoredSegment,
  victims: number,
  indexTypes: boolean,
): BatchOp[] {
  const events = stored.events;
  const kept = events.slice(victims);
  const seg = pad(segment);
  const ops: BatchOp[] = [];
  if (kept.length === 0) {
    ops.push({ type: 'delete', key: `${prefix}seg/${seg}` });
    for (const key of stored.idRows ?? []) ops.push({ type: 'delete', key });
  } else {
    // The ids rows stay: they locate the kept events (a lookup of a pruned id finds nothing).
    ops.push({ type: 'set', key: `${prefix}seg/${seg}`, value: { ...stored, events: kept } as never });
  }
  const rewrite = (index: string, part: (e: HookspellEvent) => string | undefined) => {
    const before = groupSequences(events, part);
    const after = groupSequences(kept, part);
    for (const key of before.keys()) {
      const rowKey = `${prefix}${index}/${key}/${seg}`;
      const left = after.get(key);
      if (left === undefined) ops.push({ type: 'delete', key: rowKey });
      else if (left.length !== before.get(key)!.length) ops.push({ type: 'set', key: rowKey, value: left });
    }
  };
  rewrite('corr', correlationPart);
  if (indexTypes) rewrite('type', typePart);
  return ops;
}
