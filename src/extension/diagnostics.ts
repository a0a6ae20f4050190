// Scan results -> the "cloudtrail-hunter" diagnostic collection. The wording, links and the
// 1,000-per-file budget are decided in diagnosticModel.ts; this file only builds vscode objects.

import * as vscode from 'vscode';
import type { Range } from '../core/types';
import { planDiagnostics, type PlannedDiagnostic } from './diagnosticModel';
import type { DocState } from './scanner';
import type { DiagnosticLevel, SeveritySettings } from './severity';

export const DIAGNOSTIC_SOURCE = 'CloudTrail Hunter';

const SEVERITY: Record<DiagnosticLevel, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toVsRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

function toDiagnostic(uri: vscode.Uri, plan: PlannedDiagnostic): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toVsRange(plan.range), plan.message, SEVERITY[plan.level]);
  d.source = DIAGNOSTIC_SOURCE;
  if (plan.code) {
    const target = plan.code.target;
    d.code = target
      ? { value: plan.code.value, target: target.kind === 'url' ? vscode.Uri.parse(target.url, true) : vscode.Uri.file(target.path) }
      : plan.code.value;
  }
  if (plan.related.length > 0) {
    d.relatedInformation = plan.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toVsRange(r.range)), r.message));
  }
  return d;
}

export class Diagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('cloudtrail-hunter');

  show(state: DocState, severity: SeveritySettings): number {
    const diagnostics = this.build(state, severity);
    this.collection.set(state.uri, diagnostics);
    return diagnostics.length;
  }

  /** Sets (a state) or clears (undefined) the diagnostics of many files in one update. */
  showMany(changes: readonly [vscode.Uri, DocState | undefined][], severity: SeveritySettings): void {
    if (changes.length === 0) return;
    this.collection.set(changes.map(([uri, state]) => [uri, state ? this.build(state, severity) : undefined]));
  }

  private build(state: DocState, severity: SeveritySettings): vscode.Diagnostic[] {
    if (state.status !== 'done' || !state.view) {
      // Say at the top of the file why it has no findings, rather than leaving it looking clean.
      const d = new vscode.Diagnostic(
        new vscode.Range(0, 0, 0, 0),
        state.status === 'too-large' ? (state.message ?? 'not scanned: too large') : `scan failed: ${state.message ?? 'unknown error'}`,
        state.status === 'too-large' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Error,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = state.status;
      return [d];
    }
    return planDiagnostics(state.findings, state.view.problems, severity).map((p) => toDiagnostic(state.uri, p));
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  clearAll(): void {
    this.collection.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
