import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of {@link RemoteHookError}. */
export const RemoteHookErrorCode = pickCodes({
  /** A bad option of `remoteHook()` / `serveHooks()`, or a context that cannot be sent. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A request or reply larger than the NATS server's `max_payload`. */
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
  /** No NATS server answered where the hook or the service was told to connect. */
  TRANSPORT_UNAVAILABLE: 'TRANSPORT_UNAVAILABLE',
  /** The NATS connection failed while sending (closed, draining, refused by the server). */
  TRANSPORT_ERROR: 'TRANSPORT_ERROR',
  /** The service answered something that is not a reply of the protocol (not JSON, wrong shape). */
  REMOTE_BAD_REPLY: 'REMOTE_BAD_REPLY',
  /** The service could not fire the point (unknown point, a reply it could not encode…). */
  REMOTE_SERVICE_FAILED: 'REMOTE_SERVICE_FAILED',
  /** What reached the service is not a request of the protocol. */
  REMOTE_BAD_REQUEST: 'REMOTE_BAD_REQUEST',
  /** The service already ran `maxInFlight` fires. */
  REMOTE_OVERLOADED: 'REMOTE_OVERLOADED',
});
export type RemoteHookErrorCode = (typeof RemoteHookErrorCode)[keyof typeof RemoteHookErrorCode];

/**
 * A remote hook or a policy service failed. Thrown inside a remote hook it becomes that hook's
 * `error` record (and a `cancel` where the hook fails closed); `service` names the instance that
 * answered, when one did.
 */
export class RemoteHookError extends HookspellError {
  static override readonly kind: string = 'RemoteHookError';
  declare readonly code: RemoteHookErrorCode;
  /** The `service` name of the policy service that answered, if one did. */
  readonly service: string | undefined;

  constructor(
    code: RemoteHookErrorCode,
    message: string,
    options: { cause?: unknown; service?: string | undefined } = {},
  ) {
    super({ code, message: `[hookspell] [remote] ${message}`, cause: options.cause });
    this.name = 'RemoteHookError';
    this.service = options.service;
  }
}
