// Byte offsets (what the engine reports) -> line/character positions (what VS Code shows).
//
// Lines break at \n, \r\n and a lone \r, as in VS Code. Characters are UTF-16 code units: a
// 1-3 byte UTF-8 sequence is one unit, a 4-byte one (e.g. U+1D11E) is two. A leading UTF-8 BOM
// is not a character: VS Code drops it from the document text. Stray bytes that are not UTF-8
// count by their lead bytes only (a file with them is reported as broken anyway).

import type { Position, Range, Span } from '../types';

/** UTF-16 counts are kept per block of this many bytes, so a position on a 300 MB line is cheap. */
const BLOCK_SHIFT = 12;

export class PositionMapper {
  private readonly bytes: Uint8Array;
  private readonly bom: number;
  private readonly lineStarts: number[];
  /** UTF-16 units in bytes [bom, k << BLOCK_SHIFT), filled lazily. */
  private blocks: number[] = [0];

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    this.lineStarts = findLineStarts(bytes);
  }

  static fromText(text: string): PositionMapper {
    return new PositionMapper(new TextEncoder().encode(text));
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(byteOffset: number): Position {
    const bytes = this.bytes;
    let off = Math.max(0, Math.min(Math.floor(byteOffset), bytes.length));
    // between the \r and \n of a line break there is no position: use the \r
    if (off > 0 && bytes[off - 1] === 0x0d && bytes[off] === 0x0a) off--;
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: this.units(off) - this.units(starts[lo]) };
  }

  rangeOf(span: Span): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }

  /** UTF-16 code units encoded by bytes [bom, off). */
  private units(off: number): number {
    if (off <= this.bom) return 0;
    const block = off >> BLOCK_SHIFT;
    const blocks = this.blocks;
    while (blocks.length <= block) {
      const k = blocks.length;
      blocks.push(blocks[k - 1] + this.count((k - 1) << BLOCK_SHIFT, k << BLOCK_SHIFT));
    }
    return blocks[block] + this.count(block << BLOCK_SHIFT, off);
  }

  private count(from: number, to: number): number {
    const bytes = this.bytes;
    let n = 0;
    for (let i = Math.max(from, this.bom); i < to; i++) {
      const b = bytes[i];
      if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
    }
    return n;
  }
}

function findLineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  if (bytes.indexOf(0x0d) < 0) {
    // the common case: \n only, found by the native search
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) starts.push(i + 1);
    else if (b === 0x0d) {
      if (bytes[i + 1] === 0x0a) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
