// The cloudtrailHunter.* settings, read and validated in one place. Hand-edited settings.json can
// hold anything, so each value is checked and a bad one falls back to its default with a log line.
// Settings are read fresh whenever they are needed: a change event can arrive after the new value
// is already in effect, and reading a few keys costs microseconds.

import * as vscode from 'vscode';
import { readSeveritySettings, type SeveritySettings } from './severity';
import { checkGlob, DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from './workspaceFiles';
import type { Log } from './log';

export const SECTION = 'cloudtrailHunter';

export interface HunterSettings {
  autoScan: boolean;
  debounceMs: number;
  maxFileSizeMB: number;
  ruleFolders: string[];
  disabledRules: Set<string>;
  severity: SeveritySettings;
  /** Globs of the workspace scan; an empty exclude leaves only VS Code's files.exclude. */
  workspaceScan: { include: string; exclude: string };
}

interface Warn {
  warn(message: string): void;
}

// Each complaint about a bad value is logged once, not on every read.
const reported = new Set<string>();

function warnOnce(log: Log | undefined): Warn {
  return {
    warn(message: string) {
      if (!log || reported.has(message)) return;
      reported.add(message);
      log.warn(message);
    },
  };
}

function stringList(value: unknown, name: string, log: Warn): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    log.warn(`${SECTION}.${name} must be a list of strings; ignored`);
    return [];
  }
  const out: string[] = [];
  for (const v of value) {
    if (typeof v === 'string' && v.trim() !== '') out.push(v.trim());
    else log.warn(`${SECTION}.${name}: ${JSON.stringify(v)} is not a non-empty string; ignored`);
  }
  return out;
}

function numberIn(value: unknown, min: number, max: number, fallback: number, name: string, log: Warn): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  if (value !== undefined) log.warn(`${SECTION}.${name}: ${JSON.stringify(value)} is not a number from ${min} to ${max}; using ${fallback}`);
  return fallback;
}

function glob(value: unknown, fallback: string, name: string, allowEmpty: boolean, log: Warn): string {
  const checked = checkGlob(value, fallback, `${SECTION}.${name}`, allowEmpty);
  if (checked.warning) log.warn(checked.warning);
  return checked.glob;
}

export function readSettings(log?: Log): HunterSettings {
  const warn = warnOnce(log);
  const config = vscode.workspace.getConfiguration(SECTION);
  const severity = readSeveritySettings(config.get('severityLevels'), config.get('severityOverrides'));
  for (const w of severity.warnings) warn.warn(w);
  return {
    autoScan: config.get('autoScan') !== false,
    debounceMs: numberIn(config.get('debounceMs'), 0, 10_000, 300, 'debounceMs', warn),
    maxFileSizeMB: numberIn(config.get('maxFileSizeMB'), 0.001, 2048, 50, 'maxFileSizeMB', warn),
    ruleFolders: stringList(config.get('ruleFolders'), 'ruleFolders', warn),
    disabledRules: new Set(stringList(config.get('disabledRules'), 'disabledRules', warn)),
    severity: severity.settings,
    workspaceScan: {
      include: glob(config.get('workspaceScan.include'), DEFAULT_INCLUDE, 'workspaceScan.include', false, warn),
      exclude: glob(config.get('workspaceScan.exclude'), DEFAULT_EXCLUDE, 'workspaceScan.exclude', true, warn),
    },
  };
}
