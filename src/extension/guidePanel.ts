// The investigation guide: one webview panel, reused for every rule. The HTML is built by
// guideHtml.ts; this file owns the panel, its options (scripts only with a nonce, resources only
// from media/) and the two buttons' messages. Messages carry no data: the panel remembers which
// record it shows, so a message from the page cannot point the extension anywhere else.

import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { evaluability } from '../core/rules';
import type { Rule } from '../core/types';
import { COMMANDS } from './commandIds';
import { ruleDocumentation } from './diagnosticModel';
import { guideHtml } from './guideHtml';
import { findingRows } from './hover';
import { describeError, type Log } from './log';
import type { DocFinding } from './scanView';
import type { Scanner } from './scanner';
import { toVsRange } from './diagnostics';

export const GUIDE_VIEW_TYPE = 'cloudtrailHunter.guide';

interface Shown {
  rule: Rule;
  uri?: vscode.Uri;
  finding?: DocFinding;
}

export class GuidePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shown: Shown | undefined;
  private readonly media: vscode.Uri;

  constructor(extensionUri: vscode.Uri, private readonly scanner: Scanner, private readonly log: Log) {
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
  }

  /** The panel's title, for tests and logs ("Guide: <rule name>"), or undefined when closed. */
  get title(): string | undefined {
    return this.panel?.title;
  }

  show(rule: Rule, uri?: vscode.Uri, finding?: DocFinding): void {
    this.shown = { rule, uri, finding };
    const title = `Guide: ${rule.name}`;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        GUIDE_VIEW_TYPE,
        title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, enableFindWidget: true, localResourceRoots: [this.media] },
      );
      this.panel.iconPath = vscode.Uri.joinPath(this.media, 'icon.png');
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.shown = undefined;
      });
      this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.title = title;
    this.panel.webview.html = this.render(this.panel.webview, this.shown);
  }

  private render(webview: vscode.Webview, shown: Shown): string {
    const { rule, uri, finding } = shown;
    const doc = ruleDocumentation(rule);
    return guideHtml({
      rule,
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'guide.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'guide.js')).toString(),
      docUrl: doc?.kind === 'url' ? doc.url : undefined,
      notEvaluated: evaluability(rule),
      record:
        finding && uri
          ? {
              fileName: uri.scheme === 'file' ? path.basename(uri.fsPath) : uri.toString(),
              recordIndex: finding.recordIndex,
              rows: findingRows(finding),
              related: finding.related.map((r) => ({ recordIndex: r.recordIndex, reason: r.reason })),
            }
          : undefined,
    });
  }

  private async onMessage(message: unknown): Promise<void> {
    const action = (message as { action?: unknown } | null)?.action;
    const shown = this.shown;
    if (!shown?.uri || !shown.finding) return;
    try {
      if (action === 'reveal') {
        await vscode.commands.executeCommand(COMMANDS.revealRecord, { uri: shown.uri.toString(), recordIndex: shown.finding.recordIndex });
      } else if (action === 'copy') {
        await this.copyRecord(shown.uri, shown.finding);
      }
    } catch (e) {
      this.log.error(`guide: ${describeError(e)}`);
      void vscode.window.showErrorMessage(`CloudTrail Hunter: ${describeError(e)}`);
    }
  }

  /** Copies the record exactly as the file has it (decoded from its JSON string for lookup-events output). */
  private async copyRecord(uri: vscode.Uri, finding: DocFinding): Promise<void> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
    const state = this.scanner.stateOf(uri);
    if (!state || state.version !== doc.version) {
      void vscode.window.showWarningMessage('CloudTrail Hunter: the file changed since it was scanned; scan it again before copying the record.');
      return;
    }
    let text = doc.getText(toVsRange(finding.record));
    if (text.startsWith('"')) {
      try {
        const inner: unknown = JSON.parse(text);
        if (typeof inner === 'string') text = inner;
      } catch {
        // not a JSON string after all: copy the text as it is
      }
    }
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`CloudTrail Hunter: record #${finding.recordIndex} copied (${text.length} characters)`, 4000);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
