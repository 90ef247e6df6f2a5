import { HookCancelledError } from '../errors/hook-cancelled-error.js';
import { HookError, HookErrorCode } from '../errors/hook-error.js';
import type { AnyHookExecutor } from '../executor.js';
import type { ComponentRef } from '../types.js';
import type { WrapOptions } from '../wrap.js';

/** A tool as `instrumentTool` takes it. */
export interface ToolDefinition<P, R> {
  name: string;
  id?: string;
  /** Runs the tool; `signal` aborts when it times out. */
  execute(params: P, signal: AbortSignal): R | Promise<R>;
  /** What is wrong with the parameters: problems, or `true`/nothing when they are fine. */
  validate?(params: P): readonly string[] | string | boolean | undefined | null;
  /** @default none */
  timeoutMs?: number;
}

/** Options of `instrumentTool`: the timeout and what `executor.wrap()` takes. */
export interface InstrumentToolOptions<P, R>
  extends Pick<
    WrapOptions<[P], R>,
    'redirect' | 'fork' | 'onFork' | 'onOutcome' | 'cacheStore' | 'fireOptions'
  > {
  /** Overrides the tool's `timeoutMs`. */
  timeoutMs?: number;
  /** Metadata of every fire. */
  metadata?: Record<string, string>;
  /** A tool given as a bare function: its name. @default the function's own `name` */
  name?: string;
  /** A tool given as a bare function: its parameter check (see `ToolDefinition.validate`). */
  validate?: ToolDefinition<P, R>['validate'];
}

/** A tool as a bare function, `(params, signal) => result`; name and validation come from the options. */
export type ToolFunction<P, R> = (params: P, signal: AbortSignal) => R | Promise<R>;

/** The instrumented tool: call it like the tool, minus the signal. */
export type InstrumentedTool<P, R> = ((params: P) => Promise<R>) & { readonly component: ComponentRef };

/**
 * Wraps a tool (a `ToolDefinition`, or a bare function named by itself or by `options.name`) so
 * every call fires the tool points: `ToolValidation` (data `{ parameters,
 * problems }`: the tool's own `validate` result; hooks may cancel, rewrite `parameters`, or
 * clear or add `problems`; problems left reject with `HOOKSPELL_TOOL_VALIDATION_FAILED`), then
 * `custom:tool_security_check` (data `{ parameters }`; a hook may cancel or rewrite `parameters`),
 * then through `executor.wrap()` `BeforeToolExecution` / `AfterToolExecution` / `ToolError` — so
 * every hook result is honoured (cancel, replace, retry with backoff, cache, redirect, fork) — with
 * `custom:tool_resource_allocated` / `custom:tool_resource_released` (data `{ parameters }` and
 * `{ parameters, ok }`) around each execution attempt. A call
 * outliving `timeoutMs` has its signal aborted, fires `custom:tool_timeout`, and fails with
 * `HOOKSPELL_TOOL_TIMEOUT` (which ToolError hooks see, and the retry built-in retries).
 *
 * @example
 * ```ts
 * import { instrumentTool } from '@hookspell/hooks/lifecycle';
 * const calc = instrumentTool(executor, {
 *   name: 'calculator',
 *   validate: (p: { expr: string }) => (p.expr.length > 0 ? true : 'expr is empty'),
 *   execute: async (p) => evaluate(p.expr),
 *   timeoutMs: 2_000,
 * });
 * await calc({ expr: '6*7' }); // 42, with validation, before/after/error and timeout points fired
 * const search = instrumentTool(executor, async (p: { q: string }) => find(p.q), { name: 'search' });
 * ```
 */
export function instrumentTool<P, R>(
  executor: AnyHookExecutor,
  definition: ToolDefinition<P, R> | ToolFunction<P, R>,
  options: InstrumentToolOptions<P, R> = {},
): InstrumentedTool<P, R> {
  const tool = toolOf(definition, options);
  const component: ComponentRef = {
    type: 'tool',
    name: tool.name,
    ...(tool.id === undefined ? {} : { id: tool.id }),
  };
  const timeoutMs = options.timeoutMs ?? tool.timeoutMs;
  const metadata = options.metadata ?? {};

  const observe = (
    point: 'custom:tool_resource_allocated' | 'custom:tool_resource_released',
    data: Record<string, unknown>,
  ) => executor.fire(point, { component, metadata: { ...metadata }, data }, options.fireOptions);

  // Each execution attempt (retries included) holds the tool's resources: say when, for observers.
  const runWithTimeout = async (params: P): Promise<R> => {
    await observe('custom:tool_resource_allocated', { parameters: params });
    let ok = false;
    try {
      const result = await execute(params);
      ok = true;
      return result;
    } finally {
      await observe('custom:tool_resource_released', { parameters: params, ok });
    }
  };

  const execute = async (params: P): Promise<R> => {
    const controller = new AbortController();
    if (timeoutMs === undefined) return tool.execute(params, controller.signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new HookError(
          HookErrorCode.TOOL_TIMEOUT,
          `tool '${tool.name}' did not finish within ${timeoutMs} ms; its signal was aborted.`,
        );
        controller.abort(error);
        void executor
          .fire(
            'custom:tool_timeout',
            { component, metadata: { ...metadata }, data: { parameters: params, timeoutMs } },
            options.fireOptions,
          )
          .finally(() => reject(error));
      }, timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve(tool.execute(params, controller.signal)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  const wrapped = executor.wrap(runWithTimeout, {
    before: 'BeforeToolExecution',
    after: 'AfterToolExecution',
    error: 'ToolError',
    input: { component, metadata },
    ...pick(options),
  });

  const call = async (params: P): Promise<R> => {
    const problems = problemsOf(tool.validate?.(params));
    const outcome = await executor.fire(
      'ToolValidation',
      { component, metadata: { ...metadata }, data: { parameters: params, problems } },
      options.fireOptions,
    );
    const d = outcome.decision;
    if (d.type === 'cancel') {
      const by = outcome.records.find((r) => r.result?.type === 'cancel')?.name;
      throw new HookCancelledError(d.reason, 'ToolValidation', { hook: by, outcome });
    }
    const checked = 'parameters' in outcome.data ? (outcome.data.parameters as P) : params;
    const left = problemsOf(outcome.data.problems as readonly string[] | undefined);
    if (left.length > 0) {
      throw new HookError(
        HookErrorCode.TOOL_VALIDATION_FAILED,
        `tool '${tool.name}' rejected its parameters: ${left.join('; ')}.`,
      );
    }
    const security = await executor.fire(
      'custom:tool_security_check',
      { component, metadata: { ...metadata }, data: { parameters: checked } },
      options.fireOptions,
    );
    if (security.decision.type === 'cancel') {
      const by = security.records.find((r) => r.result?.type === 'cancel')?.name;
      throw new HookCancelledError(security.decision.reason, 'custom:tool_security_check', {
        hook: by,
        outcome: security,
      });
    }
    return wrapped('parameters' in security.data ? (security.data.parameters as P) : checked);
  };
  return Object.assign(call, { component });
}

/** The tool as a definition: a bare function takes its name and validation from the options. */
function toolOf<P, R>(
  tool: ToolDefinition<P, R> | ToolFunction<P, R>,
  options: InstrumentToolOptions<P, R>,
): ToolDefinition<P, R> {
  if (typeof tool === 'function') {
    const name = options.name ?? tool.name;
    if (!name) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        'instrumentTool(): an anonymous tool function needs a name: pass `{ name }` as the options.',
      );
    }
    return {
      name,
      execute: tool,
      ...(options.validate === undefined ? {} : { validate: options.validate }),
    };
  }
  if (tool === null || typeof tool !== 'object' || typeof tool.execute !== 'function' || !tool.name) {
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      'instrumentTool(): `tool` must be `{ name, execute(params, signal), validate?, timeoutMs? }` or a named function.',
    );
  }
  return tool;
}

function problemsOf(result: readonly string[] | string | boolean | undefined | null): string[] {
  if (result === undefined || result === null || result === true) return [];
  if (result === false) return ['invalid parameters'];
  if (typeof result === 'string') return [result];
  return [...result];
}

function pick<P, R>(options: InstrumentToolOptions<P, R>): Partial<WrapOptions<[P], R>> {
  const out: Partial<WrapOptions<[P], R>> = {};
  if (options.redirect) out.redirect = options.redirect;
  if (options.fork) out.fork = options.fork;
  if (options.onFork) out.onFork = options.onFork;
  if (options.onOutcome) out.onOutcome = options.onOutcome;
  if (options.cacheStore) out.cacheStore = options.cacheStore;
  if (options.fireOptions) out.fireOptions = options.fireOptions;
  return out;
}
