import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Real NATS on loopback and real service processes, no mocks. The tests run wherever a NATS
// server is installed (and fail if it is installed but not started); they are skipped, with the
// command that starts one, only where none is installed.

/** The server the tests use; override with HOOKSPELL_NATS_URL. */
export const NATS_URL = process.env.HOOKSPELL_NATS_URL ?? 'nats://127.0.0.1:4222';
export const NATS_START_HINT = 'nats-server -js -a 127.0.0.1 -p 4222';

/** Why the NATS tests cannot run here (printed), or undefined when they run. */
export function natsSkipReason(what: string): string | undefined {
  const installed =
    existsSync('/usr/sbin/nats-server') ||
    spawnSync('sh', ['-c', 'command -v nats-server'], { stdio: 'ignore' }).status === 0;
  if (installed) return undefined;
  const reason = `[${what}] skipped: nats-server is not installed. Install it and start it with \`${NATS_START_HINT}\` (or point HOOKSPELL_NATS_URL at a running server).`;
  console.warn(reason);
  return reason;
}

/** A subject of its own for one test, so runs and tests never answer each other. */
export function newSubject(): string {
  return `hookspell.test.remote.${randomBytes(4).toString('hex')}`;
}

const FIXTURE = fileURLToPath(new URL('../fixtures/policy-service.mjs', import.meta.url));

/** A policy service process (fixtures/policy-service.mjs) and what it printed. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout: string;
  stderr: string;
  /** Resolves when stdout has a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then resolves with the exit code once it exits. */
  stop(): Promise<number | null>;
}

const started: ServiceProcess[] = [];

/** Starts a policy service process on `subject` and resolves once it serves. */
export async function startService(subject: string, name: string): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [FIXTURE, NATS_URL, subject, name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const service: ServiceProcess = {
    name,
    child,
    stdout: '',
    stderr: '',
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = () => {
          if (pattern.test(service.stdout)) resolve();
          else if (child.exitCode !== null || child.signalCode !== null)
            reject(
              new Error(
                `service ${name} exited before printing ${pattern}:\n${service.stdout}\n${service.stderr}`,
              ),
            );
          else if (Date.now() > deadline)
            reject(
              new Error(
                `service ${name} did not print ${pattern} within ${timeoutMs} ms:\n${service.stdout}\n${service.stderr}`,
              ),
            );
          else setTimeout(poll, 10);
        };
        poll();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (service.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (service.stderr += s));
  started.push(service);
  await service.waitFor(new RegExp(`^ready ${name}$`, 'm'));
  return service;
}

/** Kills every service process the test file started and waits for them to exit. */
export async function stopServices(): Promise<void> {
  await Promise.all(
    started.splice(0).map((s) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return undefined;
      const gone = new Promise((resolve) => s.child.on('exit', resolve));
      s.child.kill('SIGKILL');
      return gone;
    }),
  );
}
