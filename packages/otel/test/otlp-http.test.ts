import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { withCorrelation } from '@hookspell/events';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentHookspell } from '../src/index.js';
import './helpers.js';

/** What an OTLP/HTTP JSON request holds (ExportTraceServiceRequest, as far as this test reads it). */
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans: { scopeSpans: { scope?: { name?: string }; spans: OtlpSpan[] }[] }[];
}

// A receiver on loopback, as an OpenTelemetry collector's OTLP/HTTP endpoint would be.
let server: Server;
let url = '';
const received: { path: string; contentType: string | undefined; body: OtlpRequest }[] = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      body: JSON.parse(body.toString('utf8')) as OtlpRequest,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const value = (v: OtlpValue): unknown =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.doubleValue ??
  v.boolValue ??
  v.arrayValue?.values?.map(value);
const attrs = (s: OtlpSpan) => Object.fromEntries((s.attributes ?? []).map((a) => [a.key, value(a.value)]));

describe('export over OTLP/HTTP', () => {
  it('a run reaches a collector on loopback as one trace: correlation root → fires → hooks, with their attributes', async () => {
    const exporter = new OTLPTraceExporter({ url });
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      (ctx) => (ctx.data.tool_name === 'shell' ? HookResult.cancel('no shell') : undefined),
      { name: 'no-shell' },
    );
    const executor = new HookExecutor(registry);
    const otel = instrumentHookspell({ executor, tracerProvider: provider });
    await withCorrelation('otlp-run', async () => {
      await executor.fire('BeforeToolExecution', {
        component: { type: 'tool', name: 'shell' },
        data: { tool_name: 'shell', tool_use_id: 't1' },
      });
      await executor.fire('BeforeToolExecution', {
        component: { type: 'tool', name: 'read' },
        data: { tool_name: 'read', tool_use_id: 't2' },
      });
    });
    otel.dispose();
    await provider.forceFlush();
    await provider.shutdown();

    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.contentType).toMatch(/application\/json/);
    const scopes = received.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans));
    expect(new Set(scopes.map((s) => s.scope?.name))).toEqual(new Set(['@hookspell/otel']));
    const spans = scopes.flatMap((s) => s.spans);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'hookspell.correlation',
      'hookspell.fire BeforeToolExecution',
      'hookspell.fire BeforeToolExecution',
      'hookspell.hook no-shell',
      'hookspell.hook no-shell',
    ]);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const root = spans.find((s) => s.name === 'hookspell.correlation')!;
    expect(root.parentSpanId ?? '').toBe('');
    expect(attrs(root)).toEqual({ 'hookspell.correlation_id': 'otlp-run' });
    const fires = spans.filter((s) => s.name.startsWith('hookspell.fire'));
    for (const f of fires) expect(f.parentSpanId).toBe(root.spanId);
    const shell = fires.find((f) => attrs(f)['gen_ai.tool.name'] === 'shell')!;
    expect(attrs(shell)).toMatchObject({
      'hookspell.point': 'BeforeToolExecution',
      'hookspell.decision': 'cancel',
      'hookspell.correlation_id': 'otlp-run',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.call.id': 't1',
    });
    const hooks = spans.filter((s) => s.name === 'hookspell.hook no-shell');
    expect(hooks.map((h) => h.parentSpanId).sort()).toEqual(fires.map((f) => f.spanId).sort());
    const denied = hooks.find((h) => h.parentSpanId === shell.spanId)!;
    expect(attrs(denied)).toMatchObject({
      'hookspell.hook.status': 'ok',
      'hookspell.hook.result_type': 'cancel',
      'hookspell.hook.reason': 'no shell',
      'hookspell.hook.breaker_state': 'closed',
    });
  });
});
