import { existsSync } from 'node:fs';
import { HookspellError, MemoryStorage, SqliteStorage, type StorageBackend } from '@hookspell/storage';
import type { ResolvedConfig } from './config/types.js';
import { CliError, CliErrorCode } from './errors.js';

/** How a command uses storage: `read` never creates a database that is not there. */
export type StorageAccess = 'read' | 'write';

/**
 * Opens the configured backend and makes one read, so an unreachable server or an unusable file
 * fails here with its own clear message (`HOOKSPELL_STORAGE_UNAVAILABLE`, `…_OPEN_FAILED`, …),
 * not halfway through a command. With `read` access a missing SQLite file is a `NOT_FOUND` error.
 */
export async function openStorage(config: ResolvedConfig, access: StorageAccess): Promise<StorageBackend> {
  const s = config.storage;
  let storage: StorageBackend;
  if (s.type === 'memory') storage = MemoryStorage();
  else if (s.type === 'sqlite') {
    if (access === 'read' && s.path !== ':memory:' && !existsSync(s.path)) {
      throw new CliError(
        CliErrorCode.NOT_FOUND,
        `nothing is stored yet: ${s.path} does not exist (run \`hookspell fire\` or \`hookspell run\` first, or check --config)`,
      );
    }
    storage = SqliteStorage({ path: s.path, ...(s.table !== undefined && { table: s.table }) });
  } else {
    // Imported on use: `pg` loads only for PostgreSQL configs.
    const { PostgresStorage } = await import('@hookspell/storage/postgres');
    storage = PostgresStorage(
      { connectionString: s.connectionString, connectionTimeoutMillis: s.connectTimeoutMs },
      s.table !== undefined ? { table: s.table } : {},
    );
  }
  try {
    await storage.get('events/meta/count');
  } catch (error) {
    await storage.close().catch(() => {});
    if (HookspellError.isInstance(error)) throw error;
    throw new CliError(
      CliErrorCode.RUNTIME,
      `cannot use ${storage.name} storage: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return storage;
}
