// One scan of one file on disk, in the scan worker (or the in-process fallback): src/node/scanFile
// streams the file (gunzipping gzip content) without holding it, and resolves the positions of
// findings and problems; this turns its result into the extension's ScanView. No 'vscode' import.

import { scanFile } from '../node/scanFile';
import type { PreparedRules } from './engine';
import { toScanView, type ScanView, type SpanMapper } from './scanView';

export interface FileInfo {
  /** Bytes of content scanned (decompressed bytes for gzip). */
  bytes: number;
  compressed: boolean;
}

/** Scans `file`; a file that cannot be read (or whose gzip data is corrupt) throws FileReadError. */
export async function scanFilePath(file: string, prepared: PreparedRules): Promise<{ view: ScanView; file: FileInfo }> {
  const started = Date.now();
  const scan = await scanFile(file, prepared.ruleSet);
  // scanFile resolved exactly the offsets a ScanView needs: findings, related records, problems.
  const { positions } = scan;
  const mapper: SpanMapper = { rangeOf: (span) => ({ start: positions.positionAt(span.start), end: positions.positionAt(span.end) }) };
  return { view: toScanView(scan.result, prepared.rules, mapper, Date.now() - started), file: { bytes: scan.size, compressed: scan.compressed } };
}
