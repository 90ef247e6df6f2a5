import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

// Child processes for the JetStream tests: worker-group members (fixtures/jetstream-worker.mjs)
// whose handled events are read back from their stdout, and a private nats-server.

/** One event a worker handled, as its line says. */
export interface Handled {
  readonly id: string;
  readonly correlationId: string;
  readonly i: number;
  readonly deliveryCount: number;
  /** Wall clock, µs (comparable across processes on one machine). */
  readonly at: number;
  readonly worker: number;
  readonly pid: number;
}

export interface Worker {
  readonly index: number;
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  stderr: string;
}

const WORKER = new URL('../fixtures/jetstream-worker.mjs', import.meta.url).pathname;

/** Starts one worker; every line it prints is parsed into `into`. */
export function spawnWorker(
  index: number,
  args: {
    servers: string;
    prefix: string;
    stream: string;
    group: string;
    partitions: number;
    ackWaitMs: number;
  },
  into: Handled[],
): Worker {
  const proc = spawn(
    process.execPath,
    [
      WORKER,
      args.servers,
      args.prefix,
      args.stream,
      args.group,
      String(args.partitions),
      String(args.ackWaitMs),
    ],
    // stdin stays open while this process lives: the worker exits when it closes (no orphans).
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const worker: Worker = {
    index,
    proc,
    stderr: '',
    ready: undefined as never,
    exited: new Promise((resolve) => proc.on('close', resolve)),
  };
  let ready!: () => void;
  (worker as { ready: Promise<void> }).ready = new Promise((resolve) => (ready = resolve));
  let rest = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') {
        ready();
        continue;
      }
      const [id, correlationId, i, deliveryCount, at] = line.split(' ');
      into.push({
        id: id!,
        correlationId: correlationId!,
        i: Number(i),
        deliveryCount: Number(deliveryCount),
        at: Number(at),
        worker: index,
        pid: proc.pid!,
      });
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    worker.stderr += chunk;
  });
  return worker;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `nats-server -js` on `port` with its own store; resolves once it listens. */
export async function startNatsServer(binary: string, port: number, storeDir: string): Promise<ChildProcess> {
  const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const deadline = Date.now() + 20_000;
  while (!/Server is ready/.test(log)) {
    if (proc.exitCode !== null) throw new Error(`nats-server exited (${proc.exitCode}): ${log}`);
    if (Date.now() > deadline) throw new Error(`nats-server did not start on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

/** Resolves when `condition()` holds, polling; fails with `what()` after `timeoutMs`. */
export async function until(condition: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
