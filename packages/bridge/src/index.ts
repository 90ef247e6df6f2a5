export type { BuiltinFactory, BuiltinGrants } from './builtin-grants.js';
export { builtinOptions, type WiredOptions } from './builtin-options.js';
export { type EngineInstance, loadEngine, type ScriptEngine } from './engine.js';
export {
  BridgeError,
  BridgeErrorCode,
  BridgeValueError,
  ScriptDisposedError,
  ScriptError,
  type ScriptLocation,
  ScriptMemoryError,
  ScriptTimeoutError,
} from './errors.js';
export type { HostFunction, HostGlobals, HostGlobalValue } from './host-globals.js';
export { toHookResult } from './results.js';
export type { UnconvertibleReturn } from './return-value.js';
export { Script } from './script.js';
export type { HookMeta } from './script-host.js';
export { ScriptRuntime } from './script-runtime.js';
export {
  type CompatProfile,
  DEFAULT_LIMITS,
  type LoadOptions,
  type ScriptHookInfo,
  type ScriptLanguage,
  type ScriptLimits,
  type ScriptLogEntry,
  type ScriptLogger,
  type ScriptLogMeta,
  type ScriptRuntimeOptions,
  type ScriptSubscriptionInfo,
} from './types.js';
