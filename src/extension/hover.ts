// Hover cards on flagged records: which rule, how severe, MITRE mapping, the record's investigation
// fields, and links to the guide and the record. The Markdown is built by markdown.ts, which escapes
// every log value; this file only decides which findings apply and which commands may run.

import * as vscode from 'vscode';
import { INVESTIGATION_FIELDS, fieldLabel } from '../core/scan/fields';
import { hoverMarkdown, type HoverFinding, type HoverRow } from './markdown';
import { findingsAt, type DocFinding } from './scanView';
import { FROM_DISK } from './results';
import type { DocState } from './scanner';
import { toVsRange } from './diagnostics';
import { COMMANDS } from './commandIds';

/** Documents hovers are offered on: by language for the usual ids, by scheme for everything else. */
export const HOVER_SELECTOR: vscode.DocumentSelector = [
  { language: 'json' },
  { language: 'jsonl' },
  { language: 'plaintext' },
  { language: 'log' },
  { scheme: 'file' },
  { scheme: 'untitled' },
  { scheme: 'cloudtrail-gz' },
];

/** The investigation fields of a finding, in display order: the standard set, then the rule's own. */
export function findingRows(finding: DocFinding): (HoverRow & { field: string })[] {
  const rows: (HoverRow & { field: string })[] = [];
  const seen = new Set<string>();
  const add = (field: string) => {
    if (seen.has(field)) return;
    seen.add(field);
    if (field in finding.fields) rows.push({ field, label: fieldLabel(field), value: finding.fields[field] });
  };
  for (const f of INVESTIGATION_FIELDS) add(f.field);
  for (const f of finding.rule.investigationFields ?? []) add(f);
  return rows;
}

export class HoverProvider implements vscode.HoverProvider {
  /** `lookup`: the result shown for a document (its own scan, or the workspace scan's). */
  constructor(private readonly lookup: (uri: vscode.Uri) => DocState | undefined) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const state = this.lookup(doc.uri);
    // Positions of another version would point into the wrong record; a result read from disk
    // fits a document that has not been edited.
    const current = state?.version === doc.version || (state?.version === FROM_DISK && !doc.isDirty);
    if (!state || state.status !== 'done' || !current || state.findings.length === 0) return undefined;
    const here = findingsAt(state.findings, position);
    if (here.length === 0) return undefined;
    const uri = doc.uri.toString();
    const cards: HoverFinding[] = here.map((f) => ({
      rule: f.rule,
      rows: findingRows(f),
      guideArgs: { ruleId: f.rule.ruleId, uri, recordIndex: f.recordIndex },
      revealArgs: { uri, recordIndex: f.recordIndex },
    }));
    const md = new vscode.MarkdownString(hoverMarkdown(cards, { showGuide: COMMANDS.showGuide, revealRecord: COMMANDS.revealRecord }));
    // Only our own two commands may run from the card; no HTML at all.
    md.isTrusted = { enabledCommands: [COMMANDS.showGuide, COMMANDS.revealRecord] };
    md.supportHtml = false;
    md.supportThemeIcons = false;
    return new vscode.Hover(md, toVsRange(here[0].record));
  }
}
