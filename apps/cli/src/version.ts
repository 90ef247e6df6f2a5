import { createRequire } from 'node:module';

/** This package's version, read from package.json (one directory above dist/ and src/). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
