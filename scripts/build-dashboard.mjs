// Builds the dashboard page (src/dashboard/page/) for the browser: one minified script
// (with the printers' pod status and the label selectors bundled in, so the page words
// things as `get pods` does), its stylesheet and its HTML, into <out>/dashboard/. No CDN,
// no web fonts: everything the page needs ships in dist/.

import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export async function buildDashboard(out) {
  const dir = join(out, 'dashboard');
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: ['src/dashboard/page/main.ts'],
    bundle: true,
    outfile: join(dir, 'app.js'),
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'app.css']) copyFileSync(join('src/dashboard/page', f), join(dir, f));
}
