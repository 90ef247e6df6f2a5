import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of the inspector's HTTP errors (in the JSON body: `{ error: { code, message } }`). */
export const InspectErrorCode = pickCodes({
  BAD_REQUEST: 'INSPECT_BAD_REQUEST',
  FORBIDDEN: 'INSPECT_FORBIDDEN',
  NOT_FOUND: 'INSPECT_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'INSPECT_METHOD_NOT_ALLOWED',
  TOO_LARGE: 'INSPECT_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'INSPECT_UNSUPPORTED_MEDIA_TYPE',
  CONFLICT: 'INSPECT_CONFLICT',
  INTERNAL: 'INSPECT_INTERNAL',
});
export type InspectErrorCode = (typeof InspectErrorCode)[keyof typeof InspectErrorCode];

/** An error answered with an HTTP status and a JSON body naming what was wrong and what to do. */
export class InspectError extends HookspellError {
  readonly status: number;

  constructor(
    status: number,
    code: InspectErrorCode | string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super({ code, message, cause: options.cause });
    this.name = 'InspectError';
    this.status = status;
  }
}

/** Library error codes and the HTTP status they are answered with (anything else is a 500). */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  HOOKSPELL_INVALID_ARGUMENT: 400,
  HOOKSPELL_INVALID_PATTERN: 400,
  HOOKSPELL_PATTERN_TOO_LONG: 400,
  HOOKSPELL_INVALID_EVENT_TYPE: 400,
  HOOKSPELL_EVENT_TYPE_TOO_LONG: 400,
  HOOKSPELL_EXECUTION_NOT_FOUND: 404,
  HOOKSPELL_EXECUTION_PRUNED: 410,
  HOOKSPELL_REPLAY_HOOK_MISSING: 409,
  HOOKSPELL_CLI_NOT_FOUND: 404,
  HOOKSPELL_CLI_USAGE: 400,
  HOOKSPELL_CONFIG_INVALID: 500,
};

/** The status and body of any thrown value; internal errors say only their message. */
export function errorResponse(error: unknown): {
  status: number;
  body: { error: { code: string; message: string } };
} {
  if (error instanceof InspectError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  }
  const code = HookspellError.isInstance(error) ? error.code : InspectErrorCode.INTERNAL;
  const message = messageOf(error);
  return { status: STATUS_OF_CODE[code] ?? 500, body: { error: { code, message } } };
}

function messageOf(error: unknown): string {
  try {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/^\[hookspell\]\s*/, '').slice(0, 2000);
  } catch {
    return 'an error that cannot be described';
  }
}
