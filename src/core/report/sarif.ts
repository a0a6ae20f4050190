// SARIF 2.1.0 for code-scanning dashboards and CI. One run; tool.driver.rules lists every loaded
// rule; a result per finding with its region (1-based lines, columns in UTF-16 code units, declared
// by run.columnKind) and a partial fingerprint built from the rule id and the CloudTrail eventID, so
// the same event found again in another file or run is recognised as the same result.
// Input problems and unreadable paths become toolExecutionNotifications; rules that cannot run here
// become toolConfigurationNotifications.

import type * as Sarif from 'sarif';
import type { Finding, Problem, Rule, Severity } from '../types';
import { INVESTIGATION_FIELDS } from '../scan/fields';
import { escapeControls, jsonSafe } from './escape';
import { actionOf, actorOf, type FileResult, lineColumn, type ScanReport, sourceOf, timeOf } from './model';

export interface SarifOptions {
  /** Absolute path of the working folder; relative file URIs are resolved against it (%SRCROOT%). */
  cwd?: string;
  /** The page that documents a rule; defaults to Elastic's page for bundled rules. */
  helpUri?: (rule: Rule) => string | undefined;
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

const PROBLEM_LEVEL: Record<Problem['severity'], Sarif.Notification.level> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * Message text is plain text, but SARIF viewers turn `[text](target)` into links (embedded links,
 * SARIF 3.11.6). Log values must not become links: literal brackets are escaped with a backslash
 * as the spec requires, and so are literal backslashes, or a log's own `\[x\](https://...)` would
 * read as an escaped backslash before a live link. Controls are then shown as `\u{..}`.
 */
export function sarifText(text: string): string {
  return escapeControls(text.replace(/[\\[\]]/g, (b) => `\\${b}`));
}

/** Elastic's documentation page for a prebuilt rule, by its name. */
export function elasticRuleUri(rule: Rule): string {
  const slug = rule.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `https://www.elastic.co/guide/en/security/current/${slug}.html`;
}

function defaultHelpUri(rule: Rule): string | undefined {
  return rule.source.startsWith('bundled:') ? elasticRuleUri(rule) : undefined;
}

/** A rule name as the PascalCase identifier SARIF recommends for reportingDescriptor.name. */
function pascalName(name: string): string {
  const words = name.match(/[A-Za-z0-9]+/g) ?? [];
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') || 'Rule';
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** A file path as a URI reference: `/`-separated, each segment percent-encoded; absolute paths as file:///. */
export function pathToUri(p: string): string {
  const slashed = p.replace(/\\/g, '/');
  const encode = (s: string): string =>
    s
      .split('/')
      .map((seg) => (/^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg)))
      .join('/');
  if (slashed.startsWith('//')) return `file:${encode(slashed)}`; // UNC: file://server/share/...
  if (isAbsolutePath(p)) return `file://${slashed.startsWith('/') ? '' : '/'}${encode(slashed)}`;
  return encode(slashed);
}

function securitySeverity(riskScore: number): string {
  const s = Math.min(10, Math.max(0, riskScore / 10));
  return s.toFixed(1);
}

function ruleDescriptor(rule: Rule, helpUri: string | undefined): Sarif.ReportingDescriptor {
  const guide = rule.note?.trim() ? rule.note : rule.description;
  const tags = [...new Set(['security', ...rule.tags])];
  const descriptor: Sarif.ReportingDescriptor = {
    id: rule.ruleId,
    name: pascalName(rule.name),
    shortDescription: { text: rule.name },
    fullDescription: { text: rule.description || rule.name },
    help: { text: guide, markdown: guide },
    defaultConfiguration: { level: LEVEL[rule.severity] ?? 'warning' },
    properties: {
      tags,
      // GitHub code scanning reads a 0.0-10.0 score from this property; Elastic's risk score is 0-100.
      'security-severity': securitySeverity(rule.riskScore),
      // How often a rule's matches are true positives is unknown here: say so rather than claim more.
      precision: 'medium',
      severity: rule.severity,
      riskScore: rule.riskScore,
      ...(rule.version !== undefined ? { version: rule.version } : {}),
      type: rule.type,
      ...(rule.language ? { language: rule.language } : {}),
      ...(rule.query !== undefined ? { query: rule.query } : {}),
      source: rule.source,
    },
  };
  if (helpUri) descriptor.helpUri = helpUri;
  return descriptor;
}

/** Longest log value a message quotes (a 1 MB userAgent would make every message 1 MB); the whole value is in the properties. */
const MESSAGE_VALUE_LENGTH = 200;

function cut(value: string | undefined): string | undefined {
  if (value === undefined || value.length <= MESSAGE_VALUE_LENGTH) return value;
  let end = MESSAGE_VALUE_LENGTH;
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // not half a surrogate pair
  return `${value.slice(0, end)}…`;
}

function message(finding: Finding): string {
  const parts = [finding.rule.name];
  const action = cut(actionOf(finding));
  const actor = cut(actorOf(finding));
  const source = cut(sourceOf(finding));
  const time = cut(timeOf(finding));
  let detail = action ?? 'matching record';
  if (actor) detail += ` by ${actor}`;
  if (source) detail += ` from ${source}`;
  if (time) detail += ` at ${time}`;
  parts.push(detail);
  return sarifText(parts.join(': '));
}

export function sarifReport(report: ScanReport, options: SarifOptions = {}): Sarif.Log {
  const helpUri = options.helpUri ?? defaultHelpUri;
  const ruleIndex = new Map<string, number>();
  const rules: Sarif.ReportingDescriptor[] = [];
  const addRule = (rule: Rule): number => {
    let i = ruleIndex.get(rule.ruleId);
    if (i === undefined) {
      i = rules.length;
      ruleIndex.set(rule.ruleId, i);
      rules.push(ruleDescriptor(rule, helpUri(rule)));
    }
    return i;
  };
  for (const rule of report.rules) addRule(rule);

  const useBase = options.cwd !== undefined;
  const artifacts: Sarif.Artifact[] = [];
  const artifactLocation = (file: FileResult, index: number): Sarif.ArtifactLocation => {
    const uri = file.uri ?? pathToUri(file.file);
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(uri);
    return { uri, ...(relative && useBase ? { uriBaseId: '%SRCROOT%' } : {}), index };
  };

  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  report.files.forEach((file, fileIndex) => {
    const location = artifactLocation(file, fileIndex);
    const { index: _index, ...artifactOwnLocation } = location;
    artifacts.push({
      location: artifactOwnLocation,
      roles: ['analysisTarget'],
      ...(file.compressed ? { properties: { compressed: 'gzip', note: 'lines and columns refer to the decompressed text' } } : {}),
    });

    for (const f of file.result.findings) {
      const start = lineColumn(file, f.matched.start);
      const end = lineColumn(file, f.matched.end);
      const info = file.records?.get(f.recordIndex);
      const region: Sarif.Region = { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column };
      if (!file.compressed) {
        // Byte offsets only make sense in the file as stored; a .gz file is stored compressed.
        region.byteOffset = f.matched.start;
        region.byteLength = f.matched.end - f.matched.start;
      }
      const properties: Record<string, unknown> = {};
      for (const { field } of INVESTIGATION_FIELDS) if (f.fields[field] !== undefined) properties[field] = f.fields[field];
      for (const [k, v] of Object.entries(f.fields)) if (!(k in properties)) properties[k] = v;
      properties.matchedField = f.matchedField;
      properties.recordIndex = f.recordIndex;
      if (info?.eventId) properties['event.id'] = info.eventId;
      results.push({
        ruleId: f.rule.ruleId,
        ruleIndex: addRule(f.rule),
        level: LEVEL[f.rule.severity] ?? 'warning',
        kind: 'fail',
        message: { text: message(f) },
        locations: [{ physicalLocation: { artifactLocation: location, region } }],
        partialFingerprints: {
          // The event id is what stays the same when the same event is seen again; a record without
          // one is recognised by the digest of its bytes.
          'cloudtrailEvent/v1': `${f.rule.ruleId}:${info?.eventId ?? `record:${info?.digest ?? `${file.file}#${f.recordIndex}`}`}`,
        },
        ...(f.related.length > 0
          ? {
              relatedLocations: f.related.map((r, i) => {
                const at = lineColumn(file, r.record.start);
                return {
                  id: i,
                  message: { text: sarifText(cut(r.reason)!) },
                  physicalLocation: { artifactLocation: location, region: { startLine: at.line, startColumn: at.column } },
                };
              }),
            }
          : {}),
        properties,
      });
    }

    for (const p of file.result.problems) {
      const at = lineColumn(file, p.span.start);
      notifications.push({
        level: PROBLEM_LEVEL[p.severity],
        descriptor: { id: p.code },
        message: { text: sarifText(p.message) },
        locations: [{ physicalLocation: { artifactLocation: location, region: { startLine: at.line, startColumn: at.column } } }],
      });
    }
  });

  for (const e of report.errors) {
    notifications.push({
      level: 'error',
      descriptor: { id: 'unreadable-path' },
      message: { text: sarifText(`${e.file}: ${e.message}`) },
      locations: [{ physicalLocation: { artifactLocation: { uri: pathToUri(e.file), ...(!isAbsolutePath(e.file) && useBase ? { uriBaseId: '%SRCROOT%' } : {}) } } }],
    });
  }

  const configurationNotifications: Sarif.Notification[] = report.notEvaluated.map(({ rule, reason }) => ({
    level: 'note',
    descriptor: { id: 'rule-not-evaluated' },
    associatedRule: { id: rule.ruleId, index: addRule(rule) },
    message: { text: sarifText(`${rule.name} was not evaluated: ${reason}`) },
  }));

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        semanticVersion: /^\d+\.\d+\.\d+/.test(report.tool.version) ? report.tool.version : undefined,
        ...(report.tool.informationUri ? { informationUri: report.tool.informationUri } : {}),
        rules,
      },
    },
    invocations: [
      {
        executionSuccessful: report.errors.length === 0,
        toolExecutionNotifications: notifications,
        toolConfigurationNotifications: configurationNotifications,
      },
    ],
    artifacts,
    results,
    columnKind: 'utf16CodeUnits',
  };
  if (run.tool.driver.semanticVersion === undefined) delete run.tool.driver.semanticVersion;
  if (useBase) {
    run.originalUriBaseIds = { '%SRCROOT%': { uri: pathToUri(ensureTrailingSlash(options.cwd!)) } };
  }
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

function ensureTrailingSlash(p: string): string {
  return /[\\/]$/.test(p) ? p : `${p}/`;
}

export function formatSarif(report: ScanReport, options?: SarifOptions): string {
  return jsonSafe(JSON.stringify(sarifReport(report, options), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)) + '\n';
}
