import type { IncomingMessage, ServerResponse } from 'node:http';
import { compilePattern, type EventLog } from '@hookspell/events';
import type { StorageBackend } from '@hookspell/storage';
import type { ResolvedConfig } from '../config/types.js';
import { VERSION } from '../version.js';
import { type Assets, indexHtml } from './assets.js';
import { breakerState } from './breaker-state.js';
import { InspectError, InspectErrorCode } from './http-error.js';
import {
  badRequest,
  decodeParam,
  HEADERS,
  intParam,
  MAX_ID,
  notFound,
  readJson,
  sendJson,
  sendJsonText,
  seqParam,
} from './http-io.js';
import type { LogTail } from './log-tail.js';
import type { ReplayService } from './replay-service.js';
import { replayRequestOf } from './replay-service.js';
import { RunIndex, type RunSummary } from './run-index.js';
import { configDependencies, readJournal } from './run-inputs.js';
import type { RunStreams } from './run-streams.js';
import { SseClient } from './sse.js';
import { eventsArrayJson } from './wire.js';

/** What the handlers share. */
export interface RouteContext {
  config: ResolvedConfig;
  storage: StorageBackend;
  log: EventLog;
  index: RunIndex;
  tail: LogTail;
  streams: RunStreams;
  assets: Assets;
  token: string | undefined;
  progress: { done: boolean; events: number };
  replays: ReplayService;
}

/** Longest request body: a replay's edited context. */
/** Most events per page of `/api/runs/:id/events`. */
export const MAX_EVENTS_PAGE = 5000;
/** Most runs per page of `/api/runs`. */
const MAX_RUNS_PAGE = 500;
/** Longest id (correlation, execution, hook) accepted in a path or query. */

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  params: string[],
  c: RouteContext,
) => Promise<void>;

const ROUTES: [method: string, path: RegExp, handler: Handler][] = [
  ['GET', /^\/$/, page],
  ['GET', /^\/assets\/(app\.js|app\.css)$/, asset],
  ['GET', /^\/favicon\.ico$/, noIcon],
  ['GET', /^\/api\/info$/, info],
  ['GET', /^\/api\/runs$/, runs],
  ['GET', /^\/api\/stream$/, runsStream],
  ['GET', /^\/api\/runs\/([^/]+)$/, run],
  ['GET', /^\/api\/runs\/([^/]+)\/events$/, runEvents],
  ['GET', /^\/api\/runs\/([^/]+)\/events\/([^/]+)$/, runEvent],
  ['GET', /^\/api\/runs\/([^/]+)\/executions$/, runExecutions],
  ['GET', /^\/api\/runs\/([^/]+)\/stream$/, runStream],
  ['GET', /^\/api\/executions\/([^/]+)$/, execution],
  ['GET', /^\/api\/breaker$/, breaker],
  ['GET', /^\/api\/match$/, match],
  ['POST', /^\/api\/executions\/([^/]+)\/replay$/, replay],
];

/** Routes a request (access was checked); unknown paths are 404, known paths with another method 405. */
export async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  c: RouteContext,
): Promise<void> {
  let allowed: string[] = [];
  for (const [method, path, handler] of ROUTES) {
    const m = path.exec(url.pathname);
    if (m === null) continue;
    if (method !== req.method && !(method === 'GET' && req.method === 'HEAD')) {
      allowed.push(method);
      continue;
    }
    return handler(req, res, url, m.slice(1).map(decodeParam), c);
  }
  if (allowed.length > 0) {
    allowed = [...new Set(allowed)];
    res.setHeader('Allow', allowed.join(', '));
    throw new InspectError(
      405,
      InspectErrorCode.METHOD_NOT_ALLOWED,
      `${req.method} ${url.pathname}: use ${allowed.join(' or ')}`,
    );
  }
  throw new InspectError(
    404,
    InspectErrorCode.NOT_FOUND,
    `no such page or endpoint: ${url.pathname.slice(0, 200)}`,
  );
}

// ——— pages and assets

async function page(_req: IncomingMessage, res: ServerResponse, _url: URL, _p: string[], c: RouteContext) {
  res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(indexHtml(c.token));
}

async function asset(
  _req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  [name]: string[],
  c: RouteContext,
) {
  const file = name as keyof Assets;
  res.writeHead(200, {
    ...HEADERS,
    'Content-Type': file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    'Cache-Control': 'no-cache',
  });
  res.end(c.assets[file]);
}

async function noIcon(_req: IncomingMessage, res: ServerResponse) {
  res.writeHead(204, HEADERS);
  res.end();
}

// ——— the API

async function info(_req: IncomingMessage, res: ServerResponse, _url: URL, _p: string[], c: RouteContext) {
  const s = c.config.storage;
  const dependencies: Record<string, Record<string, readonly string[]>> = {};
  for (const [point, hooks] of configDependencies(c.config)) dependencies[point] = Object.fromEntries(hooks);
  sendJson(res, {
    version: VERSION,
    storage: s.type === 'sqlite' ? { type: 'sqlite', path: s.path } : { type: s.type },
    config: c.config.file ?? null,
    journal: c.config.journal.enabled,
    hooks: c.config.hooks
      .filter((h) => h.name !== undefined && h.point !== undefined)
      .map((h) => ({
        name: h.name,
        point: h.point,
        source: h.spec,
        dependsOn: h.dependsOn ?? [],
        timeoutMs: h.timeoutMs ?? null,
        onFailure: h.onFailure ?? (c.config.points[h.point!]?.failClosed ? 'cancel' : 'continue'),
        where: h.where,
      })),
    dependencies,
    indexing: { ...c.progress, runs: c.index.size, forgotten: c.index.forgotten },
    serverTime: Date.now(),
  });
}

async function runs(_req: IncomingMessage, res: ServerResponse, url: URL, _p: string[], c: RouteContext) {
  const q = url.searchParams.get('q') ?? '';
  if (q.length > MAX_ID) throw badRequest(`the search text is longer than ${MAX_ID} characters`);
  const limit = intParam(url, 'limit', 50, 1, MAX_RUNS_PAGE);
  const before = url.searchParams.get('before') ?? undefined;
  if (before !== undefined && !/^\d{1,16}:.+$/s.test(before))
    throw badRequest("'before' must be the 'next' of a previous page");
  const page = c.index.page({ query: q, limit, ...(before !== undefined && { before }) });
  sendJson(res, { ...page, indexing: { ...c.progress }, serverTime: Date.now() });
}

async function runsStream(
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  _p: string[],
  c: RouteContext,
) {
  c.streams.watchRuns(new SseClient(req, res));
}

/**
 * A run's summary: from the index, or — for a run the index has not met yet (the first pass has
 * not reached it, or it was stored since the tail last looked) — from the log, without touching
 * the index (the tail will deliver those events to it).
 */
async function summaryOf(id: string, c: RouteContext): Promise<RunSummary> {
  const known = c.index.get(id);
  if (known !== undefined) return known;
  const events = await allEvents(c.log, id);
  if (events.length === 0) {
    throw notFound(
      `no events stored for run (correlation id) ${JSON.stringify(id.slice(0, 200))}${c.progress.done ? '' : ' (still indexing the log: try again in a moment)'}`,
    );
  }
  return summaryFromLog(id, events);
}

async function allEvents(log: EventLog, correlationId: string) {
  const out = [];
  let after: number | undefined;
  for (;;) {
    const page = await log.query({ correlationId, afterSequence: after, limit: MAX_EVENTS_PAGE });
    out.push(...page);
    if (page.length < MAX_EVENTS_PAGE) return out;
    after = page[page.length - 1]!.sequence;
  }
}

function summaryFromLog(id: string, events: Awaited<ReturnType<typeof allEvents>>): RunSummary {
  const one = new RunIndex();
  one.add(events);
  return one.get(id)!;
}

async function run(_req: IncomingMessage, res: ServerResponse, _url: URL, [id]: string[], c: RouteContext) {
  sendJson(res, await summaryOf(id!, c));
}

async function runEvents(
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  [id]: string[],
  c: RouteContext,
) {
  const after = seqParam(url, 'after');
  const limit = intParam(url, 'limit', 1000, 1, MAX_EVENTS_PAGE);
  const events = await c.log.query({
    correlationId: id!,
    ...(after !== undefined && { afterSequence: after }),
    limit,
  });
  if (events.length === 0 && after === undefined) await summaryOf(id!, c); // 404 for an unknown run
  const { json, count } = eventsArrayJson(events);
  const full = count < events.length || events.length === limit;
  const next = full && count > 0 ? events[count - 1]!.sequence : null;
  sendJsonText(res, `{"events":${json},"next":${next === null ? 'null' : String(next)}}`);
}

async function runEvent(
  _req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  [id, seq]: string[],
  c: RouteContext,
) {
  if (!/^\d{1,16}$/.test(seq!))
    throw badRequest(
      `an event is addressed by its sequence number (digits), got ${JSON.stringify(seq!.slice(0, 50))}`,
    );
  const sequence = Number(seq);
  const [event] = await c.log.query({ correlationId: id!, afterSequence: sequence - 1, limit: 1 });
  if (event === undefined || event.sequence !== sequence)
    throw notFound(`no event with sequence ${sequence} in run ${JSON.stringify(id!.slice(0, 200))}`);
  sendJson(res, event);
}

async function runExecutions(
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  [id]: string[],
  c: RouteContext,
) {
  const after = url.searchParams.get('after') ?? undefined;
  if (after !== undefined && !/^\d{1,16}$/.test(after))
    throw badRequest("'after' must be the 'next' of a previous answer");
  const journal = readJournal(c.storage);
  const executions: unknown[] = [];
  let cursor = after;
  let last = after === undefined ? null : Number(after);
  try {
    for (;;) {
      const page = await journal.query({
        correlationId: id!,
        limit: 1000,
        ...(cursor !== undefined && { cursor }),
      });
      for (const e of page.entries) {
        executions.push({
          executionId: e.executionId,
          hook: e.hook,
          point: e.point,
          status: e.status,
          startedAt: e.startedAt,
          durationMs: e.durationMs,
          fireId: e.fireId,
          index: e.index,
        });
        last = Math.max(last ?? 0, e.seq);
      }
      cursor = page.cursor;
      if (cursor === undefined || executions.length >= 20_000) break;
    }
  } catch (error) {
    // No journal in this storage (never written, or off): no exact times, the events' are used.
    if (!(error instanceof Error && /journal/i.test(error.message))) throw error;
  } finally {
    await journal.close().catch(() => {});
  }
  sendJson(res, { executions, next: last === null ? null : String(last) });
}

async function runStream(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  [id]: string[],
  c: RouteContext,
) {
  const resumed = req.headers['last-event-id'];
  const after = Math.max(
    seqParam(url, 'after') ?? 0,
    typeof resumed === 'string' && /^\d{1,16}$/.test(resumed) ? Number(resumed) : 0,
  );
  await c.streams.watchRun(id!, new SseClient(req, res), after);
}

async function execution(
  _req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  [id]: string[],
  c: RouteContext,
) {
  const journal = readJournal(c.storage);
  try {
    const found = await journal.lookup(id!);
    if (found.state === 'recorded') {
      const hook = c.config.hooks.find((h) => h.name === found.entry.hook && h.point === found.entry.point);
      sendJson(res, {
        state: 'recorded',
        entry: found.entry,
        configured: hook !== undefined,
        journal: c.config.journal.enabled,
      });
      return;
    }
    const status = found.state === 'pruned' ? 410 : 404;
    sendJson(
      res,
      {
        state: found.state,
        pruned: found.pruned ?? null,
        error: {
          code: status === 410 ? 'HOOKSPELL_EXECUTION_PRUNED' : InspectErrorCode.NOT_FOUND,
          message:
            found.state === 'pruned'
              ? `execution ${JSON.stringify(id)} was removed from the journal by retention`
              : `no execution ${JSON.stringify(id!.slice(0, 200))} in the hook journal${c.config.journal.enabled ? '' : ' (the journal is off in this config)'}`,
        },
      },
      status,
    );
  } finally {
    await journal.close().catch(() => {});
  }
}

async function breaker(_req: IncomingMessage, res: ServerResponse, url: URL, _p: string[], c: RouteContext) {
  const hookId = url.searchParams.get('hookId');
  const eventId = url.searchParams.get('event');
  const sequence = seqParam(url, 'before');
  if (!hookId || !eventId || sequence === undefined || hookId.length > MAX_ID || eventId.length > MAX_ID)
    throw badRequest("give 'hookId', 'event' (the execution's event id) and 'before' (its sequence)");
  sendJson(res, await breakerState(c.log, hookId, eventId, sequence));
}

async function match(_req: IncomingMessage, res: ServerResponse, url: URL, _p: string[], _c: RouteContext) {
  const pattern = url.searchParams.get('pattern');
  if (pattern === null)
    throw badRequest("give 'pattern' (e.g. tool.* or hook.**) and the event types to test as 'type'");
  const types = url.searchParams.getAll('type');
  if (types.length > 10_000) throw badRequest('at most 10000 types per request');
  // The events package's matcher: the same rules (and limits, and messages) as subscriptions and queries.
  const matcher = compilePattern(pattern);
  sendJson(res, { pattern, types: types.filter((t) => matcher.matches(t)) });
}

async function replay(req: IncomingMessage, res: ServerResponse, _url: URL, [id]: string[], c: RouteContext) {
  const body = await readJson(req);
  const request = replayRequestOf(body);
  sendJson(res, await c.replays.replay(id!, request));
}
