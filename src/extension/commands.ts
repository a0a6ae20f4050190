// The editor's commands (the workspace and tree commands are in workspaceCommands.ts). Each
// validates its argument: command URIs and other extensions can pass anything.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import type { GuidePanel } from './guidePanel';
import { describeError, type Log } from './log';
import type { RuleStore } from './ruleStore';
import { findingsAt, type DocFinding } from './scanView';
import type { DocState, Scanner } from './scanner';
import { toVsRange } from './diagnostics';
import { locateRecord } from './engine';
import type { Results } from './results';

export interface ScanSummary {
  findings: number;
  problems: number;
}

export interface GuideArgs {
  ruleId?: string;
  uri?: string;
  recordIndex?: number;
}

export interface RevealArgs {
  uri: string;
  recordIndex: number;
}

interface Deps {
  scanner: Scanner;
  /** The workspace scan's results, cleared with the rest. */
  results: Results;
  ruleStore: RuleStore;
  guide: GuidePanel;
  log: Log;
  /** Applies settings that changed but whose change event has not arrived yet. */
  syncSettings(): void;
}

/** Shown only when a scan is still running after this long: most scans finish before anyone sees a popup. */
const PROGRESS_DELAY_MS = 400;

function docName(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? path.basename(doc.uri.fsPath) : doc.uri.path.split('/').pop() || doc.uri.toString();
}

/** A URI given as a string (command links) or as a vscode.Uri (other extensions, tests). */
export function parseUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return vscode.Uri.parse(value, true);
  } catch {
    return undefined;
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Resolves once `range` is on screen in `editor` (or after a short wait), so callers see the result. */
function whenVisible(editor: vscode.TextEditor, range: vscode.Range, timeoutMs = 1000): Promise<void> {
  const shown = () => editor.visibleRanges.some((r) => r.intersection(range) !== undefined);
  if (shown()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const sub = vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
      if (e.textEditor === editor && shown()) done();
    });
  });
}

/** Runs a command so that a failure is logged and shown, never thrown at the caller. */
export function commandWrapper(log: Log) {
  return <A extends unknown[], R>(name: string, fn: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await fn(...args);
      } catch (e) {
        log.error(`${name}: ${e instanceof Error && e.stack ? e.stack : describeError(e)}`);
        void vscode.window.showErrorMessage(`CloudTrail Hunter: ${describeError(e)}`);
        return undefined;
      }
    };
}

export function registerCommands(deps: Deps): vscode.Disposable[] {
  const { scanner, results, ruleStore, guide, log, syncSettings } = deps;

  async function scan(): Promise<ScanSummary | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage('CloudTrail Hunter: open a CloudTrail log file to scan it.');
      return undefined;
    }
    const doc = editor.document;
    syncSettings();
    scanner.allowAutoScan(doc.uri);
    // Forced: the user asked, so even a file that does not look like CloudTrail gets its result.
    const pending = scanner.request(doc, true);
    const quick = await Promise.race([pending, new Promise<'slow'>((r) => setTimeout(() => r('slow'), PROGRESS_DELAY_MS))]);
    const state =
      quick !== 'slow'
        ? quick
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `CloudTrail Hunter: scanning ${docName(doc)}`, cancellable: true },
            (_progress, token) => {
              // Cancelling drops the result (the generation moves on); the worker finishes and is ignored.
              token.onCancellationRequested(() => scanner.forget(doc.uri));
              return pending;
            },
          );
    if (!state) return undefined;
    return summarise(doc, state);
  }

  function summarise(doc: vscode.TextDocument, state: DocState): ScanSummary {
    const summary: ScanSummary = { findings: state.findings.length, problems: state.view?.problems.length ?? 0 };
    if (state.status !== 'done' || !state.view) {
      void vscode.window.showWarningMessage(`CloudTrail Hunter: ${docName(doc)}: ${state.message ?? 'not scanned'}`);
      return summary;
    }
    const v = state.view;
    let text: string;
    if (v.recordCount === 0 && v.problems.length === 0) {
      text = `no CloudTrail records found in ${docName(doc)}.`;
    } else {
      text =
        `${summary.findings} finding${summary.findings === 1 ? '' : 's'} in ${docName(doc)} (${v.recordCount} records, ${state.rules.length} rules)` +
        (summary.problems > 0 ? `; ${summary.problems} problem${summary.problems === 1 ? '' : 's'} reading the file.` : '.');
    }
    // Not awaited: the command returns its counts while the notification stays up.
    void vscode.window.showInformationMessage(`CloudTrail Hunter: ${text}`, 'Show Problems').then((choice) => {
      if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return summary;
  }

  async function showGuide(arg?: unknown): Promise<{ ruleId: string; title: string } | undefined> {
    const a = (arg && typeof arg === 'object' ? arg : {}) as GuideArgs;
    const ruleId = typeof a.ruleId === 'string' ? a.ruleId : undefined;
    const uri = parseUri(a.uri);
    let finding: DocFinding | undefined;
    if (uri && isIndex(a.recordIndex)) {
      const recordIndex = a.recordIndex;
      finding = results.effective(uri)?.findings.find((f) => f.recordIndex === recordIndex && (ruleId === undefined || f.rule.ruleId === ruleId));
    }
    let findingUri = finding ? uri : undefined;
    let rule = finding?.rule ?? (ruleId !== undefined ? ruleStore.find(ruleId) : undefined);
    if (!rule && ruleId !== undefined) {
      void vscode.window.showWarningMessage(`CloudTrail Hunter: no loaded rule has the id ${ruleId}.`);
      return undefined;
    }
    if (!rule && arg === undefined) {
      // No argument: the finding under the cursor, else let the user pick a rule.
      const editor = vscode.window.activeTextEditor;
      const state = editor && scanner.stateOf(editor.document.uri);
      if (editor && state && state.version === editor.document.version) {
        finding = findingsAt(state.findings, editor.selection.active)[0];
        if (finding) {
          rule = finding.rule;
          findingUri = editor.document.uri;
        }
      }
      if (!rule) {
        const items = ruleStore.allRules.map((r) => ({
          label: r.name,
          description: `${r.severity}, risk ${r.riskScore}`,
          detail: r.ruleId,
          rule: r,
        }));
        const picked = await vscode.window.showQuickPick(items, { title: 'CloudTrail Hunter: Show Investigation Guide', placeHolder: 'Pick a rule', matchOnDetail: true });
        rule = picked?.rule;
      }
    }
    if (!rule) return undefined;
    guide.show(rule, findingUri, finding);
    return { ruleId: rule.ruleId, title: guide.title ?? `Guide: ${rule.name}` };
  }

  async function revealRecord(arg?: unknown): Promise<boolean> {
    const a = (arg && typeof arg === 'object' ? arg : {}) as Partial<RevealArgs>;
    const uri = parseUri(a.uri);
    if (!uri || !isIndex(a.recordIndex)) {
      log.warn(`revealRecord: expected {uri: string, recordIndex: number}, got ${JSON.stringify(arg)?.slice(0, 200)}`);
      return false;
    }
    const recordIndex = a.recordIndex;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
    let state = scanner.stateOf(uri);
    if (!state || state.version !== doc.version) state = await scanner.request(doc, state?.forced ?? false);
    const own = state?.findings.find((f) => f.recordIndex === recordIndex);
    const related = own ? undefined : state?.findings.flatMap((f) => f.related).find((r) => r.recordIndex === recordIndex);
    // Any other record: ask the engine's record finder where it is (on demand, rare).
    const located = own ? own.record : related ? related.range : locateRecord(doc.getText(), recordIndex);
    const column = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.Active;
    if (!located) {
      await vscode.window.showTextDocument(doc, { viewColumn: column });
      void vscode.window.showWarningMessage(`CloudTrail Hunter: ${docName(doc)} has no record #${recordIndex}.`);
      return false;
    }
    const recordRange = toVsRange(located);
    // The matched value is selected for a finding; otherwise the cursor goes to the record's start.
    const selection = own ? toVsRange(own.matched) : new vscode.Range(recordRange.start, recordRange.start);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false, selection });
    editor.revealRange(recordRange, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    await whenVisible(editor, recordRange);
    return true;
  }

  function clear(): void {
    scanner.forgetAll(true);
    results.clearWorkspace();
    log.info('findings cleared; files are scanned again when edited, reopened or scanned by command');
  }

  const wrap = commandWrapper(log);

  return [
    vscode.commands.registerCommand(COMMANDS.scan, wrap('scan', scan)),
    vscode.commands.registerCommand(COMMANDS.showGuide, wrap('showGuide', showGuide)),
    vscode.commands.registerCommand(COMMANDS.clear, wrap('clear', clear)),
    vscode.commands.registerCommand(COMMANDS.revealRecord, wrap('revealRecord', revealRecord)),
  ];
}
