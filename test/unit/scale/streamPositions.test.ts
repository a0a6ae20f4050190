import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { PositionMapper } from '../../../src/core/input/positions';
import { Skimmer } from '../../../src/core/input/skim';
import { PositionTable, StreamPositions } from '../../../src/core/input/streamPositions';
import type { Position } from '../../../src/core/types';
import { chunksOf, pieces } from './helpers';

// Pieces of text that stress positions: line breaks of every kind, 1- to 4-byte UTF-8, stray
// continuation and invalid lead bytes (PositionMapper counts those by their lead bytes only).
const PIECES: number[][] = [
  [0x61],
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d], // {"a":1}
  [0x0a],
  [0x0d],
  [0x0d, 0x0a],
  [0x0a, 0x0a],
  [0xc3, 0xa9], // é
  [0xe4, 0xb8, 0xad], // 中
  [0xf0, 0x9d, 0x84, 0x9e], // 𝄞: two UTF-16 units
  [0x80], // stray continuation byte
  [0xff], // never valid in UTF-8
  [0xef, 0xbb, 0xbf], // a BOM in the middle is a character
  Array.from({ length: 70 }, (_, i) => 0x41 + (i % 26)), // a long ASCII run (the fast path)
];

const bytesArb = fc
  .tuple(fc.boolean(), fc.array(fc.integer({ min: 0, max: PIECES.length - 1 }), { maxLength: 120, size: 'max' }))
  .map(([bom, picks]) => new Uint8Array([...(bom ? [0xef, 0xbb, 0xbf] : []), ...picks.flatMap((i) => PIECES[i])]));

/** How the tracker counts UTF-16 units: in JS alone, with Node's isAscii first, or with the WebAssembly counter. */
type Counting = 'js' | 'ascii' | 'wasm';

/** Runs `use` with a tracker's counting options; the WebAssembly counter is released after. */
function withCounting<T>(counting: Counting, use: (options: { isAscii?: typeof isAscii; counter?: Skimmer }) => T): T {
  if (counting !== 'wasm') return use(counting === 'ascii' ? { isAscii } : {});
  const counter = Skimmer.acquire();
  assert.ok(counter);
  try {
    return use({ isAscii, counter });
  } finally {
    counter.release();
  }
}

/** Feeds the tracker in the given chunking and resolves every offset (plus a few outside the input). */
function resolveAll(bytes: Uint8Array, cuts: number[], blockSize: number, retain: boolean, feedCuts: number[], counting: Counting | boolean): PositionTable {
  const mode: Counting = counting === true ? 'ascii' : counting === false ? 'js' : counting;
  return withCounting(mode, (options) => resolveAllWith(bytes, cuts, blockSize, retain, feedCuts, options));
}

function resolveAllWith(bytes: Uint8Array, cuts: number[], blockSize: number, retain: boolean, feedCuts: number[], options: { isAscii?: typeof isAscii; counter?: Skimmer }): PositionTable {
  const tracker = new StreamPositions({ blockSize, retainBytes: retain ? Math.max(1, bytes.length) : 0, ...options });
  for (const c of chunksOf(bytes, cuts)) tracker.push(c);
  tracker.end();
  const offsets = [...Array(bytes.length + 1).keys(), -5, bytes.length + 7, 2.5];
  const request = tracker.request(offsets);
  if (retain) {
    tracker.supplyRetained(request);
  } else {
    // feed only the requested ranges, each cut into pieces, as a reader by position would
    for (const r of request.ranges) {
      let at = r.start;
      for (const piece of chunksOf(bytes.subarray(r.start, r.end), feedCuts)) {
        request.feed(at, piece);
        at += piece.length;
      }
    }
  }
  return request.finish();
}

describe('scale/streamPositions', () => {
  it('gives PositionMapper positions for every offset, whatever the chunking, block size and feeding', () => {
    fc.assert(
      fc.property(
        bytesArb,
        pieces(),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        pieces(),
        fc.constantFrom<Counting>('js', 'ascii', 'wasm'),
        (bytes, cuts, blockSize, retain, feedCuts, counting) => {
          const mapper = new PositionMapper(bytes);
          const table = resolveAll(bytes, cuts, blockSize, retain, feedCuts, counting);
          for (let o = -1; o <= bytes.length + 1; o++) {
            assert.deepEqual(table.positionAt(o), mapper.positionAt(o), `offset ${o}`);
          }
          assert.deepEqual(table.positionAt(2.5), mapper.positionAt(2.5));
        },
      ),
      { numRuns: Number(process.env.SCALE_RUNS ?? 400) },
    );
  });

  it('is exact on the cases that usually go wrong', () => {
    const cases: [string, number[]][] = [
      ['CRLF split across chunks', [...Buffer.from('ab\r'), ...Buffer.from('\ncd\r\n\r\nx')]],
      ['lone CR at the end', [...Buffer.from('ab\r')]],
      ['BOM then a break', [0xef, 0xbb, 0xbf, 0x0d, 0x0a, 0x61]],
      ['astral characters before a value', [...Buffer.from('{"k":"𝄞𝄞é中","v":1}\n{"k":2}')]],
    ];
    for (const [name, list] of cases) {
      const bytes = new Uint8Array(list);
      const mapper = new PositionMapper(bytes);
      for (let size = 1; size <= bytes.length; size++) {
        const cuts = Array(bytes.length).fill(size);
        for (const counting of ['ascii', 'wasm'] as const) {
          const table = resolveAll(bytes, cuts, 3, false, [1], counting);
          for (let o = 0; o <= bytes.length; o++) assert.deepEqual(table.positionAt(o), mapper.positionAt(o), `${name}: chunks of ${size}, offset ${o}, ${counting}`);
        }
      }
    }
    // the character after 𝄞𝄞 is at UTF-16 column 4 + 6 (the {"k":" before it)
    const bytes = Buffer.from('{"k":"𝄞𝄞é"}');
    const table = resolveAll(bytes, [5], 4, false, [2], true);
    assert.deepEqual(table.positionAt(bytes.indexOf('é')), { line: 0, character: 10 });
  });

  it('counts long lines of mostly ASCII with a few wide characters anywhere exactly (the split count)', () => {
    const wide = ['é', '中', '𝄞', '\u2028'].map((c) => [...Buffer.from(c)]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1025, max: 70_000 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: wide.length - 1 })), { maxLength: 12 }),
        fc.constantFrom(1 << 20, 16 * 1024, 5000),
        fc.constantFrom(1 << 20, 4096, 777),
        fc.constantFrom<Counting>('ascii', 'wasm'),
        (length, places, chunk, blockSize, counting) => {
          const list: number[] = Array.from({ length }, (_, i) => 0x61 + (i % 26));
          // wide characters spliced in at fractions of the line, some straddling any midpoint
          for (const [at, w] of [...places].sort((a, b) => b[0] - a[0])) list.splice(Math.floor(at * list.length), 0, ...wide[w]);
          const bytes = new Uint8Array(list);
          const mapper = new PositionMapper(bytes);
          const offsets = [0, bytes.length, ...places.map(([at]) => Math.floor(at * bytes.length)), ...Array.from({ length: 20 }, (_, k) => Math.floor((k * bytes.length) / 20))];
          const table = withCounting(counting, (options) => {
            const tracker = new StreamPositions({ blockSize, ...options });
            for (let i = 0; i < bytes.length; i += chunk) tracker.push(bytes.subarray(i, i + chunk));
            tracker.end();
            const request = tracker.request(offsets);
            for (const r of request.ranges) request.feed(r.start, bytes.subarray(r.start, r.end));
            return request.finish();
          });
          for (const o of offsets) assert.deepEqual(table.positionAt(o), mapper.positionAt(o), `offset ${o} of ${bytes.length}, ${counting}`);
        },
      ),
      { numRuns: Number(process.env.SCALE_RUNS ?? 60) },
    );
  });

  it('counts right when the caller pushes the same array, refilled, for every chunk', () => {
    const text = Buffer.from(('é'.repeat(300) + 'a'.repeat(700) + '𝄞'.repeat(100) + '\n').repeat(40));
    const mapper = new PositionMapper(text);
    const offsets = Array.from({ length: 200 }, (_, k) => Math.floor((k * text.length) / 200));
    const table = withCounting('wasm', (options) => {
      const tracker = new StreamPositions({ blockSize: 512, ...options });
      const reused = new Uint8Array(4096);
      for (let i = 0; i < text.length; i += reused.length) {
        const n = Math.min(reused.length, text.length - i);
        reused.set(text.subarray(i, i + n));
        tracker.push(n === reused.length ? reused : reused.subarray(0, n)); // the same array, refilled
      }
      tracker.end();
      const request = tracker.request(offsets);
      for (const r of request.ranges) request.feed(r.start, text.subarray(r.start, r.end));
      return request.finish();
    });
    for (const o of offsets) assert.deepEqual(table.positionAt(o), mapper.positionAt(o), `offset ${o}`);
  });

  it('asks only for the blocks that hold requested offsets, from the checkpoint to the last offset', () => {
    const bytes = Buffer.from('0123456789'.repeat(10)); // 100 bytes, blocks of 16
    const tracker = new StreamPositions({ blockSize: 16 });
    tracker.push(bytes);
    tracker.end();
    const request = tracker.request([40, 35, 90, 100]);
    assert.deepEqual(request.ranges, [
      { start: 32, end: 41 },
      { start: 80, end: 91 },
    ]);
    // the end of the input needs no bytes
    assert.equal(tracker.request([100]).complete, true);
  });

  it('streams watched spans to their sinks exactly, across pieces and overlapping other ranges', () => {
    const bytes = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(4));
    const tracker = new StreamPositions({ blockSize: 8 });
    for (const c of chunksOf(bytes, [7])) tracker.push(c);
    tracker.end();
    const seen: string[] = ['', ''];
    const request = tracker.request([30]);
    request.watch({ start: 20, end: 60 }, (b) => (seen[0] += Buffer.from(b).toString()));
    request.watch({ start: 50, end: 52 }, (b) => (seen[1] += Buffer.from(b).toString()));
    assert.deepEqual(request.ranges, [{ start: 20, end: 60 }]); // block 24-31 lies inside the watched span
    for (const [i, c] of chunksOf(bytes.subarray(20, 60), [3]).entries()) request.feed(20 + i * 3, c);
    assert.equal(seen[0], bytes.subarray(20, 60).toString());
    assert.equal(seen[1], bytes.subarray(50, 52).toString());
    assert.deepEqual(request.finish().positionAt(30), { line: 0, character: 30 });
  });

  it('refuses to guess when bytes are missing, fed backwards, or asked for an offset it did not resolve', () => {
    const bytes = Buffer.from('line one\nline two\nline three\n');
    const tracker = new StreamPositions({ blockSize: 4 });
    tracker.push(bytes);
    tracker.end();
    const request = tracker.request([12, 25]);
    assert.throws(() => request.finish(), /before all of its byte ranges were fed/);
    request.feed(8, bytes.subarray(8, 13));
    assert.throws(() => request.feed(2, bytes.subarray(2, 4)), /went backwards/);
    assert.throws(() => request.feed(26, bytes.subarray(26)), /not fed/); // skipped 24-25
    const table = PositionTable.fromArray([12, 1, 3], bytes.length);
    assert.deepEqual(table.positionAt(12), { line: 1, character: 3 });
    assert.throws(() => table.positionAt(13), /no position was resolved for byte offset 13/);
    assert.throws(() => tracker.push(bytes), /after end/);
  });

  it('keeps the chunks only while they fit in retainBytes', () => {
    const small = new StreamPositions({ retainBytes: 10 });
    small.push(Buffer.from('12345'));
    small.push(Buffer.from('67890'));
    assert.equal(small.retainsAll, true);
    small.push(Buffer.from('x'));
    assert.equal(small.retainsAll, false);
    small.end();
    assert.throws(() => small.supplyRetained(small.request([3])), /not retained/);
  });

  it('keeps a checkpoint table, not the bytes: a 64 MB single line costs a few hundred KB', () => {
    const tracker = new StreamPositions({ isAscii });
    const chunk = Buffer.alloc(1 << 20, 0x61);
    chunk[100] = 0xc3; // é
    chunk[101] = 0xa9;
    for (let i = 0; i < 64; i++) tracker.push(chunk);
    tracker.end();
    // 4,096 checkpoints of 25 bytes, in arrays that double as they fill
    assert.ok(tracker.footprint <= 256 * 1024, `holds ${tracker.footprint} bytes`);
    const request = tracker.request([(63 << 20) + 200]);
    for (const r of request.ranges) request.feed(r.start, chunk.subarray(r.start - (63 << 20), r.end - (63 << 20)));
    // 64 chunks of 2^20 bytes, each with one 2-byte character: 64 units fewer than bytes
    assert.deepEqual(request.finish().positionAt((63 << 20) + 200), { line: 0, character: (63 << 20) + 200 - 64 });
  });

  it('resolves offsets from its window while streaming, exactly, and leaves the rest to a request', () => {
    fc.assert(
      fc.property(
        bytesArb,
        pieces(),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 30 }),
        fc.boolean(),
        (bytes, cuts, blockSize, windowBytes, asks, ascii) => {
          const tracker = new StreamPositions({ blockSize, windowBytes, isAscii: ascii ? isAscii : undefined });
          const known = new Map<number, Position>();
          const late: number[] = [];
          const watched: [number, number, number[]][] = [];
          const chunks = chunksOf(bytes, cuts);
          let pushed = 0;
          // after each chunk, ask for a few offsets and a span among the bytes pushed so far
          chunks.forEach((c, i) => {
            tracker.push(c);
            pushed += c.length;
            for (const [a, b, when] of asks) {
              if (when % Math.max(1, chunks.length) !== i) continue;
              const offsets = [a % (pushed + 1), b % (pushed + 1)];
              const span = { start: Math.min(...offsets), end: Math.max(...offsets) };
              const got: number[] = [];
              if (tracker.resolveNow(offsets, known, { span, sink: (x) => got.push(...x) })) watched.push([span.start, span.end, got]);
              else late.push(...offsets);
            }
          });
          tracker.end();
          const request = tracker.request(late, known);
          for (const r of request.ranges) request.feed(r.start, bytes.subarray(r.start, r.end));
          const table = request.finish();
          const mapper = new PositionMapper(bytes);
          for (const o of [...known.keys(), ...late]) assert.deepEqual(table.positionAt(o), mapper.positionAt(o), `offset ${o}`);
          for (const [start, end, got] of watched) assert.deepEqual(got, [...bytes.subarray(start, end)]);
          if (windowBytes === 0) assert.equal(known.size, 0);
        },
      ),
      { numRuns: Number(process.env.SCALE_RUNS ?? 300) },
    );
  });

  it('keeps a bounded window: the newest chunk always, older ones while under windowBytes', () => {
    const tracker = new StreamPositions({ blockSize: 4, windowBytes: 20 });
    const known = new Map<number, Position>();
    for (const s of ['abc\n', 'defgh', 'ij\nkl', 'mnopqrstuvwxyz']) tracker.push(Buffer.from(s));
    // 28 bytes pushed; the window keeps the newest chunks that make at least 20 bytes: 'defgh' on (24 bytes, from offset 4)
    assert.equal(tracker.resolveNow([2], known), false);
    assert.equal(known.size, 0, 'a refusal resolves nothing');
    assert.equal(tracker.resolveNow([12, 13, 27], known), true);
    assert.deepEqual(known.get(12), { line: 2, character: 0 });
    assert.deepEqual(known.get(13), { line: 2, character: 1 });
    assert.deepEqual(known.get(27), { line: 2, character: 15 });
    // the current end needs the next byte (a \r\n could straddle), until end()
    assert.equal(tracker.resolveNow([28], known), false);
    tracker.end();
    assert.equal(tracker.resolveNow([28], known), true);
    assert.deepEqual(known.get(28), { line: 2, character: 16 });
    // the checkpoint table, and the 24 window bytes
    assert.equal(tracker.footprint, new StreamPositions({ blockSize: 4 }).footprint + 24);
  });
});
