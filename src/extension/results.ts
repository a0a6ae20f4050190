// One model of what has been found where, for diagnostics and the findings tree alike: the
// automatic per-document scans (Scanner) and the results of the last workspace scan. For a file
// open in an editor its own scan wins (it matches the text on screen, edits included); otherwise
// the workspace scan's result is shown.

import * as vscode from 'vscode';
import type { Rule } from '../core/types';
import type { TreeEntry } from './findingsTree';
import { fileOfView, viewOfFile } from './gzView';
import type { DocState, Scanner } from './scanner';

/** The version of a result read from disk by the workspace scan rather than from a document. */
export const FROM_DISK = -1;

/** A workspace scan's result for one file. `uri` is where it is shown (the gz view for .json.gz). */
export interface WorkspaceEntry extends DocState {
  /** The file on disk. */
  file: vscode.Uri;
  /** Over what VS Code hands to extensions: in the tree, but no diagnostics (no editor can show them to us). */
  large: boolean;
}

/** The file's path relative to its workspace folder (the real file behind a gz view). */
export function displayPath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(fileOfView(uri) ?? uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/** Workspace results are announced in batches: one diagnostics update per batch, not per file. */
const BATCH_MS = 100;

export class Results implements vscode.Disposable {
  private readonly workspace = new Map<string, WorkspaceEntry>();
  private readonly emitter = new vscode.EventEmitter<readonly vscode.Uri[]>();
  /** Fires with the URIs whose effective result changed. */
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  private readonly queued = new Map<string, vscode.Uri>();
  /** displayPath() per URI: the tree is rebuilt many times during a scan. */
  private readonly paths = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly scanner: Scanner) {
    this.subscription = scanner.onDidChange((uri) => this.emitter.fire([uri]));
  }

  /** What a URI shows: the document's own finished scan, else the workspace scan's, else whatever the document has. */
  effective(uri: vscode.Uri): DocState | undefined {
    const own = this.scanner.stateOf(uri);
    if (own?.status === 'done') return own;
    return this.workspace.get(uri.toString()) ?? own;
  }

  workspaceEntry(uri: vscode.Uri): WorkspaceEntry | undefined {
    return this.workspace.get(uri.toString());
  }

  /** Whether some workspace result was computed with other rules than `rules` (they changed since). */
  ranWithOtherRules(rules: readonly Rule[]): boolean {
    for (const e of this.workspace.values()) if (e.status === 'done' && e.rules !== rules) return true;
    return false;
  }

  /** Every URI with a result of either kind. */
  uris(): vscode.Uri[] {
    const out = new Map<string, vscode.Uri>();
    for (const s of this.scanner.allStates()) out.set(s.uri.toString(), s.uri);
    for (const e of this.workspace.values()) out.set(e.uri.toString(), e.uri);
    return [...out.values()];
  }

  /** Stores a workspace scan's result; listeners hear of it with the next batch (or flush()). */
  setWorkspaceEntry(entry: WorkspaceEntry): void {
    this.workspace.set(entry.uri.toString(), entry);
    this.queued.set(entry.uri.toString(), entry.uri);
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Announces the queued workspace results now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued.size === 0) return;
    const uris = [...this.queued.values()];
    this.queued.clear();
    this.emitter.fire(uris);
  }

  /** Forgets the workspace results (a new workspace scan, or Clear). */
  clearWorkspace(): void {
    if (this.workspace.size === 0) return;
    const uris = [...this.workspace.values()].map((e) => e.uri);
    this.workspace.clear();
    this.paths.clear();
    this.emitter.fire(uris);
  }

  /** The file on disk changed: its workspace result (kept under the file or its gz view) no longer matches it. */
  dropFile(file: vscode.Uri): boolean {
    const gone = [file, viewOfFile(file)].filter((u) => this.workspace.delete(u.toString()));
    if (gone.length > 0) this.emitter.fire(gone);
    return gone.length > 0;
  }

  /** A file or a folder was deleted: forget every workspace result under it. */
  dropDeleted(uri: vscode.Uri): void {
    if (this.dropFile(uri)) return; // a file of ours, not a folder
    const prefix = uri.toString().replace(/\/?$/, '/');
    const gone: vscode.Uri[] = [];
    for (const [key, e] of this.workspace) {
      if (e.file.toString().startsWith(prefix)) {
        this.workspace.delete(key);
        gone.push(e.uri);
      }
    }
    if (gone.length > 0) this.emitter.fire(gone);
  }

  /** The tree's input: every file with findings. */
  treeEntries(): TreeEntry[] {
    const out: TreeEntry[] = [];
    for (const uri of this.uris()) {
      const state = this.effective(uri);
      if (!state || state.status !== 'done' || state.findings.length === 0) continue;
      const ws = this.workspace.get(uri.toString());
      const large = state === ws && ws.large;
      const key = uri.toString();
      let path = this.paths.get(key);
      if (path === undefined) this.paths.set(key, (path = displayPath(uri)));
      out.push({ uri: key, path, large, findings: state.findings });
    }
    return out;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
