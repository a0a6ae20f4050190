// The rule model: Elastic detection-rules TOML -> Rule, with validation that points at the line
// of the offending key. Pure (no fs): the Node-side folder loader lives in src/node/ruleFiles.ts.

import { parse as parseToml, TomlError } from 'smol-toml';
import { parseKql, queryFields, KqlSyntaxError } from '../kql';
import type { Rule, RuleLoadError, Severity, Threat, ThreatTechnique } from '../types';
import { decodeTomlString, findLocation, lineColumnAt, locateTomlKeys, type KeyLocation } from './tomlPositions';

export { lineColumnAt } from './tomlPositions';

/** The rule files shipped in rules/ (relative names). */
export const BUNDLED_RULE_FILES: readonly string[] = Object.freeze(['aws_ec2_full_network_packet_capture_detected.toml']);


/** A rule file that cannot be loaded, and where (1-based; 0 = the file as a whole). */
export class RuleError extends Error implements RuleLoadError {
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(file: string, line: number, column: number, message: string) {
    super(message);
    this.name = 'RuleError';
    this.file = file;
    this.line = line;
    this.column = column;
  }

  /** `file:line:column: message`, the form editors and terminals turn into links. */
  override toString(): string {
    return this.line > 0 ? `${this.file}:${this.line}:${this.column}: ${this.message}` : `${this.file}: ${this.message}`;
  }
}

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
const LANGUAGES = ['kuery', 'lucene', 'eql', 'esql'];
/** Rule types whose query is a KQL or Lucene query (language must be given, as Elastic's schema wants). */
const QUERY_LANGUAGE_TYPES = ['query', 'threshold', 'new_terms', 'threat_match'];
/** Rule types that must carry a query. machine_learning rules have a job id instead. */
const TYPES_WITH_QUERY = [...QUERY_LANGUAGE_TYPES, 'eql', 'esql'];

// Elastic's defaults for a rule that leaves them out.
const DEFAULT_FROM = 'now-6m';
const DEFAULT_INTERVAL = '5m';
const DEFAULT_MAX_SIGNALS = 100;

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function own(table: Table, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (isTable(v)) return 'a table';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Deep copy into plain JSON-like values: TOML dates become ISO strings, so rules stay serialisable. */
function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (isTable(v)) {
    const out: Table = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: plain(v[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** Removes the common indentation of a multi-line text and trims it (Elastic indents strings inside arrays). */
function dedent(s: string): string {
  const lines = s.split('\n');
  let indent = Infinity;
  for (const line of lines) {
    if (line.trim() === '') continue;
    indent = Math.min(indent, line.length - line.trimStart().length);
  }
  const body = indent === Infinity ? lines : lines.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
  return body.join('\n').trim();
}

/** Validation of one parsed document; every error carries the position of the key it is about. */
class Checker {
  private locations?: KeyLocation[];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  private located(): KeyLocation[] {
    this.locations ??= locateTomlKeys(this.text);
    return this.locations;
  }

  position(path: readonly string[]): { line: number; column: number } {
    const loc = findLocation(this.located(), path);
    return loc ? lineColumnAt(this.text, loc.offset) : { line: 0, column: 0 };
  }

  fail(path: readonly string[], message: string): never {
    const { line, column } = this.position(path);
    throw new RuleError(this.file, line, column, message);
  }

  /** Error at an offset in the text. */
  failAt(offset: number, message: string): never {
    const { line, column } = lineColumnAt(this.text, offset);
    throw new RuleError(this.file, line, column, message);
  }

  queryValueOffset(): number | undefined {
    return findLocation(this.located(), ['rule', 'query'])?.valueOffset;
  }

  keyName(path: readonly string[]): string {
    // `rule.threat.0.tactic` reads better as `rule.threat[0].tactic`
    return path.map((k, i) => (/^\d+$/.test(k) && i > 0 ? `[${k}]` : (i > 0 ? '.' : '') + k)).join('');
  }

  string(table: Table, path: string[], required: boolean): string | undefined {
    const v = own(table, path[path.length - 1]);
    if (v === undefined) {
      if (required) this.fail(path, `missing required key ${this.keyName(path)}`);
      return undefined;
    }
    if (typeof v !== 'string') this.fail(path, `${this.keyName(path)} must be a string, not ${describeValue(v)}`);
    if (required && v.trim() === '') this.fail(path, `${this.keyName(path)} must not be empty`);
    return v;
  }

  stringArray(table: Table, path: string[]): string[] {
    const v = own(table, path[path.length - 1]);
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(path, `${this.keyName(path)} must be an array of strings, not ${describeValue(v)}`);
    v.forEach((item, i) => {
      if (typeof item !== 'string') {
        const at = [...path, String(i)];
        this.fail(at, `${this.keyName(at)} must be a string, not ${describeValue(item)}`);
      }
    });
    return v as string[];
  }

  integer(table: Table, path: string[], min: number, max: number): number | undefined {
    const v = own(table, path[path.length - 1]);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      this.fail(path, `${this.keyName(path)} must be an integer ${range}, not ${describeValue(v)}`);
    }
    return v;
  }

  table(table: Table, path: string[], required: boolean): Table | undefined {
    const v = own(table, path[path.length - 1]);
    if (v === undefined) {
      if (required) this.fail(path, `missing required table ${this.keyName(path)}`);
      return undefined;
    }
    if (!isTable(v)) this.fail(path, `${this.keyName(path)} must be a table, not ${describeValue(v)}`);
    return v;
  }

  tableArray(table: Table, path: string[]): Table[] {
    const v = own(table, path[path.length - 1]);
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(path, `${this.keyName(path)} must be an array of tables, not ${describeValue(v)}`);
    v.forEach((item, i) => {
      if (!isTable(item)) {
        const at = [...path, String(i)];
        this.fail(at, `${this.keyName(at)} must be a table, not ${describeValue(item)}`);
      }
    });
    return v as Table[];
  }
}

function tomlErrorText(e: TomlError): string {
  // smol-toml's message is "Invalid TOML document: <what>\n\n<code excerpt>"; we report position separately.
  const first = e.message.split('\n\n')[0];
  return first.replace(/^Invalid TOML document: /, 'invalid TOML: ');
}

/** id, name and optional reference of a tactic, technique or subtechnique table. */
function mitreEntry(c: Checker, table: Table, path: string[]): { id: string; name: string; reference?: string } {
  const id = c.string(table, [...path, 'id'], true) as string;
  const name = c.string(table, [...path, 'name'], true) as string;
  const reference = c.string(table, [...path, 'reference'], false);
  return reference === undefined ? { id, name } : { id, name, reference };
}

function checkThreats(c: Checker, rule: Table): Threat[] {
  const base = ['rule', 'threat'];
  return c.tableArray(rule, base).map((t, i): Threat => {
    const at = [...base, String(i)];
    const framework = c.string(t, [...at, 'framework'], true) as string;
    const tactic = mitreEntry(c, c.table(t, [...at, 'tactic'], true) as Table, [...at, 'tactic']);
    const technique = c.tableArray(t, [...at, 'technique']).map((te, j): ThreatTechnique => {
      const tep = [...at, 'technique', String(j)];
      const entry: ThreatTechnique = mitreEntry(c, te, tep);
      const subs = c.tableArray(te, [...tep, 'subtechnique']).map((s, k) => mitreEntry(c, s, [...tep, 'subtechnique', String(k)]));
      if (subs.length > 0) entry.subtechnique = subs;
      return entry;
    });
    return { framework, tactic, technique };
  });
}

/** Offset inside `query` of a KQL syntax error (its line and column are 1-based within the query). */
function offsetInQuery(query: string, err: KqlSyntaxError): number {
  const explicit = (err as { offset?: unknown }).offset;
  if (typeof explicit === 'number' && explicit >= 0) return Math.min(explicit, query.length);
  let lineStart = 0;
  for (let line = 1; line < err.line; line++) {
    const nl = query.indexOf('\n', lineStart);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return Math.min(lineStart + Math.max(err.column - 1, 0), query.length);
}

/** Turns a KQL syntax error into a RuleError at the matching place of the TOML file. */
function queryError(c: Checker, query: string, err: KqlSyntaxError): never {
  const message = `query is not valid KQL: ${err.shortMessage}`;
  const valueOffset = c.queryValueOffset();
  const decoded = valueOffset === undefined ? undefined : decodeTomlString(c.text, valueOffset);
  // Only trust the map if our decoding agrees with smol-toml's; otherwise point at the key.
  if (!decoded || decoded.value !== query) c.fail(['rule', 'query'], message);
  c.failAt(decoded.sources[offsetInQuery(query, err)], message);
}

/**
 * Parses one detection-rules TOML document. Undefined when the document is TOML but not a rule at
 * all (no [rule] and no [metadata] table: pyproject.toml, hunting queries, configuration).
 * Throws RuleError for broken TOML and for rules that fail validation.
 */
export function parseRuleFile(text: string, file: string): Rule | undefined {
  // A byte-order mark is not TOML whitespace; a space keeps every offset where it was.
  const source = text.startsWith('\uFEFF') ? ' ' + text.slice(1) : text;
  let doc: Table;
  try {
    doc = parseToml(source);
  } catch (e) {
    if (e instanceof TomlError) throw new RuleError(file, e.line, e.column, tomlErrorText(e));
    throw new RuleError(file, 0, 0, `invalid TOML: ${(e as Error).message}`);
  }
  const c = new Checker(source, file);
  const metadataValue = own(doc, 'metadata');
  if (own(doc, 'rule') === undefined) {
    if (metadataValue === undefined) return undefined;
    throw new RuleError(file, 0, 0, 'not a detection rule: there is a [metadata] table but no [rule] table');
  }
  const rule = c.table(doc, ['rule'], true) as Table;
  const metadata = (c.table(doc, ['metadata'], false) ?? {}) as Table;
  const r = (key: string) => ['rule', key];

  const name = c.string(rule, r('name'), true) as string;
  const ruleId = c.string(rule, r('rule_id'), true) as string;
  const type = c.string(rule, r('type'), true) as string;
  const description = c.string(rule, r('description'), true) as string;
  const severity = c.string(rule, r('severity'), true) as string;
  if (!SEVERITIES.includes(severity as Severity)) {
    c.fail(r('severity'), `severity must be one of ${SEVERITIES.join(', ')}, not ${JSON.stringify(severity)}`);
  }
  if (own(rule, 'risk_score') === undefined) c.fail(r('risk_score'), 'missing required key rule.risk_score');
  const riskScore = c.integer(rule, r('risk_score'), 0, 100) as number;

  let language = c.string(rule, r('language'), false);
  if (language !== undefined && !LANGUAGES.includes(language)) {
    c.fail(r('language'), `language must be one of ${LANGUAGES.join(', ')}, not ${JSON.stringify(language)}`);
  }
  if (type === 'eql' || type === 'esql') {
    language ??= type;
    if (language !== type) c.fail(r('language'), `a rule of type "${type}" needs language "${type}", not ${JSON.stringify(language)}`);
  } else if (QUERY_LANGUAGE_TYPES.includes(type)) {
    if (language === undefined) c.fail(r('language'), `missing required key rule.language (a "${type}" rule needs "kuery" or "lucene")`);
    if (language !== 'kuery' && language !== 'lucene') {
      c.fail(r('language'), `a rule of type "${type}" needs language "kuery" or "lucene", not ${JSON.stringify(language)}`);
    }
  }
  const query = c.string(rule, r('query'), TYPES_WITH_QUERY.includes(type));
  if (language === 'kuery' && query !== undefined) {
    try {
      parseKql(query);
    } catch (e) {
      if (e instanceof KqlSyntaxError) queryError(c, query, e);
      c.fail(['rule', 'query'], `query could not be checked: ${(e as Error).message}`);
    }
  }

  const investigation = c.table(rule, r('investigation_fields'), false);
  const investigationFields = investigation ? c.stringArray(investigation, ['rule', 'investigation_fields', 'field_names']) : [];

  const exceptions = own(rule, 'exceptions_list');
  if (exceptions !== undefined && !Array.isArray(exceptions)) {
    c.fail(r('exceptions_list'), `rule.exceptions_list must be an array, not ${describeValue(exceptions)}`);
  }
  const filters = own(rule, 'filters');
  if (filters !== undefined && !Array.isArray(filters)) c.fail(r('filters'), `rule.filters must be an array, not ${describeValue(filters)}`);

  const version =
    own(rule, 'version') !== undefined
      ? c.integer(rule, r('version'), 1, Number.MAX_SAFE_INTEGER)
      : c.integer(metadata, ['metadata', 'version'], 1, Number.MAX_SAFE_INTEGER);

  const loaded: Rule = {
    ruleId,
    name,
    description: dedent(description),
    type,
    language,
    query,
    index: c.stringArray(rule, r('index')),
    severity: severity as Severity,
    riskScore,
    from: c.string(rule, r('from'), false) ?? DEFAULT_FROM,
    interval: c.string(rule, r('interval'), false) ?? DEFAULT_INTERVAL,
    maxSignals: c.integer(rule, r('max_signals'), 1, Number.MAX_SAFE_INTEGER) ?? DEFAULT_MAX_SIGNALS,
    note: c.string(rule, r('note'), false),
    setup: c.string(rule, r('setup'), false),
    falsePositives: c.stringArray(rule, r('false_positives')).map(dedent),
    references: c.stringArray(rule, r('references')),
    tags: c.stringArray(rule, r('tags')),
    author: c.stringArray(rule, r('author')),
    license: c.string(rule, r('license'), false),
    version,
    threat: checkThreats(c, rule),
    investigationFields,
    exceptionsList: exceptions === undefined ? [] : (plain(exceptions) as unknown[]),
    metadata: plain(metadata) as Record<string, unknown>,
    source: file,
  };
  if (Array.isArray(filters) && filters.length > 0) loaded.filters = plain(filters) as unknown[];
  return loaded;
}

/**
 * 1-based line and column of a key (dotted, e.g. "rule_id") of the [rule] table; when the key is
 * absent, of the [rule] table itself; 0/0 when there is no [rule] table either.
 */
export function ruleKeyPosition(text: string, key: string): { line: number; column: number } {
  return new Checker(text, '').position(['rule', ...key.split('.')]);
}

/** Parses one detection-rules TOML document into a Rule; throws RuleError (with file, line, column). */
export function parseRuleToml(text: string, file: string): Rule {
  const rule = parseRuleFile(text, file);
  if (!rule) throw new RuleError(file, 0, 0, 'not a detection rule: the file has no [rule] table');
  return rule;
}

/** Fields whose values come from GeoIP/ASN enrichment: a `geo` or `as` object below a top-level field. */
function needsEnrichment(field: string): boolean {
  const parts = field.split('.');
  return parts.slice(1, -1).some((p) => p === 'geo' || p === 'as');
}

/** Undefined when this engine can evaluate the rule; otherwise why it cannot. */
export function evaluability(rule: Rule): string | undefined {
  switch (rule.type) {
    case 'query':
      break;
    case 'eql':
      return 'EQL rules are not evaluated yet';
    case 'esql':
      return 'ES|QL rules are not evaluated yet';
    case 'threshold':
      return 'threshold rules are not evaluated: a threshold needs aggregation over a time window, not one record at a time';
    case 'new_terms':
      return 'new_terms rules are not evaluated: a new term needs history (the values seen before the look-back window)';
    case 'machine_learning':
      return 'machine_learning rules are not evaluated: each needs an ML job, which only Elasticsearch runs';
    case 'threat_match':
      return 'indicator match (threat_match) rules are not evaluated: they need threat intelligence indices';
    default:
      return `rules of type "${rule.type}" are not evaluated`;
  }
  if (rule.language === 'lucene') return 'lucene queries are not supported (only KQL, language "kuery")';
  if (rule.language !== 'kuery') return `queries in language ${JSON.stringify(rule.language ?? '(none)')} are not supported (only KQL, language "kuery")`;
  if ((rule.filters?.length ?? 0) > 0) {
    return 'rules with query filters ([[rule.filters]]) are not evaluated yet: the query alone would over-report';
  }
  let fields: Iterable<string>;
  try {
    fields = queryFields(parseKql(rule.query ?? ''));
  } catch (e) {
    return `its query does not parse: ${(e as Error).message}`;
  }
  const enriched = [...new Set([...fields].filter(needsEnrichment))];
  if (enriched.length > 0) {
    return `the query reads ${enriched.join(', ')}, which needs GeoIP/ASN enrichment (MaxMind data) that is not available offline`;
  }
  return undefined;
}

/** A synthetic rule for an ad-hoc hunt query; throws KqlSyntaxError when the query does not parse. */
export function huntRule(query: string): Rule {
  parseKql(query);
  return {
    ruleId: 'hunt-query',
    name: 'Hunt query',
    description: `Ad-hoc hunt: ${query.trim()}`,
    type: 'query',
    language: 'kuery',
    query,
    index: [],
    severity: 'medium',
    riskScore: 0,
    from: DEFAULT_FROM,
    interval: DEFAULT_INTERVAL,
    maxSignals: DEFAULT_MAX_SIGNALS,
    falsePositives: [],
    references: [],
    tags: [],
    author: [],
    threat: [],
    investigationFields: [],
    exceptionsList: [],
    metadata: {},
    source: 'query',
  };
}
