// The rules the extension evaluates: the bundled ones, plus the folders in cloudtrailHunter.ruleFolders
// (only in a trusted workspace: a rule file decides what is reported, so an untrusted repository
// must not be able to add, replace or silence rules), less cloudtrailHunter.disabledRules.
// Rule files that fail to load are reported in the output channel and as diagnostics on the file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadBundledRules, loadRuleFolder } from '../node/ruleFiles';
import type { Rule, RuleLoadError } from '../core/types';
import { describeError, type Log } from './log';
import type { HunterSettings } from './settings';

/** Logged once per load in an untrusted workspace: what the workspace cannot change there. */
export const RESTRICTED_NOTICE =
  'Restricted Mode: this workspace is not trusted, so CloudTrail Hunter scans with its bundled rules only and ignores the ' +
  'workspace settings cloudtrailHunter.ruleFolders, cloudtrailHunter.disabledRules and cloudtrailHunter.severityOverrides ' +
  '(trust the workspace to use them)';

export class RuleStore implements vscode.Disposable {
  private all: Rule[] = [];
  private enabled: Rule[] = [];
  private readonly changed = new vscode.EventEmitter<readonly Rule[]>();
  /** Fires with the enabled rules after every load. */
  readonly onDidChange = this.changed.event;
  private readonly errorsCollection = vscode.languages.createDiagnosticCollection('cloudtrail-hunter-rules');
  private watchers: vscode.Disposable[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  private folderKey = '';
  /** What the loaded rules were computed from: folders, trust and disabled ids. */
  private loadedKey: string | undefined;

  private restrictedNotice: string | undefined;

  constructor(private readonly log: Log, private readonly settings: () => HunterSettings) {}

  /** What the user is told while the workspace is untrusted (also in the output channel); undefined when trusted. */
  get trustNotice(): string | undefined {
    return this.restrictedNotice;
  }

  /** Rules that run (enabled). */
  get rules(): readonly Rule[] {
    return this.enabled;
  }

  /** Every loaded rule, disabled ones included (for the guide's rule picker). */
  get allRules(): readonly Rule[] {
    return this.all;
  }

  find(ruleId: string): Rule | undefined {
    return this.all.find((r) => r.ruleId === ruleId);
  }

  private keyOf(settings: HunterSettings): string {
    return JSON.stringify([this.resolveFolders(settings.ruleFolders), [...settings.disabledRules].sort(), vscode.workspace.isTrusted]);
  }

  /** Reloads when the rule settings (or trust) changed since the last load; true when it did. */
  ensureCurrent(): boolean {
    if (this.keyOf(this.settings()) === this.loadedKey) return false;
    this.load();
    return true;
  }

  load(): void {
    const settings = this.settings();
    this.loadedKey = this.keyOf(settings);
    const errors: RuleLoadError[] = [];
    let rules: Rule[] = [];
    try {
      rules = loadBundledRules();
    } catch (e) {
      this.log.error(`bundled rules: ${describeError(e)}`);
    }
    const folders = this.resolveFolders(settings.ruleFolders);
    // VS Code hides the workspace's values of restricted settings in Restricted Mode, so whether the
    // workspace set any cannot be known here: say what is ignored whenever the workspace is untrusted.
    const notice = vscode.workspace.isTrusted ? undefined : RESTRICTED_NOTICE;
    if (notice && notice !== this.restrictedNotice) this.log.warn(notice);
    this.restrictedNotice = notice;
    const byId = new Map(rules.map((r) => [r.ruleId, r] as const));
    for (const folder of folders) {
      const started = Date.now();
      let loaded: { rules: Rule[]; errors: RuleLoadError[] };
      try {
        loaded = loadRuleFolder(folder);
      } catch (e) {
        errors.push({ file: folder, line: 0, column: 0, message: `cannot load rules: ${describeError(e)}` });
        continue;
      }
      errors.push(...loaded.errors);
      for (const rule of loaded.rules) {
        const previous = byId.get(rule.ruleId);
        if (previous && !previous.source.startsWith('bundled:')) {
          errors.push({ file: rule.source, line: 0, column: 0, message: `duplicate rule_id ${JSON.stringify(rule.ruleId)}: already loaded from ${previous.source}; this file was not loaded` });
          continue;
        }
        // A user's copy of a bundled rule wins: they may have tuned it.
        if (previous) this.log.info(`rule ${rule.ruleId} from ${rule.source} replaces the bundled copy`);
        byId.set(rule.ruleId, rule);
      }
      this.log.info(`loaded ${loaded.rules.length} rules from ${folder} in ${Date.now() - started} ms (${loaded.errors.length} errors)`);
    }
    this.all = [...byId.values()];
    this.enabled = this.all.filter((r) => !settings.disabledRules.has(r.ruleId));
    const disabled = this.all.length - this.enabled.length;
    this.log.info(`rules: ${this.enabled.length} enabled${disabled ? `, ${disabled} disabled by cloudtrailHunter.disabledRules` : ''}`);
    this.reportErrors(errors);
    this.watch(folders);
    this.changed.fire(this.enabled);
  }

  /** Reloads after rule files change on disk, in one go when many change at once (a git checkout). */
  scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      this.load();
    }, 500);
  }

  /** Absolute folders to load; none in an untrusted workspace. `~`, `${workspaceFolder}` and relative paths are resolved. */
  resolveFolders(configured: readonly string[]): string[] {
    if (!vscode.workspace.isTrusted) return [];
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const out: string[] = [];
    for (const raw of configured) {
      let p = raw;
      if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = path.join(os.homedir(), p.slice(1));
      if (p.includes('${workspaceFolder}')) {
        if (roots.length === 0) {
          this.log.warn(`cloudtrailHunter.ruleFolders: ${raw} needs an open workspace folder; skipped`);
          continue;
        }
        for (const root of roots) out.push(path.normalize(p.split('${workspaceFolder}').join(root)));
        continue;
      }
      if (path.isAbsolute(p)) out.push(path.normalize(p));
      else if (roots.length > 0) for (const root of roots) out.push(path.resolve(root, p));
      else this.log.warn(`cloudtrailHunter.ruleFolders: ${raw} is relative and no workspace folder is open; skipped`);
    }
    return [...new Set(out)];
  }

  private reportErrors(errors: readonly RuleLoadError[]): void {
    this.errorsCollection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of errors) {
      this.log.error(e.line > 0 ? `${e.file}:${e.line}:${e.column}: ${e.message}` : `${e.file}: ${e.message}`);
      const line = Math.max(0, e.line - 1);
      const column = Math.max(0, e.column - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, column, line, column + 1), e.message, vscode.DiagnosticSeverity.Error);
      d.source = 'CloudTrail Hunter';
      const list = byFile.get(e.file) ?? [];
      list.push(d);
      byFile.set(e.file, list);
    }
    for (const [file, diagnostics] of byFile) {
      if (path.isAbsolute(file)) this.errorsCollection.set(vscode.Uri.file(file), diagnostics);
    }
  }

  private watch(folders: readonly string[]): void {
    const key = folders.join('\n');
    if (key === this.folderKey) return;
    this.folderKey = key;
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    for (const folder of folders) {
      let pattern: vscode.RelativePattern;
      try {
        // A configured entry may be a single rule file rather than a folder.
        pattern = fs.statSync(folder).isFile()
          ? new vscode.RelativePattern(vscode.Uri.file(path.dirname(folder)), path.basename(folder))
          : new vscode.RelativePattern(vscode.Uri.file(folder), '**/*.toml');
      } catch {
        continue; // missing: already reported by the loader
      }
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const reload = () => this.scheduleReload();
      this.watchers.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    }
  }

  dispose(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const w of this.watchers) w.dispose();
    this.errorsCollection.dispose();
    this.changed.dispose();
  }
}
