import { type ChildProcess, spawn } from 'node:child_process';
import { killMarked, newRunMark, RUN_MARK_VAR } from '../command/kill-tree.js';

/** What one run of a Claude Code hook process gave. */
export interface ProcessRun {
  /** null when the process was killed by a signal or never started. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The program could not be started at all (ENOENT, EACCES …). */
  readonly launchError?: NodeJS.ErrnoException;
  /** Killed because it outlived `timeoutMs`. */
  readonly timedOut: boolean;
  /** Killed because the hook's signal aborted (the executor's timeout or the fire's abort). */
  readonly aborted: boolean;
}

export interface RunOptions {
  readonly argv: readonly string[];
  readonly cwd: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Bytes of stdout and of stderr kept; the rest is read and dropped (the process is not killed). */
  readonly maxBytes: number;
}

/** After a kill, how long stdout/stderr may stay open (held by a survivor) before we close them. */
const KILL_DRAIN_MS = 200;

/**
 * Runs one hook process the way Claude Code does: its own process group, the whole stdin JSON
 * written then closed (a program that does not read it is fine: EPIPE is ignored), stdout and
 * stderr collected. A timeout or an abort kills the process tree (the group, and on Linux every
 * process carrying this run's mark — see command/kill-tree.ts). Never rejects.
 */
export function runProcess(options: RunOptions): Promise<ProcessRun> {
  const { argv, signal } = options;
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ exitCode: null, stdout: '', stderr: '', timedOut: false, aborted: true });
      return;
    }
    const run = newRunMark(process.env[RUN_MARK_VAR]);
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: options.cwd,
        env: { ...options.env, [RUN_MARK_VAR]: run.value },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({
        exitCode: null,
        stdout: '',
        stderr: '',
        launchError: error as NodeJS.ErrnoException,
        timedOut: false,
        aborted: false,
      });
      return;
    }
    const out = new Collector(options.maxBytes);
    const err = new Collector(options.maxBytes);
    let launchError: NodeJS.ErrnoException | undefined;
    let timedOut = false;
    let aborted = false;
    let drain: NodeJS.Timeout | undefined;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const killTree = () => {
      killGroup();
      if (child.pid === undefined) return;
      void killMarked(run.mark).catch(() => {});
      drain ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_DRAIN_MS);
    };
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, options.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => out.add(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.add(chunk));
    // A program that does not read its stdin closes the pipe early (EPIPE): that is fine.
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.stdin);
    child.on('error', (error: NodeJS.ErrnoException) => {
      launchError ??= error;
    });
    child.on('exit', () => killGroup()); // background children must not outlive the hook
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      if (drain) clearTimeout(drain);
      resolve({
        exitCode: launchError === undefined ? code : null,
        stdout: out.text(),
        stderr: err.text(),
        ...(launchError === undefined ? {} : { launchError }),
        timedOut,
        aborted,
      });
    });
  });
}

/** Keeps the first `max` bytes of a stream and counts the rest. */
class Collector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  constructor(private readonly max: number) {}
  add(chunk: Buffer): void {
    if (this.kept >= this.max) return;
    const room = this.max - this.kept;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
