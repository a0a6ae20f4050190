// What the extension keeps of a scan: the engine's ScanResult with every byte span already turned
// into a line/character range, and rules referred to by index. Computed where the document text is
// (the scan worker, or the extension host as a fallback) so the host never maps offsets itself, and
// small enough to post between threads. Pure: no 'vscode' import.

import type { FileShape, Problem, Range, Rule, ScanResult, Span } from '../core/types';

export interface SpanMapper {
  rangeOf(span: Span): Range;
}

export interface ViewRelated {
  recordIndex: number;
  range: Range;
  reason: string;
}

export interface ViewFinding {
  /** Index into the rule list the scan ran with. */
  ruleIndex: number;
  recordIndex: number;
  record: Range;
  matched: Range;
  matchedField: string;
  fields: Record<string, unknown>;
  related: ViewRelated[];
}

export interface ViewProblem {
  code: Problem['code'];
  severity: Problem['severity'];
  message: string;
  range: Range;
}

export interface ScanView {
  shape: FileShape;
  recordCount: number;
  findings: ViewFinding[];
  problems: ViewProblem[];
  notEvaluated: { ruleIndex: number; reason: string }[];
  /** Time the engine took, in milliseconds. */
  ms: number;
}

/** A finding with its rule resolved again on the extension side. */
export interface DocFinding extends Omit<ViewFinding, 'ruleIndex'> {
  rule: Rule;
}

export function toScanView(result: ScanResult, rules: readonly Rule[], mapper: SpanMapper, ms: number): ScanView {
  const index = new Map<Rule, number>();
  rules.forEach((r, i) => index.set(r, i));
  const indexOf = (rule: Rule): number => {
    const i = index.get(rule);
    if (i !== undefined) return i;
    // The engine hands back the rule objects it was given; match by identity fields if it copied them.
    return rules.findIndex((r) => r.ruleId === rule.ruleId && r.source === rule.source);
  };
  const findings: ViewFinding[] = [];
  for (const f of result.findings) {
    const ruleIndex = indexOf(f.rule);
    if (ruleIndex < 0) continue;
    findings.push({
      ruleIndex,
      recordIndex: f.recordIndex,
      record: mapper.rangeOf(f.record),
      matched: mapper.rangeOf(f.matched),
      matchedField: f.matchedField,
      fields: f.fields,
      related: f.related.map((r) => ({ recordIndex: r.recordIndex, range: mapper.rangeOf(r.record), reason: r.reason })),
    });
  }
  // Hover lookup binary-searches by record start; keep file order even if the engine ever reorders.
  findings.sort((a, b) => comparePositions(a.record.start, b.record.start));
  return {
    shape: result.shape,
    recordCount: result.recordCount,
    findings,
    problems: result.problems.map((p) => ({ code: p.code, severity: p.severity, message: p.message, range: mapper.rangeOf(p.span) })),
    notEvaluated: result.notEvaluated.map((n) => ({ ruleIndex: indexOf(n.rule), reason: n.reason })).filter((n) => n.ruleIndex >= 0),
    ms,
  };
}

export function resolveFindings(view: ScanView, rules: readonly Rule[]): DocFinding[] {
  const out: DocFinding[] = [];
  for (const { ruleIndex, ...rest } of view.findings) {
    const rule = rules[ruleIndex];
    if (rule) out.push({ ...rest, rule });
  }
  return out;
}

export function comparePositions(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeContains(range: Range, pos: { line: number; character: number }): boolean {
  return comparePositions(range.start, pos) <= 0 && comparePositions(pos, range.end) <= 0;
}

/**
 * The findings whose record contains `pos`. Findings come in file order (records do not overlap),
 * so a binary search finds the last record starting at or before `pos`; the findings of other
 * rules on the same record sit right before it.
 */
export function findingsAt<T extends { record: Range; recordIndex: number }>(findings: readonly T[], pos: { line: number; character: number }): T[] {
  let lo = 0;
  let hi = findings.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (comparePositions(findings[mid].record.start, pos) <= 0) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (last < 0) return [];
  const out: T[] = [];
  const recordIndex = findings[last].recordIndex;
  for (let i = last; i >= 0 && findings[i].recordIndex === recordIndex; i--) {
    if (rangeContains(findings[i].record, pos)) out.unshift(findings[i]);
  }
  return out;
}
