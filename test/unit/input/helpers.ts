// Shared helpers for the record finder tests (not a test file itself).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordScanner, ScannerOptions, findRecords } from '../../../src/core/input';
import type { FileShape, FoundRecord, Problem, Span } from '../../../src/core/types';

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Fixture bytes; tests run from out/test/unit/input, fixtures stay in the source tree. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'input', name)));
}

export function textAt(bytes: Uint8Array, span: Span): string {
  return dec(bytes.subarray(span.start, span.end));
}

export interface Outcome {
  records: FoundRecord[];
  problems: Problem[];
  shape: FileShape;
  skipped: Span[];
  recordCount: number;
}

/** Scans `bytes` pushed as chunks that end at the given offsets (and at the end). */
export function scanSplit(bytes: Uint8Array, cuts: number[], options?: ScannerOptions): Outcome {
  const records: FoundRecord[] = [];
  const problems: Problem[] = [];
  const skipped: Span[] = [];
  const s = new RecordScanner({ record: (r) => records.push(r), problem: (p) => problems.push(p), skipped: (sp) => skipped.push(sp) }, options);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    // copies, so a scanner that kept a reference to a chunk would be caught by the reuse below
    const chunk = bytes.slice(from, cut);
    s.push(chunk);
    chunk.fill(0x20);
    from = cut;
  }
  s.end();
  return { records, problems, shape: s.shape, skipped, recordCount: s.recordCount };
}

/**
 * Scans `bytes` as one chunk read in parts with pushPart, each asked to stop `step` bytes on.
 * Checks what pushPart promises of every stop: progress, and no stop before it was asked to.
 * `stops` collects where it stopped short of the end.
 */
export function scanInParts(bytes: Uint8Array, step: number, options?: ScannerOptions, stops: number[] = []): Outcome {
  const records: FoundRecord[] = [];
  const problems: Problem[] = [];
  const skipped: Span[] = [];
  const s = new RecordScanner({ record: (r) => records.push(r), problem: (p) => problems.push(p), skipped: (sp) => skipped.push(sp) }, options);
  const chunk = bytes.slice();
  for (let at = 0; at < chunk.length; ) {
    const stop = s.pushPart(chunk, at, at + step);
    if (stop <= at || stop > chunk.length) throw new Error(`pushPart(${at}, ${at + step}) returned ${stop}`);
    if (stop < chunk.length) {
      if (stop < at + step) throw new Error(`pushPart(${at}, ${at + step}) stopped early, at ${stop}`);
      stops.push(stop);
    }
    at = stop;
  }
  chunk.fill(0x20);
  s.end();
  return { records, problems, shape: s.shape, skipped, recordCount: s.recordCount };
}

export function scanChunked(bytes: Uint8Array, size: number, options?: ScannerOptions): Outcome {
  const cuts: number[] = [];
  for (let o = size; o < bytes.length; o += size) cuts.push(o);
  return scanSplit(bytes, cuts, options);
}

/** Everything observable about an outcome, for deep comparison across chunkings. */
export function summary(o: Outcome | ReturnType<typeof findRecords>): unknown {
  return {
    shape: o.shape,
    records: o.records.map((r) => ({ index: r.index, span: r.span, format: r.format, value: r.value, eventName: r.locate(['eventName']) })),
    problems: o.problems,
    skipped: typeof o.skipped === 'number' ? o.skipped : o.skipped.length,
  };
}

/** A small CloudTrail record written for the tests. */
export function ct(eventName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', userName: 'tester', accountId: '111122223333' },
    eventTime: '2024-03-04T05:06:07Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    ...extra,
  };
}

/** Text encoded, then every `marker` replaced by one raw byte (for invalid UTF-8 and such). */
export function withByte(text: string, marker: string, byte: number): Uint8Array {
  const parts = text.split(marker).map(enc);
  const out: number[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(byte);
    out.push(...part);
  });
  return new Uint8Array(out);
}

export const names = (o: { records: FoundRecord[] }): unknown[] =>
  o.records.map((r) => (r.value.eventName ?? (r.value.event as { action?: string } | undefined)?.action ?? r.value['event.action']) as unknown);
