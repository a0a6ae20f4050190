// Syntax errors in .kql / .kuery documents (hunt queries), at the position the parser reports.
// Uses the engine's own parser, so what is flagged here is exactly what a scan would reject.

import * as vscode from 'vscode';
import { KqlSyntaxError } from '../core/kql';
import { huntRule } from '../core/rules';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { HunterSettings } from './settings';

export class KqlLinter implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cloudtrail-hunter-kql');
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly settings: () => HunterSettings) {}

  update(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'kuery') {
      this.clear(doc.uri);
      return;
    }
    const text = doc.getText();
    try {
      huntRule(text);
      this.collection.delete(doc.uri);
    } catch (e) {
      if (!(e instanceof KqlSyntaxError)) throw e;
      const start = doc.positionAt(e.offset);
      const end = e.offset < text.length ? doc.positionAt(e.offset + 1) : start;
      const d = new vscode.Diagnostic(new vscode.Range(start, end), e.shortMessage || e.message, vscode.DiagnosticSeverity.Error);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = 'kql-syntax';
      this.collection.set(doc.uri, [d]);
    }
  }

  changed(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'kuery') return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!doc.isClosed) this.update(doc);
      }, this.settings().debounceMs),
    );
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
  }
}
