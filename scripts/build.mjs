// Bundles the extension and the CLI with esbuild. `node scripts/build.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

const builds = [
  { ...common, entryPoints: ['src/extension/index.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The extension's scan worker (worker_threads): runs engine scans off the extension host's main thread.
  { ...common, entryPoints: ['src/extension/scanWorker.ts'], outfile: 'dist/scanWorker.js' },
  // The CLI's file-scanning workers (src/node/pool.ts finds it beside dist/cli.js).
  { ...common, entryPoints: ['src/node/fileScanWorker.ts'], outfile: 'dist/fileScanWorker.js' },
];

if (process.argv.includes('--watch')) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
