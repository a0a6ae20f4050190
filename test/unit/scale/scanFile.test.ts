import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { PositionMapper } from '../../../src/core/input/positions';
import { FileReadError, GUNZIP_CHUNK, scanFile } from '../../../src/node/scanFile';
import { assertSameAsWhole, record, ruleSet, tempDir } from './helpers';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** What zlib hands out from a broken gzip stream before it reports the error (the test's oracle). */
function gunzipUntilError(gz: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const gunzip = zlib.createGunzip();
    gunzip.on('data', (b: Buffer) => out.push(b));
    gunzip.on('error', () => resolve(Buffer.concat(out)));
    gunzip.on('end', () => reject(new Error('the gzip stream did not break')));
    gunzip.end(gz);
  });
}

/** Inputs of every shape, with what makes positions hard: BOM, CRLF, astral characters, broken records. */
function contents(): Record<string, Buffer> {
  const mirror = record('CreateTrafficMirrorSession', { requestParameters: { description: 'capture 𝄞 — é' } });
  const failed = record('CreateTrafficMirrorTarget', { errorCode: 'Client.UnauthorizedOperation' });
  const login = record('ConsoleLogin', { responseElements: { ConsoleLogin: 'Success' } });
  const filter = record('CreateTrafficMirrorFilter', { userAgent: '中文 agent' });
  const noId = record('CreateTrafficMirrorFilterRule');
  delete noId.eventID; // the report then identifies it by the digest of its bytes
  return {
    'envelope.json': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), enc(JSON.stringify({ Records: [mirror, failed, login, filter, noId] }))]),
    'pretty.json': enc(JSON.stringify([filter, record('DescribeInstances'), mirror], null, 2).replace(/\n/g, '\r\n')),
    'lines.jsonl': enc(
      [JSON.stringify(mirror), JSON.stringify(login).slice(0, -3) + 'x', '', JSON.stringify(filter), '{"eventName": "Broken",', JSON.stringify(noId)].join('\r\n') + '\n',
    ),
    'lookup.json': enc(JSON.stringify({ Events: [{ EventId: 'l1', EventName: 'CreateTrafficMirrorSession', CloudTrailEvent: JSON.stringify(mirror) }] }, null, 1)),
    'digest.json': enc('{"awsAccountId":"111122223333","digestStartTime":"2026-01-01T00:00:00Z","digestEndTime":"2026-01-01T01:00:00Z","logFiles":[]}'),
    'empty.json': Buffer.alloc(0),
    'one-byte.json': enc('{'),
  };
}

describe('scale/scanFile', () => {
  const set = ruleSet();
  let dir: string;
  const files = contents();

  before(() => {
    dir = tempDir();
    for (const [name, bytes] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), bytes);
      fs.writeFileSync(path.join(dir, `${name}.gz`), zlib.gzipSync(bytes));
    }
  });

  it('equals scanBytes on .json content: findings, spans, problems, positions and digests', async () => {
    for (const [name, bytes] of Object.entries(files)) {
      const scan = await scanFile(name, set, { cwd: dir });
      assert.equal(scan.compressed, false, name);
      assertSameAsWhole(scan, bytes, set, name);
    }
    // the inputs really exercise findings and problems
    const lines = await scanFile('lines.jsonl', set, { cwd: dir });
    assert.ok(lines.result.findings.length >= 2 && lines.result.problems.length >= 2, 'lines.jsonl has findings and problems');
  });

  it('equals scanBytes on .json.gz content, decided by the magic bytes, retained or decompressed twice', async () => {
    fs.copyFileSync(path.join(dir, 'envelope.json.gz'), path.join(dir, 'no-suffix.json'));
    for (const [name, bytes] of [...Object.entries(files).map(([n, b]) => [`${n}.gz`, b] as const), ['no-suffix.json', files['envelope.json']] as const]) {
      for (const retainGzipBytes of [undefined, 0]) {
        const scan = await scanFile(name, set, { cwd: dir, retainGzipBytes, blockSize: 64 });
        assert.equal(scan.compressed, true, name);
        assertSameAsWhole(scan, bytes, set, `${name} (retain ${retainGzipBytes ?? 'default'})`);
      }
    }
  });

  it('gives the same result for any chunk size from 1 to 17 bytes and any block size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(files)),
        fc.boolean(),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(undefined, 0, 1, 16, 100, 400),
        async (name, gz, chunkSize, blockSize, windowBytes) => {
          // windows from none to larger than any input: records that outgrow it take the slow path
          const scan = await scanFile(gz ? `${name}.gz` : name, set, { cwd: dir, chunkSize, blockSize, gzipWindowBytes: windowBytes, retainGzipBytes: gz && chunkSize % 2 === 0 ? 0 : undefined });
          assertSameAsWhole(scan, files[name], set, `${name}${gz ? '.gz' : ''} in chunks of ${chunkSize}, blocks of ${blockSize}, window ${windowBytes}`);
        },
      ),
      { numRuns: Number(process.env.SCALE_RUNS ?? 40) },
    );
  });

  it('keeps what decompressed before a truncated or corrupt gzip stream, and marks where it broke', async () => {
    const lines = [];
    for (let i = 0; i < 4000; i++) lines.push(JSON.stringify(record(i % 97 === 5 ? 'CreateTrafficMirrorTarget' : 'DescribeInstances', { n: i, u: 'é𝄞'.repeat(i % 3) })));
    const content = enc(lines.join('\n') + '\n');
    const good = zlib.gzipSync(content);
    const corrupt = Buffer.from(good);
    for (let i = good.length >> 1; i < (good.length >> 1) + 64; i++) corrupt[i] ^= 0x5a;
    fs.writeFileSync(path.join(dir, 'cut.jsonl.gz'), good.subarray(0, good.length >> 1));
    fs.writeFileSync(path.join(dir, 'corrupt.jsonl.gz'), corrupt);
    for (const [name, broken, code, word] of [
      ['cut.jsonl.gz', good.subarray(0, good.length >> 1), 'json-syntax', 'truncated'],
      ['corrupt.jsonl.gz', corrupt, 'invalid-encoding', 'corrupt'],
    ] as const) {
      const produced = await gunzipUntilError(broken);
      assert.ok(produced.length > 0 && produced.length < content.length, `${name}: the test input breaks midway`);
      for (const options of [{}, { gzipWindowBytes: 0, retainGzipBytes: 0, chunkSize: 4096 }, { gzipWindowBytes: 100, chunkSize: 333 }]) {
        const label = `${name} ${JSON.stringify(options)}`;
        const scan = await scanFile(name, set, { cwd: dir, ...options });
        // zlib drops the output of the one inflate call that fails (up to its chunk size): a
        // truncation fails at the very end and loses nothing, corruption may lose that last piece
        if (word === 'truncated') assert.equal(scan.size, produced.length, label);
        else assert.ok(scan.size <= produced.length && produced.length - scan.size <= GUNZIP_CHUNK, `${label}: ${scan.size} of ${produced.length}`);
        const kept = produced.subarray(0, scan.size);
        const last = scan.result.problems.pop()!;
        assert.equal(last.code, code, label);
        assert.equal(last.severity, 'error', label);
        assert.deepEqual(last.span, { start: scan.size, end: scan.size }, label);
        assert.match(last.message, new RegExp(`^the gzip stream is ${word} after ${scan.size} bytes of content: records before it were scanned`), label);
        // everything before the break is exactly what a whole-buffer scan of those bytes gives
        assertSameAsWhole(scan, kept, set, label);
        assert.ok(scan.result.findings.length > 10, `${label}: findings before the break are kept`);
        assert.deepEqual(scan.positions.positionAt(scan.size), new PositionMapper(kept).positionAt(scan.size), label);
      }
    }
  });

  it('still rejects files it cannot read at all, and gzip that breaks before any content', async () => {
    fs.writeFileSync(path.join(dir, 'bad-header.json.gz'), Buffer.concat([zlib.gzipSync('{"Records":[]}').subarray(0, 12), enc('garbage garbage garbage')]));
    const rejects = async (file: string, message: RegExp): Promise<void> => {
      await assert.rejects(scanFile(file, set, { cwd: dir, chunkSize: 4096 }), (e: unknown) => {
        assert.ok(e instanceof FileReadError, String(e));
        assert.equal(e.path, file);
        assert.match(e.message, message);
        return true;
      });
    };
    await rejects('bad-header.json.gz', /^the gzip data is corrupt \(.+\)$/);
    await rejects('missing.json', /^no such file or folder$/);
    fs.mkdirSync(path.join(dir, 'folder.json'));
    await rejects('folder.json', /^is a folder$/);
  });

  it('reads the file in chunks: a file many times the chunk size is scanned with findings at its end', async () => {
    const many = [];
    for (let i = 0; i < 3000; i++) many.push(record(i % 1000 === 999 ? 'CreateTrafficMirrorSession' : 'DescribeInstances', { n: 'é'.repeat(i % 7) }));
    const bytes = enc(many.map((r) => JSON.stringify(r)).join('\n'));
    fs.writeFileSync(path.join(dir, 'many.jsonl'), bytes);
    fs.writeFileSync(path.join(dir, 'many.jsonl.gz'), zlib.gzipSync(bytes));
    for (const name of ['many.jsonl', 'many.jsonl.gz']) {
      const scan = await scanFile(name, set, { cwd: dir, chunkSize: 4096, retainGzipBytes: 0 });
      assert.equal(scan.result.findings.length, 3);
      assertSameAsWhole(scan, bytes, set, name);
    }
  });
});
