import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ResolvedConfig } from '../config/types.js';
import { errorLine } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { claudeCodeHookCommand, openHookRuntime, type WarmRuntimes } from './hook.js';
import {
  envFingerprint,
  type ServerRequest,
  type ServerResponse,
  serverDir,
  serverSocket,
} from './server-address.js';

/** The most a request may be: Claude Code's stdin limit plus the envelope. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024 + 64 * 1024;

export interface HookServerOptions {
  /** The config file the server answers for (absolute). */
  configFile: string;
  /** Exit after this long without a call. @default 30 minutes */
  idleMs?: number;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Told once the socket listens, and when the server stops (why). */
  log?: (line: string) => void;
}

export interface HookServer {
  readonly socket: string;
  /** Resolves when the server has stopped (idle, `close()`, or its socket taken away). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * `hookspell claude-code serve`: answers `hookspell claude-code hook` calls for one config from a
 * process that stays up, so a call costs a Node start and a socket round trip instead of loading
 * the engines, opening storage and compiling QuickJS each time (docs/claude-code.md, "Start-up").
 *
 * Each call runs exactly as `claude-code hook` runs it (same config loading, fail-closed rules,
 * deadline and answer), on a runtime kept open between calls and reopened when the config
 * changes; the journal and event log are written in the background and closed on exit. A call from
 * another environment (`CLAUDE_*`, `PATH`, `HOME`, `HOOKSPELL_*` differ) or for another config is
 * answered `stale`, and the client runs it itself. Only the server's user can connect (socket in a
 * 0700 directory).
 */
export async function serveClaudeCodeHooks(options: HookServerOptions): Promise<HookServer> {
  const env = options.env ?? process.env;
  const socket = serverSocket(options.configFile, env);
  const fingerprint = envFingerprint(env);
  const log = options.log ?? (() => {});
  const dir = serverDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const warm = new WarmRuntimeCache(options.verbose === true);
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = options.idleMs ?? 30 * 60_000;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });

  const server: Server = createServer((conn) => {
    inFlight++;
    clearTimeout(idleTimer);
    void serve(conn).finally(() => {
      inFlight--;
      armIdle();
    });
  });

  async function serve(conn: Socket): Promise<void> {
    let response: ServerResponse;
    try {
      const request = await readRequest(conn);
      if (request.configFile !== options.configFile) response = { stale: 'another config' };
      else if (request.env !== fingerprint) response = { stale: 'another environment' };
      else if (request.envFile !== undefined && request.envFile !== env.CLAUDE_ENV_FILE)
        response = { stale: 'another CLAUDE_ENV_FILE' };
      else {
        const reply = await claudeCodeHookCommand({
          input: request.input,
          configPath: options.configFile,
          env,
          warm,
          ...(options.verbose && { verbose: true }),
        });
        response = reply;
      }
    } catch (error) {
      // A request that cannot be read: the client runs the call itself.
      response = { stale: `bad request: ${errorLine(error)}` };
    }
    await new Promise<void>((resolve) => conn.end(`${JSON.stringify(response)}\n`, () => resolve()));
  }

  function armIdle(): void {
    clearTimeout(idleTimer);
    if (inFlight === 0) idleTimer = setTimeout(() => void stop('idle'), idleMs).unref();
  }

  let stopping: Promise<void> | undefined;
  function stop(why: string): Promise<void> {
    stopping ??= (async () => {
      clearTimeout(idleTimer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socket, { force: true });
      await warm.close();
      log(`hookspell: claude-code server for ${options.configFile} stopped (${why})`);
      resolveClosed();
    })();
    return stopping;
  }

  // A socket file left by a server that died is removed; one that answers is another live server.
  if (await answers(socket)) throw new Error(`a hook server already listens on ${socket}`);
  rmSync(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socket, 0o600);
  armIdle();
  log(`hookspell: claude-code server for ${options.configFile} listening on ${socket}`);
  return { socket, closed, close: () => stop('closed') };
}

/** Runtimes by config, reopened when the resolved config changes; warnings go to the calls in flight. */
class WarmRuntimeCache implements WarmRuntimes {
  #current: { key: string; runtime: Runtime; holders: number } | undefined;
  #opening: Promise<void> | undefined;
  readonly #retired = new Set<{ runtime: Runtime; holders: number }>();
  readonly #sinks = new Set<string[]>();

  constructor(readonly verbose: boolean) {}

  async acquire(config: ResolvedConfig, warnings: string[]) {
    const key = runtimeKey(config);
    while (this.#current?.key !== key) {
      if (this.#opening === undefined) {
        this.#opening = (async () => {
          const runtime = await openHookRuntime(config, { verbose: this.verbose, longRun: true }, (line) => {
            for (const sink of this.#sinks) sink.push(line);
          });
          const old = this.#current;
          this.#current = { key, runtime, holders: 0 };
          if (old !== undefined) this.#retire(old);
        })().finally(() => {
          this.#opening = undefined;
        });
      }
      await this.#opening;
    }
    const held = this.#current;
    held.holders++;
    this.#sinks.add(warnings);
    let released = false;
    return {
      runtime: held.runtime,
      release: () => {
        if (released) return;
        released = true;
        this.#sinks.delete(warnings);
        held.holders--;
        if (this.#retired.has(held) && held.holders === 0) this.#closeRetired(held);
      },
    };
  }

  #retire(entry: { runtime: Runtime; holders: number }): void {
    this.#retired.add(entry);
    if (entry.holders === 0) this.#closeRetired(entry);
  }

  #closeRetired(entry: { runtime: Runtime; holders: number }): void {
    this.#retired.delete(entry);
    void entry.runtime.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.#opening?.catch(() => {});
    const all = [
      ...[...this.#retired].map((e) => e.runtime),
      ...(this.#current ? [this.#current.runtime] : []),
    ];
    this.#current = undefined;
    this.#retired.clear();
    await Promise.all(all.map((r) => r.close().catch(() => {})));
  }
}

/**
 * What a loaded runtime depends on: the resolved config and every file it loads (hook and script
 * files, the globals module, Claude Code settings files) as size and mtime — editing a Lua hook
 * reloads it as a new `claude-code hook` process would.
 */
function runtimeKey(config: ResolvedConfig): string {
  const files = [
    ...config.hooks.flatMap((h) => ('path' in h.source ? [h.source.path] : [])),
    ...config.scripts.map((s) => s.path),
    ...(config.globals === undefined ? [] : [config.globals.path]),
    ...config.claudeSettings.map((c) => c.path),
  ];
  const stamps = files.map((f) => {
    try {
      const st = statSync(f);
      return `${f}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${f}:missing`;
    }
  });
  return `${JSON.stringify(config)}\n${stamps.join('\n')}`;
}

function readRequest(conn: Socket): Promise<ServerRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    conn.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        conn.destroy();
        reject(new Error('request too large'));
        return;
      }
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        chunks.push(chunk);
        return;
      }
      chunks.push(chunk.subarray(0, nl));
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ServerRequest;
        if (value?.v !== 1 || typeof value.input !== 'string' || typeof value.configFile !== 'string')
          throw new Error('not a hook request');
        resolve(value);
      } catch (error) {
        reject(error);
      }
    });
    conn.on('error', reject);
    conn.on('end', () => reject(new Error('the client closed before its request ended')));
  });
}

/** True when something accepts a connection on `socket` now. */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
