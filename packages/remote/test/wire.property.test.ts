import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RemoteHookError } from '../src/index.js';
import { decodeReply, decodeRequest, encodeDecision, encodeError, encodeRequest } from '../src/wire.js';

// The protocol codec: what one side encodes the other reads back unchanged, and whatever bytes
// arrive, reading them either succeeds or throws a RemoteHookError — nothing else escapes.
const encoder = new TextEncoder();

const metadataArb = fc.dictionary(fc.string(), fc.string());
const dataArb = fc.dictionary(fc.string(), fc.jsonValue());

function context(data: Record<string, unknown>, metadata: Record<string, string>, correlationId: string) {
  return {
    point: 'custom:policy',
    component: { type: 'agent', name: 'a', id: 'x1' },
    data,
    metadata,
    language: 'native',
    correlationId,
    timestamp: 1_700_000_000_000,
    operation: { type: 'tool', id: 'op-1', parameters: { n: 1 } },
    child: () => {
      throw new Error('unused');
    },
  } as unknown as Parameters<typeof encodeRequest>[0];
}

describe('wire codec', () => {
  it('a request round-trips: data, metadata, component, operation, correlation, timeout', () => {
    fc.assert(
      fc.property(
        dataArb,
        metadataArb,
        fc.string({ minLength: 1 }),
        fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: undefined }),
        (data, metadata, corr, timeoutMs) => {
          const back = decodeRequest(encodeRequest(context(data, metadata, corr), timeoutMs));
          // JSON semantics: -0 becomes 0; everything else comes back as sent.
          expect(back.data).toEqual(JSON.parse(JSON.stringify(data)));
          expect(back.metadata).toEqual(metadata);
          expect(back.correlationId).toBe(corr);
          expect(back.point).toBe('custom:policy');
          expect(back.component).toEqual({ type: 'agent', name: 'a', id: 'x1' });
          expect(back.operation).toEqual({ type: 'tool', id: 'op-1', parameters: { n: 1 } });
          expect(back.timeoutMs).toBe(timeoutMs);
        },
      ),
    );
  });

  it('a decision round-trips with its metadata and records', async () => {
    const registry = new HookRegistry();
    registry.register('custom:policy', (ctx) => HookResult.modified({ seen: ctx.data.n }), { name: 'p' });
    const executor = new HookExecutor(registry);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), metadataArb, async (n, metadata) => {
        const outcome = await executor.fire('custom:policy', { data: { n }, metadata: { ...metadata } });
        const reply = decodeReply(encodeDecision('svc', outcome), 'policy');
        expect(reply.decision).toEqual(JSON.parse(JSON.stringify(outcome.decision)));
        expect(reply.metadata).toEqual(metadata);
        expect(reply.records).toEqual([
          { name: 'p', status: 'ok', durationMs: expect.any(Number), result: 'modified' },
        ]);
        expect(reply.service).toBe('svc');
      }),
      { numRuns: 50 },
    );
  });

  it('an error reply reads back as a RemoteHookError with the message', () => {
    fc.assert(
      fc.property(fc.string(), (message) => {
        try {
          decodeReply(encodeError('svc', 'HOOKSPELL_REMOTE_SERVICE_FAILED', message), 'policy');
          expect.unreachable();
        } catch (error) {
          expect(RemoteHookError.isInstance(error)).toBe(true);
          expect((error as RemoteHookError).code).toBe('HOOKSPELL_REMOTE_SERVICE_FAILED');
          expect((error as RemoteHookError).service).toBe('svc');
        }
      }),
    );
  });

  it('whatever arrives, reading it returns or throws a RemoteHookError', () => {
    const anything = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v))),
      fc
        .record(
          {
            v: fc.constantFrom(1, 2, '1'),
            service: fc.jsonValue(),
            decision: fc.jsonValue(),
            error: fc.jsonValue(),
            metadata: fc.jsonValue(),
            records: fc.jsonValue(),
            point: fc.jsonValue(),
            component: fc.jsonValue(),
            data: fc.jsonValue(),
            correlationId: fc.jsonValue(),
            timestamp: fc.jsonValue(),
          },
          { requiredKeys: ['v'] },
        )
        .map((v) => encoder.encode(JSON.stringify(v))),
    );
    fc.assert(
      fc.property(anything, (bytes) => {
        for (const read of [() => decodeReply(bytes, 'policy'), () => decodeRequest(bytes)]) {
          try {
            read();
          } catch (error) {
            expect(RemoteHookError.isInstance(error), String(error)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
