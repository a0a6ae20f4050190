// One row per finding, the investigation fields as columns, for spreadsheets (RFC 4180: CRLF rows,
// quoted cells). Spreadsheets run a cell that starts with = + - @ (or TAB/CR, which some strip first)
// as a formula: a log value like `=HYPERLINK(...)` would become live. Such cells get a leading
// apostrophe. Terminal escapes (ESC, other C0/C1 controls) and bidi/invisible characters are shown as
// `\u{..}` so that the CSV is also safe to print; TAB, CR and LF stay, inside quotes.

import { INVESTIGATION_FIELDS } from '../scan/fields';
import { escapeControls, valueText } from './escape';
import { lineColumn, type ScanReport } from './model';

const FORMULA_START = /^[=+\-@\t\r]/;
// C0 controls but TAB, LF and CR; DEL; C1 controls; bidi controls and invisible characters, which
// make a cell read differently than it is in a spreadsheet and on a terminal alike.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** One cell, neutralised and quoted as needed. */
export function csvCell(value: unknown): string {
  let text = valueText(value).replace(CONTROLS, (c) => escapeControls(c));
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Column headers that start with `@` would themselves look like formulas: `@timestamp` is written `timestamp`. */
function header(field: string): string {
  return field.startsWith('@') ? field.slice(1) : field;
}

export function formatCsv(report: ScanReport): string {
  // The standard fields, then every rule's own investigation fields in the order first seen.
  const fields: string[] = INVESTIGATION_FIELDS.map((f) => f.field);
  for (const file of report.files) {
    for (const f of file.result.findings) {
      for (const name of f.rule.investigationFields) if (!fields.includes(name)) fields.push(name);
    }
  }
  const fixed = ['file', 'line', 'column', 'rule_id', 'rule_name', 'severity', 'risk_score', 'event_id'];
  const rows: string[] = [[...fixed, ...fields.map(header)].map(csvCell).join(',')];
  for (const file of report.files) {
    for (const f of file.result.findings) {
      const { line, column } = lineColumn(file, f.matched.start);
      const cells: unknown[] = [
        file.file,
        line,
        column,
        f.rule.ruleId,
        f.rule.name,
        f.rule.severity,
        f.rule.riskScore,
        file.records?.get(f.recordIndex)?.eventId ?? '',
        ...fields.map((name) => f.fields[name]),
      ];
      rows.push(cells.map(csvCell).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}
