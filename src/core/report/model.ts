// What every report format is made from: the scan results of each file, with enough position data
// to print 1-based line:column, and the rules that ran. Pure data: no fs, no vscode.

import type { Finding, Position, Rule, ScanResult, Span } from '../types';
import { Skimmer } from '../input/skim';

/** Byte offset -> 0-based line and UTF-16 character (input/positions.ts's PositionMapper fits). */
export interface PositionLookup {
  positionAt(offset: number): Position;
}

/** What a report needs to know about a record beyond the finding: its CloudTrail event id and a digest. */
export interface RecordInfo {
  /** `eventID` of the CloudTrail record (or `event.id` of an ECS document), when it has one. */
  eventId?: string;
  /** A stable digest of the record's bytes: identifies the record when it has no event id. */
  digest: string;
}

export interface FileResult {
  /** The file as a person should read it: relative to the working folder when it is inside it. */
  file: string;
  /** A URI reference for SARIF (relative, `/`-separated and percent-encoded, or file:///...). Derived from `file` when absent. */
  uri?: string;
  /** The bytes were decompressed (.json.gz): offsets, lines and columns refer to the decompressed text. */
  compressed?: boolean;
  result: ScanResult;
  positions: PositionLookup;
  /** recordIndex -> event id and digest, for every record that has a finding. */
  records?: ReadonlyMap<number, RecordInfo>;
}

/** A path that could not be read at all (missing, permission denied, corrupt gzip, ...). */
export interface InputError {
  file: string;
  message: string;
}

export interface ScanReport {
  tool: { name: string; version: string; informationUri?: string };
  /** Every rule that was loaded, evaluated or not (SARIF lists them all). */
  rules: readonly Rule[];
  /** Rules that were loaded but cannot run here, and why. */
  notEvaluated: readonly { rule: Rule; reason: string }[];
  files: readonly FileResult[];
  errors: readonly InputError[];
}

export const TOOL_NAME = 'CloudTrail Hunter';

// ------------------------------------------------------------------------------------------------
// Building a FileResult from a file's bytes

/**
 * Looks up positions from a table made in advance, so a report over many large files does not keep
 * their bytes alive: only the offsets the report prints are kept.
 */
export class PositionSnapshot implements PositionLookup {
  private readonly table = new Map<number, Position>();

  constructor(source: PositionLookup, offsets: Iterable<number>) {
    for (const offset of offsets) {
      if (!this.table.has(offset)) this.table.set(offset, source.positionAt(offset));
    }
  }

  positionAt(offset: number): Position {
    const p = this.table.get(offset);
    if (!p) throw new Error(`no position recorded for byte offset ${offset}`);
    return p;
  }
}

/** Every byte offset any report format prints for this result. */
export function reportOffsets(result: ScanResult): number[] {
  const out: number[] = [];
  const span = (s: Span): void => {
    out.push(s.start, s.end);
  };
  for (const f of result.findings) {
    span(f.record);
    span(f.matched);
    for (const r of f.related) span(r.record);
  }
  for (const p of result.problems) span(p.span);
  return out;
}

/**
 * Everything a report needs from one scanned file. Positions and record ids are taken from `bytes`
 * now; the returned object does not refer to `bytes`, so the caller may drop them.
 */
export function fileResultFrom(
  file: string,
  bytes: Uint8Array,
  result: ScanResult,
  positions: PositionLookup,
  extra: { uri?: string; compressed?: boolean } = {},
): FileResult {
  return buildFileResult(file, result, positions, (f) => recordInfo(bytes, f), extra);
}

export function recordInfo(bytes: Uint8Array, finding: Finding): RecordInfo {
  const raw = bytes.subarray(finding.record.start, finding.record.end);
  return { eventId: eventIdOfFinding(finding) ?? eventIdOf(raw), digest: digest(raw) };
}

/** The event id the scan read from the record (`event.id` of its ECS view), when it has one. */
export function eventIdOfFinding(finding: Finding): string | undefined {
  const v = finding.fields['event.id'];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * fileResultFrom for a file that is no longer in memory (streamed, maybe larger than memory):
 * `positions` must cover reportOffsets(result), and `digests` give, for every record with a
 * finding, the digest of its bytes (RecordDigest, fed while the bytes went by).
 */
export function fileResultFromPositions(
  file: string,
  result: ScanResult,
  positions: PositionLookup,
  digests: ReadonlyMap<number, string>,
  extra: { uri?: string; compressed?: boolean } = {},
): FileResult {
  return buildFileResult(
    file,
    result,
    positions,
    (f) => {
      const d = digests.get(f.recordIndex);
      if (d === undefined) throw new Error(`no digest for record #${f.recordIndex} of ${file}`);
      return { eventId: eventIdOfFinding(f), digest: d };
    },
    extra,
  );
}

/** The FileResult of a scan, with what the reports need of each record that has a finding. */
function buildFileResult(
  file: string,
  result: ScanResult,
  positions: PositionLookup,
  recordOf: (finding: Finding) => RecordInfo,
  extra: { uri?: string; compressed?: boolean },
): FileResult {
  const records = new Map<number, RecordInfo>();
  for (const f of result.findings) if (!records.has(f.recordIndex)) records.set(f.recordIndex, recordOf(f));
  return { file, ...extra, result, positions: new PositionSnapshot(positions, reportOffsets(result)), records };
}

/** The event id inside a record's raw bytes: a CloudTrail object, an ECS document, or a CloudTrailEvent string. */
function eventIdOf(raw: Uint8Array): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(raw));
    if (typeof value === 'string') value = JSON.parse(value); // lookup-events: the record is a JSON string
  } catch {
    return undefined;
  }
  const pick = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const doc = value as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const source = (doc._source && typeof doc._source === 'object' ? doc._source : doc) as Record<string, unknown>;
  const event = source.event as Record<string, unknown> | undefined;
  return pick(source.eventID) ?? pick(source['event.id']) ?? (event && typeof event === 'object' ? pick(event.id) : undefined);
}

/** 64-bit FNV-1a over the bytes, as 16 hex digits: stable across runs and platforms. */
export function digest(bytes: Uint8Array): string {
  return new RecordDigest().update(bytes).hex();
}

/** Pieces shorter than this are hashed in JavaScript: a WebAssembly call costs more than their loop. */
const WASM_DIGEST_MIN = 256;

/** digest() fed piece by piece, for records that stream past: the same value for the same bytes however split. */
export class RecordDigest {
  // Two 32-bit lanes keep it fast without BigInt.
  private h1 = 0x811c9dc5;
  private h2 = 0xcbf29ce4;

  update(bytes: Uint8Array): this {
    // the same hash in WebAssembly when there is some (wasm/skim.ts digest), the reference below otherwise
    const s = bytes.length >= WASM_DIGEST_MIN ? Skimmer.acquire() : null;
    if (s) {
      [this.h1, this.h2] = s.digest(bytes, this.h1, this.h2);
      s.release();
    } else [this.h1, this.h2] = digestLanes(bytes, this.h1, this.h2);
    return this;
  }

  hex(): string {
    return this.h1.toString(16).padStart(8, '0') + this.h2.toString(16).padStart(8, '0');
  }
}

/** RecordDigest's lanes after `bytes`, from lanes h1 and h2: the reference the WebAssembly one must equal. */
export function digestLanes(bytes: Uint8Array, h1: number, h2: number): [number, number] {
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ bytes[i] ^ (h1 & 0xff), 0x01000193) >>> 0;
  }
  return [h1, h2];
}

// ------------------------------------------------------------------------------------------------
// Reading a finding the way every format needs it

export function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    for (const v of value) {
      const s = firstString(v);
      if (s !== undefined) return s;
    }
  }
  return undefined;
}

/** Who did it: the user name, else the principal ARN, else the principal id. */
export function actorOf(finding: Finding): string | undefined {
  const f = finding.fields;
  return firstString(f['user.name']) ?? firstString(f['aws.cloudtrail.user_identity.arn']) ?? firstString(f['user.id']);
}

/** Where from: the source IP, else the source address (e.g. `ec2.amazonaws.com`). */
export function sourceOf(finding: Finding): string | undefined {
  return firstString(finding.fields['source.ip']) ?? firstString(finding.fields['source.address']);
}

export function timeOf(finding: Finding): string | undefined {
  return firstString(finding.fields['@timestamp']);
}

export function actionOf(finding: Finding): string | undefined {
  return firstString(finding.fields['event.action']);
}

/** 1-based line and column (UTF-16 code units, as editors count) of a byte offset. */
export function lineColumn(file: FileResult, offset: number): { line: number; column: number } {
  const p = file.positions.positionAt(offset);
  return { line: p.line + 1, column: p.character + 1 };
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

export interface Summary {
  findings: number;
  files: number;
  records: number;
  problems: number;
  errors: number;
}

export function summarize(report: ScanReport): Summary {
  let findings = 0;
  let records = 0;
  let problems = 0;
  for (const f of report.files) {
    findings += f.result.findings.length;
    records += f.result.recordCount;
    problems += f.result.problems.length;
  }
  return { findings, files: report.files.length, records, problems, errors: report.errors.length };
}

/** "N findings in M files (K records scanned, P problems)" */
export function summaryLine(s: Summary): string {
  const tail = s.errors > 0 ? `, ${plural(s.errors, 'unreadable path')}` : '';
  return `${plural(s.findings, 'finding')} in ${plural(s.files, 'file')} (${plural(s.records, 'record')} scanned, ${plural(s.problems, 'problem')}${tail})`;
}
