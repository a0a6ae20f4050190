// Reads a log file from disk as a stream of its content bytes, for the decompressed view of
// .json.gz files (scans read files through src/node/scanFile). Gzip is recognised by its magic
// bytes, as the scanner does, and inflated on the fly, so the view can stop at its size limit
// without inflating the rest, and a truncated archive still shows what precedes the break.
// No 'vscode' import.

import * as fs from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { isGzip } from '../node/files';

/** Bytes read from disk at a time: large enough to be fast, small enough to stop soon after a size limit. */
export const CHUNK_BYTES = 1 << 20;

export class LogReadError extends Error {
  constructor(
    message: string,
    /** True when the error came after some content was delivered (a truncated or corrupt gzip stream). */
    readonly midway: boolean,
    /** The fs error code, when there was one (ENOENT, EACCES, ...). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'LogReadError';
  }
}

export interface LogStream {
  /** The file is gzip data and `chunks` are its decompressed content. */
  readonly compressed: boolean;
  /** The content in order; throws LogReadError when the file cannot be read to its end. */
  readonly chunks: AsyncIterable<Buffer>;
  /** Stops reading (an abort); safe to call at any time. */
  close(): void;
}

/** A person's reading of an fs or zlib error. */
export function describeReadError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'Z_BUF_ERROR':
      return 'the gzip data is truncated (unexpected end of file)';
    case 'Z_DATA_ERROR':
      return `the gzip data is corrupt (${err.message})`;
    default:
      return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
  }
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function openLog(file: string, chunkBytes = CHUNK_BYTES): Promise<LogStream> {
  let head: Buffer;
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    head = await readHead(file);
  } catch (e) {
    throw new LogReadError(`cannot read ${file}: ${describeReadError(e)}`, false, (e as NodeJS.ErrnoException)?.code);
  }
  const compressed = isGzip(head);
  const raw = fs.createReadStream(file, { highWaterMark: chunkBytes });
  // pipeline() carries an error of either stream to the end one, and destroys both.
  const stream: Readable = compressed ? pipeline(raw, zlib.createGunzip({ chunkSize: 256 * 1024 }), () => undefined) : raw;
  async function* chunks(): AsyncGenerator<Buffer> {
    let delivered = false;
    try {
      for await (const chunk of stream) {
        delivered = true;
        yield chunk as Buffer;
      }
    } catch (e) {
      throw new LogReadError(`${compressed ? 'cannot decompress' : 'cannot read'} ${file}: ${describeReadError(e)}`, delivered);
    }
  }
  return {
    compressed,
    chunks: chunks(),
    close: () => {
      raw.destroy();
      stream.destroy();
    },
  };
}
