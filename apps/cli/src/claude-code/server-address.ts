import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Imported by the hook's client path before anything else: node built-ins only.

/**
 * The directory of the hook servers' sockets: `$HOOKSPELL_CACHE_DIR/servers`, else
 * `$XDG_CACHE_HOME/hookspell/servers`, else `~/.cache/hookspell/servers`. Created 0700 by the
 * server, so only its user can connect.
 */
export function serverDir(env: NodeJS.ProcessEnv): string {
  if (env.HOOKSPELL_CACHE_DIR) return join(env.HOOKSPELL_CACHE_DIR, 'servers');
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'hookspell', 'servers');
}

/**
 * The socket of the server for one config file (its absolute path): a short hash keeps the path
 * under the ~104 bytes a Unix socket path may have.
 */
export function serverSocket(configFile: string, env: NodeJS.ProcessEnv): string {
  const id = createHash('sha256').update(configFile).digest('hex').slice(0, 16);
  return join(serverDir(env), `cc-${id}.sock`);
}

/**
 * What a hook's environment must match for the server to run it: the project and plugin Claude Code
 * names (`CLAUDE_PROJECT_DIR`, `CLAUDE_PLUGIN_ROOT`, `CLAUDE_PLUGIN_DATA`), `PATH`, `HOME` and
 * hookspell's own variables — command hooks inherit the server's environment, so a call from
 * another project or another `PATH` must not run there. `CLAUDE_ENV_FILE`, which Claude Code sets
 * for some events only, is compared apart (see `ServerRequest.envFile`). A call that does not
 * match is answered `stale`, and the client runs it itself.
 */
export function envFingerprint(env: NodeJS.ProcessEnv): string {
  const keys = Object.keys(env)
    .filter(
      (k) =>
        k === 'CLAUDE_PROJECT_DIR' ||
        k === 'CLAUDE_PLUGIN_ROOT' ||
        k === 'CLAUDE_PLUGIN_DATA' ||
        k === 'PATH' ||
        k === 'HOME' ||
        (k.startsWith('HOOKSPELL_') && k !== 'HOOKSPELL_SERVE_DETACHED'),
    )
    .sort();
  return createHash('sha256')
    .update(keys.map((k) => `${k}=${env[k]}`).join('\0'))
    .digest('hex')
    .slice(0, 16);
}

/** One request: Claude Code's stdin as it came, the config it resolved to, and its environment's fingerprint. */
export interface ServerRequest {
  readonly v: 1;
  readonly input: string;
  readonly configFile: string;
  readonly env: string;
  /** The call's `CLAUDE_ENV_FILE` (SessionStart, Setup, CwdChanged, FileChanged): served only when the server's is the same. */
  readonly envFile?: string;
}

/** One answer: the reply to write, or `stale` (the client runs the call itself). */
export type ServerResponse =
  | { readonly exitCode: 0 | 2; readonly stdout: string; readonly stderr: string }
  | { readonly stale: string };
