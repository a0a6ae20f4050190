// "CloudTrail Hunter: Scan Workspace for Detections": every file matching the workspace-scan globs
// is read and scanned on the worker threads (never on the extension host's thread), two at a time
// per worker. Results land in the Results model file by file (diagnostics and the
// findings tree follow); a cancellable progress notification counts the files; a summary ends it.
// Cancelling stops handing out files and aborts the scans in flight.

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { ScanAborted, type ScanEngine } from './engineClient';
import { viewOfFile } from './gzView';
import { describeError, type Log } from './log';
import { FROM_DISK, type Results, type WorkspaceEntry } from './results';
import { resolveFindings } from './scanView';
import type { HunterSettings } from './settings';
import { byPath, EDITOR_LIMIT_BYTES, isEvidence, progressMessage, summaryMessage, type WorkspaceScanSummary } from './workspaceFiles';

export type { WorkspaceScanSummary } from './workspaceFiles';

export interface WorkspaceScanOptions {
  /** For tests: cancel, as the notification's Cancel button does, once this many files are done. */
  cancelAfterFiles?: number;
}

/** Reads the `{cancelAfterFiles}` argument the command may be given; anything else is ignored. */
export function parseScanOptions(arg: unknown): WorkspaceScanOptions {
  if (!arg || typeof arg !== 'object') return {};
  const n = (arg as { cancelAfterFiles?: unknown }).cancelAfterFiles;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? { cancelAfterFiles: n } : {};
}

const PROGRESS_EVERY_MS = 200;

type Outcome = { kind: 'kept'; entry: WorkspaceEntry } | { kind: 'not-evidence' } | { kind: 'failed'; message: string } | { kind: 'aborted' };

export class WorkspaceScanner {
  private running: Promise<WorkspaceScanSummary | undefined> | undefined;

  constructor(
    private readonly engine: ScanEngine,
    private readonly results: Results,
    private readonly settings: () => HunterSettings,
    private readonly log: Log,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Scans the workspace; a second call while one runs joins it. Resolves to the summary (undefined without a workspace). */
  run(options: WorkspaceScanOptions = {}): Promise<WorkspaceScanSummary | undefined> {
    if (this.running) {
      void vscode.window.showInformationMessage('CloudTrail Hunter: a workspace scan is already running.');
      return this.running;
    }
    if (!vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showWarningMessage('CloudTrail Hunter: open a folder to scan its logs.');
      return Promise.resolve(undefined);
    }
    const run = vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'CloudTrail Hunter', cancellable: true },
      (progress, token) => this.scan(progress, token, options),
    );
    this.running = Promise.resolve(run).finally(() => (this.running = undefined));
    return this.running.then((summary) => {
      if (summary) this.announce(summary);
      return summary;
    });
  }

  private async scan(
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
    options: WorkspaceScanOptions,
  ): Promise<WorkspaceScanSummary> {
    const started = Date.now();
    const { include, exclude } = this.settings().workspaceScan;
    // One source for both ways to cancel: the notification's button and the test hook.
    const cancel = new vscode.CancellationTokenSource();
    const abort = new AbortController();
    const subs = [token.onCancellationRequested(() => cancel.cancel()), cancel.token.onCancellationRequested(() => abort.abort())];
    const summary: WorkspaceScanSummary = { files: 0, scanned: 0, filesWithFindings: 0, findings: 0, problems: 0, failed: 0, cancelled: false, ms: 0 };
    try {
      progress.report({ message: 'finding files…' });
      // An empty exclude leaves VS Code's files.exclude in charge (undefined), as the setting says.
      const found = await vscode.workspace.findFiles(include, exclude === '' ? undefined : exclude, undefined, cancel.token);
      const files = found.filter((u) => u.scheme === 'file').sort(byPath);
      if (files.length < found.length) this.log.warn(`workspace scan: ${found.length - files.length} files are not on the local file system and were skipped`);
      summary.files = files.length;
      this.log.info(`workspace scan: ${files.length} files match ${include}${exclude ? ` (excluding ${exclude})` : ''}`);
      this.results.clearWorkspace();
      let next = 0;
      let done = 0;
      // Progress goes to the window a few times a second, not once per file.
      let reported = 0;
      let lastReport = 0;
      const report = () => {
        const now = Date.now();
        if (done < files.length && now - lastReport < PROGRESS_EVERY_MS) return;
        lastReport = now;
        progress.report({ increment: ((done - reported) * 100) / files.length, message: progressMessage(done, files.length, summary.findings) });
        reported = done;
      };
      progress.report({ message: progressMessage(0, files.length, 0) });
      if (options.cancelAfterFiles === 0) cancel.cancel();
      const lane = async () => {
        while (!cancel.token.isCancellationRequested && next < files.length) {
          const outcome = await this.scanOne(files[next++], abort.signal);
          if (outcome.kind === 'aborted') continue;
          done++;
          this.count(summary, outcome);
          report();
          if (options.cancelAfterFiles !== undefined && done >= options.cancelAfterFiles) cancel.cancel();
        }
      };
      // Two files in flight per worker: the next one is already there while the host takes in the
      // last result, so workers do not sit idle waiting for this (busy) thread.
      await Promise.all(Array.from({ length: Math.min(2 * Math.max(1, this.engine.parallelism), files.length) }, lane));
      summary.cancelled = cancel.token.isCancellationRequested;
    } catch (e) {
      if (!(e instanceof vscode.CancellationError) && !cancel.token.isCancellationRequested) throw e;
      summary.cancelled = true;
    } finally {
      for (const s of subs) s.dispose();
      cancel.dispose();
      // Diagnostics and the tree are complete when the summary appears.
      this.results.flush();
    }
    summary.ms = Date.now() - started;
    return summary;
  }

  private count(summary: WorkspaceScanSummary, outcome: Outcome): void {
    if (outcome.kind === 'failed') {
      summary.failed++;
      summary.problems++;
      return;
    }
    summary.scanned++;
    if (outcome.kind !== 'kept') return;
    const { entry } = outcome;
    summary.findings += entry.findings.length;
    if (entry.findings.length > 0) summary.filesWithFindings++;
    summary.problems += entry.view?.problems.length ?? 0;
  }

  private async scanOne(file: vscode.Uri, signal: AbortSignal): Promise<Outcome> {
    const where = file.fsPath;
    let size: number | undefined;
    try {
      size = (await fs.promises.stat(where)).size;
    } catch {
      // The worker's read reports what is wrong with the file.
    }
    try {
      const { view, rules, file: info } = await this.engine.scanFile(where, { signal, sizeHint: size });
      if (!isEvidence(view, info.compressed)) {
        this.log.debug(`${where}: ${view.shape}, no CloudTrail records; left alone`);
        return { kind: 'not-evidence' };
      }
      // Compressed logs are shown (and flagged) in their decompressed view.
      const uri = info.compressed ? viewOfFile(file) : file;
      const findings = resolveFindings(view, rules);
      const entry: WorkspaceEntry = {
        uri,
        file,
        version: FROM_DISK,
        status: 'done',
        forced: false,
        view,
        findings,
        rules,
        bytes: info.bytes,
        large: info.bytes > EDITOR_LIMIT_BYTES,
      };
      // Per file only at debug level: thousands of lines would cost more than the scan; the summary says it.
      this.log.debug(`${where}: ${view.shape}, ${view.recordCount} records, ${findings.length} findings, ${view.problems.length} problems, ${view.ms} ms`);
      for (const p of view.problems.slice(0, 3)) this.log.warn(`${where}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.code}: ${p.message}`);
      this.results.setWorkspaceEntry(entry);
      return { kind: 'kept', entry };
    } catch (e) {
      if (e instanceof ScanAborted || signal.aborted) return { kind: 'aborted' };
      const message = describeError(e);
      this.log.error(`${where}: ${message}`);
      // Said on the file itself, as a failed editor scan is.
      this.results.setWorkspaceEntry({ uri: file, file, version: FROM_DISK, status: 'error', forced: false, findings: [], rules: [], message, bytes: size ?? 0, large: false });
      return { kind: 'failed', message };
    }
  }

  private announce(summary: WorkspaceScanSummary): void {
    const text = `CloudTrail Hunter: ${summaryMessage(summary)}`;
    this.log.info(text);
    const actions = summary.findings > 0 ? ['Show Findings', 'Show Problems'] : summary.problems > 0 ? ['Show Problems'] : [];
    void vscode.window.showInformationMessage(text, ...actions).then((choice) => {
      if (choice === 'Show Findings') void vscode.commands.executeCommand('cloudtrailHunter.findings.focus');
      else if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  }
}
