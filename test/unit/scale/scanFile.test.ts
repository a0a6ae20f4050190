import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { PositionMapper } from '../../../src/core/input/positions';
import { FileReadError, GUNZIP_CHUNK, scanFile } from '../../../src/node/scanFile';
import { assertSameAsWhole, record, ruleSet, tempDir } from './helpers';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * All that a broken gzip stream decodes to before zlib reports the error (the test's oracle): the
 * bytes before `intact` (known good) go in at once, the rest one byte per write, so the failing
 * inflate call (whose output zlib drops) holds only the byte at which the data stops making sense.
 * Undefined when the stream has not broken within `within` bytes after `intact`.
 */
async function decodedBeforeBreak(gz: Buffer, intact: number, within = Infinity): Promise<Buffer | undefined> {
  const out: Buffer[] = [];
  const gunzip = zlib.createGunzip();
  gunzip.on('data', (b: Buffer) => out.push(b));
  let done = false;
  let failed = false;
  let settle = (): void => undefined;
  const stop = (): void => {
    done = true;
    settle();
  };
  gunzip.on('error', () => {
    failed = true;
    stop();
  });
  gunzip.on('end', stop);
  const write = (bytes: Buffer): Promise<void> =>
    new Promise((resolve) => {
      settle = resolve;
      gunzip.write(bytes, () => resolve());
    });
  await write(gz.subarray(0, intact));
  if (failed) throw new Error('the oracle was told the stream is intact further than it is');
  for (let i = intact; i < gz.length && i - intact < within && !done; i++) await write(gz.subarray(i, i + 1));
  if (!done && gz.length - intact <= within) await new Promise<void>((resolve) => ((settle = resolve), gunzip.end()));
  gunzip.destroy();
  return failed ? Buffer.concat(out) : undefined;
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
    const corruptAt = good.length >> 1;
    for (let i = corruptAt; i < corruptAt + 64; i++) corrupt[i] ^= 0x5a;
    fs.writeFileSync(path.join(dir, 'cut.jsonl.gz'), good.subarray(0, good.length >> 1));
    fs.writeFileSync(path.join(dir, 'corrupt.jsonl.gz'), corrupt);
    for (const [name, broken, code, word] of [
      ['cut.jsonl.gz', good.subarray(0, good.length >> 1), 'json-syntax', 'truncated'],
      ['corrupt.jsonl.gz', corrupt, 'invalid-encoding', 'corrupt'],
    ] as const) {
      const produced = (await decodedBeforeBreak(broken, corruptAt))!;
      assert.ok(produced.length > 0, `${name}: the test input decodes to some content before it breaks`);
      for (const options of [{}, { gzipWindowBytes: 0, retainGzipBytes: 0, chunkSize: 4096 }, { gzipWindowBytes: 100, chunkSize: 333 }]) {
        const label = `${name} ${JSON.stringify(options)}`;
        const scan = await scanFile(name, set, { cwd: dir, ...options });
        // a truncation fails at the very end and loses nothing; after corruption, what zlib dropped
        // is salvaged but for what the last few compressed bytes decode to
        if (word === 'truncated') assert.equal(scan.size, produced.length, label);
        else assert.ok(scan.size <= produced.length && produced.length - scan.size <= 1024, `${label}: ${scan.size} of ${produced.length}`);
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

describe('scale/scanFile: what a broken gzip stream decoded before its break is all scanned', () => {
  const set = ruleSet();
  let dir: string;
  before(() => (dir = tempDir()));

  /** Many small records, every 13th flagged, as JSON Lines or an S3 envelope, with each record's span. */
  function trail(format: 'lines' | 'envelope', count: number): { content: Buffer; spans: { start: number; end: number; flagged: boolean }[] } {
    const spans: { start: number; end: number; flagged: boolean }[] = [];
    const parts: string[] = [format === 'lines' ? '' : '{"Records":['];
    let bytes = Buffer.byteLength(parts[0]);
    for (let i = 0; i < count; i++) {
      const flagged = i % 13 === 7;
      const one = JSON.stringify(record(flagged ? 'CreateTrafficMirrorSession' : 'DescribeInstances', { n: i, note: 'é𝄞'.repeat(i % 4) }));
      if (i > 0) {
        parts.push(format === 'lines' ? '\n' : ',');
        bytes += 1;
      }
      const start = bytes;
      parts.push(one);
      bytes += Buffer.byteLength(one);
      spans.push({ start, end: bytes, flagged });
    }
    parts.push(format === 'lines' ? '\n' : ']}');
    return { content: enc(parts.join('')), spans };
  }

  /** Compressed bytes zlib took in without error when given the whole stream at once. */
  function consumedBeforeError(gz: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const gunzip = zlib.createGunzip();
      gunzip.on('data', () => undefined);
      gunzip.on('error', () => resolve(gunzip.bytesWritten));
      gunzip.on('end', () => reject(new Error('the gzip stream did not break')));
      gunzip.end(gz);
    });
  }

  /**
   * One byte changed in the compressed data (mid-stream it often decodes to other content for a
   * while, and zlib notices later): the corrupt file, the content the good bytes before the change
   * decode to (`genuine`), and all that zlib can decode before the break.
   */
  async function corruptOneByte(good: Buffer, at: number): Promise<{ bad: Buffer; genuine: number; decodable: Buffer }> {
    const bad = Buffer.from(good);
    bad[at] ^= 0xff;
    // zlib read those without error (less what it may read ahead): the oracle walks on from there
    const intact = Math.max(0, (await consumedBeforeError(bad)) - 64);
    const decodable = (await decodedBeforeBreak(bad, intact))!;
    const genuine = zlib.gunzipSync(good.subarray(0, at), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
    return { bad, genuine, decodable };
  }

  const variants = [
    {},
    { gzipWindowBytes: 0, retainGzipBytes: 0, chunkSize: 4096 }, // positions by decompressing again
    { gzipWindowBytes: 100, chunkSize: 333, blockSize: 512 },
    { retainGzipBytes: 0, chunkSize: 3 << 20 }, // writes to zlib larger than its output piece
  ];

  for (const format of ['lines', 'envelope'] as const) {
    for (const where of ['mid-stream', 'in its checksum'] as const) it(`${format}: one byte corrupt ${where}, every record up to near the break is scanned and its findings reported`, async function () {
      this.timeout(60_000);
      const { content, spans } = trail(format, 12_000);
      const good = zlib.gzipSync(content);
      const { bad, genuine, decodable } = await corruptOneByte(good, where === 'mid-stream' ? good.length >> 1 : good.length - 6);
      assert.ok(genuine > 2 * GUNZIP_CHUNK, `the break (${genuine}) is past two of zlib's output pieces`);
      assert.ok(decodable.subarray(0, genuine).equals(content.subarray(0, genuine)), `the oracle decodes the good bytes as they are (${decodable.length}, ${genuine})`);
      const name = `corrupt-${format}-${where.split(' ').pop()}.json.gz`;
      fs.writeFileSync(path.join(dir, name), bad);
      const wanted = spans.filter((s) => s.flagged && s.end <= genuine - 1024);
      for (const options of variants) {
        const label = `${name} ${JSON.stringify(options)}`;
        const scan = await scanFile(name, set, { cwd: dir, ...options });
        // at most what the last few compressed bytes decode to is lost
        assert.ok(scan.size <= decodable.length && decodable.length - scan.size <= 1024, `${label}: ${scan.size} of ${decodable.length} decodable bytes`);
        const last = scan.result.problems.pop()!;
        assert.equal(last.code, 'invalid-encoding', label);
        assert.deepEqual(last.span, { start: scan.size, end: scan.size }, label);
        assert.match(last.message, new RegExp(`^the gzip stream is corrupt after ${scan.size} bytes of content: records before it were scanned`), label);
        // findings, spans, positions (the break's too) and digests: as a whole-buffer scan of those bytes
        const kept = decodable.subarray(0, scan.size);
        assertSameAsWhole(scan, kept, set, label);
        assert.deepEqual(scan.positions.positionAt(scan.size), new PositionMapper(kept).positionAt(scan.size), label);
        const found = new Set(scan.result.findings.map((f) => `${f.record.start}-${f.record.end}`));
        const missing = wanted.filter((s) => !found.has(`${s.start}-${s.end}`));
        assert.deepEqual(missing, [], `${label}: every flagged record that ends 1 KiB before the break is reported`);
        assert.ok(wanted.length > 300, `${label}: ${wanted.length} flagged records before the break`);
      }
    });

    it(`${format}: truncated mid-file, all that decodes is scanned`, async function () {
      this.timeout(30_000);
      const { content, spans } = trail(format, 12_000);
      const good = zlib.gzipSync(content);
      const cut = good.subarray(0, Math.floor(good.length * 0.55));
      const decodable = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      const name = `cut-${format}.json.gz`;
      fs.writeFileSync(path.join(dir, name), cut);
      for (const options of variants) {
        const label = `${name} ${JSON.stringify(options)}`;
        const scan = await scanFile(name, set, { cwd: dir, ...options });
        assert.equal(scan.size, decodable.length, label);
        const last = scan.result.problems.pop()!;
        assert.equal(last.code, 'json-syntax', label);
        assert.deepEqual(last.span, { start: scan.size, end: scan.size }, label);
        assertSameAsWhole(scan, decodable, set, label);
        assert.equal(scan.result.findings.length, spans.filter((s) => s.flagged && s.end <= decodable.length).length, label);
      }
    });
  }

  it('a stream corrupt in its first bytes still cannot be read at all', async () => {
    const good = zlib.gzipSync(trail('lines', 200).content);
    const broken: [string, (b: Buffer) => void, RegExp][] = [
      ['method.json.gz', (b) => (b[2] = 7), /unknown compression method/],
      ['flags.json.gz', (b) => (b[3] = 0xe0), /unknown header flags/],
      ['block-type.json.gz', (b) => (b[10] = 0xff), /invalid block type/],
    ];
    for (const [name, spoil, reason] of broken) {
      const bad = Buffer.from(good);
      spoil(bad);
      fs.writeFileSync(path.join(dir, name), bad);
      await assert.rejects(scanFile(name, set, { cwd: dir }), (e: unknown) => {
        assert.ok(e instanceof FileReadError, `${name}: ${String(e)}`);
        assert.match(e.message, /^the gzip data is corrupt \(.+\)$/, name);
        assert.match(e.message, reason, name);
        return true;
      });
    }
  });

  it('a healthy gzip file is scanned whole, with no problem', async () => {
    for (const format of ['lines', 'envelope'] as const) {
      const { content, spans } = trail(format, 3000);
      fs.writeFileSync(path.join(dir, `healthy-${format}.json.gz`), zlib.gzipSync(content));
      for (const options of variants) {
        const scan = await scanFile(`healthy-${format}.json.gz`, set, { cwd: dir, ...options });
        assertSameAsWhole(scan, content, set, `${format} ${JSON.stringify(options)}`);
        assert.deepEqual(scan.result.problems, [], format);
        assert.equal(scan.result.findings.length, spans.filter((s) => s.flagged).length, format);
      }
    }
  });

  it('stops salvaging when the scan is cancelled', async () => {
    const { content } = trail('lines', 12_000);
    const good = zlib.gzipSync(content);
    const { bad } = await corruptOneByte(good, good.length - 6);
    fs.writeFileSync(path.join(dir, 'cancel.json.gz'), bad);
    const whole = await scanFile('cancel.json.gz', set, { cwd: dir });
    // cancel once the scan has seen the last finding of the first pass's content: the salvage follows
    const controller = new AbortController();
    let seen = 0;
    const firstPass = whole.result.findings.filter((f) => f.record.end <= whole.size - GUNZIP_CHUNK).length;
    await assert.rejects(
      scanFile('cancel.json.gz', set, {
        cwd: dir,
        scan: { onFinding: () => (++seen === firstPass ? controller.abort() : undefined) },
        signal: controller.signal,
      }),
      (e: Error) => e.name === 'AbortError',
    );
  });
});
