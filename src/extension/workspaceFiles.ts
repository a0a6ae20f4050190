// The pure parts of the workspace scan: which glob settings are usable, the order files are scanned
// in, what is kept of a scan, and the words of its progress and summary. No 'vscode' import.

import type { FileShape, Range } from '../core/types';

export const DEFAULT_INCLUDE = '**/*.{json,jsonl,ndjson,json.gz}';
export const DEFAULT_EXCLUDE = '**/{node_modules,.git}/**';

/** VS Code does not hand documents over 50 MB to extensions: such files get no diagnostics. */
export const EDITOR_LIMIT_BYTES = 50 * 1024 * 1024;

/** Longest glob accepted from settings; a longer one is a mistake (or an attack on the matcher). */
const MAX_GLOB_LENGTH = 2000;

export interface GlobCheck {
  glob: string;
  /** Why the configured value was not used. */
  warning?: string;
}

/**
 * A glob setting as the workspace scan uses it. `allowEmpty`: an empty exclude means "only VS Code's
 * own files.exclude"; an empty include would scan nothing, so it falls back to the default.
 */
export function checkGlob(value: unknown, fallback: string, name: string, allowEmpty: boolean): GlobCheck {
  if (value === undefined || value === null) return { glob: fallback };
  if (typeof value !== 'string') return { glob: fallback, warning: `${name} must be a glob pattern (a string); using "${fallback}"` };
  const glob = value.trim();
  if (glob === '') return allowEmpty ? { glob: '' } : { glob: fallback, warning: `${name} is empty; using "${fallback}"` };
  if (glob.length > MAX_GLOB_LENGTH) return { glob: fallback, warning: `${name} is longer than ${MAX_GLOB_LENGTH} characters; using "${fallback}"` };
  if (/[\r\n\0]/.test(glob)) return { glob: fallback, warning: `${name} contains a line break or NUL; using "${fallback}"` };
  let depth = 0;
  for (const c of glob) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) break;
  }
  if (depth !== 0) return { glob: fallback, warning: `${name}: "${glob}" has unbalanced braces; using "${fallback}"` };
  return { glob };
}

/** Code-unit order of the path: the same on every machine, and folders stay together. */
export function byPath<T extends { path: string }>(a: T, b: T): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Shapes that are CloudTrail even with no records in them (an empty delivery file). */
const CLOUDTRAIL_SHAPES: ReadonlySet<FileShape> = new Set(['s3-envelope', 'lookup-events', 'elasticsearch-hits']);

/**
 * Whether a scanned file belongs in the results. A workspace holds plenty of JSON that is not
 * CloudTrail (package.json, settings with comments, digests); it is left alone, as the automatic
 * scans leave it alone, unless it was compressed (a .json.gz that breaks is evidence worth a word).
 */
export function isEvidence(view: { shape: FileShape; recordCount: number; problems: readonly unknown[] }, compressed: boolean): boolean {
  if (view.recordCount > 0 || CLOUDTRAIL_SHAPES.has(view.shape)) return true;
  return compressed && view.problems.length > 0;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

export function progressMessage(done: number, total: number, findings: number): string {
  const files = `Scanning ${done.toLocaleString('en-US')}/${plural(total, 'file')}`;
  return findings > 0 ? `${files} · ${plural(findings, 'finding')}` : files;
}

export interface WorkspaceScanSummary {
  /** Files matched by the globs. */
  files: number;
  /** Files read to the end (with or without findings). */
  scanned: number;
  filesWithFindings: number;
  findings: number;
  /** Problems reading the files (broken JSON, corrupt gzip) plus files that could not be read. */
  problems: number;
  /** Files that could not be read at all. */
  failed: number;
  cancelled: boolean;
  ms: number;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000).toLocaleString('en-US')} s`;
}

export function summaryMessage(s: WorkspaceScanSummary): string {
  if (s.files === 0) return 'no files in the workspace match cloudtrailHunter.workspaceScan.include.';
  const found = `${plural(s.findings, 'finding')} in ${plural(s.filesWithFindings, 'file')}`;
  const problems = s.problems > 0 ? `, ${plural(s.problems, 'problem')} reading files` : '';
  const time = seconds(s.ms);
  if (s.cancelled) return `workspace scan cancelled after ${s.scanned.toLocaleString('en-US')} of ${plural(s.files, 'file')}: ${found}${problems} (${time}).`;
  return `${found} (${plural(s.files, 'file')} scanned${problems}) in ${time}.`;
}

function isPosition(v: unknown): v is Range['start'] {
  const p = v as Range['start'];
  return !!p && typeof p === 'object' && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0;
}

/** A line/character range as plain data (command arguments arrive as anything). */
export function isRange(v: unknown): v is Range {
  const r = v as Range;
  return !!r && typeof r === 'object' && isPosition(r.start) && isPosition(r.end);
}

/** A path quoted for a POSIX shell, so a file name cannot turn the copied command into another one. */
export function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

