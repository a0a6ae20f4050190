import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { FileReadError, scanFile } from '../../../src/node/scanFile';
import { assertSameAsWhole, record, ruleSet, tempDir } from './helpers';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

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
        async (name, gz, chunkSize, blockSize) => {
          const scan = await scanFile(gz ? `${name}.gz` : name, set, { cwd: dir, chunkSize, blockSize, retainGzipBytes: gz && chunkSize % 2 === 0 ? 0 : undefined });
          assertSameAsWhole(scan, files[name], set, `${name}${gz ? '.gz' : ''} in chunks of ${chunkSize}, blocks of ${blockSize}`);
        },
      ),
      { numRuns: Number(process.env.SCALE_RUNS ?? 40) },
    );
  });

  it('turns corrupt and truncated gzip into a clear per-file error', async () => {
    const good = zlib.gzipSync(Buffer.concat(Array(300).fill(files['envelope.json'])));
    fs.writeFileSync(path.join(dir, 'truncated.json.gz'), good.subarray(0, good.length >> 1));
    const corrupt = Buffer.from(good);
    for (let i = 20; i < 60; i++) corrupt[i] ^= 0x5a;
    fs.writeFileSync(path.join(dir, 'corrupt.json.gz'), corrupt);
    const rejects = async (file: string, message: RegExp): Promise<void> => {
      await assert.rejects(scanFile(file, set, { cwd: dir, chunkSize: 4096 }), (e: unknown) => {
        assert.ok(e instanceof FileReadError, String(e));
        assert.equal(e.path, file);
        assert.match(e.message, message);
        return true;
      });
    };
    await rejects('truncated.json.gz', /^the gzip data is truncated \(unexpected end of file\)$/);
    await rejects('corrupt.json.gz', /^the gzip data is corrupt \(.+\)$/);
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
