export {
  CONFIG_NAMES,
  DEFAULT_SQLITE_PATH,
  type LoadConfigOptions,
  loadConfig,
} from './config/load-config.js';
export { CONFIG_SCHEMA, type SchemaProblem, validateConfig } from './config/schema.js';
export type {
  ConfigFile,
  HookConfig,
  HookSource,
  PointSettings,
  ResolvedConfig,
  ResolvedHook,
  StorageConfig,
} from './config/types.js';
export { CliError, CliErrorCode, ExitCode } from './errors.js';
export { main } from './main.js';
export { renderTimelineHtml } from './render/timeline-html.js';
export { renderTimelineTree } from './render/timeline-tree.js';
export { type TimelineView, timelineView, type ViewGroup, type ViewNode } from './render/timeline-view.js';
export { Runtime, type RuntimeOptions } from './runtime.js';
