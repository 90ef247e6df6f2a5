import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { CLI } from './helpers.js';

/** Absolute file URLs of the workspace packages, for child scripts written into temp dirs. */
export const PACKAGES = {
  events: new URL('../node_modules/@hookspell/events/dist/index.js', import.meta.url).href,
  storage: new URL('../node_modules/@hookspell/storage/dist/index.js', import.meta.url).href,
  postgres: new URL('../node_modules/@hookspell/storage/dist/postgres.js', import.meta.url).href,
};

export interface Running {
  url: string;
  /** `http://host:port` */
  base: string;
  token: string | undefined;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

const started: Running[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((r) => r.stop()));
});

/** Starts `hookspell inspect --port 0 …args` in `cwd` and resolves once it prints its URL. */
export function startInspect(
  cwd: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'inspect', '--port', '0', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let done = false;
    const timer = setTimeout(
      () => fail(new Error(`hookspell inspect printed no URL in 60 s:\n${out}\n${err}`)),
      60_000,
    );
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /hookspell inspect: (http:\/\/\S+)/.exec(out);
      if (m === null || done) return;
      done = true;
      clearTimeout(timer);
      const url = new URL(m[1]!);
      const running: Running = {
        url: m[1]!,
        base: `http://${url.host}`,
        token: url.searchParams.get('token') ?? undefined,
        child,
        stdout: () => out,
        stderr: () => err,
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res(child.exitCode);
            child.once('exit', (code) => res(code));
            child.kill('SIGTERM');
          }),
      };
      started.push(running);
      resolve(running);
    });
    child.stderr!.on('data', (c: Buffer) => (err += c));
    child.on('exit', (code) =>
      fail(new Error(`hookspell inspect exited (${code}) before printing its URL:\n${out}\n${err}`)),
    );
  });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** One HTTP request (any Host header or body), never rejecting on an HTTP error status. */
export function http(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A connection per request: a kept-alive socket the server has just closed would reset.
    const req = request(
      new URL(path, base),
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SseMessage {
  event: string;
  id?: string;
  data: any;
  at: number;
}

/** A server-sent events stream read as messages (parsed JSON), collected as they come. */
export function sse(base: string, path: string, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  const waiters: (() => void)[] = [];
  let status = 0;
  const req = request(
    new URL(path, base),
    { headers: { Accept: 'text/event-stream', ...headers }, agent: false },
    (res) => {
      status = res.statusCode!;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.data === undefined) continue;
          messages.push({
            event: fields.event ?? 'message',
            ...(fields.id !== undefined && { id: fields.id }),
            data: JSON.parse(fields.data),
            at: Date.now(),
          });
          for (const w of waiters.splice(0)) w();
        }
      });
    },
  );
  req.on('error', () => {});
  req.end();
  return {
    messages,
    status: () => status,
    /** Resolves when `test` holds for the messages so far (rejects after `timeoutMs`). */
    until(test: (messages: SseMessage[]) => boolean, timeoutMs = 30_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `SSE: condition not met in ${timeoutMs} ms; got ${messages.map((m) => m.event).join(', ')}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          if (test(messages)) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => req.destroy(),
  };
}

/**
 * A child process that stores events in the log as a separate agent would: an EventBus persisting
 * every event to the configured storage, one event per `intervalMs` under `correlation`, each
 * awaited until committed, printing `<id> <sequence> <Date.now()>` once it is.
 */
export function writerScript(): string {
  return `import { EventBus, EventLog } from '${PACKAGES.events}';
const [kind, where, table, correlationId, count, intervalMs, type = 'agent.step'] = process.argv.slice(2);
let storage;
if (kind === 'sqlite') storage = (await import('${PACKAGES.storage}')).SqliteStorage({ path: where });
else storage = (await import('${PACKAGES.postgres}')).PostgresStorage({ connectionString: where }, table ? { table } : {});
const log = new EventLog(storage);
const bus = new EventBus({ log, persist: ['**'], source: 'test-writer' });
for (let i = 1; i <= Number(count); i++) {
  const event = await bus.publish(type, { step: i }, { correlationId, durable: true });
  process.stdout.write(event.id + ' ' + event.sequence + ' ' + Date.now() + '\\n');
  if (i < Number(count)) await new Promise((r) => setTimeout(r, Number(intervalMs)));
}
await bus.close();
await log.close();
await storage.close();
`;
}

export function spawnWriter(
  cwd: string,
  args: string[],
): ChildProcess & { lines(): string[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['writer.mjs', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0) process.stderr.write(`writer exited ${code}: ${err}\n`);
      resolve(code);
    }),
  );
  return Object.assign(child, { lines: () => out.split('\n').filter(Boolean), done });
}

export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
