// Findings -> text / JSON / SARIF / CSV. Pure functions over a ScanReport; callers do the I/O.

import { formatCsv } from './csv';
import { formatJson } from './json';
import type { ScanReport } from './model';
import { formatSarif, type SarifOptions } from './sarif';
import { formatText, type TextOptions } from './text';

export * from './model';
export { escapeControls, terminalSafe, displayWidth, padEnd, isUnsafeCodePoint, valueText } from './escape';
export { formatText, type TextOptions } from './text';
export { formatJson, jsonReport } from './json';
export { formatSarif, sarifReport, sarifText, pathToUri, elasticRuleUri, SARIF_SCHEMA, type SarifOptions } from './sarif';
export { formatCsv, csvCell } from './csv';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export function formatReport(format: ReportFormat, report: ScanReport, options: TextOptions & SarifOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(report, options);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, options);
    case 'csv':
      return formatCsv(report);
  }
}
