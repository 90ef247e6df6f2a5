import { MemoryStorage } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { buildTimeline, EventBus, EventLog, type HookspellEvent } from '../src/index.js';

let seq = 1;
function ev(id: string, type: string, data: Record<string, unknown>, causationId?: string): HookspellEvent {
  return {
    id,
    type,
    data,
    language: 'native',
    timestamp: 1_000 + seq,
    sequence: 1_000_000 + seq++,
    metadata: { correlationId: 'run', causationId, tags: [], priority: 0 },
    schemaVersion: '1.0',
  };
}

describe('buildTimeline', () => {
  it('keeps fires of different processes apart even when their fire numbers collide', () => {
    const a = 'lx1a-0000000a-';
    const b = 'lx1b-0000000b-';
    const events = [
      ev(`${a}1`, 'hook.fire.started', { fireSeq: 1 }),
      ev(`${a}2`, 'hook.execution.completed', { fireSeq: 1, executionId: 'x1' }),
      ev(`${b}1`, 'hook.fire.started', { fireSeq: 1 }),
      ev(`${b}2`, 'hook.execution.completed', { fireSeq: 1, executionId: 'x2' }),
    ];
    const t = buildTimeline('run', events);
    expect(t.roots.map((r) => [r.event.id, r.children.map((c) => c.event.id)])).toEqual([
      [`${a}1`, [`${a}2`]],
      [`${b}1`, [`${b}2`]],
    ]);
  });

  it('drops a causation link that would close a cycle', () => {
    const x = ev('x', 'a', {}, 'y');
    const y = ev('y', 'b', {}, 'x');
    const t = buildTimeline('run', [x, y]);
    expect(t.roots).toHaveLength(1);
    expect(t.chains).toHaveLength(1);
  });
});

it('a log reader sees event types another writer added after it was created', async () => {
  const storage = MemoryStorage();
  const reader = new EventLog(storage);
  const writer = new EventBus({ log: new EventLog(storage) });
  await writer.publish('first.type', {}, { durable: true });
  expect(await reader.query({ pattern: 'first.*' })).toHaveLength(1);
  await writer.publish('second.type', {}, { durable: true });
  expect(await reader.query({ pattern: 'second.*' })).toHaveLength(1);
});
