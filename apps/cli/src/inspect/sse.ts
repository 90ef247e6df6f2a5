import type { IncomingMessage, ServerResponse } from 'node:http';

/** Past this many bytes waiting in a client's socket, the client is too slow: it is disconnected (and reconnects). */
const MAX_BUFFERED = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/**
 * One server-sent events connection. Messages are JSON; `id` (a log sequence) lets the browser's
 * EventSource resume after a reconnect (`Last-Event-ID`). A client that does not read is
 * dropped rather than buffered without bound.
 */
export class SseClient {
  readonly #res: ServerResponse;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;
  onClose: (() => void) | undefined;

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.#res = res;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Reconnect quickly after the inspector restarts.
    res.write('retry: 1000\n\n');
    this.#heartbeat = setInterval(() => this.#write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.#heartbeat.unref?.();
    const close = () => this.close();
    req.on('close', close);
    res.on('error', close);
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(event: string, data: unknown, id?: number): void {
    this.sendRaw(event, JSON.stringify(data), id);
  }

  /** Sends JSON text already made (one line: JSON.stringify never writes a raw newline). */
  sendRaw(event: string, json: string, id?: number): void {
    this.#write(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${json}\n\n`);
  }

  #write(text: string): void {
    if (this.#closed) return;
    if (this.#res.writableLength > MAX_BUFFERED) {
      this.close();
      return;
    }
    this.#res.write(text);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#res.end();
    this.onClose?.();
  }
}
