// @hookspell/storage/testing/postgres — helpers for tests that need a PostgreSQL server: where it
// is, how to start it, unique table names, cleanup, and the skip rule (only when PostgreSQL is not
// installed). Kept apart from the conformance suite (`@hookspell/storage/testing`), which is the
// public contract for adapter authors; these are conveniences for PostgreSQL-backed tests.
export {
  dropPostgresTables,
  PG_START_HINT,
  PG_URL,
  postgresSkipReason,
  tcpReachable,
  uniqueTableBase,
} from './postgres-target.js';
