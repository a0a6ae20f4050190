// CloudTrail Hunter's VS Code face: wires the engine's results into diagnostics, hovers, the guide
// webview, the status bar and commands. No detection logic lives here.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Diagnostics } from './diagnostics';
import { FallbackEngine, WorkerEngine } from './engineClient';
import { GuidePanel } from './guidePanel';
import { HOVER_SELECTOR, HoverProvider } from './hover';
import { KqlLinter } from './kqlLint';
import { createLog } from './log';
import { RuleStore } from './ruleStore';
import { Scanner } from './scanner';
import { readSettings, SECTION } from './settings';
import { StatusBar } from './statusBar';

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  context.subscriptions.push(log);
  const getSettings = () => readSettings(log);

  // Bundled next to this file as dist/scanWorker.js (also out/src/extension/scanWorker.js under tsc).
  const engine = new FallbackEngine(new WorkerEngine(path.join(__dirname, 'scanWorker.js'), log), log);
  const ruleStore = new RuleStore(log, getSettings);
  const scanner = new Scanner(engine, getSettings, log);
  const diagnostics = new Diagnostics();
  const statusBar = new StatusBar(scanner);
  const guide = new GuidePanel(context.extensionUri, scanner, log);
  const kql = new KqlLinter(getSettings);
  context.subscriptions.push(ruleStore, scanner, diagnostics, statusBar, guide, kql, { dispose: () => engine.dispose() });

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
    else for (const state of scanner.allStates()) diagnostics.show(state, getSettings().severity);
  };

  context.subscriptions.push(
    scanner.onDidChange((uri) => {
      const state = scanner.stateOf(uri);
      if (state) diagnostics.show(state, getSettings().severity);
      else if (!scanner.isScanning(uri)) diagnostics.clear(uri);
      if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) statusBar.update();
    }),
    ruleStore.onDidChange((rules) => {
      engine.setRules(rules);
      scanner.rescanAll();
    }),
    ...registerCommands({ scanner, ruleStore, guide, log, syncSettings }),
    vscode.languages.registerHoverProvider(HOVER_SELECTOR, new HoverProvider(scanner)),
  );

  // Document lifecycle.
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((doc) => {
      scanner.onOpened(doc);
      kql.update(doc);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return; // dirty-flag changes only
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
  const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
  context.subscriptions.push(deletions, deletions.onDidDelete((uri) => scanner.forgetDeleted(uri)));

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
  log.info(`activated (VS Code ${vscode.version}); scans run on ${engine.kind === 'worker' ? 'a worker thread' : 'the extension host'}`);
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
