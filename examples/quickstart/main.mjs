// The main job on the embedded default (SQLite). For now it exercises @hookspell/storage:
// scoped state and the ordered key-value API, persisted in .hookspell/hookspell.db.
import { ScopedState, SqliteStorage } from '@hookspell/storage';

const storage = SqliteStorage({ path: '.hookspell/hookspell.db' });
const state = new ScopedState(storage);

const runs = (await state.load('global', 'runs')) ?? 0;
await state.save('global', 'runs', runs + 1);
await state.save('user:alice', 'preferences', { theme: 'dark', tools: ['calc', 'search'] });
await storage.batch([
  {
    type: 'set',
    key: `journal/${String(runs + 1).padStart(6, '0')}`,
    value: { at: new Date().toISOString(), ok: true },
  },
  { type: 'delete', key: 'journal/obsolete' },
]);

console.log(`hookspell quickstart — run #${runs + 1} on ${storage.name} (.hookspell/hookspell.db)`);
console.log('alice:', await state.load('user:alice', 'preferences'));
console.log('state keys of user:alice:', await state.listKeys('user:alice'));
const recent = await storage.list('journal/', { reverse: true, limit: 3 });
console.log('last journal entries:');
for (const { key, value } of recent) console.log(`  ${key}  ${JSON.stringify(value)}`);
await storage.close();
