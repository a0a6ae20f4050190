// The machine-readable report (`--format json`). Its shape is a contract for scripts; add fields,
// never rename or remove them without raising `schemaVersion`.
//
// {
//   "schemaVersion": 1,
//   "tool": { "name": "CloudTrail Hunter", "version": "0.1.0" },
//   "findings": [{
//     "rule": { "id", "name", "severity", "riskScore", "version"? },
//     "file": "samples/export.jsonl",       // as given / relative to the working folder
//     "compressed": false,                    // true: positions are in the decompressed text
//     "line": 6, "column": 312,               // 1-based; columns count UTF-16 code units
//     "endLine": 6, "endColumn": 340,         // the underlined value (end exclusive)
//     "byteOffset": 4211, "byteLength": 28,   // the same span in bytes
//     "matchedField": "event.action",
//     "record": { "index": 5, "line", "column", "byteOffset", "byteLength", "eventId"? },
//     "fields": { "@timestamp": "...", "event.action": "...", ... },   // values as in the log
//     "related": [{ "recordIndex", "line", "column", "reason" }]
//   }],
//   "problems": [{ "file", "line", "column", "byteOffset", "byteLength", "code", "severity", "message" }],
//   "errors": [{ "file", "message" }],                 // paths that could not be read at all
//   "notEvaluated": [{ "ruleId", "name", "reason" }],
//   "summary": { "findings", "files", "records", "problems", "errors", "byRule": { "<rule id>": n } }
// }
//
// JSON.stringify escapes what JSON needs, jsonSafe what a terminal would act on; JSON.parse gives
// back log values exactly as they were.

import { jsonSafe } from './escape';
import { lineColumn, type ScanReport, summarize } from './model';

export function jsonReport(report: ScanReport): unknown {
  const byRule: Record<string, number> = {};
  const findings = report.files.flatMap((file) =>
    file.result.findings.map((f) => {
      byRule[f.rule.ruleId] = (byRule[f.rule.ruleId] ?? 0) + 1;
      const start = lineColumn(file, f.matched.start);
      const end = lineColumn(file, f.matched.end);
      const recordStart = lineColumn(file, f.record.start);
      const info = file.records?.get(f.recordIndex);
      return {
        rule: {
          id: f.rule.ruleId,
          name: f.rule.name,
          severity: f.rule.severity,
          riskScore: f.rule.riskScore,
          ...(f.rule.version !== undefined ? { version: f.rule.version } : {}),
        },
        file: file.file,
        compressed: file.compressed === true,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        byteOffset: f.matched.start,
        byteLength: f.matched.end - f.matched.start,
        matchedField: f.matchedField,
        record: {
          index: f.recordIndex,
          line: recordStart.line,
          column: recordStart.column,
          byteOffset: f.record.start,
          byteLength: f.record.end - f.record.start,
          ...(info?.eventId !== undefined ? { eventId: info.eventId } : {}),
        },
        fields: f.fields,
        related: f.related.map((r) => {
          const at = lineColumn(file, r.record.start);
          return { recordIndex: r.recordIndex, line: at.line, column: at.column, reason: r.reason };
        }),
      };
    }),
  );
  const problems = report.files.flatMap((file) =>
    file.result.problems.map((p) => {
      const at = lineColumn(file, p.span.start);
      return {
        file: file.file,
        line: at.line,
        column: at.column,
        byteOffset: p.span.start,
        byteLength: p.span.end - p.span.start,
        code: p.code,
        severity: p.severity,
        message: p.message,
      };
    }),
  );
  return {
    schemaVersion: 1,
    tool: { name: report.tool.name, version: report.tool.version },
    findings,
    problems,
    errors: report.errors.map((e) => ({ file: e.file, message: e.message })),
    notEvaluated: report.notEvaluated.map(({ rule, reason }) => ({ ruleId: rule.ruleId, name: rule.name, reason })),
    summary: { ...summarize(report), byRule },
  };
}

export function formatJson(report: ScanReport): string {
  // A number too large for a double may reach us as a BigInt; JSON has no BigInt, so write its digits.
  // Bidi and C1 controls from a log stay in the values but are written escaped (see jsonSafe).
  return jsonSafe(JSON.stringify(jsonReport(report), (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)) + '\n';
}
