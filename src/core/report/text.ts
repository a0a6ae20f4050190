// The human report: one aligned line per finding, then problems, then a summary line. Every value
// that came from a file (or a file name, or a rule file) passes through terminalSafe() first.

import type { Severity } from '../types';
import { displayWidth, padEnd, terminalSafe } from './escape';
import { actionOf, actorOf, lineColumn, plural, type ScanReport, sourceOf, summarize, summaryLine, timeOf } from './model';

export interface TextOptions {
  /** ANSI colour; only when writing to a terminal. */
  color?: boolean;
  /** Findings only: no header, problems, notes or summary. */
  quiet?: boolean;
}

interface Column {
  title: string;
  max: number; // widest a value may be before it is cut with an ellipsis
}

const COLUMNS: Column[] = [
  { title: 'RULE', max: 48 },
  { title: 'TIME', max: 24 },
  { title: 'ACTOR', max: 64 }, // room for an assumed-role ARN with its session name
  { title: 'ACTION', max: 32 },
  { title: 'SOURCE IP', max: 39 }, // an IPv6 address is at most 39 characters
  { title: 'LOCATION', max: Infinity }, // a location is never cut: it is how one finds the record
];

const SGR = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
};

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: SGR.bold + SGR.magenta,
  high: SGR.red,
  medium: SGR.yellow,
  low: SGR.blue,
};

const PROBLEM_COLOR: Record<string, string> = { error: SGR.red, warning: SGR.yellow, info: SGR.cyan };

export function formatText(report: ScanReport, options: TextOptions = {}): string {
  const paint = (style: string | undefined, text: string): string => (options.color && style ? style + text + SGR.reset : text);
  const out: string[] = [];

  // Cells are escaped and cut first, so widths are measured on what is printed.
  const rows: { cells: string[]; severity: Severity }[] = [];
  for (const file of report.files) {
    for (const finding of file.result.findings) {
      const { line, column } = lineColumn(file, finding.matched.start);
      const raw = [finding.rule.name, timeOf(finding), actorOf(finding), actionOf(finding), sourceOf(finding), `${file.file}:${line}:${column}`];
      rows.push({ cells: raw.map((v, i) => terminalSafe(v ?? '-', COLUMNS[i].max)), severity: finding.rule.severity });
    }
  }

  if (rows.length > 0) {
    const widths = COLUMNS.map((c, i) => Math.max(options.quiet ? 0 : c.title.length, ...rows.map((r) => displayWidth(r.cells[i]))));
    const last = COLUMNS.length - 1;
    const line = (cells: string[], style: (i: number) => string | undefined): string =>
      cells.map((cell, i) => paint(style(i), i === last ? cell : padEnd(cell, widths[i]))).join('  ');
    if (!options.quiet) out.push(line(COLUMNS.map((c) => c.title), () => SGR.bold));
    for (const row of rows) {
      out.push(line(row.cells, (i) => (i === 0 ? SEVERITY_COLOR[row.severity] : i === last ? SGR.dim : undefined)));
    }
  }

  if (!options.quiet) {
    const problems: string[] = [];
    for (const file of report.files) {
      for (const p of file.result.problems) {
        const { line, column } = lineColumn(file, p.span.start);
        const where = terminalSafe(`${file.file}:${line}:${column}`);
        problems.push(`  ${where}  ${paint(PROBLEM_COLOR[p.severity], p.severity)}  ${p.code}  ${terminalSafe(p.message, 400)}`);
      }
    }
    if (problems.length > 0) {
      if (out.length > 0) out.push('');
      out.push(paint(SGR.bold, 'Problems in input files (every record that could be read was scanned):'), ...problems);
    }

    if (report.notEvaluated.length > 0) {
      if (out.length > 0) out.push('');
      out.push(paint(SGR.bold, `${plural(report.notEvaluated.length, 'rule')} not evaluated:`));
      for (const { rule, reason } of report.notEvaluated) {
        out.push(`  ${terminalSafe(rule.name, 80)} (${terminalSafe(rule.ruleId, 60)}): ${terminalSafe(reason, 400)}`);
      }
    }

    if (out.length > 0) out.push('');
    out.push(summaryLine(summarize(report)));
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

