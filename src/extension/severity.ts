// Rule severity -> diagnostic severity, from the settings cloudtrailHunter.severityLevels and
// cloudtrailHunter.severityOverrides. Pure: settings arrive as plain objects of unknown shape
// (settings.json is hand-edited), so every value is validated and bad ones fall back to defaults.

import type { Severity } from '../core/types';

export type DiagnosticLevel = 'error' | 'warning' | 'information' | 'hint';

export const DEFAULT_SEVERITY_LEVELS: Readonly<Record<Severity, DiagnosticLevel>> = {
  low: 'information',
  medium: 'warning',
  high: 'error',
  critical: 'error',
};

const ALIASES: Record<string, DiagnosticLevel> = {
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  hint: 'hint',
};

/** A diagnostic level written in settings, or undefined when it is not one. */
export function parseLevel(value: unknown): DiagnosticLevel | undefined {
  return typeof value === 'string' ? ALIASES[value.trim().toLowerCase()] : undefined;
}

export interface SeveritySettings {
  levels: Record<Severity, DiagnosticLevel>;
  overrides: ReadonlyMap<string, DiagnosticLevel>;
}

/** Validates raw setting values; returns the usable settings and a message per ignored entry. */
export function readSeveritySettings(levels: unknown, overrides: unknown): { settings: SeveritySettings; warnings: string[] } {
  const warnings: string[] = [];
  const out: Record<Severity, DiagnosticLevel> = { ...DEFAULT_SEVERITY_LEVELS };
  if (levels && typeof levels === 'object' && !Array.isArray(levels)) {
    for (const [key, value] of Object.entries(levels)) {
      if (!(key in DEFAULT_SEVERITY_LEVELS)) {
        warnings.push(`cloudtrailHunter.severityLevels: "${key}" is not a rule severity (low, medium, high, critical)`);
        continue;
      }
      const level = parseLevel(value);
      if (level) out[key as Severity] = level;
      else warnings.push(`cloudtrailHunter.severityLevels.${key}: ${JSON.stringify(value)} is not error, warning, information or hint`);
    }
  }
  const map = new Map<string, DiagnosticLevel>();
  if (overrides && typeof overrides === 'object' && !Array.isArray(overrides)) {
    for (const [ruleId, value] of Object.entries(overrides)) {
      const level = parseLevel(value);
      if (level) map.set(ruleId, level);
      else warnings.push(`cloudtrailHunter.severityOverrides["${ruleId}"]: ${JSON.stringify(value)} is not error, warning, information or hint`);
    }
  }
  return { settings: { levels: out, overrides: map }, warnings };
}

export function levelFor(rule: { ruleId: string; severity: Severity }, settings: SeveritySettings): DiagnosticLevel {
  return settings.overrides.get(rule.ruleId) ?? settings.levels[rule.severity] ?? DEFAULT_SEVERITY_LEVELS.medium;
}
