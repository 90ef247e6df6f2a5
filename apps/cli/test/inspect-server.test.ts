import { join } from 'node:path';
import { EventBus, EventLog } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { SqliteStorage } from '@hookspell/storage';
import { PG_URL, postgresSkipReason } from '@hookspell/storage/testing/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookspell, json, nodeHook, oneLine, project } from './helpers.js';
import { http, type Running, spawnWriter, sse, startInspect, writerScript } from './inspect-helpers.js';

const SLEEP = nodeHook(`
  const [name, ms] = process.argv.slice(2);
  await new Promise((r) => setTimeout(r, Number(ms)));
  if (ctx.data.cmd === 'rm') console.log(JSON.stringify({ type: 'cancel', reason: name + ': no rm' }));
  else console.log(JSON.stringify({ type: 'modified', data: { [name]: ctx.data.cmd ?? true } }));`);

const FILES = {
  'hookspell.config.yaml': `hooks:
  - { name: format, point: custom:checks, command: [node, sleep.mjs, format, '60'] }
  - { name: lint, point: custom:checks, command: [node, sleep.mjs, lint, '30'], dependsOn: [format] }
  - { name: guard, point: BeforeToolExecution, command: [node, sleep.mjs, guard, '1'] }
points:
  custom:checks: { mode: parallel }
`,
  'sleep.mjs': SLEEP,
  'writer.mjs': writerScript(),
};

const BIG = 100_000;

/** The runs list once the inspector's first pass over the log is done (it runs in the background). */
async function indexed(base: string, token?: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const r = await http(base, `/api/runs${token ? `?token=${token}` : ''}`);
    if (r.json?.indexing?.done) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the inspector did not finish reading the log in 60 s');
}

describe('hookspell inspect: the HTTP API', () => {
  let cwd: string;
  let db: string;
  let inspect: Running;
  let base: string;
  const get = (path: string, headers?: Record<string, string>) =>
    http(base, path, headers ? { headers } : {});
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    http(base, path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  let rmExecution: string;
  let lsExecution: string;

  beforeAll(async () => {
    cwd = project(FILES);
    db = join(cwd, '.hookspell', 'hookspell.db');
    const fired = json(
      await hookspell(['fire', 'custom:checks', '--json', '--correlation', 'checks-1'], { cwd }),
    );
    expect(fired.decision.type).toBe('modified');
    const rm = await hookspell(
      ['fire', 'BeforeToolExecution', '--data', '{"cmd":"rm"}', '--json', '--correlation', 'tool-rm'],
      { cwd },
    );
    expect(rm.code).toBe(3);
    rmExecution = json(rm).records[0].executionId;
    const ls = json(
      await hookspell(
        ['fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}', '--json', '--correlation', 'tool-ls'],
        { cwd },
      ),
    );
    lsExecution = ls.records[0].executionId;
    // A long run and a huge event, written by this process as an application would.
    const storage = SqliteStorage({ path: db });
    const log = new EventLog(storage);
    const bus = new EventBus({ log, persist: ['**'] });
    // A hook that fails four times in one process: its breaker opens after three (hook.breaker.opened).
    const registry = new HookRegistry();
    registry.register(
      'custom:brk',
      () => {
        throw new Error('down');
      },
      { name: 'fails' },
    );
    const executor = new HookExecutor(registry, { sink: bus.hookSink() });
    for (let i = 0; i < 4; i++) await executor.fire('custom:brk', { data: { i } }, { correlationId: 'brk' });
    for (let i = 0; i < BIG; i++) {
      void bus.publish('load.step', { i }, { correlationId: 'big' });
      if (i % 10_000 === 9_999) await bus.flush(); // the log holds at most 100 000 pending events
    }
    await bus.publish(
      'blob.stored',
      { blob: 'x'.repeat(1024 * 1024), note: '</script><b>' },
      { correlationId: 'huge', durable: true },
    );
    await bus.flush();
    await bus.close();
    await log.close();
    await storage.close();
    inspect = await startInspect(cwd, ['--interval', '100']);
    base = inspect.base;
    await indexed(base);
  }, 180_000);

  it('serves the app: the page, its two assets, security headers; 404 and 405 for the rest', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<script defer src="/assets/app.js"></script>');
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.text.length).toBeGreaterThan(1000);
    expect((await get('/assets/app.css')).headers['content-type']).toMatch(/^text\/css/);
    expect((await get('/assets/other.js')).status).toBe(404);
    const missing = await get('/api/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('HOOKSPELL_INSPECT_NOT_FOUND');
    const wrong = await http(base, '/api/runs', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
  });

  it('GET /api/info: storage, journal, configured hooks and their dependsOn', async () => {
    const r = await get('/api/info');
    expect(r.status).toBe(200);
    expect(r.json.storage).toEqual({ type: 'sqlite', path: db });
    expect(r.json.journal).toBe(true);
    expect(r.json.dependencies).toEqual({ 'custom:checks': { lint: ['format'] } });
    expect(r.json.hooks.map((h: any) => h.name)).toEqual(['format', 'lint', 'guard']);
  });

  it('GET /api/runs: newest first with status and counts, searchable, paged; bad parameters are 400', async () => {
    const r = await get('/api/runs');
    expect(r.status).toBe(200);
    const ids = r.json.runs.map((x: any) => x.id);
    expect(ids.slice(0, 6)).toEqual(['huge', 'big', 'brk', 'tool-ls', 'tool-rm', 'checks-1']);
    const byId = Object.fromEntries(r.json.runs.map((x: any) => [x.id, x]));
    expect(byId['tool-rm']).toMatchObject({
      status: 'cancelled',
      cancels: 1,
      errors: 0,
      fires: 1,
      openFires: 0,
      events: 3,
    });
    expect(byId['checks-1']).toMatchObject({
      status: 'ok',
      fires: 1,
      executions: 2,
      hooks: ['format', 'lint'],
    });
    expect(byId.brk).toMatchObject({ status: 'failed', errors: 3 });
    expect(byId.big).toMatchObject({ events: BIG, firstType: 'load.step' });
    expect(byId['checks-1'].durationMs).toBeGreaterThan(60);
    // search: id, hook, point
    expect((await get('/api/runs?q=TOOL')).json.runs.map((x: any) => x.id)).toEqual(['tool-ls', 'tool-rm']);
    expect((await get('/api/runs?q=lint')).json.runs.map((x: any) => x.id)).toEqual(['checks-1']);
    expect((await get('/api/runs?q=zzz')).json).toMatchObject({ runs: [], total: 0 });
    // paging: two at a time, every run once, in order
    const paged: string[] = [];
    let before: string | undefined;
    do {
      const page = await get(`/api/runs?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`);
      paged.push(...page.json.runs.map((x: any) => x.id));
      before = page.json.next;
    } while (before !== undefined);
    expect(paged).toEqual(ids);
    for (const bad of ['limit=0', 'limit=501', 'limit=x', 'before=nope', `q=${'x'.repeat(2000)}`]) {
      const b = await get(`/api/runs?${bad}`);
      expect(b.status, bad).toBe(400);
      expect(b.json.error.code).toBe('HOOKSPELL_INSPECT_BAD_REQUEST');
    }
  });

  it('GET /api/runs/:id: one summary; an unknown id is 404, a malformed or overlong one 400', async () => {
    const r = await get('/api/runs/tool-rm');
    expect(r.json).toMatchObject({ id: 'tool-rm', status: 'cancelled', cancels: 1 });
    const unknown = await get('/api/runs/no-such-run');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(/no events stored for run \(correlation id\) "no-such-run"/);
    expect((await get('/api/runs/%E0%A4%A')).status).toBe(400);
    expect((await get(`/api/runs/${'x'.repeat(1100)}`)).status).toBe(400);
    expect((await get('/api/runs/%2e%2e%2fetc')).status).toBe(404);
  });

  it('GET /api/runs/:id/events pages through 100 000 events in order, each once', async () => {
    let after: number | null = null;
    let count = 0;
    let last = 0;
    let pages = 0;
    const seen = new Set<number>();
    do {
      const r: Awaited<ReturnType<typeof get>> = await get(
        `/api/runs/big/events?limit=5000${after === null ? '' : `&after=${after}`}`,
      );
      expect(r.status).toBe(200);
      for (const e of r.json.events) {
        expect(e.sequence).toBeGreaterThan(last);
        expect(e.metadata.correlationId).toBe('big');
        last = e.sequence;
        seen.add(e.data.i);
        count++;
      }
      after = r.json.next;
      pages++;
    } while (after !== null);
    expect(count).toBe(BIG);
    expect(seen.size).toBe(BIG);
    expect(pages).toBe(BIG / 5000 + 1);
    for (const bad of ['limit=5001', 'limit=-1', 'after=abc', 'after=99999999999999999']) {
      expect((await get(`/api/runs/big/events?${bad}`)).status, bad).toBe(400);
    }
    expect((await get('/api/runs/no-such-run/events')).status).toBe(404);
    // past the end: an empty page, no next
    expect((await get(`/api/runs/big/events?after=${last}`)).json).toEqual({ events: [], next: null });
  });

  it('a huge event is listed with its data cut (and a preview); GET /api/runs/:id/events/:sequence has it whole', async () => {
    const listed = (await get('/api/runs/huge/events')).json.events[0];
    expect(listed.data).toBeUndefined();
    expect(listed.truncated.chars).toBeGreaterThan(1024 * 1024);
    expect(listed.truncated.preview).toMatch(/^\{"blob":"xxx/);
    expect(listed.truncated.preview.length).toBe(2048);
    const whole = await get(`/api/runs/huge/events/${listed.sequence}`);
    expect(whole.status).toBe(200);
    expect(whole.json.data.blob).toHaveLength(1024 * 1024);
    expect(whole.json.data.note).toBe('</script><b>');
    expect((await get(`/api/runs/huge/events/${listed.sequence + 1}`)).status).toBe(404);
    expect((await get('/api/runs/huge/events/12ab')).status).toBe(400);
    expect((await get(`/api/runs/big/events/${listed.sequence}`)).status).toBe(404); // another run's
  });

  it('GET /api/runs/:id/executions: journal start times and durations; none for a run without hooks', async () => {
    const r = await get('/api/runs/checks-1/executions');
    expect(r.status).toBe(200);
    const byHook = Object.fromEntries(r.json.executions.map((e: any) => [e.hook, e]));
    expect(Object.keys(byHook).sort()).toEqual(['format', 'lint']);
    // lint waited for format (dependsOn): it started once format was done
    expect(byHook.lint.startedAt).toBeGreaterThanOrEqual(
      byHook.format.startedAt + byHook.format.durationMs - 1,
    );
    expect((await get('/api/runs/big/executions')).json).toEqual({ executions: [], next: null });
    expect((await get('/api/runs/big/executions?after=x')).status).toBe(400);
  });

  it('GET /api/executions/:id: the journal entry with the context it ran on; unknown ids are 404', async () => {
    const r = await get(`/api/executions/${encodeURIComponent(rmExecution)}`);
    expect(r.status).toBe(200);
    expect(r.json.entry).toMatchObject({
      hook: 'guard',
      point: 'BeforeToolExecution',
      context: { data: { cmd: 'rm' } },
      result: { type: 'cancel', reason: 'guard: no rm' },
    });
    expect(r.json.configured).toBe(true);
    const unknown = await get('/api/executions/nothing-1.0');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({
      state: 'not-found',
      error: { code: 'HOOKSPELL_INSPECT_NOT_FOUND' },
    });
  });

  it('GET /api/breaker: the breaker as the log tells it, before an execution', async () => {
    const events = (await get('/api/runs/brk/events')).json.events;
    const executions = events.filter(
      (e: any) => e.type.startsWith('hook.execution.') && e.data.hook === 'fails',
    );
    expect(executions.map((e: any) => e.type)).toEqual([
      'hook.execution.failed',
      'hook.execution.failed',
      'hook.execution.failed',
      'hook.execution.skipped',
    ]);
    const at = (e: any) =>
      get(
        `/api/breaker?hookId=${encodeURIComponent(e.data.hookId)}&event=${encodeURIComponent(e.id)}&before=${e.sequence}`,
      );
    expect((await at(executions[0])).json).toEqual({ state: 'closed' });
    const open = (await at(executions[3])).json;
    expect(open.state).toBe('open');
    expect(open.since).toMatchObject({
      type: 'hook.breaker.opened',
      reason: expect.stringMatching(/3 failures/),
    });
    expect((await get('/api/breaker?hookId=x')).status).toBe(400);
    expect((await get('/api/breaker?hookId=x&event=y&before=z')).status).toBe(400);
  });

  it("GET /api/match: the events package's pattern matcher, its errors as 400", async () => {
    const types = ['tool.started', 'tool.result.ok', 'hook.fire.started', 'agent.step'];
    const q = (pattern: string) =>
      get(`/api/match?pattern=${encodeURIComponent(pattern)}&${types.map((t) => `type=${t}`).join('&')}`);
    expect((await q('tool.*')).json.types).toEqual(['tool.started']);
    expect((await q('tool.**')).json.types).toEqual(['tool.started', 'tool.result.ok']);
    expect((await q('*.started')).json.types).toEqual(['tool.started']);
    const long = await q('a.'.repeat(600));
    expect(long.status).toBe(400);
    expect(long.json.error.code).toBe('HOOKSPELL_PATTERN_TOO_LONG');
    const invalid = await q('tool..x');
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('HOOKSPELL_INVALID_PATTERN');
    expect((await get('/api/match')).status).toBe(400);
  });

  it('POST /api/executions/:id/replay: exact, modified with an edited context, simulate — through the ReplayEngine', async () => {
    const path = `/api/executions/${encodeURIComponent(rmExecution)}/replay`;
    const exact = await post(path, { mode: 'exact' });
    expect(exact.status).toBe(200);
    expect(exact.json).toMatchObject({
      mode: 'exact',
      comparison: { identical: true, similarity: 1 },
      replayed: { status: 'ok' },
    });
    const modified = await post(path, {
      mode: 'modified',
      context: { data: { cmd: 'ls' }, metadata: { who: 'me' } },
    });
    expect(modified.status).toBe(200);
    expect(modified.json.replayed.context).toEqual({ data: { cmd: 'ls' }, metadata: { who: 'me' } });
    expect(modified.json.replayed.result).toEqual({ type: 'modified', data: { guard: 'ls' } });
    expect(modified.json.comparison.identical).toBe(false);
    expect(modified.json.comparison.differences).toContainEqual({
      path: 'result.type',
      original: 'cancel',
      replayed: 'modified',
    });
    const simulate = await post(`/api/executions/${encodeURIComponent(lsExecution)}/replay`, {
      mode: 'simulate',
    });
    expect(simulate.json).toMatchObject({
      mode: 'simulate',
      comparison: { identical: true },
      replayed: { durationMs: 0 },
    });
  });

  it('POST replay refuses bad bodies (400), huge ones (413), other media types (415), other origins (403), unknown ids (404)', async () => {
    const path = `/api/executions/${encodeURIComponent(rmExecution)}/replay`;
    const cases: [unknown, RegExp][] = [
      [{ mode: 'fast' }, /"mode" must be "exact", "modified" or "simulate"/],
      [{ mode: 'modified' }, /needs "context"/],
      [{ mode: 'exact', context: { data: {} } }, /"context" is for mode "modified" only/],
      [{ mode: 'modified', context: { data: [] } }, /"context.data" must be a JSON object/],
      [
        { mode: 'modified', context: { data: {}, metadata: { n: 1 } } },
        /"context.metadata.n" must be a string/,
      ],
      [{ mode: 'modified', context: { data: JSON.parse('{"__proto__":{"x":1}}') } }, /cannot be replayed/],
      [{ mode: 'modified', context: { data: { 'a.b': 1 } } }, /cannot be replayed/],
      [[], /must be a JSON object/],
      ['{not json', /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.message).toMatch(message);
    }
    const huge = await post(path, {
      mode: 'modified',
      context: { data: { x: 'y'.repeat(2 * 1024 * 1024) } },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('HOOKSPELL_INSPECT_TOO_LARGE');
    const form = await http(base, path, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"mode":"exact"}',
    });
    expect(form.status).toBe(415);
    const cross = await post(path, { mode: 'exact' }, { Origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const unknown = await post('/api/executions/nothing-1.0/replay', { mode: 'exact' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('HOOKSPELL_EXECUTION_NOT_FOUND');
    // the server is fine afterwards
    expect((await get('/api/info')).status).toBe(200);
  });

  it('answers only requests addressed to this machine (DNS rebinding)', async () => {
    const r = await get('/api/info', { Host: 'evil.example:4477' });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('HOOKSPELL_INSPECT_FORBIDDEN');
    expect((await get('/api/info', { Host: `localhost:${new URL(base).port}` })).status).toBe(200);
  });

  it('GET /api/runs/:id/stream: what another process stores shows up, each event once, in order; Last-Event-ID resumes', async () => {
    const start = (await get('/api/runs/live-1')).status;
    expect(start).toBe(404);
    const stream = sse(base, '/api/runs/live-1/stream?after=0');
    await stream.until((m) => m.some((x) => x.event === 'ready'));
    const writer = spawnWriter(cwd, ['sqlite', db, '', 'live-1', '20', '50']);
    await stream.until(
      (m) => m.filter((x) => x.event === 'events').flatMap((x) => x.data).length >= 20,
      30_000,
    );
    expect(await writer.done).toBe(0);
    const received = stream.messages.filter((x) => x.event === 'events').flatMap((x) => x.data);
    expect(received.map((e: any) => e.data.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // each arrived after it was written, and (generously) within seconds of it
    const written = new Map(
      writer
        .lines()
        .map((l) => l.split(' '))
        .map(([id, , at]) => [id!, Number(at)]),
    );
    for (const m of stream.messages.filter((x) => x.event === 'events')) {
      for (const e of m.data) expect(m.at - written.get(e.id)!).toBeLessThan(10_000);
    }
    stream.close();
    // the summary counts it too
    expect((await get('/api/runs/live-1')).json.events).toBe(20);
    // resume after the 15th: the last five again, nothing else
    const fifteenth = received[14].sequence;
    const resumed = sse(base, '/api/runs/live-1/stream', { 'Last-Event-ID': String(fifteenth) });
    await resumed.until((m) => m.some((x) => x.event === 'ready'));
    expect(
      resumed.messages
        .filter((x) => x.event === 'events')
        .flatMap((x) => x.data.map((e: any) => e.data.step)),
    ).toEqual([16, 17, 18, 19, 20]);
    resumed.close();
    expect((await get('/api/runs/live-1/stream?after=x')).status).toBe(400);
  });

  it('GET /api/stream: the runs page hears of new and changed runs', async () => {
    const stream = sse(base, '/api/stream');
    await stream.until((m) => m.some((x) => x.event === 'indexing'));
    const writer = spawnWriter(cwd, ['sqlite', db, '', 'live-2', '3', '50']);
    await stream.until(
      (m) =>
        m.some((x) => x.event === 'runs' && x.data.some((r: any) => r.id === 'live-2' && r.events === 3)),
      30_000,
    );
    expect(await writer.done).toBe(0);
    const summary = stream.messages
      .filter((x) => x.event === 'runs')
      .flatMap((x) => x.data)
      .findLast((r: any) => r.id === 'live-2');
    expect(summary).toMatchObject({ id: 'live-2', events: 3, live: true, firstType: 'agent.step' });
    stream.close();
  });
});

describe('hookspell inspect: start-up and access', () => {
  it('bound elsewhere than loopback it prints a token and refuses requests without it', async () => {
    const cwd = project(FILES);
    expect(
      (
        await hookspell(['fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}', '--correlation', 't-1'], {
          cwd,
        })
      ).code,
    ).toBe(0);
    const running = await startInspect(cwd, ['--host', '0.0.0.0']);
    expect(running.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/\?token=[A-Za-z0-9_-]{22}$/);
    const base = running.base.replace('0.0.0.0', '127.0.0.1');
    await indexed(base, running.token);
    const denied = await http(base, '/api/runs');
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/a valid token is needed/);
    expect((await http(base, '/api/runs?token=wrong')).status).toBe(403);
    expect((await http(base, `/api/runs?token=${running.token}`)).json.runs[0].id).toBe('t-1');
    expect(
      (await http(base, '/api/runs', { headers: { Authorization: `Bearer ${running.token}` } })).status,
    ).toBe(200);
    const page = await http(base, `/?token=${running.token}`);
    expect(page.text).toContain(`<meta name="hookspell-token" content="${running.token}">`);
    expect(page.text).toContain(`/assets/app.js?token=${running.token}`);
    expect(await running.stop()).toBe(0);
  });

  it('says what is wrong: no database yet, memory storage, a bad or busy port (exit 2 / 1, one line)', async () => {
    const empty = project();
    let r = await hookspell(['inspect', '--port', '0'], { cwd: empty });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^hookspell: nothing is stored yet: .*hookspell\.db does not exist/);
    const memory = project({ 'hookspell.config.yaml': 'storage: { type: memory }\n' });
    r = await hookspell(['inspect', '--port', '0'], { cwd: memory });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/storage type 'memory' keeps nothing between processes/);
    r = await hookspell(['inspect', '--port', '70000'], { cwd: memory });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--port must be a port number from 0 to 65535/);
    const cwd = project(FILES);
    expect((await hookspell(['fire', 'BeforeToolExecution', '--correlation', 'p-1'], { cwd })).code).toBe(0);
    const first = await startInspect(cwd);
    r = await hookspell(['inspect', '--port', new URL(first.base).port], { cwd });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/port \d+ on 127\.0\.0\.1 is in use .*--port 0 for any free port/);
  });
});

const pgSkip = await postgresSkipReason('hookspell inspect on PostgreSQL');

describe.skipIf(pgSkip !== undefined)('hookspell inspect on PostgreSQL', () => {
  const table = `hs_inspect_${process.pid}_${Date.now() % 100000}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  });

  it('lists runs and streams what another process stores in the same PostgreSQL log', async () => {
    const cwd = project({
      ...FILES,
      'hookspell.config.yaml': `storage:\n  type: postgres\n  connectionString: \${HS_PG}\n  table: ${table}\n${FILES['hookspell.config.yaml']}`,
    });
    const env = { HS_PG: PG_URL };
    const rm = await hookspell(
      ['fire', 'BeforeToolExecution', '--data', '{"cmd":"rm"}', '--correlation', 'pg-rm'],
      { cwd, env },
    );
    expect(rm.code).toBe(3);
    const running = await startInspect(cwd, ['--interval', '100'], env);
    const runs = await indexed(running.base);
    expect(runs.runs.map((r: any) => [r.id, r.status])).toEqual([['pg-rm', 'cancelled']]);
    expect((await http(running.base, '/api/info')).json.storage).toEqual({ type: 'postgres' });
    const stream = sse(running.base, '/api/runs/pg-live/stream');
    await stream.until((m) => m.some((x) => x.event === 'ready'));
    const writer = spawnWriter(cwd, ['postgres', PG_URL, table, 'pg-live', '5', '50']);
    await stream.until(
      (m) => m.filter((x) => x.event === 'events').flatMap((x) => x.data).length >= 5,
      30_000,
    );
    expect(await writer.done).toBe(0);
    expect(
      stream.messages.filter((x) => x.event === 'events').flatMap((x) => x.data.map((e: any) => e.data.step)),
    ).toEqual([1, 2, 3, 4, 5]);
    stream.close();
    expect(await running.stop()).toBe(0);
  });
});
