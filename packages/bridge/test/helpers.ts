import { EventBus } from '@hookspell/events';
import { HookExecutor, type HookInput, type HookPoint, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';
import {
  type LoadOptions,
  type Script,
  type ScriptLimits,
  ScriptRuntime,
  type ScriptRuntimeOptions,
} from '../src/index.js';

export interface World {
  registry: HookRegistry;
  executor: HookExecutor;
  bus: EventBus;
  state: ScopedState;
  runtime: ScriptRuntime;
  logged: Array<{ level: string; message: string; script: string; data?: unknown }>;
  /** Loads and runs a script. */
  script(source: string, options: LoadOptions): Promise<Script>;
  fire(point: HookPoint, input?: HookInput): ReturnType<HookExecutor['fire']>;
}

/** A registry, executor, bus, state and runtime wired together, as a host would. */
export function world(
  limits: Partial<ScriptLimits> = {},
  options: Pick<ScriptRuntimeOptions, 'builtins' | 'globals' | 'env' | 'compat'> = {},
): World {
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 2_000 });
  const bus = new EventBus();
  const state = new ScopedState(MemoryStorage());
  const logged: World['logged'] = [];
  const sink = (level: string) => (message: string, meta: { script: string; data?: unknown }) =>
    logged.push({ level, message, script: meta.script, ...(meta.data !== undefined && { data: meta.data }) });
  const runtime = new ScriptRuntime({
    registry,
    executor,
    bus,
    state,
    limits: { callbackMs: 50, scriptMs: 500, ...limits },
    logger: { debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error') },
    ...options,
  });
  return {
    registry,
    executor,
    bus,
    state,
    runtime,
    logged,
    async script(source, options) {
      const s = await runtime.load(source, options);
      await s.run();
      return s;
    },
    fire: (point, input) => executor.fire(point, input),
  };
}

/** Resolves after the event loop has turned `n` times (lets queued deliveries happen). */
export async function ticks(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}
