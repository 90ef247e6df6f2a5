import type { BreakerConfig, BreakerPreset, ExecutionMode, HookPoint, Priority } from '@hookspell/hooks';

/** Storage as written in the config file. */
export type StorageConfig =
  | { type: 'sqlite'; path?: string; table?: string }
  | { type: 'memory' }
  | { type: 'postgres'; connectionString: string; table?: string; connectTimeoutMs?: number };

/** One hook as written in the config file. */
export interface HookConfig {
  /** Required, except for built-ins (default: the built-in's own name). */
  name?: string;
  /** Required, except for built-ins (default: the built-in's own points). */
  point?: HookPoint;
  run?: string;
  command?: string | string[];
  /** A built-in hook by name (`rateLimit`, `security`…), instead of `run`/`command`. */
  builtin?: string;
  /** Built-ins: the factory's options. */
  options?: Record<string, unknown>;
  /** A Claude Code hook handler, run unchanged (instead of `run`/`command`/`builtin`). */
  claudeCode?: ClaudeCodeEntry;
  shell?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  maxOutputBytes?: number;
  priority?: Priority;
  dependsOn?: string[];
  timeoutMs?: number;
  onFailure?: 'continue' | 'cancel';
  critical?: boolean;
  mutates?: boolean;
  breaker?: BreakerPreset | Partial<BreakerConfig> | false;
  tags?: string[];
  enabled?: boolean;
  version?: string;
}

/**
 * A Claude Code hook handler as written in the config: the fields of a handler of
 * `.claude/settings.json` (`type`, `command`, `args`, `shell`, `timeout` in seconds, `if`,
 * `async`, `statusMessage`), its group's `matcher`, and the `event` it was written for.
 */
export interface ClaudeCodeEntry {
  type?: 'command';
  event?: string;
  command: string;
  args?: string[];
  shell?: 'sh' | 'bash';
  /** Seconds. */
  timeout?: number;
  matcher?: string;
  if?: string;
  async?: boolean;
  statusMessage?: string;
  /** `CLAUDE_PLUGIN_ROOT`, relative to the config file. */
  pluginRoot?: string;
  /** `CLAUDE_PLUGIN_DATA`, relative to the config file. */
  pluginData?: string;
}

/** Per-point settings as written in the config file. */
export interface PointSettings {
  mode?: ExecutionMode;
  maxParallel?: number;
  abortOnCritical?: boolean;
  /** A guard point: its hooks fail closed unless one says `onFailure: 'continue'` itself. */
  failClosed?: boolean;
  /** `claude-code hook`, Stop/SubagentStop fired here: blocks in a row before the agent may stop. @default 8 */
  stopBlockCap?: number;
}

/** The config file, as validated against hookspell.schema.json. */
export interface ConfigFile {
  $schema?: string;
  storage?: StorageConfig;
  scripts?: string[];
  /** Compatibility profile of scripts (`hookspell run --compat` overrides it). */
  compat?: 'llmspell';
  /** A module providing the scripts' host globals. */
  globals?: string;
  /** Environment variables `os.getenv` may read. */
  env?: string[];
  persist?: string[];
  defaultTimeoutMs?: number;
  limits?: Partial<
    Record<'callbackMs' | 'scriptMs' | 'memoryBytes' | 'stackBytes' | 'waitMs' | 'printBytes', number>
  >;
  journal?: { enabled?: boolean; retention?: 'default' | 'short' | 'long' };
  hooks?: HookConfig[];
  points?: Record<string, PointSettings>;
  /** Claude Code settings files (or plugin hooks.json) whose command hooks are registered too. */
  claudeSettings?: string | string[];
}

/** Where a hook's code comes from, resolved. */
export type HookSource =
  | { kind: 'lua' | 'js'; path: string }
  | { kind: 'command'; command: string | string[]; shell: boolean }
  | { kind: 'builtin'; name: string; options: Record<string, unknown> }
  | {
      kind: 'claude-code';
      /** The handler with `pluginRoot`/`pluginData` made absolute. */
      entry: ClaudeCodeEntry;
    };

/**
 * A hook ready to register: the config entry, its source resolved, and where it was written.
 * `name` and `point` are set for every entry but a built-in's, which may leave them out.
 */
export interface ResolvedHook extends HookConfig {
  source: HookSource;
  /** How the source was written (`lua:hooks/deny.lua`, `command: npm test`, `builtin:rateLimit`), for listings. */
  spec: string;
  /** `file:line` of the entry, for messages. */
  where: string;
  /** `file:line` of its `run`/`command`/`builtin`. */
  sourceWhere: string;
}

/** A loaded, validated config with every path made absolute. */
export interface ResolvedConfig {
  /** The config file, or undefined when none was found (defaults). */
  file: string | undefined;
  /** Directory relative paths are resolved against (the config file's, else the working directory). */
  dir: string;
  storage:
    | { type: 'sqlite'; path: string; table?: string }
    | { type: 'memory' }
    | { type: 'postgres'; connectionString: string; table?: string; connectTimeoutMs: number };
  scripts: { path: string; where: string }[];
  compat: 'llmspell' | undefined;
  /** `globals`, absolute, with the `file:line` it was written at. */
  globals: { path: string; where: string } | undefined;
  env: string[] | undefined;
  persist: string[];
  defaultTimeoutMs: number;
  limits: NonNullable<ConfigFile['limits']>;
  journal: { enabled: boolean; retention: 'default' | 'short' | 'long' };
  hooks: ResolvedHook[];
  points: Record<string, PointSettings>;
  /** `claudeSettings`, absolute, with the `file:line` each was written at. */
  claudeSettings: { path: string; where: string }[];
}
