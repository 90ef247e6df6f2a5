import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageConformance } from '@hookspell/storage/testing';
import { afterAll, expect, it } from 'vitest';
import { JsonFileStorage } from '../json-file-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'hookspell-json-file-'));
let n = 0;
// The suite's stores are files: remove them all once it is done.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The shared suite every adapter must pass; the 1 MiB and 10 000-key cases rewrite the whole
// file per call, which this simple adapter does fast enough.
describeStorageConformance('JsonFileStorage', () =>
  JsonFileStorage({ path: join(dir, `store-${n++}.json`) }),
);

it('keeps its data across a reopen', async () => {
  const path = join(dir, 'reopen.json');
  const first = JsonFileStorage({ path });
  await first.set('greeting', { text: 'hello' });
  await first.close();
  const second = JsonFileStorage({ path });
  expect(await second.get('greeting')).toEqual({ text: 'hello' });
  await second.close();
});
