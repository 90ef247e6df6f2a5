// Flags common misspellings in sources, tests and docs (exit 1 with the list on stderr).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const TYPOS = {
  recieve: 'receive',
  seperate: 'separate',
  occured: 'occurred',
  definately: 'definitely',
  accomodate: 'accommodate',
  wich: 'which',
  lenght: 'length',
  teh: 'the',
};
const pattern = new RegExp(`\\b(${Object.keys(TYPOS).join('|')})\\b`, 'gi');
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(js|md|json)$/.test(name) ? [path] : [];
  });
const problems = [];
for (const file of files('.')) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const [word] of line.matchAll(pattern)) {
        problems.push(`${file}:${i + 1}: ${word} → ${TYPOS[word.toLowerCase()]}`);
      }
    });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
