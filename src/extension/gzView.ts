// The read-only decompressed view of .json.gz logs: the file system "cloudtrail-gz", whose paths
// are the real files' paths and whose files read as their decompressed content. It is registered
// read-only (the editor refuses typing, saves fail), and every write operation fails here too:
// nothing is ever written to the user's file. VS Code still lets an extension's WorkspaceEdit change
// the text in memory; guard() puts the evidence back. Diagnostics, hovers and the findings tree
// address the view, so positions are positions in the decompressed text. VS Code decodes the bytes
// as it decodes files (UTF-8, BOM dropped), the same way the engine counts positions.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LogReadError, openLog } from './logFile';
import type { Log } from './log';
import { EDITOR_LIMIT_BYTES } from './workspaceFiles';

export const GZ_SCHEME = 'cloudtrail-gz';

/** The decompressed view of a file on disk. */
export function viewOfFile(file: vscode.Uri): vscode.Uri {
  return file.with({ scheme: GZ_SCHEME });
}

/** The file on disk behind a decompressed view; undefined for any other URI. */
export function fileOfView(uri: vscode.Uri): vscode.Uri | undefined {
  return uri.scheme === GZ_SCHEME ? uri.with({ scheme: 'file' }) : undefined;
}

function realFile(uri: vscode.Uri): vscode.Uri {
  const file = fileOfView(uri);
  if (!file) throw vscode.FileSystemError.FileNotFound(uri);
  return file;
}

function fsError(e: unknown, uri: vscode.Uri): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return vscode.FileSystemError.FileNotFound(uri);
  if (code === 'EACCES' || code === 'EPERM') return vscode.FileSystemError.NoPermissions(uri);
  return e instanceof Error ? e : new Error(String(e));
}

/** A digest of text as VS Code holds it: UTF-8 without a BOM. */
function digest(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

interface Served {
  /** Digest of the content last read out (BOM dropped). */
  digest: string;
  /** Added to the real file's mtime, so that a reload asked for by guard() is not skipped as "not modified". */
  generation: number;
}

export class GzFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly served = new Map<string, Served>();
  private readonly closing: vscode.Disposable;

  constructor(private readonly log: Log) {
    this.closing = vscode.workspace.onDidCloseTextDocument((doc) => this.served.delete(doc.uri.toString()));
  }

  /**
   * A view's text changed. When it is no longer the content read out (an extension applied an
   * edit in memory), the view is told to load the file again: the edit does not stick.
   */
  guard(doc: vscode.TextDocument): void {
    const served = this.served.get(doc.uri.toString());
    if (!served || digest(doc.getText()) === served.digest) return;
    this.log.warn(`${doc.uri.toString()}: an edit of the read-only decompressed view was undone`);
    served.generation++;
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri: doc.uri }]);
  }

  /** Follows the real file, so an open view reloads when the archive is replaced on disk. */
  watch(uri: vscode.Uri): vscode.Disposable {
    const file = fileOfView(uri);
    if (!file) return new vscode.Disposable(() => undefined);
    const pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(file.fsPath)), path.basename(file.fsPath));
    const watcher = vscode.workspace.createFileSystemWatcher(pattern, false, false, false);
    const fire = (type: vscode.FileChangeType) => () => this.changed.fire([{ type, uri }]);
    const subs = [watcher.onDidCreate(fire(vscode.FileChangeType.Created)), watcher.onDidChange(fire(vscode.FileChangeType.Changed)), watcher.onDidDelete(fire(vscode.FileChangeType.Deleted))];
    return new vscode.Disposable(() => {
      for (const s of subs) s.dispose();
      watcher.dispose();
    });
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(realFile(uri).fsPath);
    } catch (e) {
      throw fsError(e, uri);
    }
    return {
      type: st.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File,
      ctime: st.ctimeMs,
      mtime: st.mtimeMs + (this.served.get(uri.toString())?.generation ?? 0),
      // The archive's size: the content's is known only once decompressed.
      size: st.size,
      permissions: vscode.FilePermission.Readonly,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const file = realFile(uri);
    let stream;
    try {
      stream = await openLog(file.fsPath);
    } catch (e) {
      if (!(e instanceof LogReadError)) throw fsError(e, uri);
      throw e.code === 'ENOENT' ? vscode.FileSystemError.FileNotFound(e.message) : vscode.FileSystemError.Unavailable(e.message);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of stream.chunks) {
        bytes += chunk.length;
        if (bytes > EDITOR_LIMIT_BYTES) {
          throw vscode.FileSystemError.Unavailable(
            `${path.basename(file.fsPath)} decompresses to more than ${EDITOR_LIMIT_BYTES / 1048576} MB, more than VS Code hands to extensions. ` +
              `The CloudTrail Findings view lists its findings; the cloudtrail-hunter CLI scans it.`,
          );
        }
        chunks.push(chunk);
      }
    } catch (e) {
      // A truncated archive still shows what could be decompressed; the scan of the view reports where it ends.
      if (!(e instanceof LogReadError) || !e.midway) throw e;
      this.log.warn(`${file.fsPath}: ${e.message}; showing the ${bytes} bytes before the break`);
    } finally {
      stream.close();
    }
    const content = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const bom = content.length >= 3 && content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
    const key = uri.toString();
    this.served.set(key, { digest: digest(content.subarray(bom)), generation: this.served.get(key)?.generation ?? 0 });
    return content;
  }

  readDirectory(): [string, vscode.FileType][] {
    // Only single logs are viewed through this scheme; folders are browsed in the explorer.
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.closing.dispose();
    this.changed.dispose();
  }
}
