import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventLog } from '@hookspell/events';
import type { StorageBackend } from '@hookspell/storage';
import type { ResolvedConfig } from '../config/types.js';
import { CliError, CliErrorCode } from '../errors.js';
import { openStorage } from '../storage.js';
import { Access, isLoopback, newToken } from './access.js';
import { type Assets, loadAssets } from './assets.js';
import { errorResponse } from './http-error.js';
import { LogTail } from './log-tail.js';
import { ReplayService } from './replay-service.js';
import { handle, type RouteContext } from './routes.js';
import { RunIndex } from './run-index.js';
import { RunStreams } from './run-streams.js';

export interface InspectorOptions {
  config: ResolvedConfig;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0: any free port. @default 4477 */
  port?: number;
  /** The URL token; generated when the host is not loopback. `false`: none even then (tests). */
  token?: string | false;
  /** How often the log is polled for events written by other processes. @default 200 */
  pollMs?: number;
  /** Opens the runtime a replay runs in (the CLI's `Runtime`). */
  openRuntime: ConstructorParameters<typeof ReplayService>[1];
  /** Told when a poll of the log fails (the inspector keeps polling). */
  onPollError?: (error: unknown) => void;
}

export interface Inspector {
  /** The page's URL (with `?token=` when one is needed). */
  url: string;
  host: string;
  port: number;
  token: string | undefined;
  /** Resolves when the first pass over the log is done (the runs list is complete). */
  indexed: Promise<void>;
  close(): Promise<void>;
}

/** Newest-first pages of the first pass over the log. */
const SCAN_PAGE = 5000;

/**
 * Starts `hookspell inspect`: opens the configured storage for reading, indexes the runs (in the
 * background, newest first), follows the log for what other processes write, and serves the
 * web app and its JSON API with node:http. See docs/inspector.md.
 */
export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const { config } = options;
  if (config.storage.type === 'memory') {
    throw new CliError(
      CliErrorCode.USAGE,
      "storage type 'memory' keeps nothing between processes, so there is nothing to inspect: configure sqlite (the default) or postgres",
    );
  }
  const host = options.host ?? '127.0.0.1';
  const token =
    options.token === false ? undefined : (options.token ?? (isLoopback(host) ? undefined : newToken()));
  const assets: Assets = loadAssets();
  const storage: StorageBackend = await openStorage(config, 'read');
  const log = new EventLog(storage);
  const index = new RunIndex();
  const progress = { done: false, events: 0 };
  const tail = new LogTail(log, {
    intervalMs: options.pollMs ?? 200,
    ...(options.onPollError !== undefined && { onError: options.onPollError }),
  });
  let server: Server | undefined;
  try {
    const newest = (await log.query({ reverse: true, limit: 1 }))[0]?.sequence ?? 0;
    tail.subscribe((events) => index.add(events));
    const streams = new RunStreams(log, index, tail, () => ({ ...progress }));
    await tail.start(newest);
    const indexed = scan(log, index, newest, progress).then(
      () => streams.indexed(),
      (error) => {
        progress.done = true;
        options.onPollError?.(error);
      },
    );
    const context: RouteContext = {
      config,
      storage,
      log,
      index,
      tail,
      streams,
      assets,
      token,
      progress,
      replays: new ReplayService(config, options.openRuntime),
    };
    const access = new Access(host, token);
    server = createServer((req, res) => void serve(req, res, access, context));
    // Keep-alive sockets of EventSource connections must not hold `close()` up.
    server.keepAliveTimeout = 5000;
    await listen(server, host, options.port ?? 4477);
    const port = (server.address() as AddressInfo).port;
    const shown = host.includes(':') ? `[${host}]` : host;
    const url = `http://${shown}:${port}/${token === undefined ? '' : `?token=${token}`}`;
    const running = server;
    return {
      url,
      host,
      port,
      token,
      indexed,
      close: async () => {
        streams.close();
        await tail.stop();
        await new Promise<void>((resolve) => {
          running.close(() => resolve());
          running.closeAllConnections();
        });
        await log.close().catch(() => {});
        await storage.close().catch(() => {});
      },
    };
  } catch (error) {
    await tail.stop();
    server?.close();
    await storage.close().catch(() => {});
    throw error;
  }
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  access: Access,
  context: RouteContext,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    access.check(req, url);
    await handle(req, res, url, context);
  } catch (error) {
    const { status, body } = errorResponse(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is in use (another hookspell inspect?): choose one with --port <n>, or --port 0 for any free port`
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? `cannot listen on ${host}: no such address on this machine (--host)`
            : error.code === 'EACCES'
              ? `not allowed to listen on ${host}:${port} (ports below 1024 need privileges): use --port 4477`
              : `cannot listen on ${host}:${port}: ${error.message}`;
      reject(new CliError(CliErrorCode.RUNTIME, why, { cause: error }));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** The first pass over the log: newest first, in pages, feeding the run index. */
async function scan(
  log: EventLog,
  index: RunIndex,
  newest: number,
  progress: { done: boolean; events: number },
) {
  let before = newest + 1;
  for (;;) {
    const page = await log.query({ reverse: true, afterSequence: before, limit: SCAN_PAGE });
    index.add(page);
    progress.events += page.length;
    if (page.length < SCAN_PAGE) break;
    before = page[page.length - 1]!.sequence;
  }
  progress.done = true;
}
