// The contracts between the engine's parts. Every module of src/core speaks in these types;
// faces (CLI, extension) consume ScanResult and nothing below it.
//
// Positions: the engine works on the UTF-8 bytes of a file. A Span is a pair of byte offsets
// (end exclusive) into those bytes. Faces convert byte offsets to line/character positions
// (UTF-16 code units, as VS Code counts) with input/positions.ts.

export interface Span {
  start: number;
  end: number;
}

/** A 0-based line and UTF-16 character, the way VS Code addresses text. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** What a file turned out to hold, decided from its content. */
export type FileShape =
  | 's3-envelope' // {"Records":[...]}
  | 'array' // [ {...}, ... ]
  | 'single' // one record object
  | 'json-lines' // one value per line (also several concatenated values)
  | 'lookup-events' // aws cloudtrail lookup-events output: {"Events":[{"CloudTrailEvent":"<json string>"}]}
  | 'elasticsearch-hits' // {"hits":{"hits":[{"_source":{...}}]}}
  | 'digest' // a CloudTrail digest file: not events
  | 'empty'
  | 'unknown'; // JSON, but no records in it

/** Which mapping a record needs before rules can read it. */
export type RecordFormat = 'cloudtrail' | 'ecs';

export interface FoundRecord {
  /** 0-based ordinal among the records of the file, in file order. */
  index: number;
  /** The record in the file. For lookup-events: the CloudTrailEvent string literal, quotes included. */
  span: Span;
  /** The parsed record (already unwrapped from `_source`, already decoded from a CloudTrailEvent string). */
  value: Record<string, unknown>;
  format: RecordFormat;
  /**
   * The span in the file of the value at `path` inside `value` (object keys as decoded; array
   * indexes as decimal strings). For a string value the span covers its quotes. Undefined when
   * the path does not exist. Called rarely (only for findings): it may re-parse the record.
   */
  locate(path: readonly string[]): Span | undefined;
}

export type ProblemCode =
  | 'json-syntax' // broken JSON: truncated, stray characters, invalid tokens
  | 'invalid-encoding' // invalid UTF-8, UTF-16 without a BOM, binary data
  | 'not-events' // a digest file, or JSON with no records
  | 'unreadable-record' // a record that is JSON but not a usable record (e.g. CloudTrailEvent not JSON)
  | 'rule-not-evaluated' // a rule that cannot run here (type, language, fields that need GeoIP, ...)
  | 'too-large'; // limits: a value or a nesting depth over what the scanner accepts

export interface Problem {
  code: ProblemCode;
  severity: 'error' | 'warning' | 'info';
  /** Human text: what is wrong, and what was done about it (records before/after are still scanned). */
  message: string;
  /** Where in the file (bytes). Zero-length at the point of failure when there is no better extent. */
  span: Span;
}

/** Receives what a RecordScanner finds, in file order. */
export interface RecordSink {
  record(record: FoundRecord): void;
  problem(problem: Problem): void;
  /** A record whose bytes the prefilter ruled out; it was not parsed. */
  skipped?(span: Span): void;
}

/**
 * A test a record's raw bytes must pass to be parsed at all. `hasBackslash` tells whether the
 * record's bytes contain any escape sequence, which could hide a literal.
 */
export type Prefilter = ((bytes: Uint8Array, start: number, end: number, hasBackslash: boolean) => boolean) & {
  /** UTF-8 bytes without which a record is not kept, unless an escape of `requiredHiddenBy` may spell them. */
  readonly required?: Uint8Array;
  /**
   * Which escapes may spell `required` differently: any (`\"` and the like, for text with quotes,
   * backslashes, slashes or control characters), `\u` escapes (for text beyond ASCII), or only the
   * `\u00XX` escapes of ASCII characters (of the required text's own characters: an escape of any
   * other character cannot be part of it).
   */
  readonly requiredHiddenBy?: 'any-escape' | 'unicode-escape' | 'ascii-unicode-escape';
  /**
   * UTF-8 bytes of the key that marks an element of lookup-events output. An escaped backslash
   * (`\\`, `\u005c`) may spell `required` only in such an element (see prefilter.ts): a record
   * that neither holds these bytes nor a `\u00XX` escape of one of their characters is ruled out
   * despite one.
   */
  readonly nestedEscapeKey?: Uint8Array;
  /**
   * The alternatives the test keeps a record by, as UTF-8 literals: every literal of one of them
   * occurs in a record that may match (unless an escape of `requiredHiddenBy` spells one).
   */
  readonly clauses?: readonly (readonly Uint8Array[])[];
};

// ---------------------------------------------------------------------------------------------
// Documents as rules see them (ECS)

export type FieldType = 'keyword' | 'text' | 'ip' | 'date' | 'long' | 'double' | 'boolean' | 'flattened' | 'object';

/** A document as KQL reads it: values by dotted field name, whether stored nested or dotted. */
export interface FieldSource {
  /** Every value at the field, arrays flattened; [] when the field is missing or null. */
  get(field: string): unknown[];
  /** Every leaf field name present in the document, in dotted form (for `*` in field names and bare values). */
  fields(): Iterable<string>;
  /** The mapping type of a field (ECS / the AWS integration's mappings); 'keyword' when unknown. */
  typeOf(field: string): FieldType;
}

// ---------------------------------------------------------------------------------------------
// Rules

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface ThreatTechnique {
  id: string;
  name: string;
  reference?: string;
  subtechnique?: { id: string; name: string; reference?: string }[];
}

export interface Threat {
  framework: string; // "MITRE ATT&CK"
  tactic: { id: string; name: string; reference?: string };
  technique: ThreatTechnique[];
}

export interface Rule {
  ruleId: string;
  name: string;
  description: string;
  type: string; // query, eql, esql, threshold, new_terms, machine_learning, ...
  language?: string; // kuery, lucene, eql, esql
  query?: string;
  index: string[];
  severity: Severity;
  riskScore: number;
  from: string; // e.g. now-60m
  interval: string; // e.g. 10m
  maxSignals: number;
  note?: string; // the investigation guide, Markdown
  setup?: string; // Markdown
  falsePositives: string[];
  references: string[];
  tags: string[];
  author: string[];
  license?: string;
  version?: number;
  threat: Threat[];
  investigationFields: string[];
  exceptionsList: unknown[];
  /** Kibana query filters ([[rule.filters]]); a rule with filters is not evaluated (it would over-report). */
  filters?: unknown[];
  metadata: Record<string, unknown>; // [metadata] table as written (creation_date, maturity, integration, ...)
  /** Where it was loaded from: a file path, or "bundled:<file>" for the rules shipped with the product. */
  source: string;
}

export interface RuleLoadError {
  file: string;
  /** 1-based; 0 when the error is about the file as a whole. */
  line: number;
  column: number;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Scan results (what faces consume)

/** The investigation fields shown for a finding: ECS field name -> the record's value(s). */
export type InvestigationValues = Record<string, unknown>;

export interface Finding {
  rule: Rule;
  recordIndex: number;
  /** The record in the file. */
  record: Span;
  /** The value of the field that matched (e.g. the `eventName` value), for underlining. */
  matched: Span;
  /** The ECS field the `matched` span carries, e.g. `event.action`. */
  matchedField: string;
  /** ECS field -> value, for the rule's investigation fields and the standard set. */
  fields: InvestigationValues;
  /** Other findings of the same file by the same principal ARN or access key (capped). */
  related: RelatedRecord[];
}

export interface RelatedRecord {
  recordIndex: number;
  record: Span;
  /** e.g. "same access key AKIA..." */
  reason: string;
}

export interface ScanResult {
  shape: FileShape;
  /** Records found (parsed or skipped by a prefilter). */
  recordCount: number;
  findings: Finding[];
  problems: Problem[];
  /** Rules that were not evaluated and why (type not supported, needs GeoIP data, ...). */
  notEvaluated: { rule: Rule; reason: string }[];
}
