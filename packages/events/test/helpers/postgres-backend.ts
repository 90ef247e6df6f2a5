import { PostgresStorage } from '@hookspell/storage/postgres';
import {
  dropPostgresTables,
  PG_URL,
  postgresSkipReason,
  uniqueTableBase,
} from '@hookspell/storage/testing/postgres';
import { afterAll } from 'vitest';

/**
 * PostgreSQL for the event-log suites: a factory of backends on tables of their own (each test
 * expects an empty store), dropped after the file. Undefined — with the reason printed by
 * postgresSkipReason — only where PostgreSQL is not installed; CI installs and starts it.
 */
export async function postgresBackends(
  file: string,
  options: { maxValueBytes?: number } = {},
): Promise<(() => PostgresStorage) | undefined> {
  if ((await postgresSkipReason(file)) !== undefined) return undefined;
  const tables: string[] = [];
  const open: PostgresStorage[] = [];
  afterAll(async () => {
    for (const storage of open) await storage.close().catch(() => {});
    await dropPostgresTables(tables);
  });
  return () => {
    const table = `${uniqueTableBase()}_events`;
    const storage = PostgresStorage({ connectionString: PG_URL, max: 2 }, { table, ...options });
    tables.push(table);
    open.push(storage);
    return storage;
  };
}
