// Node-side rule loading: folders of detection-rules TOML files (a user's own rules or a checkout
// of elastic/detection-rules) and the rules bundled in the package's rules/ folder.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_RULE_FILES, RuleError, parseRuleFile, parseRuleToml, ruleKeyPosition } from '../core/rules';
import type { Rule, RuleLoadError } from '../core/types';

/** Rule files are a few KB; anything far larger is not a rule and is not worth holding in memory. */
const MAX_RULE_FILE_BYTES = 4 * 1024 * 1024;
/** Deep enough for any real rules tree; stops runaway recursion. */
const MAX_DEPTH = 32;
const PACKAGE_NAME = 'cloudtrail-hunter';

export interface RuleFolder {
  rules: Rule[];
  errors: RuleLoadError[];
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
}

/**
 * Every *.toml file under `dir`, sorted by path (code-unit order, the same on every platform).
 * Hidden entries (.git, .github, ...) and node_modules are skipped; symlinked folders are followed once.
 */
function tomlFiles(dir: string, errors: RuleLoadError[]): string[] {
  const found: string[] = [];
  const visited = new Set<string>();
  const walk = (folder: string, depth: number): void => {
    let real: string;
    try {
      real = fs.realpathSync(folder);
    } catch (e) {
      errors.push(new RuleError(folder, 0, 0, `cannot read folder: ${errorText(e)}`));
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    if (depth > MAX_DEPTH) {
      errors.push(new RuleError(folder, 0, 0, `folder nested deeper than ${MAX_DEPTH} levels: not read`));
      return;
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch (e) {
      errors.push(new RuleError(folder, 0, 0, `cannot read folder: ${errorText(e)}`));
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link is not a rule
        }
      }
      if (isDir) {
        if (entry.name !== 'node_modules') walk(full, depth + 1);
      } else if (isFile && entry.name.toLowerCase().endsWith('.toml')) {
        found.push(full);
      }
    }
  };
  let isFile = false;
  try {
    isFile = fs.statSync(dir).isFile();
  } catch {
    // walk() reports the folder as unreadable
  }
  if (isFile) found.push(dir);
  else walk(dir, 0);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readRuleText(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_RULE_FILE_BYTES) {
    throw new RuleError(file, 0, 0, `file is ${size} bytes, more than the ${MAX_RULE_FILE_BYTES} a rule file may have: not read`);
  }
  const bytes = fs.readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RuleError(file, 0, 0, 'file is not valid UTF-8 text: not read');
  }
}

/**
 * Loads every rule under `dir` (recursively, *.toml; `dir` may also be one .toml file).
 *
 * A TOML file with neither a [rule] nor a [metadata] table is not a rule file (pyproject.toml,
 * hunting queries, configuration) and is skipped silently; one with [metadata] but no [rule] looks
 * like a broken rule and is reported. A broken file is reported and the others still load. When two
 * files share a rule_id, the first by path is kept and the second is reported, naming both.
 */
export function loadRuleFolder(dir: string): RuleFolder {
  const errors: RuleLoadError[] = [];
  const rules: Rule[] = [];
  const byId = new Map<string, string>();
  for (const file of tomlFiles(dir, errors)) {
    let text: string;
    let rule: Rule | undefined;
    try {
      text = readRuleText(file);
      rule = parseRuleFile(text, file);
    } catch (e) {
      errors.push(e instanceof RuleError ? e : new RuleError(file, 0, 0, `cannot read file: ${errorText(e)}`));
      continue;
    }
    if (!rule) continue;
    const first = byId.get(rule.ruleId);
    if (first !== undefined) {
      const { line, column } = ruleKeyPosition(text, 'rule_id');
      errors.push(new RuleError(file, line, column, `duplicate rule_id ${JSON.stringify(rule.ruleId)}: already loaded from ${first}; this file was not loaded`));
      continue;
    }
    byId.set(rule.ruleId, file);
    rules.push(rule);
  }
  return { rules, errors };
}

let packageRoot: string | undefined;

/**
 * The folder of this package's package.json, found by walking up from `start` (out/src/node when
 * compiled by tsc, dist/ when bundled by esbuild, an installed extension's folder in VS Code).
 */
export function findPackageRoot(start: string = __dirname): string {
  if (start === __dirname && packageRoot !== undefined) return packageRoot;
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (pkg.name === PACKAGE_NAME) {
        if (start === __dirname) packageRoot = dir;
        return dir;
      }
    } catch {
      // no package.json here, or not JSON: keep walking up
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find the ${PACKAGE_NAME} package (its package.json) in ${start} or any folder above it`);
    }
  }
}

/** The rules shipped in the package's rules/ folder; source is "bundled:<file>". Throws if one is broken. */
export function loadBundledRules(): Rule[] {
  const dir = path.join(findPackageRoot(), 'rules');
  return BUNDLED_RULE_FILES.map((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    try {
      return parseRuleToml(text, `bundled:${file}`);
    } catch (e) {
      throw new Error(`bundled rule is broken: ${String(e)}`);
    }
  });
}
