import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { builtinOptions } from '@hookspell/bridge';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent } from '@hookspell/bridge/claude-code';
import { type Alias, type Document, LineCounter, parseDocument, visit } from 'yaml';
import { shortName, uniqueName } from '../claude-code/names.js';
import { CliError, CliErrorCode } from '../errors.js';
import { DEFAULT_SQLITE_PATH, display, findConfig } from './find.js';
import { jsonSyntaxProblem } from './json-syntax.js';
import { locate } from './locate.js';
import { validateConfig } from './schema.js';
import type {
  ClaudeCodeEntry,
  ConfigFile,
  HookConfig,
  HookSource,
  ResolvedConfig,
  ResolvedHook,
} from './types.js';

export { CONFIG_NAMES, DEFAULT_SQLITE_PATH, display } from './find.js';

export interface LoadConfigOptions {
  /** Where to look for a config file and what relative paths are shown against. @default process.cwd() */
  cwd?: string;
  /** An explicit config file (`--config`); it must exist. */
  configPath?: string;
  /** Environment for `${VAR}` in storage settings. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds, parses (YAML or JSON, with the `yaml` package), validates (hookspell.schema.json via
 * ajv) and resolves the config. Every problem is a `CliError` whose message starts with
 * `file:line:col` and names the bad field; unknown points get the nearest built-in name.
 * Without a config file, the defaults apply (SQLite at `.hookspell/hookspell.db`, no hooks).
 *
 * @example
 * const config = loadConfig({ cwd: process.cwd() });
 * config.storage; // { type: 'sqlite', path: '/abs/.hookspell/hookspell.db' }
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = findConfig(cwd, options.configPath);
  if (file === undefined) return resolveConfig({}, { file: undefined, dir: cwd, cwd, env });
  const shown = display(cwd, file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliError(
      CliErrorCode.CONFIG_NOT_FOUND,
      `cannot read config file ${shown}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  // Editors on Windows save UTF-8 with a byte order mark; it is not content (JSON.parse would
  // refuse it, and it would shift line 1's columns), so it is dropped for both formats.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (file.endsWith('.json')) checkJson(text, shown);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = syntax.linePos?.[0] ?? lines.linePos(syntax.pos[0]);
    const kind = file.endsWith('.json') ? 'JSON' : 'YAML';
    const message = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new CliError(
      CliErrorCode.CONFIG_SYNTAX,
      `${shown}:${pos.line}:${pos.col}: invalid ${kind}: ${message}`,
    );
  }
  const value = toPlain(doc, lines, shown) ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${shown}:1: the config must be a mapping of settings (got ${Array.isArray(value) ? 'a list' : typeof value})`,
    );
  }
  const problem = validateConfig(value);
  if (problem !== undefined) {
    const pos = locate(doc, lines, problem.path, { key: problem.key });
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${shown}${pos ? `:${pos.line}:${pos.col}` : ''}: ${problem.message}`,
    );
  }
  return resolveConfig(value as ConfigFile, { file, dir: resolve(file, '..'), cwd, env, doc, lines });
}

/**
 * How many times the aliases of a YAML config may be expanded in all (the `yaml` package's
 * `maxAliasCount`: uses of an anchor × the aliases inside it). A config repeats a block a few
 * times; a "billion laughs" file nests aliases of aliases to make a few lines expand into
 * millions of values for whatever walks the result (the schema check, JSON output).
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain values. `toJS` throws a bare ReferenceError, with no position, for an
 * alias past {@link MAX_ALIAS_COUNT} or one with no anchor before it; then the conversion runs
 * once more with each alias node of this document wrapped, to find the alias that threw and
 * place it (failure path only: a valid config converts once, unwrapped).
 */
function toPlain(doc: Document, lines: LineCounter, shown: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    let culprit: Alias | undefined;
    visit(doc, {
      Alias(_, node) {
        const own = node.toJSON;
        // An own property on this document's node, not a patch of the library's class.
        node.toJSON = function (this: Alias, ...args: Parameters<Alias['toJSON']>) {
          try {
            return own.apply(this, args);
          } catch (inner) {
            culprit ??= node; // the innermost alias throws first
            throw inner;
          }
        } as Alias['toJSON'];
      },
    });
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      // the same error again, now with its alias known
    }
    const pos = culprit?.range ? lines.linePos(culprit.range[0]) : undefined;
    const at = `${shown}:${pos ? `${pos.line}:${pos.col}` : '1:1'}`;
    const name = culprit ? `*${culprit.source}` : 'an alias';
    const text = (error as Error).message ?? String(error);
    if (/unresolved alias/i.test(text)) {
      throw new CliError(
        CliErrorCode.CONFIG_SYNTAX,
        `${at}: YAML alias ${name} has no anchor &${culprit?.source ?? '…'} before it; define the anchor (e.g. \`key: &${culprit?.source ?? 'name'} value\`) above its first use, or write the value out`,
        { cause: error },
      );
    }
    if (/excessive alias count/i.test(text)) {
      throw new CliError(
        CliErrorCode.CONFIG_INVALID,
        `${at}: YAML alias ${name} expands the config past ${MAX_ALIAS_COUNT} alias uses (aliases of aliases multiply, as in a "billion laughs" file); write the repeated values out or use fewer nested aliases`,
        { cause: error },
      );
    }
    throw new CliError(CliErrorCode.CONFIG_SYNTAX, `${at}: invalid YAML: ${text.split('\n')[0]}`, {
      cause: error,
    });
  }
}

/**
 * JSON files get JSON's own rules (YAML would accept more) and a JSON-worded message that, like
 * the YAML ones, always starts with `file:line:col` (see json-syntax.ts for why V8's is not used).
 */
function checkJson(text: string, shown: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const { line, col, message } = jsonSyntaxProblem(text, error);
    throw new CliError(CliErrorCode.CONFIG_SYNTAX, `${shown}:${line}:${col}: invalid JSON: ${message}`, {
      cause: error,
    });
  }
}

interface ResolveContext {
  file: string | undefined;
  dir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  doc?: Document;
  lines?: LineCounter;
}

function resolveConfig(config: ConfigFile, ctx: ResolveContext): ResolvedConfig {
  const where = (path: (string | number)[]): string => {
    if (ctx.file === undefined) return '(defaults)';
    const pos = ctx.doc && ctx.lines ? locate(ctx.doc, ctx.lines, path) : undefined;
    return `${display(ctx.cwd, ctx.file)}${pos ? `:${pos.line}` : ''}`;
  };
  const fail = (path: (string | number)[], message: string): never => {
    throw new CliError(CliErrorCode.CONFIG_INVALID, `${where(path)}: ${message}`);
  };
  const expand = (text: string, path: (string | number)[]): string =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const value = ctx.env[name];
      if (value === undefined)
        fail(path, `environment variable ${name} (used in ${path.join('.')}) is not set`);
      return value!;
    });

  const s = config.storage ?? { type: 'sqlite' as const };
  let storage: ResolvedConfig['storage'];
  if (s.type === 'memory') storage = { type: 'memory' };
  else if (s.type === 'postgres') {
    storage = {
      type: 'postgres',
      connectionString: expand(s.connectionString, ['storage', 'connectionString']),
      connectTimeoutMs: s.connectTimeoutMs ?? 5_000,
      ...(s.table !== undefined && { table: s.table }),
    };
  } else {
    const path = s.path === undefined ? DEFAULT_SQLITE_PATH : expand(s.path, ['storage', 'path']);
    storage = {
      type: 'sqlite',
      path: path === ':memory:' ? path : resolve(ctx.dir, path),
      ...(s.table !== undefined && { table: s.table }),
    };
  }

  const hooks: ResolvedHook[] = [];
  const names = new Map<string, number>();
  const explicit = new Set(
    (config.hooks ?? [])
      .filter((h) => h.name !== undefined)
      .map((h) => `${h.name}@${h.point ?? claudeCodePointOf(h)}`),
  );
  const entries = (config.hooks ?? []).map((hook, i) =>
    hook.claudeCode === undefined ? hook : claudeCodeDefaults(hook, i, explicit, fail),
  );
  entries.forEach((hook, i) => {
    // A built-in may leave its name or point to the built-in: the registry checks those.
    if (hook.name !== undefined && hook.point !== undefined) {
      const key = `${hook.name}@${hook.point}`;
      const earlier = names.get(key);
      if (earlier !== undefined) {
        fail(
          ['hooks', i, 'name'],
          `hooks[${i}].name: '${hook.name}' is already used at ${hook.point} by hooks[${earlier}]; names are unique per point`,
        );
      }
      names.set(key, i);
    }
    const { source, spec } = hookSource(hook, ctx.dir, (message, path = []) =>
      fail(['hooks', i, ...path], `hooks[${i}]${path.map((p) => `.${p}`).join('')}: ${message}`),
    );
    hooks.push({
      ...hook,
      source,
      spec,
      where: where(['hooks', i]),
      sourceWhere: where([
        'hooks',
        i,
        hook.builtin !== undefined
          ? 'builtin'
          : hook.claudeCode !== undefined
            ? 'claudeCode'
            : hook.run === undefined
              ? 'command'
              : 'run',
      ]),
    });
  });
  // Hooks whose names are only known once registered (built-ins without `name` or `point`).
  const unnamed = hooks.some(
    (h) => h.builtin !== undefined && (h.name === undefined || h.point === undefined),
  );
  // dependsOn must name a hook of the same point: said here with the line, not later by the registry.
  hooks.forEach((hook, i) => {
    if (hook.point === undefined && hook.dependsOn !== undefined)
      fail(
        ['hooks', i, 'dependsOn'],
        `hooks[${i}].dependsOn: a built-in registered at its own points cannot depend on other hooks; give it a \`point\``,
      );
    (hook.dependsOn ?? []).forEach((dep, d) => {
      if (!names.has(`${dep}@${hook.point}`) && !unnamed) {
        const others = hooks
          .filter((h) => h.point === hook.point && h.name !== hook.name)
          .map((h) => `'${h.name}'`);
        fail(
          ['hooks', i, 'dependsOn', d],
          `hooks[${i}].dependsOn: no hook named '${dep}' at ${hook.point}${others.length ? ` (hooks there: ${others.join(', ')})` : ''}`,
        );
      }
    });
  });

  return {
    file: ctx.file,
    dir: ctx.dir,
    storage,
    scripts: (config.scripts ?? []).map((path, i) => ({
      path: resolve(ctx.dir, path),
      where: where(['scripts', i]),
    })),
    compat: config.compat,
    globals:
      config.globals === undefined
        ? undefined
        : { path: resolve(ctx.dir, config.globals), where: where(['globals']) },
    env: config.env,
    persist: config.persist ?? ['**'],
    defaultTimeoutMs: config.defaultTimeoutMs ?? 5_000,
    limits: config.limits ?? {},
    journal: { enabled: config.journal?.enabled ?? true, retention: config.journal?.retention ?? 'default' },
    hooks,
    points: config.points ?? {},
    claudeSettings: (typeof config.claudeSettings === 'string'
      ? [config.claudeSettings]
      : (config.claudeSettings ?? [])
    ).map((path, i) => ({
      path: resolve(ctx.dir, path),
      where: where(typeof config.claudeSettings === 'string' ? ['claudeSettings'] : ['claudeSettings', i]),
    })),
  };
}

/**
 * A `claudeCode` entry with its defaults filled in: the point its `event` is fired at, and a
 * name like registerClaudeSettings gives (`claude:<event>:<script>`, `#2`… when taken at that
 * point), so that `dependsOn`, listings and the journal see it like any other hook. `taken`
 * holds the `name@point` of every entry that has a name, and grows with the names given here.
 */
function claudeCodeDefaults(
  hook: HookConfig,
  i: number,
  taken: Set<string>,
  fail: (path: (string | number)[], message: string) => never,
): HookConfig {
  const entry = hook.claudeCode!;
  const event = entry.event as ClaudeCodeEvent | undefined;
  if (event === undefined && hook.point === undefined)
    fail(
      ['hooks', i, 'claudeCode'],
      `hooks[${i}].claudeCode: give the \`event\` the script was written for (e.g. event: PreToolUse), or a \`point\` for the entry`,
    );
  const point = hook.point ?? CLAUDE_CODE_EVENT_INFO[event!].point;
  if (hook.name !== undefined) return { ...hook, point };
  const base = `claude:${event ?? point}:${shortName([entry.command, ...(entry.args ?? [])])}`;
  return { ...hook, point, name: uniqueName(base, point, taken) };
}

function claudeCodePointOf(hook: HookConfig): string | undefined {
  const event = hook.claudeCode?.event as ClaudeCodeEvent | undefined;
  return event === undefined ? undefined : CLAUDE_CODE_EVENT_INFO[event]?.point;
}

const COMMAND_ONLY = ['shell', 'cwd', 'env', 'maxOutputBytes'] as const;

function hookSource(
  hook: HookConfig,
  dir: string,
  fail: (message: string, path?: string[]) => never,
): { source: HookSource; spec: string } {
  if (hook.builtin !== undefined) return builtinSource(hook, hook.builtin, fail);
  if (hook.claudeCode !== undefined) return claudeCodeSource(hook, hook.claudeCode, dir, fail);
  if (hook.options !== undefined)
    fail('`options` is only for built-in hooks (`builtin: <name>`); a script or command takes none', [
      'options',
    ]);
  if (hook.command !== undefined) {
    const spec = Array.isArray(hook.command)
      ? `command: ${JSON.stringify(hook.command)}`
      : `command: ${hook.command}`;
    if (hook.shell && typeof hook.command !== 'string')
      fail('`shell: true` needs `command` as a string, not an array');
    return { source: { kind: 'command', command: hook.command, shell: hook.shell === true }, spec };
  }
  const run = hook.run!;
  const colon = run.indexOf(':');
  const kind = run.slice(0, colon).trim();
  const rest = run.slice(colon + 1).trim();
  if (kind === 'command') {
    return {
      source: { kind: 'command', command: rest, shell: hook.shell === true },
      spec: `command: ${rest}`,
    };
  }
  for (const field of COMMAND_ONLY) {
    if (hook[field] !== undefined)
      fail(`\`${field}\` is only for command hooks (this one runs ${kind}:${rest})`);
  }
  const path = isAbsolute(rest) ? rest : resolve(dir, rest);
  return { source: { kind: kind as 'lua' | 'js', path }, spec: `${kind}:${rest}` };
}

/**
 * A `builtin:` entry: the schema has checked the name; each option is checked here the way
 * `Hook.builtin` checks a script's (unknown names with the nearest one, options that need a
 * function or a host object refused), one at a time so the message points at the bad one. The
 * values are the factory's to check, when the hook is registered.
 */
function builtinSource(
  hook: HookConfig,
  name: string,
  fail: (message: string, path?: string[]) => never,
): { source: HookSource; spec: string } {
  for (const field of COMMAND_ONLY) {
    if (hook[field] !== undefined)
      fail(`\`${field}\` is only for command hooks (this one is builtin:${name})`);
  }
  const options = hook.options ?? {};
  for (const [key, value] of Object.entries(options)) {
    try {
      builtinOptions(name, { [key]: value }, {}, `builtin '${name}'`);
    } catch (error) {
      fail((error as Error).message.replace(/^\[hookspell\] \[bridge\] /, ''), ['options', key]);
    }
  }
  return { source: { kind: 'builtin', name, options }, spec: `builtin:${name}` };
}

/**
 * A `claudeCode` entry: a Claude Code handler as written in a settings file. Handler types other
 * than `command` never reach here (the schema allows only that one); `shell: true` belongs to
 * native command hooks (a handler says `claudeCode.shell: bash`); Claude Code's `timeout` is in
 * seconds and the entry's `timeoutMs` would say the same thing twice, so only one may be given.
 */
function claudeCodeSource(
  hook: HookConfig,
  entry: ClaudeCodeEntry,
  dir: string,
  fail: (message: string, path?: string[]) => never,
): { source: HookSource; spec: string } {
  if (hook.options !== undefined)
    fail('`options` is only for built-in hooks; a claudeCode handler takes its fields inside `claudeCode`', [
      'options',
    ]);
  if (hook.shell !== undefined)
    fail(
      '`shell` (true/false) is for native command hooks; a Claude Code handler says `claudeCode.shell: sh | bash`',
      ['shell'],
    );
  if (hook.timeoutMs !== undefined && entry.timeout !== undefined)
    fail('give `claudeCode.timeout` (seconds, as in Claude Code) or `timeoutMs`, not both', ['timeoutMs']);
  if (entry.event !== undefined && hook.point !== undefined) {
    const info = CLAUDE_CODE_EVENT_INFO[entry.event as ClaudeCodeEvent];
    if (info !== undefined && info.point !== hook.point && !hook.point.startsWith('custom:'))
      fail(
        `claudeCode.event ${entry.event} is fired at ${info.point}, not at ${hook.point}; leave \`point\` out (or use a custom:<name> point to run the script elsewhere)`,
        ['point'],
      );
  }
  const resolved: ClaudeCodeEntry = {
    ...entry,
    ...(entry.pluginRoot !== undefined && { pluginRoot: resolve(dir, entry.pluginRoot) }),
    ...(entry.pluginData !== undefined && { pluginData: resolve(dir, entry.pluginData) }),
  };
  const words = [entry.command, ...(entry.args ?? [])].join(' ');
  return {
    source: { kind: 'claude-code', entry: resolved },
    spec: `claudeCode${entry.event ? `(${entry.event}${entry.matcher ? ` ${entry.matcher}` : ''})` : ''}: ${words}`,
  };
}
