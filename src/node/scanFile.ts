// Scans one file of any size as a stream: read in large chunks (through gunzip when the content is
// gzip, decided by its magic bytes, decompressing in zlib's thread while this one scans), fed to
// StreamingScan and to a StreamPositions tracker. Nothing grows with the file but the results and
// the tracker's checkpoints (~1.6 MB per GB).
//
// Positions of findings and problems are resolved after the scan from the tracker's checkpoints
// (see core/input/streamPositions.ts): the few byte ranges they need are read back by position
// from the same open file, or, for gzip larger than the retained budget, by decompressing again
// up to the last of them. The digests of flagged records are taken in the same pass.

import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { PositionTable, StreamPositions, type PositionRequest } from '../core/input/streamPositions';
import { RecordDigest, reportOffsets } from '../core/report/model';
import { StreamingScan, type RuleSet, type ScanOptions } from '../core/scan';
import type { ScanResult } from '../core/types';
import { FileReadError } from './files';

export { FileReadError } from './files';

/** Read size: large enough that per-chunk costs vanish, small enough to keep memory flat. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Decompressed gzip content up to this size is kept for positions (no second decompression). */
export const DEFAULT_RETAIN_GZIP = 16 << 20;
const GUNZIP_CHUNK = 1 << 18;
/** Bytes read back at once when resolving positions and digests. */
const REREAD_PIECE = 1 << 20;

export interface ScanFileOptions {
  /** Relative paths are resolved against this (default process.cwd()). */
  cwd?: string;
  /** Largest piece fed to the scanner at once (default 1 MiB); tests use a few bytes. */
  chunkSize?: number;
  /** Decompressed gzip bytes kept to resolve positions without decompressing again (default 16 MiB). */
  retainGzipBytes?: number;
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

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a folder';
    default:
      return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
  }
}

function gzipReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'Z_BUF_ERROR'
    ? 'the gzip data is truncated (unexpected end of file)'
    : `the gzip data is corrupt (${err?.message ?? String(e)})`;
}

/** Marks errors raised by zlib, so they are told apart from read errors. */
class GzipError extends Error {
  constructor(zlibError: unknown) {
    super(gzipReason(zlibError));
  }
}

/**
 * The file's raw bytes from its start, by position on the open handle (a file stream would close
 * the handle when left early, and the handle is needed again to resolve positions). The next read
 * is already under way while the caller works on a chunk. With `reuse`, two buffers take turns:
 * a chunk is only valid until the next one is asked for (fine for the scanner, which copies what
 * it keeps); without it every chunk is new memory (for consumers that hold on, like zlib).
 */
async function* rawChunks(handle: fs.promises.FileHandle, size: number, reuse: boolean): AsyncGenerator<Buffer> {
  const spare = reuse ? [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] : [];
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
    next.catch(() => undefined); // a read still in flight when the caller stopped early
  }
}

/**
 * The file's content as chunks of at most `chunkSize` bytes, gunzipped when `gzip`. Errors come
 * out of the iteration; leaving it early (break) stops reading.
 */
async function* contentOf(handle: fs.promises.FileHandle, gzip: boolean, chunkSize: number): AsyncGenerator<Buffer> {
  const readSize = Math.max(chunkSize, 64 * 1024);
  let source: AsyncIterable<Buffer> = rawChunks(handle, readSize, !gzip);
  let raw: Readable | undefined;
  let gunzip: zlib.Gunzip | undefined;
  if (gzip) {
    raw = Readable.from(source, { highWaterMark: 2 });
    // Room for a few chunks of output: zlib then starts inflating the next piece (in the thread
    // pool) as soon as it hands one over, while this thread scans it. (Node passes highWaterMark
    // on to the stream; its typings omit it.)
    const gunzipOptions: zlib.ZlibOptions & { highWaterMark: number } = { chunkSize: GUNZIP_CHUNK, highWaterMark: 4 * GUNZIP_CHUNK };
    gunzip = zlib.createGunzip(gunzipOptions);
    // pipe() does not forward read errors: pass them on, so the iteration below sees them
    raw.on('error', (e) => gunzip!.destroy(e));
    source = raw.pipe(gunzip);
  }
  try {
    for await (const chunk of source) {
      if (chunk.length <= chunkSize) yield chunk;
      else for (let i = 0; i < chunk.length; i += chunkSize) yield chunk.subarray(i, i + chunkSize);
    }
  } catch (e) {
    if (gzip && (e as NodeJS.ErrnoException)?.code?.startsWith('Z_')) throw new GzipError(e);
    throw e;
  } finally {
    raw?.destroy();
    gunzip?.destroy();
  }
}

/**
 * Scans one file. Throws FileReadError (with a reason a person can act on) when the file cannot be
 * read or its gzip data is corrupt; broken JSON inside is reported as problems in the result.
 */
export async function scanFile(file: string, ruleSet: RuleSet, options: ScanFileOptions = {}): Promise<FileScan> {
  const absolute = path.resolve(options.cwd ?? process.cwd(), file);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(absolute, 'r');
  } catch (e) {
    throw new FileReadError(file, reason(e));
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new FileReadError(file, 'is a folder');
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    // gzip by content, not name: S3 downloads lose their .gz, renamed files keep it
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;

    const scan = new StreamingScan(ruleSet, options.scan);
    const tracker = new StreamPositions({ blockSize: options.blockSize, retainBytes: gzip ? (options.retainGzipBytes ?? DEFAULT_RETAIN_GZIP) : 0, isAscii });
    for await (const chunk of contentOf(handle, gzip, chunkSize)) {
      options.signal?.throwIfAborted();
      scan.push(chunk);
      tracker.push(chunk);
    }
    const result = scan.end();
    tracker.end();

    const request = tracker.request(reportOffsets(result));
    const digests = new Map<number, string>();
    const pending: [number, RecordDigest][] = [];
    for (const f of result.findings) {
      if (digests.has(f.recordIndex)) continue;
      const d = new RecordDigest();
      digests.set(f.recordIndex, '');
      pending.push([f.recordIndex, d]);
      request.watch(f.record, (bytes) => d.update(bytes));
    }
    if (!request.complete) {
      if (tracker.retainsAll) tracker.supplyRetained(request);
      else if (!gzip) await rereadRanges(handle, file, request);
      else await redecompress(handle, file, request, chunkSize);
    }
    const positions = request.finish();
    for (const [index, d] of pending) digests.set(index, d.hex());
    return { file, compressed: gzip, size: tracker.length, result, positions, digests };
  } catch (e) {
    if (e instanceof FileReadError || (e as Error)?.name === 'AbortError') throw e;
    if (e instanceof GzipError) throw new FileReadError(file, e.message);
    if ((e as NodeJS.ErrnoException)?.code !== undefined) throw new FileReadError(file, reason(e));
    throw e;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Feeds the request's ranges from the file by position (plain files: random access is cheap). */
async function rereadRanges(handle: fs.promises.FileHandle, file: string, request: PositionRequest): Promise<void> {
  const buf = Buffer.allocUnsafe(REREAD_PIECE);
  for (const range of request.ranges) {
    for (let at = range.start; at < range.end; ) {
      const want = Math.min(REREAD_PIECE, range.end - at);
      const { bytesRead } = await handle.read(buf, 0, want, at);
      if (bytesRead === 0) throw new FileReadError(file, 'the file became shorter while it was scanned; scan it again');
      request.feed(at, buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  }
}

/** Feeds the request by decompressing the file again, stopping after its last range. */
async function redecompress(handle: fs.promises.FileHandle, file: string, request: PositionRequest, chunkSize: number): Promise<void> {
  let offset = 0;
  for await (const chunk of contentOf(handle, true, Math.max(chunkSize, GUNZIP_CHUNK))) {
    request.feed(offset, chunk);
    offset += chunk.length;
    if (request.complete) return; // leaving the loop closes the streams
  }
  if (!request.complete) throw new FileReadError(file, 'the file changed while it was scanned; scan it again');
}
