// Decides when a document is scanned and keeps the latest result per document.
//
// - Opened documents are scanned when their first few KB look like CloudTrail (sniff.ts) and they
//   are under cloudtrailHunter.maxFileSizeMB; nothing else is read from other files.
// - Edits re-scan after cloudtrailHunter.debounceMs of quiet.
// - A generation counter per document drops results that a newer request, a close or a clear has
//   made stale; one scan per document runs at a time, so typing does not pile up work in the worker.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Rule } from '../core/types';
import type { ScanEngine } from './engineClient';
import { describeError, type Log } from './log';
import { resolveFindings, type DocFinding, type ScanView } from './scanView';
import type { HunterSettings } from './settings';
import { looksLikeCloudTrail, SNIFF_LENGTH } from './sniff';

/** Schemes whose documents are files a user opened (not git blobs, output channels, settings, ...). */
const SCANNED_SCHEMES = new Set(['file', 'untitled', 'cloudtrail-gz', 'vscode-remote', 'vscode-vfs']);

export interface DocState {
  uri: vscode.Uri;
  /** The document version the result belongs to. */
  version: number;
  status: 'done' | 'too-large' | 'error';
  /** Scanned by the command although it did not look like CloudTrail: edits keep re-scanning it. */
  forced: boolean;
  view?: ScanView;
  findings: DocFinding[];
  rules: readonly Rule[];
  /** For 'too-large' and 'error': what happened. */
  message?: string;
  bytes: number;
}

interface Request {
  uri: vscode.Uri;
  generation: number;
  promise: Promise<DocState | undefined>;
}

export class Scanner implements vscode.Disposable {
  private readonly states = new Map<string, DocState>();
  private readonly generations = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly latest = new Map<string, Request>();
  private readonly scanning = new Set<string>();
  private readonly deleteWatchers = new Map<string, vscode.Disposable>();
  /** Cleared by the user: not scanned automatically again until edited, reopened or scanned by command. */
  private readonly suppressed = new Set<string>();
  /** Documents (by version) that looked like CloudTrail but held no records: not scanned again until edited. */
  private readonly notCloudTrail = new Map<string, number>();
  private counter = 0;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when a document's state changes (new result, scanning started, cleared). */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly engine: ScanEngine,
    private readonly settings: () => HunterSettings,
    private readonly log: Log,
  ) {}

  stateOf(uri: vscode.Uri): DocState | undefined {
    return this.states.get(uri.toString());
  }

  isScanning(uri: vscode.Uri): boolean {
    return this.scanning.has(uri.toString());
  }

  allStates(): IterableIterator<DocState> {
    return this.states.values();
  }

  /** The cheap test: a scheme we scan, and a start that looks like CloudTrail. */
  looksScannable(doc: vscode.TextDocument): boolean {
    if (!SCANNED_SCHEMES.has(doc.uri.scheme)) return false;
    const head = doc.getText(new vscode.Range(new vscode.Position(0, 0), doc.positionAt(SNIFF_LENGTH)));
    return looksLikeCloudTrail(head);
  }

  /** A document was opened (or shown again): scan it if automatic scans are on and it qualifies. */
  onOpened(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    if (!this.settings().autoScan || this.suppressed.has(key) || this.states.has(key) || this.running.has(key)) return;
    if (this.notCloudTrail.get(key) === doc.version) return;
    if (this.looksScannable(doc)) void this.request(doc);
  }

  /** A document changed: re-scan after the debounce delay; forget it if it no longer qualifies. */
  onChanged(doc: vscode.TextDocument): void {
    // Output channels, git blobs and the like change all the time and are never ours.
    if (!SCANNED_SCHEMES.has(doc.uri.scheme)) return;
    const settings = this.settings();
    if (!settings.autoScan) return;
    const key = doc.uri.toString();
    this.suppressed.delete(key);
    const previous = this.timers.get(key);
    if (previous) clearTimeout(previous);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (doc.isClosed) return;
        if (this.states.get(key)?.forced || this.looksScannable(doc)) void this.request(doc, this.states.get(key)?.forced ?? false);
        else if (this.states.has(key)) this.forget(doc.uri);
      }, settings.debounceMs),
    );
  }

  /**
   * Scans now. `force` skips the content check (the command scans whatever the user points it at).
   * Resolves to the document's state, or undefined when the document closed or was cleared meanwhile.
   */
  request(doc: vscode.TextDocument, force = false): Promise<DocState | undefined> {
    const key = doc.uri.toString();
    const generation = ++this.counter;
    this.generations.set(key, generation);
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    const promise = this.run(doc, key, generation, force);
    this.latest.set(key, { uri: doc.uri, generation, promise });
    return promise;
  }

  /** Drops a document's result (closed, deleted, cleared) and any scan in flight for it. */
  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.generations.set(key, ++this.counter);
    this.latest.delete(key);
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.deleteWatchers.get(key)?.dispose();
    this.deleteWatchers.delete(key);
    this.notCloudTrail.delete(key);
    const had = this.states.delete(key);
    if (had || this.scanning.delete(key)) this.emitter.fire(uri);
  }

  /** Forgets a deleted file, or every document under a deleted folder. */
  forgetDeleted(uri: vscode.Uri): void {
    const prefix = uri.toString().replace(/\/?$/, '/');
    for (const state of [...this.states.values()]) {
      const key = state.uri.toString();
      if (key === uri.toString() || key.startsWith(prefix)) this.forget(state.uri);
    }
  }

  /** Forgets every result; `suppress` keeps them from coming back by themselves (the Clear command). */
  forgetAll(suppress = false): void {
    // Scans still in flight too, so a result cannot land after the clear.
    const uris = [...this.states.values()].map((s) => s.uri).concat([...this.latest.values()].map((r) => r.uri));
    for (const uri of uris) {
      if (suppress) this.suppressed.add(uri.toString());
      this.forget(uri);
    }
  }

  /** The document closed: forget it, and scan it normally when it is opened again. */
  closed(uri: vscode.Uri): void {
    this.suppressed.delete(uri.toString());
    this.forget(uri);
  }

  allowAutoScan(uri: vscode.Uri): void {
    this.suppressed.delete(uri.toString());
  }

  /** After rules or settings change: scan again what is scanned, and what now qualifies. */
  rescanAll(): void {
    const autoScan = this.settings().autoScan;
    for (const doc of vscode.workspace.textDocuments) {
      const state = this.states.get(doc.uri.toString());
      if (state) void this.request(doc, state.forced);
      else if (autoScan && !this.suppressed.has(doc.uri.toString()) && this.looksScannable(doc)) {
        // A file that held no records still holds none, whatever the rules.
        if (this.notCloudTrail.get(doc.uri.toString()) !== doc.version) void this.request(doc);
      }
    }
  }

  private async run(doc: vscode.TextDocument, key: string, generation: number, force: boolean): Promise<DocState | undefined> {
    // One scan per document at a time; a request superseded while waiting hands over to the newest.
    while (this.running.has(key)) await this.running.get(key);
    if (this.generations.get(key) !== generation) return this.newerThan(key, generation);
    const task = this.scanOnce(doc, key, generation, force);
    const done: Promise<void> = task
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (this.running.get(key) === done) this.running.delete(key);
      });
    this.running.set(key, done);
    const state = await task;
    return state ?? this.newerThan(key, generation);
  }

  private newerThan(key: string, generation: number): Promise<DocState | undefined> | undefined {
    const latest = this.latest.get(key);
    return latest && latest.generation > generation ? latest.promise : undefined;
  }

  private async scanOnce(doc: vscode.TextDocument, key: string, generation: number, force: boolean): Promise<DocState | undefined> {
    if (doc.isClosed) return undefined;
    const settings = this.settings();
    const limit = settings.maxFileSizeMB * 1024 * 1024;
    const bytes = this.byteSize(doc, limit);
    const version = doc.version;
    const base = { uri: doc.uri, version, forced: force, findings: [] as DocFinding[], rules: [] as readonly Rule[], bytes };
    if (bytes > limit) {
      const message = `${(bytes / 1048576).toFixed(1)} MB is more than cloudtrailHunter.maxFileSizeMB (${settings.maxFileSizeMB} MB): not scanned. The cloudtrail-hunter CLI scans files of any size.`;
      this.log.info(`${this.label(doc)}: ${message}`);
      return this.store(key, generation, { ...base, status: 'too-large', message });
    }
    const text = doc.getText();
    this.scanning.add(key);
    this.emitter.fire(doc.uri);
    let state: DocState;
    try {
      const { view, rules } = await this.engine.scan(text);
      state = { ...base, status: 'done', view, rules, findings: resolveFindings(view, rules) };
    } catch (e) {
      const message = describeError(e);
      this.log.error(`${this.label(doc)}: scan failed: ${e instanceof Error && e.stack ? e.stack : message}`);
      state = { ...base, status: 'error', message };
    } finally {
      this.scanning.delete(key);
    }
    if (this.generations.get(key) !== generation || doc.isClosed) {
      this.emitter.fire(doc.uri);
      return undefined;
    }
    // Edited while scanning and a re-scan is already scheduled: this result is stale, the next one is not.
    if (doc.version !== version && this.timers.has(key)) {
      this.emitter.fire(doc.uri);
      return undefined;
    }
    // Looked like CloudTrail but holds no records (a runbook that mentions "eventName"): not ours
    // to comment on unless the user asked for this scan.
    if (!force && state.view && state.view.recordCount === 0 && (state.view.shape === 'unknown' || state.view.shape === 'empty')) {
      this.log.info(`${this.label(doc)}: no CloudTrail records after all; left alone`);
      this.notCloudTrail.set(key, version);
      if (this.states.delete(key)) this.emitter.fire(doc.uri);
      return undefined;
    }
    if (state.view) {
      const v = state.view;
      this.log.info(
        `${this.label(doc)}: ${v.shape}, ${v.recordCount} records, ${state.findings.length} findings, ${v.problems.length} problems, ` +
          `${v.ms} ms (${this.engine.kind}, ${state.rules.length} rules)`,
      );
      // The first few problems are enough to see what is wrong; a binary file can have thousands.
      for (const p of v.problems.slice(0, 10)) this.log.warn(`${this.label(doc)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.code}: ${p.message}`);
    }
    return this.store(key, generation, state);
  }

  private store(key: string, generation: number, state: DocState): DocState | undefined {
    if (this.generations.get(key) !== generation) return undefined;
    this.states.set(key, state);
    this.watchForDeletion(state.uri);
    this.emitter.fire(state.uri);
    return state;
  }

  /** Size in UTF-8 bytes, measured exactly only when the character count alone cannot decide. */
  private byteSize(doc: vscode.TextDocument, limit: number): number {
    const chars = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes.
    if (chars * 3 <= limit || chars > limit) return chars;
    return Buffer.byteLength(doc.getText(), 'utf8');
  }

  /** Files outside the workspace are not covered by the workspace watcher: watch each scanned file. */
  private watchForDeletion(uri: vscode.Uri): void {
    const key = uri.toString();
    if (uri.scheme !== 'file' || this.deleteWatchers.has(key)) return;
    const pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath));
    const watcher = vscode.workspace.createFileSystemWatcher(pattern, true, true, false);
    const sub = watcher.onDidDelete(() => this.forget(uri));
    this.deleteWatchers.set(key, { dispose: () => (sub.dispose(), watcher.dispose()) });
  }

  private label(doc: vscode.TextDocument): string {
    return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const w of this.deleteWatchers.values()) w.dispose();
    this.timers.clear();
    this.deleteWatchers.clear();
    this.emitter.dispose();
  }
}
