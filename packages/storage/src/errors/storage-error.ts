import { HookspellError } from './hookspell-error.js';

/** Stable codes of {@link StorageError}. */
export const StorageErrorCode = {
  INVALID_KEY: 'HOOKSPELL_INVALID_KEY',
  INVALID_VALUE: 'HOOKSPELL_INVALID_VALUE',
  INVALID_ARGUMENT: 'HOOKSPELL_INVALID_ARGUMENT',
  INVALID_SCOPE: 'HOOKSPELL_INVALID_SCOPE',
  VALUE_TOO_LARGE: 'HOOKSPELL_VALUE_TOO_LARGE',
  CLOSED: 'HOOKSPELL_STORAGE_CLOSED',
  OPEN_FAILED: 'HOOKSPELL_STORAGE_OPEN_FAILED',
  CORRUPT: 'HOOKSPELL_STORAGE_CORRUPT',
  UNAVAILABLE: 'HOOKSPELL_STORAGE_UNAVAILABLE',
  SCHEMA_MISMATCH: 'HOOKSPELL_STORAGE_SCHEMA_MISMATCH',
  DEPENDENCY_MISSING: 'HOOKSPELL_STORAGE_DEPENDENCY_MISSING',
  OPERATION_FAILED: 'HOOKSPELL_STORAGE_OPERATION_FAILED',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/**
 * Every failure of a storage backend. The message starts with `[hookspell] [<backend>]` and says
 * what went wrong and what to do about it.
 */
export class StorageError extends HookspellError {
  readonly backend: string;
  declare readonly code: StorageErrorCode;

  constructor(backend: string, code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [${backend}] ${message}`, cause: options?.cause });
    this.name = 'StorageError';
    this.backend = backend;
  }
}
