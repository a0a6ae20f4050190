// scan(input, rules) -> findings: the one place where records, ECS documents and rules meet.
// Faces (CLI, extension, workers) call prepareRules once and then scan as many inputs as they like.

import { RecordScanner } from '../input';
import type { Skimmer } from '../input/skim';
import { cloudTrailToEcs, cloudTrailPathOf, documentView, ecsPathOf, type Provenance } from '../ecs';
import { evaluateKql, parseKql, KqlQuery } from '../kql';
import { evaluability } from '../rules';
import type { FieldSource, Finding, FoundRecord, Prefilter, Problem, Rule, ScanResult, Span } from '../types';
import { INVESTIGATION_FIELDS } from './fields';
import { prefilterFor, recordGateFor, type RecordGate } from './prefilter';

export interface CompiledRule {
  rule: Rule;
  query: KqlQuery;
}

export interface RuleSet {
  rules: CompiledRule[];
  notEvaluated: { rule: Rule; reason: string }[];
  /** Rules out records that no rule can match, from their raw bytes; undefined when no sound test exists. */
  prefilter?: Prefilter;
  /** Rules out parsed CloudTrail records that no rule can match, before they are mapped (see recordGateFor). */
  recordGate?: RecordGate;
}

export interface ScanOptions {
  /** Skip records the rules provably cannot match without parsing them (default true). */
  prefilter?: boolean;
  /** Read records with the WebAssembly fast path where it applies (default true; see input/skim.ts). */
  fastPath?: boolean;
  /** A skimmer shared with the caller's position tracker (see ScannerOptions.skimmer). */
  skimmer?: Skimmer;
  /**
   * Called with each finding as soon as it is known, during push() or end(), while the record's
   * bytes were just pushed (a streaming caller can still read them). `related` is filled at end().
   */
  onFinding?(finding: Finding): void;
  /** Called with each problem as soon as it is known, like onFinding. */
  onProblem?(problem: Problem): void;
}

/** Compiles every rule's query once. Rules that cannot run here are kept with the reason. */
export function prepareRules(rules: readonly Rule[]): RuleSet {
  const set: RuleSet = { rules: [], notEvaluated: [] };
  for (const rule of rules) {
    const reason = evaluability(rule);
    if (reason !== undefined) {
      set.notEvaluated.push({ rule, reason });
      continue;
    }
    try {
      set.rules.push({ rule, query: parseKql(rule.query ?? '') });
    } catch (e) {
      set.notEvaluated.push({ rule, reason: `its query does not parse: ${(e as Error).message}` });
    }
  }
  set.prefilter = prefilterFor(set.rules.map((r) => r.query));
  set.recordGate = recordGateFor(set.rules.map((r) => r.query));
  return set;
}

/** Scans a stream of UTF-8 chunks; also the engine behind scanBytes and scanText. */
export class StreamingScan {
  private readonly scanner: RecordScanner;
  private readonly findings: Finding[] = [];
  private readonly problems: Problem[] = [];

  private readonly onFinding: ((finding: Finding) => void) | undefined;
  private readonly recordGate: RecordGate | undefined;

  constructor(private readonly ruleSet: RuleSet, options: ScanOptions = {}) {
    const prefilter = options.prefilter === false ? undefined : ruleSet.prefilter;
    this.recordGate = options.prefilter === false ? undefined : ruleSet.recordGate;
    this.onFinding = options.onFinding;
    const onProblem = options.onProblem;
    this.scanner = new RecordScanner(
      {
        record: (r) => this.evaluate(r),
        problem: (p) => {
          this.problems.push(p);
          onProblem?.(p);
        },
      },
      { prefilter, fastPath: options.fastPath, skimmer: options.skimmer },
    );
  }

  push(chunk: Uint8Array): this {
    this.scanner.push(chunk);
    return this;
  }

  /** Reads chunk[from, ...) up to the end of a record at or after stopAfter: see RecordScanner.pushPart. */
  pushPart(chunk: Uint8Array, from: number, stopAfter: number): number {
    return this.scanner.pushPart(chunk, from, stopAfter);
  }

  end(): ScanResult {
    this.scanner.end();
    linkRelated(this.findings);
    return {
      shape: this.scanner.shape,
      recordCount: this.scanner.recordCount,
      findings: this.findings,
      problems: this.problems,
      notEvaluated: this.ruleSet.notEvaluated,
    };
  }

  private evaluate(record: FoundRecord): void {
    if (this.ruleSet.rules.length === 0) return;
    if (this.recordGate && record.format === 'cloudtrail' && !this.recordGate(record.value)) return;
    // where each field came from, noted while mapping: the underline needs it for every finding
    const prov: Provenance | undefined = record.format === 'cloudtrail' ? new Map() : undefined;
    const doc = prov ? cloudTrailToEcs(record.value, prov) : record.value;
    const view = documentView(doc);
    for (const { rule, query } of this.ruleSet.rules) {
      const matchedFields: string[] = [];
      if (!evaluateKql(query, view, matchedFields)) continue;
      const { field, span } = underline(record, matchedFields, prov);
      const finding: Finding = {
        rule,
        recordIndex: record.index,
        record: record.span,
        matched: span,
        matchedField: field,
        fields: investigationValues(view, rule),
        related: [],
      };
      this.findings.push(finding);
      this.onFinding?.(finding);
    }
  }
}

export function scanBytes(bytes: Uint8Array, ruleSet: RuleSet, options?: ScanOptions): ScanResult {
  return new StreamingScan(ruleSet, options).push(bytes).end();
}

export function scanText(text: string, ruleSet: RuleSet, options?: ScanOptions): ScanResult {
  return scanBytes(new TextEncoder().encode(text), ruleSet, options);
}

// The action is what a responder reads first, so it is underlined whenever it took part in the match.
const PREFERRED_UNDERLINE = ['event.action', 'event.provider', 'event.outcome'];

function underline(record: FoundRecord, matchedFields: string[], prov: Provenance | undefined): { field: string; span: Span } {
  const ordered = [
    ...PREFERRED_UNDERLINE.filter((f) => matchedFields.includes(f)),
    ...matchedFields.filter((f) => !PREFERRED_UNDERLINE.includes(f)),
  ];
  for (const field of ordered) {
    const path = record.format === 'cloudtrail' ? cloudTrailPathOf(field, record.value, prov) : ecsPathOf(field, record.value);
    const span = path && record.locate(path);
    if (span) return { field, span };
  }
  return { field: '', span: record.span };
}

function investigationValues(view: FieldSource, rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = [...INVESTIGATION_FIELDS.map((f) => f.field), ...rule.investigationFields];
  for (const name of names) {
    if (name in out) continue;
    const values = view.get(name);
    if (values.length > 0) out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

const MAX_RELATED = 20;

/** Findings of one file that share a principal ARN or an access key point at each other. */
function linkRelated(findings: Finding[]): void {
  const keys: [string, string][] = [
    ['aws.cloudtrail.user_identity.access_key_id', 'same access key'],
    ['aws.cloudtrail.user_identity.arn', 'same principal'],
  ];
  for (const [field, label] of keys) {
    const groups = new Map<string, Finding[]>();
    for (const f of findings) {
      const v = f.fields[field];
      if (typeof v !== 'string' || v === '') continue;
      const g = groups.get(v);
      if (g) g.push(f);
      else groups.set(v, [f]);
    }
    for (const [value, group] of groups) {
      if (group.length < 2) continue;
      for (const f of group) {
        for (const other of group) {
          if (other.recordIndex === f.recordIndex || f.related.length >= MAX_RELATED) continue;
          if (f.related.some((r) => r.recordIndex === other.recordIndex)) continue;
          f.related.push({ recordIndex: other.recordIndex, record: other.record, reason: `${label} ${value}` });
        }
      }
    }
  }
}
