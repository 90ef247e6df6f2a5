import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteStorage } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hookspell-events-kill-'));
const writer = new URL('./fixtures/durable-writer.mjs', import.meta.url).pathname;

async function runAndKill(path: string, killAfter: number): Promise<Map<number, string>> {
  const child = spawn(process.execPath, [writer, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: new URL('..', import.meta.url).pathname,
  });
  const acked = new Map<number, string>();
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    lines.on('line', (line) => {
      const [seq, i, j] = line.split(' ');
      acked.set(Number(seq), `${i}/${j}`);
      if (acked.size === killAfter) child.kill('SIGKILL');
    });
  });
  return acked;
}

describe('durable publishing survives kill -9', () => {
  it.each([60, 400, 1500, 3000, 5000])(
    'keeps every acknowledged event when killed after %i acks',
    async (killAfter) => {
      const path = join(dir, `kill-${killAfter}.db`);
      const acked = await runAndKill(path, killAfter);
      expect(acked.size).toBeGreaterThanOrEqual(killAfter);
      const storage = SqliteStorage({ path });
      try {
        const log = new EventLog(storage);
        const stored = new Map<number, string>();
        let afterSequence: number | undefined;
        for (;;) {
          const page = await log.query({ afterSequence, limit: 1000 });
          for (const e of page)
            stored.set(e.sequence, `${(e.data as { i: number }).i}/${(e.data as { j: number }).j}`);
          if (page.length < 1000) break;
          afterSequence = page[page.length - 1]!.sequence;
        }
        for (const [seq, value] of acked) expect(stored.get(seq), `acknowledged event ${seq}`).toBe(value);
        expect(storage.driver.getInstance().pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        await storage.close();
      }
    },
  );
});
