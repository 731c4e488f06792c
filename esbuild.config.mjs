// Builds everything that ships: the relay and the client agent for Node (npm packages
// stay external, so native modules load from node_modules), and the browser pages.
// Every entry point and page folder below must exist: a missing one fails the build.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { nodeExternals } from './scripts/node-externals.mjs';

const common = { bundle: true, sourcemap: true, logLevel: 'warning' };

const nodeEntries = [
  { in: 'relay/main.ts', out: 'relay/main' },
  // Accounts in the relay's database (npm run admin).
  { in: 'relay/admin/main.ts', out: 'relay/admin' },
  { in: 'client/main.ts', out: 'client/main' },
  // Screen capture off the main thread; found next to the entry points at run time.
  { in: 'client/capture/capture-worker.ts', out: 'client/capture-worker' },
  // The customer's window: the browser fallback, and the agent as a Neutralino extension
  // (neutralino.config.json starts dist/client/extension.js).
  { in: 'client/window/main.ts', out: 'client/window' },
  { in: 'client/extension/main.ts', out: 'client/extension' },
];

await build({
  ...common,
  entryPoints: nodeEntries,
  outdir: 'dist',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: nodeExternals('package.json'),
});

// Browser pages: each folder's index.ts is bundled beside its static files.
const pages = [
  { src: 'technician/app', out: 'dist/technician' },
  { src: 'client/app', out: 'dist/client-app' },
];
for (const page of pages) {
  mkdirSync(page.out, { recursive: true });
  cpSync(page.src, page.out, { recursive: true, filter: (p) => !p.endsWith('.ts') });
  // The brand colours both pages share; each index.html loads it before its styles.css.
  cpSync('common/brand.css', `${page.out}/brand.css`);
  await build({
    ...common,
    entryPoints: [`${page.src}/index.ts`],
    outfile: `${page.out}/index.js`,
    platform: 'browser',
    target: ['chrome110', 'firefox115'],
    format: 'iife',
  });
}

// The admins' statistics page, beside the technician page (its stats.html was copied above).
await build({
  ...common,
  entryPoints: ['technician/app/stats.ts'],
  outfile: 'dist/technician/stats.js',
  platform: 'browser',
  target: ['chrome110', 'firefox115'],
  format: 'iife',
});

// Neutralino's client library beside the window's page: the runtime serves any path
// ending in neutralino.js with its globals (port, token) in front, and the page loads it
// as ./neutralino.js (neutralino.config.json: cli.clientLibrary).
cpSync('node_modules/@neutralinojs/lib/dist/neutralino.js', 'dist/client-app/neutralino.js');
