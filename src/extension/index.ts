// CloudTrail Hunter's VS Code face: wires the engine's results into diagnostics, hovers, the guide
// webview, the findings tree, the status bar and commands. No detection logic lives here.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { coreCount } from '../node/cores';
import { registerCommands } from './commands';
import { Diagnostics } from './diagnostics';
import { FallbackEngine, WorkerPool } from './engineClient';
import type { TreeNode } from './findingsTree';
import { FindingsView } from './findingsView';
import { GZ_SCHEME, GzFileSystem } from './gzView';
import { GuidePanel } from './guidePanel';
import { HOVER_SELECTOR, HoverProvider } from './hover';
import { KqlLinter } from './kqlLint';
import { createLog } from './log';
import { RuleStore } from './ruleStore';
import { Scanner, type DocState } from './scanner';
import { Results } from './results';
import { readSettings, SECTION } from './settings';
import { StatusBar } from './statusBar';
import { registerWorkspaceCommands } from './workspaceCommands';
import { WorkspaceScanner, type WorkspaceScanOptions, type WorkspaceScanSummary } from './workspaceScan';

/** What activate() returns: for other extensions and the integration tests. */
export interface HunterApi {
  /** Scans the workspace as the command does. */
  scanWorkspace(options?: WorkspaceScanOptions): Promise<WorkspaceScanSummary | undefined>;
  /** The findings tree's data: the rules at the root, and the children of a node. */
  findingsTree: { getChildren(node?: TreeNode): TreeNode[] };
  /** What the user was told about settings ignored in an untrusted workspace; undefined when trusted. */
  trustNotice(): string | undefined;
}

/** Workers for scans: one per spare core, at most two (the host's thread and the OS need the rest). */
function workerCount(): number {
  return Math.max(1, Math.min(2, coreCount()));
}

export function activate(context: vscode.ExtensionContext): HunterApi {
  const log = createLog();
  context.subscriptions.push(log);
  const getSettings = () => readSettings(log);

  // Bundled next to this file as dist/scanWorker.js (also out/src/extension/scanWorker.js under tsc).
  const engine = new FallbackEngine(new WorkerPool(path.join(__dirname, 'scanWorker.js'), log, workerCount()), log);
  const ruleStore = new RuleStore(log, getSettings);
  const scanner = new Scanner(engine, getSettings, log);
  const results = new Results(scanner);
  const diagnostics = new Diagnostics();
  const statusBar = new StatusBar(scanner);
  const guide = new GuidePanel(context.extensionUri, scanner, log);
  const kql = new KqlLinter(getSettings);
  const findingsView = new FindingsView(results, () => results.ranWithOtherRules(ruleStore.rules));
  const workspaceScanner = new WorkspaceScanner(engine, results, getSettings, log);
  const gzFileSystem = new GzFileSystem(log);
  context.subscriptions.push(ruleStore, scanner, results, diagnostics, statusBar, guide, kql, findingsView, gzFileSystem, { dispose: () => engine.dispose() });

  /**
   * Diagnostics follow the one model: a document's own scan, else the workspace scan's result.
   * Files over VS Code's limit get none (no editor can show them); a file being scanned keeps its old ones.
   */
  const showDiagnostics = (uris: readonly vscode.Uri[]) => {
    const changes: [vscode.Uri, DocState | undefined][] = [];
    for (const uri of uris) {
      const state = results.effective(uri);
      const entry = results.workspaceEntry(uri);
      if (state && !(state === entry && entry.large)) changes.push([uri, state]);
      else if (state || !scanner.isScanning(uri)) changes.push([uri, undefined]);
    }
    diagnostics.showMany(changes, getSettings().severity);
  };

  // What diagnostics and re-scans the current settings call for. Run on the change event, and by
  // the scan command in case the event has not arrived yet.
  let applied = settingsKey();
  const syncSettings = () => {
    const key = settingsKey();
    if (key === applied) return;
    const before = JSON.parse(applied) as Record<string, unknown>;
    const after = JSON.parse(key) as Record<string, unknown>;
    applied = key;
    log.info('settings changed');
    if (ruleStore.ensureCurrent()) return; // a rule change re-scans open documents by itself
    if ((!before.autoScan && after.autoScan) || before.maxFileSizeMB !== after.maxFileSizeMB) scanner.rescanAll();
    else showDiagnostics(results.uris());
  };

  context.subscriptions.push(
    results.onDidChange((uris) => {
      showDiagnostics(uris);
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      if (uris.some((u) => u.toString() === active)) statusBar.update();
    }),
    ruleStore.onDidChange((rules) => {
      engine.setRules(rules);
      scanner.rescanAll();
      // Workspace results were computed with the old rules; the tree says so until the next scan.
      findingsView.schedule();
    }),
    ...registerCommands({ scanner, results, ruleStore, guide, log, syncSettings }),
    ...registerWorkspaceCommands({ workspaceScanner, log, syncSettings }),
    // Read-only: VS Code refuses edits and saves of the decompressed view.
    vscode.workspace.registerFileSystemProvider(GZ_SCHEME, gzFileSystem, { isCaseSensitive: true, isReadonly: true }),
    vscode.languages.registerHoverProvider(HOVER_SELECTOR, new HoverProvider((uri) => results.effective(uri))),
  );

  // Document lifecycle.
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((doc) => {
      scanner.onOpened(doc);
      kql.update(doc);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return; // dirty-flag changes only
      if (e.document.uri.scheme === GZ_SCHEME) gzFileSystem.guard(e.document);
      scanner.onChanged(e.document);
      kql.changed(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      scanner.closed(doc.uri);
      kql.clear(doc.uri);
    }),
    vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((uri) => scanner.forgetDeleted(uri))),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      // A document whose tab was closed but which VS Code kept loaded is scanned again when shown.
      if (editor) scanner.onOpened(editor.document);
      statusBar.update();
    }),
    vscode.window.tabGroups.onDidChangeTabs((e) => forgetClosedTabs(e, scanner)),
  );
  // A file changed or deleted on disk no longer matches its workspace-scan result.
  const onDisk = vscode.workspace.createFileSystemWatcher('**/*', true, false, false);
  context.subscriptions.push(
    onDisk,
    onDisk.onDidChange((uri) => results.dropFile(uri)),
    onDisk.onDidDelete((uri) => {
      scanner.forgetDeleted(uri);
      results.dropDeleted(uri);
    }),
  );

  // Settings and trust.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) syncSettings();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('workspace trusted: loading cloudtrailHunter.ruleFolders');
      ruleStore.load();
    }),
  );

  // Loading the rules starts the first scans (of the documents already open).
  ruleStore.load();
  for (const doc of vscode.workspace.textDocuments) kql.update(doc);
  statusBar.update();
  log.info(`activated (VS Code ${vscode.version}); scans run on ${engine.kind === 'worker' ? `up to ${engine.parallelism} worker threads` : 'the extension host'}`);

  return {
    scanWorkspace: (options) => workspaceScanner.run(options),
    findingsTree: { getChildren: (node) => findingsView.getChildren(node) },
    trustNotice: () => ruleStore.trustNotice,
  };
}

/** The settings that decide what the extension shows, as a comparable string. */
function settingsKey(): string {
  const s = readSettings();
  return JSON.stringify({
    autoScan: s.autoScan,
    maxFileSizeMB: s.maxFileSizeMB,
    debounceMs: s.debounceMs,
    ruleFolders: s.ruleFolders,
    disabledRules: [...s.disabledRules].sort(),
    levels: s.severity.levels,
    overrides: [...s.severity.overrides].sort(),
  });
}

/**
 * Closing a tab is what users mean by closing a file, but VS Code may keep the document loaded for a
 * while (no onDidCloseTextDocument yet). Forget a document once no tab shows it. A preview tab that
 * is merely replaced by another preview is not a close: the document usually stays in use.
 */
function forgetClosedTabs(e: vscode.TabChangeEvent, scanner: Scanner): void {
  if (e.closed.length === 0) return;
  const open = new Set<string>();
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputText) open.add(tab.input.uri.toString());
  }
  for (const tab of e.closed) {
    if (!(tab.input instanceof vscode.TabInputText)) continue;
    const replaced = tab.isPreview && e.opened.some((t) => t.isPreview && t.group === tab.group);
    if (replaced) continue;
    const uri = tab.input.uri;
    if (!open.has(uri.toString())) scanner.closed(uri);
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
