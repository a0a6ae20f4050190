// Node-side input handling for the CLI: turn command-line paths into a sorted list of files to scan,
// and read one file to bytes (gunzipping .gz content). The engine itself never touches fs.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** Names picked up when walking a folder. A file named explicitly is scanned whatever its name. */
export const SCANNABLE_SUFFIXES: readonly string[] = ['.json', '.jsonl', '.ndjson', '.json.gz', '.jsonl.gz', '.ndjson.gz'];

/** Deep enough for AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/ trees; stops runaway recursion. */
const MAX_DEPTH = 64;

export interface PathError {
  path: string;
  message: string;
}

export interface ExpandedPaths {
  /** Files to scan: explicit files in argument order, each folder's files sorted by path; no duplicates. */
  files: string[];
  /** Paths that do not exist or cannot be read (reported, never silently dropped). */
  errors: PathError[];
}

export function isScannableName(name: string): boolean {
  const lower = name.toLowerCase();
  return SCANNABLE_SUFFIXES.some((s) => lower.endsWith(s));
}

/** A file-system error in words a person reads. */
export function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'not a folder';
    case 'EISDIR':
      return 'is a folder';
    default:
      return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
  }
}

/** Code-unit order of the path, the same on every platform and locale. */
function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Expands command-line arguments: a file is taken as it is; a folder is walked recursively for
 * .json, .jsonl, .ndjson and their .gz forms (hidden entries skipped, symlinked folders followed
 * once). Paths are resolved against `cwd` but returned as given (joined for folder contents).
 */
export async function expandPaths(args: readonly string[], cwd: string = process.cwd()): Promise<ExpandedPaths> {
  const files: string[] = [];
  const errors: PathError[] = [];
  const seen = new Set<string>(); // real paths already listed
  const visitedDirs = new Set<string>();

  const addFile = async (shown: string, absolute: string): Promise<void> => {
    let real = absolute;
    try {
      real = await fs.promises.realpath(absolute);
    } catch {
      // keep the absolute path as the identity
    }
    if (seen.has(real)) return;
    seen.add(real);
    files.push(shown);
  };

  const walk = async (shown: string, absolute: string, depth: number): Promise<void> => {
    let real: string;
    try {
      real = await fs.promises.realpath(absolute);
    } catch (e) {
      errors.push({ path: shown, message: `cannot read folder: ${ioReason(e)}` });
      return;
    }
    if (visitedDirs.has(real)) return; // a symlink back up the tree
    visitedDirs.add(real);
    if (depth > MAX_DEPTH) {
      errors.push({ path: shown, message: `folder nested deeper than ${MAX_DEPTH} levels: not read` });
      return;
    }
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(absolute, { withFileTypes: true });
    } catch (e) {
      errors.push({ path: shown, message: `cannot read folder: ${ioReason(e)}` });
      return;
    }
    entries.sort((a, b) => byPath(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // .git, .DS_Store, editors' folders
      const childShown = path.join(shown, entry.name);
      const childAbsolute = path.join(absolute, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = await fs.promises.stat(childAbsolute);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          if (isScannableName(entry.name)) errors.push({ path: childShown, message: `broken symbolic link: ${ioReason(e)}` });
          continue;
        }
      }
      if (isDir) await walk(childShown, childAbsolute, depth + 1);
      else if (isFile && isScannableName(entry.name)) await addFile(childShown, childAbsolute);
    }
  };

  for (const arg of args) {
    const absolute = path.resolve(cwd, arg);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(absolute);
    } catch (e) {
      errors.push({ path: arg, message: ioReason(e) });
      continue;
    }
    if (st.isDirectory()) await walk(arg, absolute, 0);
    else if (st.isFile()) await addFile(arg, absolute);
    else errors.push({ path: arg, message: 'not a regular file or folder' });
  }
  return { files, errors };
}

export class FileReadError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
