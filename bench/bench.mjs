// Entry point of `npm run bench`: bundles the benchmark (TypeScript in bench/) with esbuild into
// bench/data/build/ (git-ignored, next to the generated data) and runs it with the given options.
// The engine's worker is bundled on its own: if the engine does not build yet, the benchmark still
// runs the other tools and says why the engine row is missing.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = path.join(root, 'bench', 'data', 'build');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'silent', absWorkingDir: root };

await esbuild.build({
  ...common,
  entryPoints: { main: 'bench/main.ts', 'worker-baseline': 'bench/worker-baseline.ts' },
  outdir: build,
});

const args = process.argv.slice(2);
try {
  await esbuild.build({ ...common, entryPoints: { 'worker-engine': 'bench/worker-engine.ts', fileScanWorker: 'src/node/fileScanWorker.ts' }, outdir: build });
} catch (e) {
  const first = e.errors?.[0];
  const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
  const reason = first ? `${where}${first.text}` : String(e);
  process.stderr.write(`bench: the engine does not build, its rows will be n/a: ${reason}\n`);
  args.push(`--engine-unavailable=${reason}`);
}

const r = spawnSync(process.execPath, [path.join(build, 'main.js'), ...args], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_ROOT: root, BENCH_BUILD: build },
});
process.exit(r.status ?? 1);
