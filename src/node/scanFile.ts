// Scans one file of any size as a stream: read in large chunks (through gunzip when the content is
// gzip, decided by its magic bytes, decompressing in zlib's thread while this one scans), fed to
// StreamingScan and to a StreamPositions tracker. Nothing grows with the file but the results and
// the tracker's checkpoints (~1.6 MB per GB).
//
// Positions of findings and problems (and the digests of flagged records) are resolved as soon as
// the scanner reports them, from the tracker's window of recent gzip output (see
// core/input/streamPositions.ts). What the window no longer holds (a record larger than it; plain
// files, whose read buffers are reused) is resolved after the scan from the tracker's checkpoints:
// the few byte ranges needed are read back by position from the same open file, or, for gzip,
// taken from the retained content of a small file or by decompressing again up to the last of them.
//
// A gzip stream that breaks midway (truncated download, corrupt bytes) keeps what came before it:
// the records before the break are scanned and reported, and a problem marks where it broke.
// zlib drops the whole output of the inflate call that fails (up to GUNZIP_CHUNK), so after a
// corrupt stream the content between what was scanned and the break is salvaged by decompressing
// again and feeding the compressed bytes near the break a few at a time (see salvageGzip).

import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Skimmer } from '../core/input/skim';
import { PositionTable, StreamPositions, type PositionRequest } from '../core/input/streamPositions';
import { RecordDigest, reportOffsets } from '../core/report/model';
import { scanBytes, StreamingScan, type RuleSet, type ScanOptions } from '../core/scan';
import type { Finding, Position, Problem, ScanResult } from '../core/types';
import { FileReadError, ioReason } from './files';

export { FileReadError } from './files';

/** Read size: large enough that per-chunk costs vanish, small enough to keep memory flat. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Decompressed gzip content up to this size is kept for positions (no second decompression). */
export const DEFAULT_RETAIN_GZIP = 16 << 20;
/** Recent decompressed bytes kept to resolve positions while scanning (records larger fall back). */
export const DEFAULT_GZIP_WINDOW = 4 << 20;
/**
 * zlib's output piece. zlib starts each next piece from a callback on this thread, so larger pieces
 * keep it busier while this thread scans (1 MiB: about a tenth faster than 256 KiB on 100 MB).
 * zlib drops the piece of a call that fails; salvageGzip gets it back.
 */
export const GUNZIP_CHUNK = 1 << 20;
/**
 * Decompressed bytes scanned between two turns of the event loop. zlib's next call starts only in
 * a callback on this thread: read in parts (each ending with a record), a piece takes a few tenths
 * of a millisecond before zlib gets going again, instead of the whole piece's 2 ms or so.
 */
const GUNZIP_SCAN_PART = 128 * 1024;
/** Decompressed bytes zlib may run ahead of the scan (bounds memory on highly compressed input). */
const GUNZIP_AHEAD = 4 << 20;
/**
 * Compressed reads queued in zlib's input. zlib takes the next one in the same callback that
 * finishes the last, instead of waiting for this thread to read and write it (at each of the
 * file's reads, a turn of this thread's scanning: about 8% of a 100 MB file's time).
 */
const GUNZIP_INPUT_QUEUE = 4;
/** Bytes read back at once when resolving positions and digests. */
const REREAD_PIECE = 1 << 20;
/** Compressed bytes fed at once near a break: zlib then loses only what so few bytes decode to. */
const SALVAGE_PIECE = 16;
/** Compressed bytes before the failed call's start also fed in small pieces (zlib reads a little ahead). */
const SALVAGE_MARGIN = 256;

export interface ScanFileOptions {
  /** Relative paths are resolved against this (default process.cwd()). */
  cwd?: string;
  /** Largest piece fed to the scanner at once (default 1 MiB); tests use a few bytes. */
  chunkSize?: number;
  /** Decompressed gzip bytes kept to resolve positions without decompressing again (default 16 MiB). */
  retainGzipBytes?: number;
  /** Recent decompressed gzip bytes kept to resolve positions during the scan (default 4 MiB; 0: none). */
  gzipWindowBytes?: number;
  /** Bytes between position checkpoints (StreamPositions' blockSize). */
  blockSize?: number;
  scan?: ScanOptions;
  /** Stops the scan between chunks (the promise rejects with an AbortError). */
  signal?: AbortSignal;
}

export interface FileScan {
  /** The path as given. */
  file: string;
  /** The content was gzip; offsets, lines and columns refer to the decompressed text. */
  compressed: boolean;
  /** Bytes scanned (decompressed for gzip). */
  size: number;
  result: ScanResult;
  /** Positions of every offset any report prints (reportOffsets(result)). */
  positions: PositionTable;
  /** recordIndex -> digest of the record's bytes, for every record with a finding. */
  digests: Map<number, string>;
}

function gzipReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'Z_BUF_ERROR'
    ? 'the gzip data is truncated (unexpected end of file)'
    : `the gzip data is corrupt (${err?.message ?? String(e)})`;
}

/** Marks errors raised by zlib, so they are told apart from read errors. */
class GzipError extends Error {
  readonly truncated: boolean;
  /**
   * @param consumed compressed bytes zlib had taken in before the failing call (its bytesWritten,
   * which that call does not count): the break is at or after this point of the file
   */
  constructor(zlibError: unknown, readonly consumed: number) {
    super(gzipReason(zlibError));
    this.truncated = (zlibError as NodeJS.ErrnoException)?.code === 'Z_BUF_ERROR';
  }
}

/** Compressed bytes written to zlib at once for this chunk size (contentOf's read size). */
function readSizeFor(chunkSize: number): number {
  return Math.max(chunkSize, 64 * 1024);
}

/** The problem that marks where a gzip stream broke, after `size` bytes of good content. */
function gzipProblem(e: GzipError, size: number): Problem {
  // truncated: the content simply stops, as with cut-off JSON; corrupt: bytes that cannot be decoded
  return {
    code: e.truncated ? 'json-syntax' : 'invalid-encoding',
    severity: 'error',
    message: `the gzip stream is ${e.truncated ? 'truncated' : 'corrupt'} after ${size} bytes of content: records before it were scanned (${e.message})`,
    span: { start: size, end: size },
  };
}

/**
 * Read buffers of plain files, kept between scans. Fresh memory costs a page fault per 4 KiB on
 * first touch, and two new 1 MiB buffers per file made a folder of 1 MB files scan at a third of
 * the speed of one large file. A few are kept (several scans may run at once on a thread).
 */
const spareReadBuffers: Buffer[] = [];
const MAX_SPARE_READ_BUFFERS = 8;

function takeReadBuffer(size: number): Buffer {
  const i = spareReadBuffers.findIndex((b) => b.length === size);
  return i < 0 ? Buffer.allocUnsafe(size) : spareReadBuffers.splice(i, 1)[0];
}

function giveBackReadBuffers(buffers: Buffer[]): void {
  for (const b of buffers) if (spareReadBuffers.length < MAX_SPARE_READ_BUFFERS) spareReadBuffers.push(b);
}

/**
 * The file's raw bytes from its start, by position on the open handle (a file stream would close
 * the handle when left early, and the handle is needed again to resolve positions). The next read
 * is already under way while the caller works on a chunk. With `reuse`, two buffers take turns:
 * a chunk is only valid until the next one is asked for (fine for the scanner, which copies what
 * it keeps), and the buffers serve the next file afterwards; without it every chunk is new memory
 * (for consumers that hold on, like zlib).
 */
async function* rawChunks(handle: fs.promises.FileHandle, size: number, reuse: boolean): AsyncGenerator<Buffer> {
  const spare = reuse ? [takeReadBuffer(size), takeReadBuffer(size)] : [];
  let turn = 0;
  let position = 0;
  const read = (at: number): Promise<Buffer> => {
    const buf = reuse ? spare[turn++ & 1] : Buffer.allocUnsafe(size);
    return handle.read(buf, 0, size, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
  };
  let next = read(0);
  try {
    for (;;) {
      const chunk = await next;
      if (chunk.length === 0) return;
      position += chunk.length;
      next = read(position);
      yield chunk;
    }
  } finally {
    // a read still in flight when the caller stopped early: its buffer is free once it lands
    next.then(
      () => giveBackReadBuffers(spare),
      () => giveBackReadBuffers(spare),
    );
  }
}

/**
 * The file's content as chunks of at most `chunkSize` bytes, gunzipped when `gzip`. Errors come
 * out of the iteration; leaving it early (break) stops reading.
 */
async function* contentOf(handle: fs.promises.FileHandle, gzip: boolean, chunkSize: number): AsyncGenerator<Buffer> {
  const readSize = readSizeFor(chunkSize);
  const source = gzip ? gunzipped(rawChunks(handle, readSize, false), readSize) : rawChunks(handle, readSize, true);
  for await (const chunk of source) {
    if (chunk.length <= chunkSize) yield chunk;
    else for (let i = 0; i < chunk.length; i += chunkSize) yield chunk.subarray(i, i + chunkSize);
  }
}

/**
 * Gunzips `raw`. zlib inflates in its thread pool while this thread scans what it already handed
 * over; up to GUNZIP_AHEAD bytes of output wait here. Output is taken from 'data' events as it is
 * produced, not through the stream's buffer: a stream that errors drops what it buffered, and the
 * content before a break in the gzip data is to be kept. The error then ends the iteration.
 */
async function* gunzipped(raw: AsyncGenerator<Buffer>, readSize: number): AsyncGenerator<Buffer> {
  // zlib passes stream options on to its Transform; Node's types list only its own
  const options: zlib.ZlibOptions & { writableHighWaterMark: number } = { chunkSize: GUNZIP_CHUNK, writableHighWaterMark: GUNZIP_INPUT_QUEUE * readSize };
  const gunzip = zlib.createGunzip(options);
  const queue: Buffer[] = [];
  let head = 0;
  let queued = 0;
  let failure: { error: unknown; consumed?: number } | undefined;
  let ended = false;
  let stopped = false;
  let wakeReader: (() => void) | undefined;
  let wakeFeeder: (() => void) | undefined;
  const wake = (which: 'reader' | 'feeder'): void => {
    const w = which === 'reader' ? wakeReader : wakeFeeder;
    if (which === 'reader') wakeReader = undefined;
    else wakeFeeder = undefined;
    w?.();
  };
  gunzip.on('data', (b: Buffer) => {
    queue.push(b);
    queued += b.length;
    wake('reader');
  });
  gunzip.on('error', (e) => {
    failure ??= { error: e, consumed: gunzip.bytesWritten };
    wake('reader');
    wake('feeder');
  });
  gunzip.on('end', () => {
    ended = true;
    wake('reader');
  });
  const feeding = (async () => {
    try {
      for await (const chunk of raw) {
        if (stopped || failure) return;
        // zlib's input buffer is full: wait until it took the chunk in (or was destroyed)
        if (!gunzip.write(chunk)) await new Promise<void>((resolve) => {
          const done = (): void => {
            gunzip.off('drain', done);
            gunzip.off('close', done);
            resolve();
          };
          gunzip.on('drain', done);
          gunzip.on('close', done);
        });
        while (queued > GUNZIP_AHEAD && !stopped && !failure) await new Promise<void>((resolve) => (wakeFeeder = resolve));
        if (stopped || failure) return;
      }
      gunzip.end();
    } catch (e) {
      // a read error: it ends the iteration like a zlib error
      failure ??= { error: e };
      wake('reader');
    }
  })();
  try {
    for (;;) {
      if (head < queue.length) {
        const b = queue[head];
        queue[head++] = EMPTY;
        if (head === queue.length) queue.length = head = 0;
        queued -= b.length;
        if (queued <= GUNZIP_AHEAD) wake('feeder');
        yield b;
        // Let zlib's finished work in: its callback hands over the output and starts inflating the
        // next piece. Draining the whole queue first (promises only) would leave zlib idle and then
        // this thread waiting for it.
        await nextTurn();
        continue;
      }
      if (failure) {
        const e = failure.error;
        throw (e as NodeJS.ErrnoException)?.code?.startsWith('Z_') ? new GzipError(e, failure.consumed ?? 0) : e;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  } finally {
    stopped = true;
    wake('feeder');
    gunzip.destroy();
    await feeding;
    await raw.return(undefined);
  }
}

const EMPTY = Buffer.alloc(0);

/** Resolves after one turn of the event loop, in which finished I/O (zlib's calls) gets its callbacks. */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Scans one file. Throws FileReadError (with a reason a person can act on) when the file cannot be
 * read or its gzip data is corrupt before any content; broken JSON inside, and gzip data that
 * breaks after some content, are reported as problems in the result.
 */
export async function scanFile(file: string, ruleSet: RuleSet, options: ScanFileOptions = {}): Promise<FileScan> {
  const absolute = path.resolve(options.cwd ?? process.cwd(), file);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  let handle: fs.promises.FileHandle;
  /** Counts UTF-16 units for the position tracker (see StreamPositions). */
  let counter: Skimmer | undefined;
  let content: AsyncGenerator<Buffer> | undefined;
  try {
    handle = await fs.promises.open(absolute, 'r');
  } catch (e) {
    throw new FileReadError(file, ioReason(e));
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new FileReadError(file, 'is a folder');
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    // gzip by content, not name: S3 downloads lose their .gz, renamed files keep it
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    // the first read (and inflate) goes on while the scan is set up
    content = contentOf(handle, gzip, chunkSize);
    const first = content.next();
    first.catch(() => undefined); // its failure is met below; none may go unhandled meanwhile

    counter = Skimmer.acquire() ?? undefined;
    const tracker = new StreamPositions({
      blockSize: options.blockSize,
      retainBytes: gzip ? (options.retainGzipBytes ?? DEFAULT_RETAIN_GZIP) : 0,
      // plain files are read into two buffers that take turns, so their bytes cannot be kept
      windowBytes: gzip ? (options.gzipWindowBytes ?? DEFAULT_GZIP_WINDOW) : 0,
      isAscii,
      counter,
    });
    const eager = new EagerResolver(tracker);
    const user = options.scan;
    const scan = new StreamingScan(ruleSet, {
      ...user,
      // one copy of each chunk into WebAssembly memory serves the tracker and the scanner
      skimmer: counter,
      onFinding: (f) => {
        user?.onFinding?.(f);
        eager.finding(f);
      },
      onProblem: (p) => {
        user?.onProblem?.(p);
        eager.problem(p);
      },
    });
    let broken: Problem | undefined;
    try {
      for (let next = await first; !next.done; next = await content.next()) {
        const chunk = next.value;
        options.signal?.throwIfAborted();
        // the tracker first: what the scanner reports from this chunk is then in its window, and the
        // shared skimmer holds this chunk's bytes, not a buffer's earlier ones
        tracker.push(chunk);
        eager.retry();
        if (!gzip) scan.push(chunk);
        else {
          for (let at = scan.pushPart(chunk, 0, GUNZIP_SCAN_PART); at < chunk.length; at = scan.pushPart(chunk, at, at + GUNZIP_SCAN_PART)) {
            await nextTurn();
            options.signal?.throwIfAborted();
          }
        }
      }
    } catch (e) {
      if (!(e instanceof GzipError)) throw e;
      // A truncated stream fails on the final flush, which has no input: all its content came out.
      // A corrupt one fails inside an inflate call whose output zlib drops: get that back.
      if (!e.truncated) {
        const salvaged = await salvageGzip(handle, tracker.length, e.consumed, readSizeFor(chunkSize), options.signal);
        // When zlib gave nothing at first, the data may have broken in its first bytes, where what
        // it decodes to is noise: unless that holds a record, the file is unreadable, as before.
        if (tracker.length === 0 && scanBytes(Buffer.concat(salvaged), ruleSet, { prefilter: user?.prefilter }).recordCount === 0) throw e;
        for (const piece of salvaged) {
          options.signal?.throwIfAborted();
          for (let i = 0; i < piece.length; i += chunkSize) {
            const chunk = piece.subarray(i, i + chunkSize);
            tracker.push(chunk);
            eager.retry();
            scan.push(chunk);
          }
        }
      }
      // nothing decompressed: there is nothing to keep, the file is unreadable
      if (tracker.length === 0) throw e;
      broken = gzipProblem(e, tracker.length);
    }
    tracker.end();
    eager.retry();
    const result = scan.end();
    if (broken) {
      result.problems.push(broken);
      user?.onProblem?.(broken);
      eager.problem(broken);
    }
    eager.retry(); // what end() reported and could not resolve is left for the request

    const request = tracker.request(eager.lateOffsets, eager.known);
    const digests = eager.digests;
    const pending: [number, RecordDigest][] = [];
    for (const f of eager.lateRecords) {
      const d = new RecordDigest();
      pending.push([f.recordIndex, d]);
      request.watch(f.record, (bytes) => d.update(bytes));
    }
    if (!request.complete) {
      if (tracker.retainsAll) tracker.supplyRetained(request);
      else if (!gzip) await rereadRanges(handle, file, request);
      else await redecompress(handle, file, request, chunkSize, options.signal);
    }
    const positions = request.finish();
    for (const [index, d] of pending) digests.set(index, d.hex());
    return { file, compressed: gzip, size: tracker.length, result, positions, digests };
  } catch (e) {
    if (e instanceof FileReadError || (e as Error)?.name === 'AbortError') throw e;
    if (e instanceof GzipError) throw new FileReadError(file, e.message);
    if ((e as NodeJS.ErrnoException)?.code !== undefined) throw new FileReadError(file, ioReason(e));
    throw e;
  } finally {
    // stops reading and inflating when the scan ended early (an error, a cancel)
    await content?.return(undefined).catch(() => undefined);
    counter?.release();
    await handle.close().catch(() => undefined);
  }
}

/** Reads in flight at once when feeding a request from the file (libuv runs four at a time). */
const REREAD_AHEAD = 8;

/**
 * Feeds the request's ranges from the file by position (plain files: random access is cheap).
 * Findings are spread through the file, so there are often hundreds of small ranges: several
 * reads are kept in flight instead of waiting for each in turn, and fed in order as they land.
 */
async function rereadRanges(handle: fs.promises.FileHandle, file: string, request: PositionRequest): Promise<void> {
  const pieces: [number, number][] = [];
  for (const range of request.ranges) {
    for (let at = range.start; at < range.end; at += REREAD_PIECE) pieces.push([at, Math.min(REREAD_PIECE, range.end - at)]);
  }
  const read = ([at, want]: [number, number]): Promise<Buffer> =>
    handle.read(Buffer.allocUnsafe(want), 0, want, at).then(({ buffer, bytesRead }) => buffer.subarray(0, bytesRead));
  const inFlight = pieces.slice(0, REREAD_AHEAD).map(read);
  try {
    for (let i = 0; i < pieces.length; i++) {
      const bytes = await inFlight[i];
      if (i + REREAD_AHEAD < pieces.length) inFlight.push(read(pieces[i + REREAD_AHEAD]));
      const [at, want] = pieces[i];
      if (bytes.length < want) throw new FileReadError(file, 'the file became shorter while it was scanned; scan it again');
      request.feed(at, bytes);
    }
  } finally {
    for (const p of inFlight) p.catch(() => undefined); // reads still in flight after a failure
  }
}

/** Feeds the request by decompressing the file again, stopping after its last range. */
async function redecompress(handle: fs.promises.FileHandle, file: string, request: PositionRequest, chunkSize: number, signal?: AbortSignal): Promise<void> {
  let offset = 0;
  const size = Math.max(chunkSize, GUNZIP_CHUNK);
  try {
    for await (const chunk of contentOf(handle, true, size)) {
      request.feed(offset, chunk);
      offset += chunk.length;
      if (request.complete) return; // leaving the loop closes the streams
    }
  } catch (e) {
    if (!(e instanceof GzipError)) throw e;
    // A stream that broke during the scan breaks again at the same place. This pass may have lost
    // the output of its failing call like the scan's did: salvage it the same way, which reaches
    // the same last byte (its small pieces sit at the same file offsets whatever this pass read).
    if (!request.complete) {
      for (const piece of await salvageGzip(handle, offset, e.consumed, readSizeFor(size), signal)) {
        request.feed(offset, piece);
        offset += piece.length;
        if (request.complete) return;
      }
    }
  }
  if (!request.complete) throw new FileReadError(file, 'the file changed while it was scanned; scan it again');
}

/**
 * The content of a broken gzip stream from decompressed offset `from` to its break, recovered by
 * decompressing again from the start: the compressed bytes zlib took in without failing
 * (`consumed`, less a margin) go in large pieces, the rest in SALVAGE_PIECE-byte pieces aligned
 * to the file's offsets, so the failing call, whose output zlib drops, holds only those few bytes
 * (and every salvage of the same file stops at the same content byte). Costs one more pass over
 * the compressed bytes before the break; the small pieces cover at most what one write of the
 * failed pass held (`lastWrite`, plus the margin): its failing call began inside that write. Stops
 * after that span, or when it would keep more than the failed call can have dropped, as then the
 * file changed.
 */
async function salvageGzip(
  handle: fs.promises.FileHandle,
  from: number,
  consumed: number,
  lastWrite: number,
  signal?: AbortSignal,
): Promise<Buffer[]> {
  const slowFrom = Math.max(0, consumed - SALVAGE_MARGIN) - (Math.max(0, consumed - SALVAGE_MARGIN) % SALVAGE_PIECE);
  const slowEnd = consumed + lastWrite + SALVAGE_PIECE;
  // the content the failed pass lost is at most one call's output; more means the file changed
  const keepLimit = 2 * GUNZIP_CHUNK;
  const gunzip = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK });
  const kept: Buffer[] = [];
  let produced = 0;
  let keptBytes = 0;
  let done = false;
  let settle: (() => void) | undefined;
  const finish = (): void => {
    done = true;
    settle?.();
  };
  gunzip.on('data', (b: Buffer) => {
    const start = produced;
    produced += b.length;
    if (produced <= from) return; // already scanned
    const piece = start >= from ? b : b.subarray(from - start);
    kept.push(piece);
    keptBytes += piece.length;
  });
  gunzip.on('error', finish);
  gunzip.on('end', finish);
  gunzip.on('close', finish);
  // one piece at a time, each fully inflated before the next: the piece that fails is then known small
  const write = (bytes: Buffer): Promise<void> =>
    new Promise<void>((resolve) => {
      settle = resolve;
      gunzip.write(bytes, () => resolve());
    });
  try {
    let at = 0;
    let pieces = 0;
    while (!done && at < slowEnd && keptBytes <= keepLimit) {
      signal?.throwIfAborted();
      const want = at < slowFrom ? Math.min(REREAD_PIECE, slowFrom - at) : Math.min(REREAD_PIECE, slowEnd - at);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buf, 0, want, at);
      if (bytesRead === 0) {
        // the end of the file: a truncated stream fails on the final flush, with nothing lost
        const ended = new Promise<void>((resolve) => (settle = resolve));
        gunzip.end();
        if (!done) await ended;
        break;
      }
      const bytes = buf.subarray(0, bytesRead);
      if (at < slowFrom) {
        await write(bytes);
      } else {
        for (let i = 0; i < bytes.length && !done && keptBytes <= keepLimit; i += SALVAGE_PIECE) {
          await write(bytes.subarray(i, i + SALVAGE_PIECE));
          if (++pieces % 4096 === 0) signal?.throwIfAborted();
        }
      }
      at += bytesRead;
    }
  } finally {
    gunzip.destroy();
  }
  return kept;
}

/**
 * Resolves the positions of findings and problems, and the digests of flagged records, as the
 * scanner reports them, from the tracker's window. Those it cannot resolve yet (an offset at the
 * very end of what arrived so far) are tried again after the next chunk; those whose bytes left
 * the window are left for a PositionRequest after the scan.
 */
class EagerResolver {
  /** Raw positions resolved so far. */
  readonly known = new Map<number, Position>();
  readonly digests = new Map<number, string>();
  readonly lateOffsets: number[] = [];
  /** One finding per flagged record whose digest is still to be taken. */
  readonly lateRecords: Finding[] = [];
  private waiting: { offsets: number[]; record?: Finding }[] = [];

  constructor(private readonly tracker: StreamPositions) {}

  finding(f: Finding): void {
    const record = this.digests.has(f.recordIndex) ? undefined : f;
    if (record) this.digests.set(f.recordIndex, ''); // taken below, now or later
    this.try({ offsets: [f.record.start, f.record.end, f.matched.start, f.matched.end], record }, true);
  }

  problem(p: Problem): void {
    this.try({ offsets: [p.span.start, p.span.end] }, true);
  }

  /** Tries the items that waited for more bytes (call after each push, and after end()). */
  retry(): void {
    if (this.waiting.length === 0) return;
    const items = this.waiting;
    this.waiting = [];
    for (const item of items) this.try(item, false);
  }

  private try(item: { offsets: number[]; record?: Finding }, mayWait: boolean): void {
    const { record } = item;
    const digest = record ? new RecordDigest() : undefined;
    const watch = record && digest ? { span: record.record, sink: (bytes: Uint8Array) => digest.update(bytes) } : undefined;
    if (this.tracker.resolveNow(item.offsets, this.known, watch)) {
      if (record && digest) this.digests.set(record.recordIndex, digest.hex());
    } else if (mayWait) {
      this.waiting.push(item);
    } else {
      this.lateOffsets.push(...item.offsets);
      if (record) this.lateRecords.push(record);
    }
  }
}
