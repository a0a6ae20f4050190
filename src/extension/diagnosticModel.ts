// Findings and problems -> the diagnostics to show, as plain data (no 'vscode' import) so the
// message wording, the documentation links and the 1,000-per-file budget are unit-tested.

import type { Range, Rule } from '../core/types';
import { plainText, valueToText } from './markdown';
import type { DocFinding, ViewProblem } from './scanView';
import { levelFor, type DiagnosticLevel, type SeveritySettings } from './severity';

/** VS Code keeps at most this many diagnostics per file and silently drops the rest. */
export const MAX_DIAGNOSTICS_PER_FILE = 1000;
/** Problems shown before they too are summarised (a binary file can yield thousands). */
export const MAX_PROBLEM_DIAGNOSTICS = 100;

export interface DiagnosticLink {
  value: string;
  /** An https URL, or a local file path for user rules. */
  target?: { kind: 'url'; url: string } | { kind: 'file'; path: string };
}

export interface PlannedDiagnostic {
  kind: 'finding' | 'problem' | 'overflow';
  range: Range;
  message: string;
  level: DiagnosticLevel;
  code?: DiagnosticLink;
  related: { range: Range; message: string }[];
}

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Elastic's documentation page name for a prebuilt rule: its name, lower-cased, runs of other characters as "-". */
export function elasticSlug(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function ruleDocumentation(rule: Rule): DiagnosticLink['target'] {
  if (rule.source.startsWith('bundled:')) {
    const slug = elasticSlug(rule.name);
    return slug ? { kind: 'url', url: `https://www.elastic.co/guide/en/security/current/${slug}.html` } : undefined;
  }
  // A user rule: its own file is its documentation. Only absolute paths (ad-hoc hunts have none).
  if (/^(?:\/|[A-Za-z]:[\\/]|\\\\)/.test(rule.source)) return { kind: 'file', path: rule.source };
  return undefined;
}

function first(fields: Record<string, unknown>, names: string[]): string | undefined {
  for (const n of names) {
    const v = fields[n];
    const text = valueToText(v);
    if (text !== '') return plainText(text, 120);
  }
  return undefined;
}

/** "<rule name>: <action> by <principal> from <source> at <time>", leaving out what the record lacks. */
export function findingMessage(rule: Rule, fields: Record<string, unknown>): string {
  const action = first(fields, ['event.action']);
  const who = first(fields, ['aws.cloudtrail.user_identity.arn', 'user.name', 'user.id', 'aws.cloudtrail.user_identity.access_key_id']);
  const from = first(fields, ['source.ip', 'source.address']);
  const when = first(fields, ['@timestamp']);
  let text = action ?? 'matching event';
  if (who) text += ` by ${who}`;
  if (from) text += ` from ${from}`;
  if (when) text += ` at ${when}`;
  return `${plainText(rule.name, 200)}: ${text}`;
}

function problemLevel(p: ViewProblem): DiagnosticLevel {
  if (p.code === 'json-syntax') return 'error';
  return p.severity === 'error' ? 'error' : p.severity === 'warning' ? 'warning' : 'information';
}

export function planDiagnostics(findings: readonly DocFinding[], problems: readonly ViewProblem[], severity: SeveritySettings): PlannedDiagnostic[] {
  const out: PlannedDiagnostic[] = [];
  const shownProblems = problems.slice(0, MAX_PROBLEM_DIAGNOSTICS);
  for (const p of shownProblems) {
    out.push({ kind: 'problem', range: p.range, message: plainText(p.message, 500), level: problemLevel(p), code: { value: p.code }, related: [] });
  }
  const hiddenProblems = problems.length - shownProblems.length;
  // One slot is always kept for the summary line, so findings beyond 999 (less the problems shown) are summarised.
  const budget = MAX_DIAGNOSTICS_PER_FILE - 1 - out.length;
  const shown = findings.slice(0, Math.max(0, budget));
  for (const f of shown) {
    out.push({
      kind: 'finding',
      range: f.matched,
      message: findingMessage(f.rule, f.fields),
      level: levelFor(f.rule, severity),
      code: { value: f.rule.ruleId, target: ruleDocumentation(f.rule) },
      related: f.related.map((r) => ({ range: r.range, message: plainText(r.reason, 300) })),
    });
  }
  const hiddenFindings = findings.length - shown.length;
  if (hiddenFindings > 0 || hiddenProblems > 0) {
    const parts: string[] = [];
    if (hiddenFindings > 0) parts.push(`${hiddenFindings} more finding${hiddenFindings === 1 ? '' : 's'}`);
    if (hiddenProblems > 0) parts.push(`${hiddenProblems} more problem${hiddenProblems === 1 ? '' : 's'}`);
    out.push({
      kind: 'overflow',
      range: ZERO,
      message:
        `${parts.join(' and ')} not shown (VS Code keeps ${MAX_DIAGNOSTICS_PER_FILE} per file); ` +
        `${findings.length} findings in total. Run the cloudtrail-hunter CLI on this file for the full list.`,
      level: 'warning',
      related: [],
    });
  }
  return out;
}
