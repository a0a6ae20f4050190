// Byte offsets -> line/UTF-16 positions for input that streams past and is not kept.
//
// The semantics are PositionMapper's exactly (positions.ts): lines break at \n, \r\n and a lone \r;
// a character is a UTF-16 code unit (a 4-byte UTF-8 sequence is two, continuation bytes none); a
// leading UTF-8 BOM is not a character; an offset between the \r and \n of a break is the \r's.
//
// Findings and problems arrive with the scan result, after their bytes went by, so a position
// cannot simply be read off while streaming. StreamPositions, fed the same chunks as the scanner,
// keeps instead:
//   * a checkpoint every `blockSize` bytes: the line and column there (a few numbers per block,
//     ~1.5 MB per GB at 16 KiB blocks), and
//   * optionally the bytes themselves while the input stays under `retainBytes` (small files).
// Resolving offsets afterwards needs only the bytes from each offset's checkpoint up to it:
// request(offsets) lists those byte ranges; the caller feeds them back (from the retained chunks,
// from the file by position, or from a second decompression) and gets exact positions.
// The same request can stream arbitrary other spans to a callback (the report digests records).
//
// With `windowBytes`, the tracker also keeps the most recent chunks (a bounded window): offsets
// whose bytes, from their checkpoint on, are still in it resolve at once (resolveNow), so a caller
// that hears of findings while scanning needs no second pass unless a record outgrew the window.

import type { Position, Span } from '../types';

const LF = 0x0a;
const CR = 0x0d;

export const DEFAULT_BLOCK_SIZE = 16 * 1024;

/** Tests a run of bytes for all-ASCII; Node's buffer.isAscii fits (native, many GB/s). */
export type AsciiTest = (bytes: Uint8Array) => boolean;

/**
 * Counts the UTF-16 units of a run as unitOf summed (the WebAssembly skimmer does, 16 bytes at a
 * time). forget(): the bytes of an array seen before may have changed (a reused read buffer).
 */
export interface UnitCounter {
  units(bytes: Uint8Array, from: number, to: number): number;
  forget(): void;
}

export interface StreamPositionsOptions {
  /** Bytes between checkpoints (default 16 KiB): the most bytes re-read to resolve one offset. */
  blockSize?: number;
  /** Keep references to the pushed chunks while their total stays within this (default 0: keep none). */
  retainBytes?: number;
  /** A fast all-ASCII test, tried on long runs first; without it units are counted four bytes at a time. */
  isAscii?: AsciiTest;
  /** Counts runs that are not all ASCII (long ones); without it, isAscii on halves and JS do. */
  counter?: UnitCounter;
  /**
   * Keep references to the most recent chunks, at least this many bytes of them (the newest chunk
   * always, and at most one chunk over), for resolveNow (default 0: no window).
   */
  windowBytes?: number;
}

/** Line/column state at one byte offset. `cr`: the previous byte was \r; `crCol`: the column at that \r. */
interface Cursor {
  line: number;
  col: number;
  crCol: number;
  cr: boolean;
}

/** UTF-16 code units of one byte's contribution, as PositionMapper counts them. */
function unitOf(b: number): number {
  return (b & 0xc0) === 0x80 ? 0 : b >= 0xf0 ? 2 : 1;
}

/** Below this, a run is counted byte by byte rather than a word at a time. */
const SMALL_RUN = 64;

/** Non-ASCII runs longer than this are split, and each piece tested again. */
const SPLIT_RUN = 1024;

/** How a tracker counts: isAscii for a run's first test, counter (or JS) for the rest. */
interface Counting {
  isAscii?: AsciiTest;
  counter?: UnitCounter;
}

function countUnits(bytes: Uint8Array, from: number, to: number, counting: Counting): number {
  if (to - from < SMALL_RUN) return slowUnits(bytes, from, to);
  if (counting.counter !== undefined) return counting.counter.units(bytes, from, to);
  return jsUnits(bytes, from, to, counting.isAscii);
}

function jsUnits(bytes: Uint8Array, from: number, to: number, isAscii: AsciiTest | undefined): number {
  if (isAscii === undefined) return wordUnits(bytes, from, to);
  if (isAscii(bytes.subarray(from, to))) return to - from;
  if (to - from <= SPLIT_RUN) return wordUnits(bytes, from, to);
  // Log text is mostly ASCII with a few names or messages that are not: the native test on halves
  // leaves the counting in JS to the small pieces that hold them.
  const mid = from + ((to - from) >> 1);
  return jsUnits(bytes, from, mid, isAscii) + jsUnits(bytes, mid, to, isAscii);
}

function slowUnits(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b < 0x80) n++;
    else n += unitOf(b);
  }
  return n;
}

/**
 * UTF-16 units of a run, four bytes at a time: a word without high bits is four units; otherwise
 * count its continuation bytes (10xxxxxx: -1 each) and 4-byte leads (11110xxx and up: +1 each)
 * with bit masks, which is unitOf summed over the word.
 */
function wordUnits(bytes: Uint8Array, from: number, to: number): number {
  const misaligned = (bytes.byteOffset + from) & 3;
  const head = misaligned === 0 ? from : Math.min(to, from + 4 - misaligned);
  let n = slowUnits(bytes, from, head);
  const words = (to - head) >> 2;
  const view = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words);
  n += words * 4;
  for (let k = 0; k < words; k++) {
    const w = view[k];
    if ((w & 0x80808080) === 0) continue;
    const cont = w & ~(w << 1) & 0x80808080;
    const four = w & (w << 1) & (w << 2) & (w << 3) & 0x80808080;
    n += (Math.imul(four >>> 7, 0x01010101) >>> 24) - (Math.imul(cont >>> 7, 0x01010101) >>> 24);
  }
  return n + slowUnits(bytes, head + words * 4, to);
}

/** Moves the cursor over bytes[from, to). */
function advance(c: Cursor, bytes: Uint8Array, from: number, to: number, counting: Counting): void {
  if (from >= to) return;
  if (c.cr && bytes[from] === LF) {
    // the \n of a \r\n: the \r already broke the line
    c.cr = false;
    if (++from === to) return;
  }
  const run = bytes.subarray(from, to);
  if (run.indexOf(CR) < 0) {
    // the common case: \n only, found by the native search
    const last = run.lastIndexOf(LF);
    if (last < 0) {
      c.col += countUnits(bytes, from, to, counting);
    } else {
      let lines = 0;
      for (let i = run.indexOf(LF); i >= 0 && i <= last; i = run.indexOf(LF, i + 1)) lines++;
      c.line += lines;
      c.col = countUnits(bytes, from + last + 1, to, counting);
    }
    c.cr = false;
    return;
  }
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b === LF) {
      if (!c.cr) c.line++;
      c.col = 0;
      c.cr = false;
    } else if (b === CR) {
      c.crCol = c.col;
      c.line++;
      c.col = 0;
      c.cr = true;
    } else {
      c.col += unitOf(b);
      c.cr = false;
    }
  }
}

/** The position at the cursor's offset, given the byte there (undefined at the end of the input). */
function positionAt(c: Cursor, next: number | undefined): Position {
  // between the \r and \n of a line break there is no position: use the \r
  if (c.cr && next === LF) return { line: c.line - 1, character: c.crCol };
  return { line: c.line, character: c.col };
}

/** Offsets as PositionMapper clamps them: whole, within [0, length]. */
function clampOffset(offset: number, length: number): number {
  const o = Math.floor(offset);
  if (!(o > 0)) return 0; // also NaN
  return Math.min(o, length);
}

/** Positions resolved for a set of byte offsets; asking for any other offset is a programming error. */
export class PositionTable {
  constructor(
    private readonly table: ReadonlyMap<number, Position>,
    /** Length of the input, for clamping as PositionMapper does. */
    readonly length: number,
  ) {}

  positionAt(offset: number): Position {
    const p = this.table.get(clampOffset(offset, this.length));
    if (!p) throw new Error(`no position was resolved for byte offset ${offset}`);
    return { line: p.line, character: p.character };
  }

  has(offset: number): boolean {
    return this.table.has(clampOffset(offset, this.length));
  }

  get size(): number {
    return this.table.size;
  }

  /** [offset, line, character, ...]: compact, and cheap to send to another thread. */
  toArray(): number[] {
    const out: number[] = [];
    for (const [o, p] of this.table) out.push(o, p.line, p.character);
    return out;
  }

  static fromArray(flat: readonly number[], length: number): PositionTable {
    if (flat.length % 3 !== 0) throw new Error('a position table needs offset, line, character triples');
    const table = new Map<number, Position>();
    for (let i = 0; i < flat.length; i += 3) table.set(flat[i], { line: flat[i + 1], character: flat[i + 2] });
    return new PositionTable(table, length);
  }
}

interface Checkpoints {
  line: Float64Array;
  col: Float64Array;
  crCol: Float64Array;
  cr: Uint8Array;
  count: number;
}

export class StreamPositions {
  private readonly blockSize: number;
  private readonly retainBytes: number;
  private readonly counting: Counting;
  private readonly cur: Cursor = { line: 0, col: 0, crCol: 0, cr: false };
  private total = 0;
  private ended = false;
  /** Checkpoint k is the cursor at offset k * blockSize. */
  private cp: Checkpoints;
  /** The first bytes, until a BOM is decided. */
  private readonly head: number[] = [];
  private retained: Uint8Array[] | null;
  private retainedLength = 0;
  private readonly windowBytes: number;
  /** The recent chunks, oldest first; window[0] starts at windowStart. */
  private readonly window: Uint8Array[] = [];
  private windowStart = 0;
  private windowLength = 0;
  /** The cursor after the last offset resolveNow walked to: ascending requests continue from it. */
  private memo: { offset: number; cursor: Cursor } | undefined;

  constructor(options: StreamPositionsOptions = {}) {
    this.blockSize = Math.max(1, Math.floor(options.blockSize ?? DEFAULT_BLOCK_SIZE));
    this.retainBytes = Math.max(0, options.retainBytes ?? 0);
    this.retained = this.retainBytes > 0 ? [] : null;
    this.counting = { isAscii: options.isAscii, counter: options.counter };
    this.windowBytes = Math.max(0, options.windowBytes ?? 0);
    const n = 64;
    this.cp = { line: new Float64Array(n), col: new Float64Array(n), crCol: new Float64Array(n), cr: new Uint8Array(n), count: 1 };
  }

  /** Bytes pushed so far. */
  get length(): number {
    return this.total;
  }

  /** The input began with a UTF-8 byte-order mark (decided once 3 bytes arrived, or at end()). */
  get bom(): boolean {
    const h = this.head;
    return h.length >= 3 && h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf;
  }

  /** Bytes this tracker holds: its checkpoint table, and the retained chunks if any. */
  get footprint(): number {
    const cp = this.cp;
    return cp.line.byteLength + cp.col.byteLength + cp.crCol.byteLength + cp.cr.byteLength + Math.max(this.retained !== null ? this.retainedLength : 0, this.windowLength);
  }

  /** Whether every pushed chunk is still held (the input stayed within retainBytes). */
  get retainsAll(): boolean {
    return this.retained !== null;
  }

  /**
   * Feeds the next bytes of the input. When retaining or keeping a window, the chunk is kept by
   * reference: do not reuse its memory.
   */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('StreamPositions.push() after end()');
    const n = chunk.length;
    if (n === 0) return;
    this.counting.counter?.forget(); // the caller may refill the same buffer for each chunk
    for (let i = 0; i < n && this.head.length < 3; i++) this.head.push(chunk[i]);
    if (this.retained !== null) {
      if (this.retainedLength + n <= this.retainBytes) {
        this.retained.push(chunk);
        this.retainedLength += n;
      } else {
        this.retained = null; // over budget: from now on the caller supplies the bytes
      }
    }
    if (this.windowBytes > 0) {
      this.window.push(chunk);
      this.windowLength += n;
      while (this.windowLength - this.window[0].length >= this.windowBytes) {
        const old = this.window.shift()!;
        this.windowStart += old.length;
        this.windowLength -= old.length;
      }
    }
    let i = 0;
    if (this.cur.cr && chunk[0] === LF) i = this.walk(chunk, 0, 1); // the \n of a \r\n split between chunks
    if (i < n && chunk.indexOf(CR) < 0) this.fastWalk(chunk, i);
    else this.walk(chunk, i, n);
  }

  /** Walks bytes[from, to) piece by piece up to each checkpoint; returns `to`. */
  private walk(bytes: Uint8Array, from: number, to: number): number {
    let i = from;
    while (i < to) {
      const nextCheckpoint = this.cp.count * this.blockSize;
      const take = Math.min(to - i, nextCheckpoint - this.total);
      advance(this.cur, bytes, i, i + take, this.counting);
      i += take;
      this.total += take;
      if (this.total === nextCheckpoint) this.checkpoint();
    }
    return to;
  }

  /**
   * walk() for a chunk without \r (the usual case), from `from` to its end: one all-ASCII test and
   * one forward search for line feeds over the whole chunk, however many checkpoints it holds.
   */
  private fastWalk(chunk: Uint8Array, from: number): void {
    const n = chunk.length;
    const counting = this.counting;
    const isAscii = counting.isAscii;
    const ascii = isAscii !== undefined && n - from >= SMALL_RUN && isAscii(from === 0 ? chunk : chunk.subarray(from));
    const units = (s: number, e: number): number => (ascii ? e - s : countUnits(chunk, s, e, counting));
    const c = this.cur;
    let lf = chunk.indexOf(LF, from);
    let i = from;
    while (i < n) {
      const nextCheckpoint = this.cp.count * this.blockSize;
      const end = Math.min(n, i + (nextCheckpoint - this.total));
      let lines = 0;
      let last = -1;
      while (lf >= 0 && lf < end) {
        lines++;
        last = lf;
        lf = chunk.indexOf(LF, lf + 1);
      }
      if (last < 0) c.col += units(i, end);
      else {
        c.line += lines;
        c.col = units(last + 1, end);
      }
      c.cr = false;
      this.total += end - i;
      i = end;
      if (this.total === nextCheckpoint) this.checkpoint();
    }
  }

  end(): void {
    this.ended = true;
  }

  /**
   * Resolves these offsets now, from the window, into `into` (raw: PositionRequest.finish applies
   * the BOM), and streams `watch.span`'s bytes to its sink. All or nothing: returns false, having
   * done neither, when some byte needed fell out of the window or has not arrived yet (an offset
   * at the current end needs the next byte, unless end() was called). Cheapest in ascending order.
   */
  resolveNow(offsets: readonly number[], into: Map<number, Position>, watch?: { span: Span; sink: (bytes: Uint8Array) => void }): boolean {
    if (this.window.length === 0) return false;
    const total = this.total;
    const from = this.windowStart;
    const sorted = offsets.slice().sort((a, b) => a - b);
    if (sorted.length > 0 && !(sorted[0] >= 0 && sorted[sorted.length - 1] <= total)) return false;
    if (watch && !(watch.span.start >= from && watch.span.end <= total)) return false;
    // check every offset before walking, so that a refusal changes nothing
    let memo = this.memo?.offset;
    for (const raw of sorted) {
      const o = Math.floor(raw);
      if (o === total) {
        if (!this.ended) return false;
        continue;
      }
      if (this.walkStart(o, memo) === undefined) return false;
      memo = o;
    }
    const found: [number, Position][] = [];
    for (const raw of sorted) {
      const o = Math.floor(raw);
      if (o === total) {
        found.push([o, positionAt(this.cur, undefined)]);
        continue;
      }
      const at = this.walkStart(o, this.memo?.offset)!;
      const cursor = at === this.memo?.offset ? this.memo.cursor : this.cursorAtBlock(at / this.blockSize);
      this.walkWindow(cursor, at, o);
      found.push([o, positionAt(cursor, this.byteAt(o))]);
      this.memo = { offset: o, cursor };
    }
    for (const [o, p] of found) into.set(o, p);
    if (watch) this.eachWindowPiece(watch.span.start, watch.span.end, (bytes) => watch.sink(bytes));
    return true;
  }

  /**
   * Where a walk to offset `o` (< length) starts: the later of its checkpoint and the memo (when
   * at or before `o`), provided the window holds the bytes from there; undefined otherwise.
   */
  private walkStart(o: number, memo: number | undefined): number | undefined {
    const from = this.windowStart;
    const checkpoint = Math.floor(o / this.blockSize) * this.blockSize;
    const memoOk = memo !== undefined && memo <= o && memo >= from;
    if (memoOk && memo >= checkpoint) return memo;
    if (checkpoint >= from) return checkpoint;
    return memoOk ? memo : undefined;
  }

  /** Calls `f` with the window's bytes [start, end), in order, piece by piece. */
  private eachWindowPiece(start: number, end: number, f: (bytes: Uint8Array, from: number, to: number) => void): void {
    let chunkStart = this.windowStart;
    for (const chunk of this.window) {
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > start && chunkStart < end) {
        const a = Math.max(start, chunkStart) - chunkStart;
        const b = Math.min(end, chunkEnd) - chunkStart;
        f(chunk.subarray(a, b), a, b);
      }
      if (chunkEnd >= end) return;
      chunkStart = chunkEnd;
    }
  }

  private walkWindow(cursor: Cursor, from: number, to: number): void {
    if (from >= to) return;
    let chunkStart = this.windowStart;
    for (const chunk of this.window) {
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > from && chunkStart < to) advance(cursor, chunk, Math.max(from, chunkStart) - chunkStart, Math.min(to, chunkEnd) - chunkStart, this.counting);
      if (chunkEnd >= to) return;
      chunkStart = chunkEnd;
    }
  }

  private byteAt(offset: number): number | undefined {
    let chunkStart = this.windowStart;
    for (const chunk of this.window) {
      if (offset < chunkStart + chunk.length) return chunk[offset - chunkStart];
      chunkStart += chunk.length;
    }
    return undefined;
  }

  private checkpoint(): void {
    let cp = this.cp;
    if (cp.count === cp.line.length) {
      const size = cp.count * 2;
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const g = make(size);
        g.set(a);
        return g;
      };
      cp = this.cp = {
        line: grow(cp.line, (s) => new Float64Array(s)),
        col: grow(cp.col, (s) => new Float64Array(s)),
        crCol: grow(cp.crCol, (s) => new Float64Array(s)),
        cr: grow(cp.cr, (s) => new Uint8Array(s)),
        count: cp.count,
      };
    }
    const k = cp.count++;
    const c = this.cur;
    cp.line[k] = c.line;
    cp.col[k] = c.col;
    cp.crCol[k] = c.crCol;
    cp.cr[k] = c.cr ? 1 : 0;
  }

  /**
   * Prepares the resolution of these offsets (any order, duplicates allowed) after end(). Feed the
   * request the bytes of its `ranges`; `supplyRetained` does that when retainsAll. Offsets in
   * `known` (raw positions from resolveNow) need no bytes, and are part of the result.
   */
  request(offsets: Iterable<number>, known?: ReadonlyMap<number, Position>): PositionRequest {
    if (!this.ended) throw new Error('StreamPositions.request() before end()');
    return new PositionRequest(this, offsets, known);
  }

  /** Feeds a request from the retained chunks. */
  supplyRetained(request: PositionRequest): void {
    if (this.retained === null) throw new Error('the input was not retained (it exceeded retainBytes)');
    let offset = 0;
    for (const chunk of this.retained) {
      if (request.complete) break;
      request.feed(offset, chunk);
      offset += chunk.length;
    }
  }

  /** @internal for PositionRequest */
  cursorAtBlock(k: number): Cursor {
    const cp = this.cp;
    return { line: cp.line[k], col: cp.col[k], crCol: cp.crCol[k], cr: cp.cr[k] === 1 };
  }

  /** @internal for PositionRequest */
  finalPosition(): Position {
    return positionAt(this.cur, undefined);
  }

  /** @internal for PositionRequest */
  get block(): number {
    return this.blockSize;
  }

  /** @internal for PositionRequest */
  get unitCounting(): Counting {
    return this.counting;
  }
}

/** One checkpoint block that holds requested offsets: walked from its checkpoint up to the last of them. */
interface BlockWalk {
  start: number;
  /** Exclusive: one past the last requested offset, so the byte at each offset is seen (\r\n). */
  end: number;
  /** Offset of the next byte to walk. */
  at: number;
  cursor: Cursor;
  offsets: number[];
  next: number;
}

interface Watch {
  span: Span;
  at: number;
  sink: (bytes: Uint8Array) => void;
}

/**
 * The byte ranges needed to resolve some offsets (and to stream some spans), and the resolution
 * itself once they are fed. Feed bytes in ascending file order; bytes outside the ranges are ignored.
 */
export class PositionRequest {
  private readonly blocks: BlockWalk[] = [];
  private readonly resolved = new Map<number, Position>();
  private readonly watches: Watch[] = [];
  private blockIndex = 0;
  private watchIndex = 0;
  private lastFed = 0;
  private merged: Span[] | undefined;

  constructor(
    private readonly source: StreamPositions,
    offsets: Iterable<number>,
    known?: ReadonlyMap<number, Position>,
  ) {
    const length = source.length;
    const size = source.block;
    const byBlock = new Map<number, number[]>();
    if (known) for (const [o, p] of known) this.resolved.set(clampOffset(o, length), p);
    for (const raw of offsets) {
      const o = clampOffset(raw, length);
      if (this.resolved.has(o)) continue;
      if (o === length) {
        // the end of the input: its position is the final state, no bytes needed
        this.resolved.set(o, source.finalPosition());
        continue;
      }
      this.resolved.set(o, PENDING);
      const k = Math.floor(o / size);
      const list = byBlock.get(k);
      if (list) list.push(o);
      else byBlock.set(k, [o]);
    }
    for (const k of [...byBlock.keys()].sort((a, b) => a - b)) {
      const list = byBlock.get(k)!.sort((a, b) => a - b);
      this.blocks.push({ start: k * size, end: list[list.length - 1] + 1, at: k * size, cursor: source.cursorAtBlock(k), offsets: list, next: 0 });
    }
  }

  /** Also streams the bytes of `span` to `sink`, in order, as they are fed. Call before feeding. */
  watch(span: Span, sink: (bytes: Uint8Array) => void): this {
    if (this.lastFed > 0 || this.merged) throw new Error('PositionRequest.watch() after feeding began');
    const start = clampOffset(span.start, this.source.length);
    const end = clampOffset(span.end, this.source.length);
    if (end > start) this.watches.push({ span: { start, end }, at: start, sink });
    return this;
  }

  /** The byte ranges to feed, ascending and disjoint. */
  get ranges(): readonly Span[] {
    if (!this.merged) {
      this.watches.sort((a, b) => a.span.start - b.span.start);
      const all: Span[] = [...this.blocks.map((b) => ({ start: b.start, end: b.end })), ...this.watches.map((w) => w.span)].sort((a, b) => a.start - b.start);
      const merged: Span[] = [];
      for (const r of all) {
        const last = merged[merged.length - 1];
        if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
        else merged.push({ start: r.start, end: r.end });
      }
      this.merged = merged;
    }
    return this.merged;
  }

  /** Every range has been fed. */
  get complete(): boolean {
    return this.blockIndex === this.blocks.length && this.watchIndex === this.watches.length;
  }

  /** Bytes of the input starting at file offset `offset`. Calls must not go backwards. */
  feed(offset: number, bytes: Uint8Array): void {
    void this.ranges; // fixes the watch order
    if (offset < this.lastFed) throw new Error(`PositionRequest.feed() went backwards (offset ${offset} after ${this.lastFed})`);
    const end = offset + bytes.length;
    this.lastFed = end;
    const counting = this.source.unitCounting;
    counting.counter?.forget();
    for (let k = this.blockIndex; k < this.blocks.length; k++) {
      const b = this.blocks[k];
      if (b.start >= end) break;
      if (b.at >= b.end || b.at < offset) {
        if (b.at < b.end && b.at < offset) throw new Error(`bytes ${b.at}-${offset} of the input were not fed`);
        continue;
      }
      let i = b.at - offset;
      const stop = Math.min(b.end, end) - offset;
      // resolve every requested offset whose byte is in this piece
      while (b.next < b.offsets.length && b.offsets[b.next] < offset + stop) {
        const o = b.offsets[b.next++];
        advance(b.cursor, bytes, i, o - offset, counting);
        i = o - offset;
        this.resolved.set(o, positionAt(b.cursor, bytes[i]));
      }
      advance(b.cursor, bytes, i, stop, counting);
      b.at = offset + stop;
    }
    while (this.blockIndex < this.blocks.length && this.blocks[this.blockIndex].at >= this.blocks[this.blockIndex].end) this.blockIndex++;

    for (let k = this.watchIndex; k < this.watches.length; k++) {
      const w = this.watches[k];
      if (w.span.start >= end) break;
      if (w.at >= w.span.end) continue;
      if (w.at < offset) throw new Error(`bytes ${w.at}-${offset} of the input were not fed`);
      const stop = Math.min(w.span.end, end);
      if (stop > w.at) {
        w.sink(bytes.subarray(w.at - offset, stop - offset));
        w.at = stop;
      }
    }
    while (this.watchIndex < this.watches.length && this.watches[this.watchIndex].at >= this.watches[this.watchIndex].span.end) this.watchIndex++;
  }

  /** The positions, once every range was fed. */
  finish(): PositionTable {
    if (!this.complete) throw new Error('PositionRequest.finish() before all of its byte ranges were fed');
    const bom = this.source.bom;
    const table = new Map<number, Position>();
    for (const [o, p] of this.resolved) {
      // the BOM's lead byte counted one unit on line 0; VS Code does not show it
      table.set(o, bom && p.line === 0 ? { line: 0, character: Math.max(0, p.character - 1) } : p);
    }
    return new PositionTable(table, this.source.length);
  }
}

const PENDING: Position = Object.freeze({ line: -1, character: -1 });
