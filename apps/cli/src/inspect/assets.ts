import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';

/** The web app's files, built by tsup into dist/inspect/ (app.js, app.css) and shipped in the package. */
export interface Assets {
  'app.js': Buffer;
  'app.css': Buffer;
}

/**
 * Reads the built web app: next to the bundled CLI (dist/inspect/), or, when this module runs
 * from src/ (tests, a dev checkout), from the package's dist/. Read once at start: the inspector
 * serves them from memory.
 */
export function loadAssets(): Assets {
  const candidates = [
    new URL('./inspect/', import.meta.url),
    new URL('../../dist/inspect/', import.meta.url),
  ];
  for (const dir of candidates) {
    const js = fileURLToPath(new URL('app.js', dir));
    const css = fileURLToPath(new URL('app.css', dir));
    if (existsSync(js) && existsSync(css))
      return { 'app.js': readFileSync(js), 'app.css': readFileSync(css) };
  }
  throw new Error(
    `the inspector's web app is missing (looked for dist/inspect/app.js next to ${fileURLToPath(import.meta.url)}): build the CLI package (pnpm --filter hookspell build)`,
  );
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page: the app's shell; everything else is drawn by app.js from the JSON API. */
export function indexHtml(token: string | undefined): string {
  const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="hookspell-version" content="${esc(VERSION)}">
${token === undefined ? '' : `<meta name="hookspell-token" content="${esc(token)}">\n`}<title>hookspell inspect</title>
<link rel="stylesheet" href="/assets/app.css${q}">
<script defer src="/assets/app.js${q}"></script>
</head>
<body>
<noscript>hookspell inspect needs JavaScript; <code>hookspell events timeline &lt;id&gt; --html</code> draws a run without it.</noscript>
<div id="app"></div>
</body>
</html>
`;
}
