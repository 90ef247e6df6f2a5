import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';

/**
 * The environment variable that marks every process a command hook starts. Children inherit
 * their parent's environment, so every descendant carries it too: the mark survives what a
 * process group does not (`setsid`, a double fork, reparenting to init).
 */
export const RUN_MARK_VAR = 'HOOKSPELL_HOOK_RUN';

/** Most sweeps of one kill: each pass also catches what forked while the previous one ran. */
const MAX_PASSES = 8;

/** Set once `/proc` turned out to be unreadable: later kills skip the sweep at once. */
let noProcfs = false;

/**
 * A fresh mark for one run, and the variable's value for its child: a mark inherited from an
 * enclosing hook run (a command hook that runs `hookspell fire`) is kept in front, separated by
 * `:`, so a sweep of the outer run still finds the inner run's processes.
 */
export function newRunMark(inherited: string | undefined): { mark: string; value: string } {
  const mark = randomUUID();
  return { mark, value: inherited ? `${inherited}:${mark}` : mark };
}

/**
 * Kills every process whose environment carries `mark`: SIGKILL to each process of this user
 * whose `/proc/<pid>/environ` contains it, in passes until one finds nothing (or
 * {@link MAX_PASSES}). Resolves with how many were signalled.
 *
 * Why this and not only the process group: a hook's program leads its own group, and killing the
 * group reaches everything that stayed in it, but a descendant that called `setsid` (daemons,
 * `nohup`-style wrappers, Node's `detached`) has left it, and once its parent died it is
 * reparented to init, so no parent-child walk finds it either. The environment it started with
 * still carries the mark. A random UUID cannot occur by chance, so a plain byte search is enough.
 *
 * Limits (documented in docs/limits.md): Linux only (`/proc`; elsewhere this resolves 0 at
 * once and only the group is killed); only processes this user may read (`environ` of other
 * users' processes is refused, as is killing them); a descendant that replaced its whole
 * environment on exec (`env -i`) carries no mark. Runs only on a kill (timeout, abort, output
 * overflow), never on the normal path, and reads `/proc` asynchronously so the host keeps going.
 */
export async function killMarked(mark: string): Promise<number> {
  if (noProcfs) return 0;
  const needle = Buffer.from(mark);
  let total = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let names: string[];
    try {
      names = await readdir('/proc');
    } catch {
      noProcfs = true;
      return total;
    }
    const killed = await Promise.all(names.map((name) => killIfMarked(name, needle)));
    const count = killed.reduce((n, k) => n + k, 0);
    total += count;
    if (count === 0) break;
  }
  return total;
}

async function killIfMarked(name: string, needle: Buffer): Promise<number> {
  const pid = Number(name);
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return 0;
  let environ: Buffer;
  try {
    environ = await readFile(`/proc/${pid}/environ`);
  } catch {
    return 0; // gone meanwhile, or another user's process
  }
  // A killed process's environ reads empty once it is a zombie: it is not counted twice.
  if (!environ.includes(needle)) return 0;
  try {
    process.kill(pid, 'SIGKILL');
    return 1;
  } catch {
    return 0; // exited meanwhile
  }
}
