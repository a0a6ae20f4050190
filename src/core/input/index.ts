// Finding records in a file: the one record finder for every input shape (see scanner.ts).
//
// Spans, decided once for every face:
//   * a record's span is the element as written: the object, or for Elasticsearch documents the
//     whole hit (its value is the `_source`, and locate() paths are relative to `_source`);
//   * for lookup-events it is the CloudTrailEvent string literal, quotes included; locate()
//     returns spans inside that literal, through its escapes, and a string value's span covers
//     its escaped quotes (`\"CreateTrafficMirrorSession\"`), never the literal's own quotes;
//   * offsets are bytes of the file, a UTF-8 BOM included; PositionMapper turns them into the
//     line/UTF-16 positions VS Code uses.
// FoundRecord.index is the ordinal among the file's records, counting records the prefilter
// skipped. recordCount counts what reached the prefilter too, so with a prefilter an object that
// is not a record (rare in CloudTrail files) may be counted as a skipped record.

import type { FileShape, FoundRecord, Problem } from '../types';
import { RecordScanner, ScannerOptions } from './scanner';

export { RecordScanner, DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_BYTES } from './scanner';
export type { ScannerOptions } from './scanner';
export { PositionMapper } from './positions';

export interface FindResult {
  records: FoundRecord[];
  problems: Problem[];
  shape: FileShape;
  /** Records the prefilter ruled out (not parsed). */
  skipped: number;
}

/** Finds every record in a whole file held in memory. */
export function findRecords(bytes: Uint8Array, options?: ScannerOptions): FindResult {
  const records: FoundRecord[] = [];
  const problems: Problem[] = [];
  let skipped = 0;
  const scanner = new RecordScanner(
    {
      record: (r) => records.push(r),
      problem: (p) => problems.push(p),
      skipped: () => skipped++,
    },
    options,
  );
  scanner.push(bytes);
  scanner.end();
  return { records, problems, shape: scanner.shape, skipped };
}
