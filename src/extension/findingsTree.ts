// The "CloudTrail Findings" tree as plain data: rule -> file -> record, with counts, built from the
// findings of every scanned file (workspace scans and the automatic per-document scans alike).
// Pure: no 'vscode' import, so grouping, order, labels and caps are unit-tested. Labels carry log
// values (attacker-controlled): they are flattened to one line of plain text and cut.

import type { Range, Severity } from '../core/types';
import { plainText, valueToText } from './markdown';

/** What the tree needs of a finding (a DocFinding fits). */
export interface TreeFinding {
  rule: { ruleId: string; name: string; severity: Severity };
  recordIndex: number;
  record: Range;
  matched: Range;
  fields: Record<string, unknown>;
}

export interface TreeEntry {
  /** Where the findings are shown: a file URI, or the cloudtrail-gz view of a .json.gz file. */
  uri: string;
  /** The file's path for people: relative to its workspace folder when it is in one. */
  path: string;
  /** Over what VS Code hands to extensions: listed, but opened only on request. */
  large: boolean;
  findings: readonly TreeFinding[];
}

export interface RuleNode {
  kind: 'rule';
  id: string;
  ruleId: string;
  severity: Severity;
  label: string;
  description: string;
  tooltip: string;
  findings: number;
  files: number;
  children: FileNode[];
}

export interface FileNode {
  kind: 'file';
  id: string;
  uri: string;
  path: string;
  large: boolean;
  label: string;
  description: string;
  tooltip: string;
  findings: number;
  children: (RecordNode | MoreNode)[];
}

export interface RecordNode {
  kind: 'record';
  id: string;
  uri: string;
  path: string;
  large: boolean;
  ruleId: string;
  recordIndex: number;
  record: Range;
  matched: Range;
  label: string;
  /** 1-based line:column of the matched value. */
  description: string;
  tooltip: string;
}

/** Stands for the records of a file beyond the per-file cap. */
export interface MoreNode {
  kind: 'more';
  id: string;
  uri: string;
  label: string;
  hidden: number;
}

export type TreeNode = RuleNode | FileNode | RecordNode | MoreNode;

/** Records listed under one file, like VS Code's 1,000 diagnostics per file; the rest are counted. */
export const MAX_RECORDS_PER_FILE = 1000;

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function text(value: unknown, max: number): string {
  return plainText(valueToText(value), max).trim();
}

function firstOf(fields: Record<string, unknown>, names: readonly string[], max: number): string {
  for (const name of names) {
    const t = text(fields[name], max);
    if (t !== '') return t;
  }
  return '';
}

const PRINCIPAL_FIELDS = ['user.name', 'aws.cloudtrail.user_identity.arn', 'user.id', 'aws.cloudtrail.user_identity.access_key_id'];

/** "action, principal, time", leaving out what the record lacks. */
export function recordLabel(f: TreeFinding): string {
  const parts = [firstOf(f.fields, ['event.action'], 60), firstOf(f.fields, PRINCIPAL_FIELDS, 80), firstOf(f.fields, ['@timestamp'], 40)].filter(
    (p) => p !== '',
  );
  return parts.length > 0 ? parts.join(', ') : `record #${f.recordIndex + 1}`;
}

/** 1-based "line:column", as editors print positions. */
export function lineColumn(range: Range): string {
  return `${range.start.line + 1}:${range.start.character + 1}`;
}

function recordTooltip(f: TreeFinding, path: string): string {
  const lines = [plainText(f.rule.name, 200), `${plainText(path, 500)}:${lineColumn(f.matched)} (record #${f.recordIndex + 1})`];
  const rows: [string, string[]][] = [
    ['Action', ['event.action']],
    ['Principal', ['aws.cloudtrail.user_identity.arn', 'user.name', 'user.id']],
    ['Access key', ['aws.cloudtrail.user_identity.access_key_id']],
    ['Source', ['source.ip', 'source.address']],
    ['Time', ['@timestamp']],
    ['Region', ['cloud.region']],
  ];
  for (const [label, names] of rows) {
    const value = firstOf(f.fields, names, 120);
    if (value !== '') lines.push(`${label}: ${value}`);
  }
  return lines.join('\n');
}

function basename(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

function dirname(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut > 0 ? path.slice(0, cut) : '';
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePosition(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character;
}

/** Groups the findings of every entry by rule, then file, then record. */
export function buildFindingsTree(entries: readonly TreeEntry[], maxRecordsPerFile = MAX_RECORDS_PER_FILE): RuleNode[] {
  const byRule = new Map<string, { rule: TreeFinding['rule']; files: Map<string, { entry: TreeEntry; findings: TreeFinding[] }> }>();
  for (const entry of entries) {
    for (const f of entry.findings) {
      let group = byRule.get(f.rule.ruleId);
      if (!group) byRule.set(f.rule.ruleId, (group = { rule: f.rule, files: new Map() }));
      let file = group.files.get(entry.uri);
      if (!file) group.files.set(entry.uri, (file = { entry, findings: [] }));
      file.findings.push(f);
    }
  }
  const rules: RuleNode[] = [];
  for (const [ruleId, group] of byRule) {
    const ruleKey = `rule:${ruleId}`;
    const files: FileNode[] = [];
    for (const { entry, findings } of group.files.values()) {
      findings.sort((a, b) => comparePosition(a.matched, b.matched) || a.recordIndex - b.recordIndex);
      const fileKey = `${ruleKey}|${entry.uri}`;
      const shown = findings.slice(0, maxRecordsPerFile);
      const children: (RecordNode | MoreNode)[] = shown.map((f) => ({
        kind: 'record',
        // Two rules can flag one record, and one rule one record once: rule + file + record is unique.
        id: `${fileKey}|${f.recordIndex}`,
        uri: entry.uri,
        path: entry.path,
        large: entry.large,
        ruleId,
        recordIndex: f.recordIndex,
        record: f.record,
        matched: f.matched,
        label: recordLabel(f),
        description: lineColumn(f.matched),
        tooltip: recordTooltip(f, entry.path),
      }));
      const hidden = findings.length - shown.length;
      if (hidden > 0) {
        children.push({
          kind: 'more',
          id: `${fileKey}|more`,
          uri: entry.uri,
          label: `${plural(hidden, 'more finding')} not listed; the cloudtrail-hunter CLI lists them all`,
          hidden,
        });
      }
      const where = dirname(entry.path);
      files.push({
        kind: 'file',
        id: fileKey,
        uri: entry.uri,
        path: entry.path,
        large: entry.large,
        label: plainText(basename(entry.path), 200),
        description: [plural(findings.length, 'finding'), plainText(where, 200), entry.large ? 'over 50 MB' : ''].filter((p) => p !== '').join(' · '),
        tooltip: entry.large
          ? `${plainText(entry.path, 500)}\nOver 50 MB: VS Code does not hand it to extensions, so its findings are listed here but not shown in the editor; the cloudtrail-hunter CLI reports them.`
          : plainText(entry.path, 500),
        findings: findings.length,
        children,
      });
    }
    files.sort((a, b) => compareText(a.path, b.path) || compareText(a.uri, b.uri));
    const total = files.reduce((n, f) => n + f.findings, 0);
    rules.push({
      kind: 'rule',
      id: ruleKey,
      ruleId,
      severity: group.rule.severity,
      label: plainText(group.rule.name, 200),
      description: `${plural(total, 'finding')} in ${plural(files.length, 'file')}`,
      tooltip: `${plainText(group.rule.name, 200)}\nSeverity: ${group.rule.severity}\nRule id: ${plainText(ruleId, 100)}`,
      findings: total,
      files: files.length,
      children: files,
    });
  }
  rules.sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) || compareText(a.label, b.label) || compareText(a.ruleId, b.ruleId));
  return rules;
}

/** The children of a node (the rules for the root). */
export function childrenOf(roots: readonly RuleNode[], node?: TreeNode): readonly TreeNode[] {
  if (!node) return roots;
  return node.kind === 'rule' || node.kind === 'file' ? node.children : [];
}
