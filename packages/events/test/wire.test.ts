import { describe, expect, it } from 'vitest';
import { EventBus, fromWireJSON, type HookspellEvent, toWireJSON } from '../src/index.js';

describe('wire JSON', () => {
  it('round-trips an event through the snake_case form', async () => {
    const bus = new EventBus();
    const event = await bus.publish(
      'tool.started',
      { tool: 'calc', n: [1, 2] },
      {
        correlationId: 'c-1',
        causationId: 'e-0',
        source: 'agent',
        target: 'tool',
        tags: ['a', 'b'],
        priority: 3,
        ttlSeconds: 30,
        language: 'lua',
      },
    );
    const wire = toWireJSON(event);
    expect(wire).toEqual({
      id: event.id,
      event_type: 'tool.started',
      data: { tool: 'calc', n: [1, 2] },
      language: 'lua',
      timestamp: new Date(event.timestamp).toISOString(),
      sequence: event.sequence,
      metadata: {
        correlation_id: 'c-1',
        causation_id: 'e-0',
        source: 'agent',
        target: 'tool',
        tags: ['a', 'b'],
        priority: 3,
        ttl: 30,
      },
      schema_version: '1.0',
    });
    expect(fromWireJSON(JSON.stringify(wire))).toEqual(event);
  });

  it('round-trips an event published without data as one without data, and null as null', async () => {
    const bus = new EventBus();
    const seen: HookspellEvent[] = [];
    bus.subscribe('**', (e) => void seen.push(e));
    const bare = await bus.publish('job.started');
    const nulled = await bus.publish('job.null', null);
    const wire = toWireJSON(bare);
    expect(wire.data).toBeUndefined();
    expect('data' in JSON.parse(JSON.stringify(wire))).toBe(false); // left out of the JSON
    expect(fromWireJSON(JSON.stringify(wire))).toStrictEqual(seen[0]);
    expect(fromWireJSON(wire)).toStrictEqual(seen[0]);
    expect(JSON.parse(JSON.stringify(toWireJSON(nulled))).data).toBeNull();
    expect(fromWireJSON(JSON.stringify(toWireJSON(nulled)))).toStrictEqual(seen[1]);
    // the minimal form without `data` reads as an event without data
    const minimal = { id: 'x', event_type: 'a', timestamp: '2025-01-01T00:00:00Z' };
    expect(fromWireJSON(minimal).data).toBeUndefined();
    expect(fromWireJSON({ ...minimal, data: null }).data).toBeNull();
  });

  it('reads the original system’s minimal form with defaults', () => {
    const event = fromWireJSON({
      id: '6f1c',
      event_type: 'agent.started',
      data: { x: 1 },
      language: 'rust',
      timestamp: '2025-07-25T10:00:00Z',
      sequence: 5,
      metadata: { correlation_id: 'abc', tags: [], priority: 0, source: null },
      schema_version: '1.0',
    });
    expect(event).toMatchObject({
      type: 'agent.started',
      language: 'rust',
      sequence: 5,
      timestamp: Date.parse('2025-07-25T10:00:00Z'),
    });
    expect(event.metadata).toMatchObject({ correlationId: 'abc', tags: [], priority: 0 });
    expect(event.metadata.source).toBeUndefined();
  });

  it.each([
    ['not json', 'not valid JSON'],
    [{ id: 'x', event_type: 'a..b', timestamp: '2025-01-01T00:00:00Z' }, 'event_type'],
    [{ id: 'x', event_type: 'a', timestamp: 'yesterday' }, 'timestamp'],
    [
      { id: 'x', event_type: 'a', timestamp: '2025-01-01T00:00:00Z', schema_version: '2.0' },
      'schema_version',
    ],
    [
      { id: 'x', event_type: 'a', timestamp: '2025-01-01T00:00:00Z', metadata: { tags: [1] } },
      'metadata.tags',
    ],
    [{ event_type: 'a', timestamp: '2025-01-01T00:00:00Z' }, 'id'],
  ])('names the bad field of %j', (input, field) => {
    expect(() => fromWireJSON(input as never)).toThrow(
      expect.objectContaining({
        code: 'HOOKSPELL_INVALID_WIRE_EVENT',
        message: expect.stringContaining(field),
      }),
    );
  });
});
