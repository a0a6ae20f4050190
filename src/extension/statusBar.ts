// "$(shield) N findings" for the active editor's document; hidden for documents that were not
// scanned (not CloudTrail). A click opens the Problems panel.

import * as vscode from 'vscode';
import type { Scanner } from './scanner';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cloudtrailHunter.status', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly scanner: Scanner) {
    this.item.name = 'CloudTrail Hunter';
    this.item.command = { title: 'Show Problems', command: 'workbench.actions.view.problems' };
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const state = doc && this.scanner.stateOf(doc.uri);
    const scanning = doc !== undefined && this.scanner.isScanning(doc.uri);
    if (!doc || (!state && !scanning)) {
      this.item.hide();
      return;
    }
    if (scanning && !state) {
      this.item.text = '$(sync~spin) Scanning for detections';
      this.item.tooltip = 'CloudTrail Hunter is scanning this file';
    } else if (state?.status === 'too-large') {
      this.item.text = '$(shield) not scanned';
      this.item.tooltip = state.message;
    } else if (state?.status === 'error') {
      this.item.text = '$(shield) scan failed';
      this.item.tooltip = `CloudTrail Hunter: ${state.message ?? 'scan failed'} (see the CloudTrail Hunter output)`;
    } else if (state?.view) {
      const n = state.findings.length;
      const problems = state.view.problems.length;
      this.item.text = `$(${scanning ? 'sync~spin' : 'shield'}) ${n} finding${n === 1 ? '' : 's'}`;
      this.item.tooltip =
        `CloudTrail Hunter: ${n} finding${n === 1 ? '' : 's'} in ${state.view.recordCount} records` +
        `${problems > 0 ? `, ${problems} problem${problems === 1 ? '' : 's'} reading the file` : ''}` +
        ` (${state.rules.length} rules, ${state.view.ms} ms). Click to open the Problems panel.`;
    }
    this.item.backgroundColor = state?.status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
