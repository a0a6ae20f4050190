import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { main } from '../../../src/cli';
import { defaultWorkerPath, scanFiles, type FileOutcome } from '../../../src/node/pool';
import { scanFile } from '../../../src/node/scanFile';
import { comparable, record, ruleSet, tempDir } from './helpers';

const jsonl = (records: Record<string, unknown>[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('scale/pool', function () {
  // worker threads load the compiled engine: allow for a busy machine
  this.timeout(60000);
  const set = ruleSet();
  let dir: string;
  let files: string[];

  before(() => {
    dir = tempDir();
    const big: Record<string, unknown>[] = [];
    for (let i = 0; i < 6000; i++) big.push(record(i % 2000 === 1999 ? 'CreateTrafficMirrorTarget' : 'DescribeInstances', { pad: 'x'.repeat(300) }));
    // the largest file first, so the small ones finish before it
    fs.writeFileSync(path.join(dir, 'a-big.jsonl'), jsonl(big));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ Records: [record('CreateTrafficMirrorSession'), record('ConsoleLogin')] }));
    fs.writeFileSync(path.join(dir, 'c.json.gz'), zlib.gzipSync(jsonl([record('CreateTrafficMirrorFilter'), record('RunInstances')])));
    fs.writeFileSync(path.join(dir, 'd-broken.jsonl'), '{"eventName":"CreateTrafficMirrorSession",\n' + jsonl([record('CreateTrafficMirrorFilterRule')]));
    fs.writeFileSync(path.join(dir, 'e.json'), JSON.stringify([record('CreateTrafficMirrorSession', { userAgent: '𝄞'.repeat(10) })], null, 2));
    files = ['a-big.jsonl', 'b.json', 'c.json.gz', 'd-broken.jsonl', 'e.json'];
  });

  async function inThread(file: string): Promise<unknown> {
    return comparable((await scanFile(file, set, { cwd: dir })).result);
  }

  it('finds its worker script beside it (out/src/node under tsc, dist/ when bundled)', () => {
    assert.ok(fs.existsSync(defaultWorkerPath()), defaultWorkerPath());
    assert.match(fs.readFileSync(path.join(__dirname, '../../../../scripts/build.mjs'), 'utf8'), /src\/node\/fileScanWorker\.ts'.*outfile: 'dist\/fileScanWorker\.js'/);
  });

  it('returns results in the order of the files, whatever order the workers finish in', async () => {
    const finished: number[] = [];
    const outcomes = await scanFiles(files, set, { cwd: dir, workers: 2, inlineBelow: 0, onOutcome: (_o, i) => finished.push(i) });
    assert.deepEqual(outcomes.map((o) => o.file), files);
    assert.deepEqual([...finished].sort(), [0, 1, 2, 3, 4]);
    for (const o of outcomes) {
      assert.equal(o.error, undefined, o.error);
      assert.ok(o.thread > 0, `${o.file} was scanned on a worker thread`);
      // re-linked to the caller's own Rule objects, equal to a scan on this thread
      for (const f of o.scan!.result.findings) assert.ok(set.rules.some((r) => r.rule === f.rule));
      assert.deepEqual(comparable(o.scan!.result), await inThread(o.file), o.file);
      assert.equal(o.scan!.result.notEvaluated, set.notEvaluated);
    }
    // positions and digests cross the thread boundary intact
    const e = outcomes[4].scan!;
    const local = await scanFile('e.json', set, { cwd: dir });
    assert.deepEqual(e.positions.toArray(), local.positions.toArray());
    assert.deepEqual([...e.digests], [...local.digests]);
    assert.equal(outcomes[0].scan!.result.findings.length, 3);
  });

  it('makes an unreadable file, a corrupt gzip and a missing file per-file errors, and scans the rest', async () => {
    fs.writeFileSync(path.join(dir, 'bad.json.gz'), Buffer.concat([zlib.gzipSync('{"Records":[]}').subarray(0, 12), Buffer.from('garbage garbage garbage')]));
    const list = ['b.json', 'bad.json.gz', 'missing.json', 'e.json'];
    for (const workers of [1, 2]) {
      const outcomes = await scanFiles(list, set, { cwd: dir, workers, inlineBelow: 0 });
      assert.deepEqual(outcomes.map((o) => o.file), list);
      assert.match(outcomes[1].error ?? '', /^the gzip data is (corrupt|truncated)/, `workers ${workers}`);
      assert.equal(outcomes[2].error, 'no such file or folder');
      assert.deepEqual(comparable(outcomes[0].scan!.result), await inThread('b.json'));
      assert.deepEqual(comparable(outcomes[3].scan!.result), await inThread('e.json'));
    }
  });

  it('survives a worker that dies: that file is an error, a new worker takes the rest', async () => {
    const crashing = path.join(dir, 'crashing-worker.js');
    fs.writeFileSync(
      crashing,
      `require(${JSON.stringify(defaultWorkerPath())});\n` +
        `require('node:worker_threads').parentPort.on('message', (m) => { if (m.file.includes('crash')) process.exit(3); });\n`,
    );
    fs.writeFileSync(path.join(dir, 'crash.json'), '{}');
    const list = ['b.json', 'crash.json', 'c.json.gz', 'e.json', 'd-broken.jsonl'];
    const outcomes = await scanFiles(list, set, { cwd: dir, workers: 2, inlineBelow: 0, workerPath: crashing });
    assert.deepEqual(outcomes.map((o) => o.file), list);
    assert.equal(outcomes[1].error, 'the scan worker stopped unexpectedly (exit code 3)');
    for (const i of [0, 2, 3, 4]) assert.deepEqual(comparable(outcomes[i].scan!.result), await inThread(list[i]), list[i]);
  });

  it('falls back to this thread when workers cannot start', async () => {
    const broken = path.join(dir, 'broken-worker.js');
    fs.writeFileSync(broken, 'throw new Error("cannot start");\n');
    const outcomes = await scanFiles(files, set, { cwd: dir, workers: 2, inlineBelow: 0, workerPath: broken });
    assert.deepEqual(outcomes.map((o) => [o.file, o.thread, o.error]), files.map((f) => [f, 0, undefined]));
    for (const o of outcomes) assert.deepEqual(comparable(o.scan!.result), await inThread(o.file));
  });

  it('scans small runs on the calling thread', async () => {
    const outcomes = await scanFiles(['b.json', 'e.json'], set, { cwd: dir, workers: 4 });
    assert.deepEqual(outcomes.map((o) => o.thread), [0, 0]);
    const one = await scanFiles(['a-big.jsonl'], set, { cwd: dir, workers: 4, inlineBelow: 0 });
    assert.equal(one[0].thread, 0);
  });

  it('stops when cancelled: files not yet scanned say so', async () => {
    const list = [...files, ...files];
    for (const workers of [1, 2]) {
      const controller = new AbortController();
      const outcomes: FileOutcome[] = await scanFiles(list, set, { cwd: dir, workers, inlineBelow: 0, signal: controller.signal, onOutcome: () => controller.abort() });
      assert.equal(outcomes.length, list.length);
      assert.ok(outcomes.filter((o) => o.scan).length >= 1);
      assert.ok(outcomes.filter((o) => o.error === 'scan cancelled').length >= list.length - 2, `workers ${workers}`);
    }
  });

  it('the bundled CLI finds the bundled worker beside it and prints what a single-thread run prints', async () => {
    // Bundle both as scripts/build.mjs does, into out/ (inside the package, so bundled rules load).
    const esbuild = await import('esbuild');
    const root = path.resolve(__dirname, '../../../..');
    const outdir = path.join(root, 'out', 'scale-bundle');
    const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' } as const;
    await esbuild.build({ ...common, entryPoints: [path.join(root, 'src/cli/index.ts')], outfile: path.join(outdir, 'cli.js') });
    await esbuild.build({ ...common, entryPoints: [path.join(root, 'src/node/fileScanWorker.ts')], outfile: path.join(outdir, 'fileScanWorker.js') });
    const bundled = require(path.join(outdir, 'cli.js')) as { main: typeof main };

    const runWith = async (run: typeof main, scanning: object): Promise<[number, string, string]> => {
      let stdout = '';
      let stderr = '';
      const code = await run(['scan', '.', '--format', 'sarif'], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: dir, env: {}, scanning });
      return [code, stdout, stderr];
    };
    const threads: number[] = [];
    const viaWorkers = await runWith(bundled.main, { workers: 2, inlineBelow: 0, onOutcome: (o: FileOutcome) => threads.push(o.thread) });
    const here = await runWith(main, { workers: 1 });
    assert.ok(threads.length >= files.length && threads.every((t) => t > 0), `scanned on workers: ${threads.join(', ')}`);
    assert.deepEqual(viaWorkers, here);
    assert.match(viaWorkers[1], /"ruleId": "c1812764-0788-470f-8e74-eb4a14d47573"/);
  });
});
