import { type ChildProcess, spawn } from 'node:child_process';
import { killMarked, newRunMark, RUN_MARK_VAR } from './kill-tree.js';

/** What one run of a hook's process gave (command hooks and Claude Code hooks). */
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
  /** Killed because stdout passed `maxBytes` (only with `overflow: 'kill'`). */
  readonly overflowed: boolean;
}

export interface RunOptions {
  readonly argv: readonly string[];
  readonly cwd: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: string;
  /** Kill the process tree after this long; none when undefined (the executor's timeout still aborts `signal`). */
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  /** Bytes of stdout kept. */
  readonly maxBytes: number;
  /** Bytes of stderr kept (its tail). @default maxBytes */
  readonly maxStderrBytes?: number;
  /**
   * Past `maxBytes` of stdout: `truncate` reads and drops the rest (Claude Code's way: the answer
   * is in the first bytes); `kill` kills the process tree and reports `overflowed`.
   * @default 'truncate'
   */
  readonly overflow?: 'truncate' | 'kill';
}

/** After a kill, how long stdout/stderr may stay open (held by a survivor) before we close them. */
const KILL_DRAIN_MS = 200;

/**
 * Runs one hook process: its own process group, the whole stdin written then closed (a program
 * that does not read it is fine: EPIPE is ignored), stdout and stderr collected. A timeout, an
 * abort or (with `overflow: 'kill'`) too much output kills the process tree: the group, and on
 * Linux every process carrying this run's mark, which finds the ones that left the group with
 * `setsid` (kill-tree.ts). When a survivor holds the pipes open past a short grace, our ends are
 * closed, so the run still ends. Background children of a finished program are killed with its
 * group. Never rejects: what happened is in the result.
 */
export function runProcess(options: RunOptions): Promise<ProcessRun> {
  const { argv, signal } = options;
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ exitCode: null, stdout: '', stderr: '', timedOut: false, aborted: true, overflowed: false });
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
        overflowed: false,
      });
      return;
    }
    const out = new Collector(options.maxBytes);
    const err = new TailCollector(options.maxStderrBytes ?? options.maxBytes);
    let launchError: NodeJS.ErrnoException | undefined;
    let timedOut = false;
    let aborted = false;
    let overflowed = false;
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
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killTree();
          }, options.timeoutMs);
    const killOnOverflow = options.overflow === 'kill';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (out.add(chunk) || !killOnOverflow || overflowed) return;
      overflowed = true;
      killTree();
    });
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
      if (timer) clearTimeout(timer);
      if (drain) clearTimeout(drain);
      resolve({
        exitCode: launchError === undefined ? code : null,
        stdout: out.text(),
        stderr: err.text(),
        ...(launchError === undefined ? {} : { launchError }),
        timedOut,
        aborted,
        overflowed,
      });
    });
  });
}

/** Keeps the first `max` bytes of a stream; `add` says whether the chunk fitted whole. */
class Collector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  constructor(private readonly max: number) {}
  add(chunk: Buffer): boolean {
    if (this.kept >= this.max) return chunk.length === 0;
    const room = this.max - this.kept;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    return part.length === chunk.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Keeps the last `max` characters of a stream (stderr: the end says what went wrong). */
class TailCollector {
  private text_ = '';
  constructor(private readonly max: number) {}
  add(chunk: Buffer): void {
    this.text_ += chunk.toString('utf8');
    if (this.text_.length > this.max) this.text_ = this.text_.slice(-this.max);
  }
  text(): string {
    return this.text_;
  }
}
