import type { StorageBackend } from '@hookspell/storage';
import { afterEach } from 'vitest';

/** Wraps a backend factory so that every backend it made is closed after each test. Call inside `describe`. */
export function closingAfterEach(create: () => StorageBackend): () => StorageBackend {
  const open: StorageBackend[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  return () => {
    const s = create();
    open.push(s);
    return s;
  };
}
