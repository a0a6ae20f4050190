import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PreparedRules } from '../../../src/extension/engine';
import { FallbackEngine, InProcessEngine, ScanAborted, WorkerEngine, WorkerPool } from '../../../src/extension/engineClient';
import { scanFilePath } from '../../../src/extension/fileScan';
import { LogReadError, openLog } from '../../../src/extension/logFile';
import { resolveFindings } from '../../../src/extension/scanView';
import { testRule } from './helpers';

// Records written for these tests; non-ASCII before the match so byte offsets and UTF-16 columns differ.
function record(name: string, i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/ünï-${i}-😀`, userName: 'ünï' },
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'widgets.amazonaws.com',
    eventName: name,
    eventID: `id-${i}`,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    ...extra,
  };
}

const rule = testRule({ query: 'event.dataset:aws.cloudtrail and event.action:CreateWidget and event.outcome:success' });

/** JSON Lines: every 7th record a successful CreateWidget, every 11th a failed one. */
function jsonLines(count: number, pad = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = i % 7 === 3 ? 'CreateWidget' : i % 11 === 5 ? 'CreateWidget' : 'ListWidgets';
    const extra: Record<string, unknown> = i % 11 === 5 && i % 7 !== 3 ? { errorCode: 'AccessDenied' } : {};
    if (pad > 0) extra.requestParameters = { filler: 'x'.repeat(pad) };
    lines.push(JSON.stringify(record(name, i, extra)));
  }
  return lines.join('\r\n') + '\r\n';
}

function expectedRecords(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i).filter((i) => i % 7 === 3);
}

/** Where the n-th `"CreateWidget"` starts in `text`, by plain string search (UTF-16 columns). */
function positionOf(text: string, lineIndex: number): { line: number; character: number } {
  const lines = text.split('\r\n');
  return { line: lineIndex, character: lines[lineIndex].indexOf('"CreateWidget"') };
}

describe('extension/fileScan', function () {
  this.timeout(30_000);
  let dir: string;
  const prepared = new PreparedRules([rule]);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cth-filescan-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string | Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  }

  it('scans a file read in chunks, with positions in UTF-16 columns across CRLF lines', async () => {
    const text = jsonLines(400, 3000); // ~1.3 MB: more than one chunk
    const file = write('plain.jsonl', text);
    const { view, file: info } = await scanFilePath(file, prepared);
    assert.equal(info.compressed, false);
    assert.equal(info.bytes, Buffer.byteLength(text));
    assert.equal(view.recordCount, 400);
    const findings = resolveFindings(view, prepared.rules);
    assert.deepEqual(
      findings.map((f) => f.recordIndex),
      expectedRecords(400),
    );
    for (const f of findings) {
      assert.deepEqual(f.matched.start, positionOf(text, f.recordIndex), `record ${f.recordIndex}`);
      assert.equal(f.matched.end.character - f.matched.start.character, '"CreateWidget"'.length);
    }
  });

  it('decompresses gzip content, recognised by its bytes rather than its name', async () => {
    const text = jsonLines(60);
    const named = write('trail.json.gz', zlib.gzipSync(text));
    const renamed = write('downloaded-object', zlib.gzipSync(text));
    for (const file of [named, renamed]) {
      const { view, file: info } = await scanFilePath(file, prepared);
      assert.equal(info.compressed, true);
      assert.equal(info.bytes, Buffer.byteLength(text));
      assert.deepEqual(
        view.findings.map((f) => f.recordIndex),
        expectedRecords(60),
      );
      assert.deepEqual(view.findings[0].matched.start, positionOf(text, view.findings[0].recordIndex));
    }
  });

  it('fails with a clear message for a file that cannot be read', async () => {
    await assert.rejects(scanFilePath(path.join(dir, 'missing.json'), prepared), /no such file/);
    await assert.rejects(scanFilePath(dir, prepared), /is a folder/);
  });

  it('shows a truncated gzip file as a broken file: the records before the cut, and a problem where it stops', async () => {
    const gz = zlib.gzipSync(jsonLines(2000, 200));
    const { view, file: info } = await scanFilePath(write('cut.json.gz', gz.subarray(0, gz.length >> 1)), prepared);
    assert.ok(view.recordCount > 0 && view.recordCount < 2000, `${view.recordCount} records`);
    assert.ok(view.findings.length > 0);
    const last = view.problems[view.problems.length - 1];
    assert.equal(last.severity, 'error');
    assert.match(last.message, new RegExp(`^the gzip stream is truncated after ${info.bytes} bytes of content`));
  });

  it('reads a log for the decompressed view in chunks no larger than asked for', async () => {
    const file = write('chunks.jsonl', 'x'.repeat(10_000));
    const log = await openLog(file, 4096);
    const sizes: number[] = [];
    for await (const c of log.chunks) sizes.push(c.length);
    assert.deepEqual(sizes, [4096, 4096, 1808]);
    assert.equal(log.compressed, false);
  });

  it('gives the decompressed view what precedes the break of a truncated archive, then says where it broke', async () => {
    const text = jsonLines(2000, 200);
    const gz = zlib.gzipSync(text);
    const log = await openLog(write('truncated.json.gz', gz.subarray(0, Math.floor(gz.length * 0.6))));
    assert.equal(log.compressed, true);
    const got: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const c of log.chunks) got.push(c);
      })(),
      (e: Error) => e instanceof LogReadError && e.midway && /truncated/.test(e.message),
    );
    const partial = Buffer.concat(got).toString('utf8');
    assert.ok(partial.length > 1000 && text.startsWith(partial), 'the content before the break, unchanged');
    await assert.rejects(openLog(path.join(dir, 'absent.json.gz')), (e: Error) => e instanceof LogReadError && !e.midway && /absent\.json\.gz: no such file/.test(e.message));
  });

  describe('on worker threads', () => {
    const script = path.join(__dirname, '../../../src/extension/scanWorker.js');
    const messages: string[] = [];
    const log = { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(m), error: (m: string) => messages.push(m), debug: () => undefined };

    it('WorkerEngine.scanFile scans a file in the worker with the caller’s rules', async () => {
      const text = jsonLines(50);
      const file = write('worker.jsonl', text);
      const engine = new WorkerEngine(script, log as never);
      try {
        engine.setRules([rule]);
        const result = await engine.scanFile(file);
        assert.equal(result.rules[0], rule);
        assert.equal(result.file.bytes, Buffer.byteLength(text));
        assert.deepEqual(
          resolveFindings(result.view, result.rules).map((f) => f.recordIndex),
          expectedRecords(50),
        );
        await assert.rejects(engine.scanFile(path.join(dir, 'nope.json')), /no such file/);
      } finally {
        engine.dispose();
      }
    });

    it('WorkerEngine.scanFile rejects with ScanAborted when cancelled midway, and scans again afterwards', async () => {
      const big = write('big.jsonl', jsonLines(20_000, 1500)); // ~35 MB
      const small = write('small.jsonl', jsonLines(30));
      const engine = new WorkerEngine(script, log as never);
      try {
        engine.setRules([rule]);
        const controller = new AbortController();
        const started = Date.now();
        const pending = engine.scanFile(big, { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(pending, (e: Error) => e instanceof ScanAborted);
        assert.ok(Date.now() - started < 3000, `abort took ${Date.now() - started} ms`);
        assert.equal(engine.load, 0);
        const after = await engine.scanFile(small);
        assert.equal(after.view.findings.length, expectedRecords(30).length);
        // An already-aborted signal never reaches the worker.
        await assert.rejects(engine.scanFile(small, { signal: AbortSignal.abort() }), (e: Error) => e instanceof ScanAborted);
      } finally {
        engine.dispose();
      }
    });

    it('WorkerPool spreads files over its workers and starts the second only when the first is busy', async () => {
      const files = Array.from({ length: 4 }, (_, i) => write(`pool-${i}.jsonl`, jsonLines(200 + i, 500)));
      const pool = new WorkerPool(script, log as never, 2);
      try {
        pool.setRules([rule]);
        const one = await pool.scanFile(files[0]);
        assert.equal(one.view.recordCount, 200);
        const engines = (pool as unknown as { engines: WorkerEngine[] }).engines;
        assert.deepEqual(
          engines.map((e) => e.started),
          [true, false],
          'one scan at a time keeps to one thread',
        );
        const all = await Promise.all(files.map((f) => pool.scanFile(f)));
        assert.deepEqual(
          all.map((r) => r.view.recordCount),
          [200, 201, 202, 203],
        );
        assert.deepEqual(
          engines.map((e) => e.started),
          [true, true],
        );
      } finally {
        pool.dispose();
      }
    });

    it('FallbackEngine runs again a scan caught up in a cancel, without counting it as a worker failure', async () => {
      const big = write('bystander-big.jsonl', jsonLines(5000, 1500));
      const text = jsonLines(30);
      const engine = new FallbackEngine(new WorkerPool(script, log as never, 1), log as never);
      try {
        engine.setRules([rule]);
        for (let round = 0; round < 4; round++) {
          const controller = new AbortController();
          const cancelled = engine.scanFile(big, { signal: controller.signal });
          const bystander = engine.scan(text); // on the same (only) worker
          controller.abort();
          await assert.rejects(cancelled, (e: Error) => e instanceof ScanAborted);
          const result = await bystander;
          assert.equal(result.view.findings.length, expectedRecords(30).length);
        }
        assert.equal(engine.kind, 'worker', 'cancelling is not a failure: the worker is not given up');
      } finally {
        engine.dispose();
      }
    });

    it('FallbackEngine scans files in-process when no worker can start', async () => {
      const file = write('fallback.jsonl', jsonLines(40));
      const engine = new FallbackEngine(new WorkerPool(path.join(dir, 'no-such-worker.js'), log as never, 2), log as never);
      try {
        engine.setRules([rule]);
        for (let i = 0; i < 3; i++) {
          const result = await engine.scanFile(file);
          assert.equal(result.view.findings.length, expectedRecords(40).length);
        }
        assert.equal(engine.kind, 'in-process', 'after three failures the workers are given up');
      } finally {
        engine.dispose();
      }
    });

    it('InProcessEngine.scanFile honours an abort signal', async () => {
      const file = write('inprocess.jsonl', jsonLines(5000, 1000));
      const engine = new InProcessEngine();
      engine.setRules([rule]);
      const controller = new AbortController();
      const pending = engine.scanFile(file, { signal: controller.signal });
      controller.abort();
      await assert.rejects(pending, (e: Error) => e instanceof ScanAborted);
    });
  });
});
