export { DEFAULT_NATS_SERVERS, type NatsOptions } from './nats-connection.js';
export { type RemoteHook, type RemoteHookOptions, remoteHook } from './remote-hook.js';
export { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';
export {
  DEFAULT_QUEUE,
  type HookService,
  type HookServiceStats,
  type ServeHooksOptions,
  serveHooks,
} from './serve-hooks.js';
export {
  PROTOCOL_VERSION,
  type RemoteDecisionReply,
  type RemoteErrorReply,
  type RemoteRecord,
  type RemoteReply,
  type RemoteRequest,
} from './wire.js';
