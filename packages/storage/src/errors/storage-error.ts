import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of {@link StorageError}. */
export const StorageErrorCode = pickCodes({
  INVALID_KEY: 'INVALID_KEY',
  INVALID_VALUE: 'INVALID_VALUE',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  INVALID_SCOPE: 'INVALID_SCOPE',
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
  CLOSED: 'STORAGE_CLOSED',
  OPEN_FAILED: 'STORAGE_OPEN_FAILED',
  CORRUPT: 'STORAGE_CORRUPT',
  UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  SCHEMA_MISMATCH: 'STORAGE_SCHEMA_MISMATCH',
  DEPENDENCY_MISSING: 'STORAGE_DEPENDENCY_MISSING',
  OPERATION_FAILED: 'STORAGE_OPERATION_FAILED',
});
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/**
 * Every failure of a storage backend. The message starts with `[hookspell] [<backend>]` and says
 * what went wrong and what to do about it.
 */
export class StorageError extends HookspellError {
  static override readonly kind = 'StorageError';
  readonly backend: string;
  declare readonly code: StorageErrorCode;

  constructor(backend: string, code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [${backend}] ${message}`, cause: options?.cause });
    this.name = 'StorageError';
    this.backend = backend;
  }
}
