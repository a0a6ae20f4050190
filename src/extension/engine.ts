// One scan of one document's text: the engine call plus the offset -> position mapping, shared by
// the scan worker (scanWorker.ts) and the in-process fallback. No 'vscode' import, no Node-only API.

import { prepareRules, scanBytes, type RuleSet } from '../core/scan';
import { PositionMapper } from '../core/input/positions';
import { RecordScanner } from '../core/input';
import type { Range, Rule } from '../core/types';
import { toScanView, type ScanView } from './scanView';

/** Rules compiled once and reused for every scan until the rule list changes. */
export class PreparedRules {
  readonly ruleSet: RuleSet;
  constructor(readonly rules: readonly Rule[]) {
    this.ruleSet = prepareRules([...rules]);
  }
}

export function scanDocumentText(text: string, prepared: PreparedRules): ScanView {
  const started = Date.now();
  // The engine works on UTF-8 bytes; the same bytes give the positions back in UTF-16 terms.
  const bytes = new TextEncoder().encode(text);
  const result = scanBytes(bytes, prepared.ruleSet);
  const mapper = new PositionMapper(bytes);
  return toScanView(result, prepared.rules, mapper, Date.now() - started);
}

/**
 * Where record `recordIndex` of a document is, found by the engine's record finder. For revealing
 * a record that is not a finding (findings carry their own ranges); keeps only the one record.
 */
export function locateRecord(text: string, recordIndex: number): Range | undefined {
  const bytes = new TextEncoder().encode(text);
  let span: { start: number; end: number } | undefined;
  const scanner = new RecordScanner({
    record: (r) => {
      if (r.index === recordIndex) span = r.span;
    },
    problem: () => undefined,
  });
  scanner.push(bytes);
  scanner.end();
  return span ? new PositionMapper(bytes).rangeOf(span) : undefined;
}
