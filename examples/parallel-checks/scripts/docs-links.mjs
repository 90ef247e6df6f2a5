// Checks that every relative link in the Markdown files points at a file that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const broken = [];
for (const file of readdirSync('.').filter((f) => f.endsWith('.md'))) {
  for (const [, target] of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target) || target.startsWith('../')) continue; // URLs, outside the project
    if (!existsSync(join(dirname(file), target))) broken.push(`${file}: ${target}`);
  }
}
if (broken.length > 0) {
  console.error(`broken links:\n${broken.join('\n')}`);
  process.exit(1);
}
