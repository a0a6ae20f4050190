// The commands of the workspace scan and the findings tree: Scan Workspace, Open Decompressed Log,
// and opening a finding from the tree. Arguments are validated: command URIs and other extensions
// can pass anything.

import * as vscode from 'vscode';
import type { Range } from '../core/types';
import { COMMANDS } from './commandIds';
import { commandWrapper, parseUri } from './commands';
import { toVsRange } from './diagnostics';
import { fileOfView, GZ_SCHEME, viewOfFile } from './gzView';
import type { Log } from './log';
import { displayPath } from './results';
import { isRange, shellQuote } from './workspaceFiles';
import { parseScanOptions, type WorkspaceScanner } from './workspaceScan';

export interface OpenFindingArgs {
  uri: string;
  matched: Range;
  record?: Range;
  recordIndex?: number;
  /** Over what VS Code hands to extensions. */
  large?: boolean;
}

interface Deps {
  workspaceScanner: WorkspaceScanner;
  log: Log;
  /** Applies settings that changed but whose change event has not arrived yet. */
  syncSettings(): void;
}

export function registerWorkspaceCommands(deps: Deps): vscode.Disposable[] {
  const { workspaceScanner, log, syncSettings } = deps;
  const wrap = commandWrapper(log);

  function scanWorkspace(arg?: unknown) {
    syncSettings();
    return workspaceScanner.run(parseScanOptions(arg));
  }

  /** From the explorer's context menu (the file), the palette (asks for one), or a gz view's URI. */
  async function openDecompressed(arg?: unknown): Promise<vscode.Uri | undefined> {
    let file = parseUri(arg);
    if (file?.scheme === GZ_SCHEME) file = fileOfView(file);
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        title: 'CloudTrail Hunter: Open Decompressed Log',
        canSelectMany: false,
        filters: { 'Compressed CloudTrail logs': ['gz'], 'All files': ['*'] },
        openLabel: 'Open Decompressed',
      });
      file = picked?.[0];
    }
    if (!file) return undefined;
    if (file.scheme !== 'file') {
      void vscode.window.showWarningMessage(`CloudTrail Hunter: only files on the local file system can be decompressed (${file.toString()}).`);
      return undefined;
    }
    const view = viewOfFile(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(view), { preview: false });
    return view;
  }

  /** A record clicked in the tree: the editor at the matched value, or where it is when the file is too large. */
  async function openFinding(arg?: unknown): Promise<'opened' | 'too-large' | undefined> {
    const a = (arg && typeof arg === 'object' ? arg : {}) as Partial<OpenFindingArgs>;
    const uri = parseUri(a.uri);
    if (!uri || !isRange(a.matched)) {
      log.warn(`openFinding: expected {uri, matched: range}, got ${JSON.stringify(arg)?.slice(0, 200)}`);
      return undefined;
    }
    const matched = toVsRange(a.matched);
    if (a.large === true) {
      const file = fileOfView(uri) ?? uri;
      const cli = `cloudtrail-hunter scan ${shellQuote(file.fsPath)}`;
      const record = Number.isInteger(a.recordIndex) ? ` (record #${(a.recordIndex as number) + 1})` : '';
      const text =
        `CloudTrail Hunter: this finding is in ${displayPath(uri)} at line ${matched.start.line + 1}, column ${matched.start.character + 1}${record}. ` +
        'The file is over 50 MB, more than VS Code hands to extensions, so its findings cannot be shown in the editor. The CLI lists them all: ' +
        cli;
      // Only a plain file can be opened without us; a decompressed view of that size is refused.
      const actions = uri.scheme === 'file' ? ['Open Anyway', 'Copy CLI Command'] : ['Copy CLI Command'];
      void vscode.window.showWarningMessage(text, ...actions).then((choice) => {
        if (choice === 'Open Anyway') void vscode.commands.executeCommand('vscode.open', uri, { selection: matched });
        else if (choice === 'Copy CLI Command') void vscode.env.clipboard.writeText(cli);
      });
      return 'too-large';
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { selection: matched, preview: true });
    editor.revealRange(isRange(a.record) ? toVsRange(a.record) : matched, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return 'opened';
  }

  return [
    vscode.commands.registerCommand(COMMANDS.scanWorkspace, wrap('scanWorkspace', scanWorkspace)),
    vscode.commands.registerCommand(COMMANDS.openDecompressed, wrap('openDecompressed', openDecompressed)),
    vscode.commands.registerCommand(COMMANDS.openFinding, wrap('openFinding', openFinding)),
  ];
}
