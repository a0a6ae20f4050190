// Evaluates a parsed KQL query against one document, with the matching semantics Elasticsearch
// gives the query Kibana builds from it: term queries on keyword fields, match / match_phrase on
// text, numeric and date ranges, CIDR on ip fields, exists, nested, and a lenient multi_match over
// every field for a bare value. A query value Elasticsearch would reject for a field's type (a
// wildcard on an ip field, "abc" on a long) matches nothing there instead of throwing.

import type { FieldSource, FieldType } from '../types';
import type { KqlQuery, KqlValue, RangeOperator } from './ast';
import { isPlainObject, ObjectSource, PrefixedSource } from './sources';
import {
  analyze,
  compareBytes,
  compareCodePoints,
  docBoolean,
  docDate,
  docNumber,
  keywordOf,
  parseIp,
  resolveDate,
} from './values';
import { WildcardPattern } from './wildcard';

/**
 * True when the document matches. When `matchedFields` is given, the names of the fields whose
 * positive (not negated) terms made the query true are appended to it (no duplicates).
 */
export function evaluateKql(q: KqlQuery, doc: FieldSource, matchedFields?: string[]): boolean {
  now = NaN;
  return evaluate(q, doc, matchedFields, '');
}

// `now` is read once per evaluation, and only by date math that uses it.
let now = NaN;
function currentTime(): number {
  if (Number.isNaN(now)) now = Date.now();
  return now;
}

function note(sink: string[] | undefined, name: string): void {
  if (sink && !sink.includes(name)) sink.push(name);
}

/** `prefix` is the nested path (with a trailing dot) that turns a relative field name into a full one. */
function evaluate(q: KqlQuery, doc: FieldSource, sink: string[] | undefined, prefix: string): boolean {
  switch (q.type) {
    case 'all':
      return true;
    case 'and': {
      const mark = sink ? sink.length : 0;
      for (const child of q.children) {
        if (!evaluate(child, doc, sink, prefix)) {
          if (sink) sink.length = mark; // a false branch reports nothing
          return false;
        }
      }
      return true;
    }
    case 'or':
      for (const child of q.children) if (evaluate(child, doc, sink, prefix)) return true;
      return false;
    case 'not':
      return !evaluate(q.child, doc, undefined, prefix);
    case 'exists': {
      const { name, wildcard } = q.field;
      if (!wildcard) {
        if (!hasValue(doc.get(name))) return false;
        note(sink, prefix + name);
        return true;
      }
      if (wildcard.isLone) return true; // *:* is match_all
      for (const f of doc.fields()) {
        if (wildcard.test(f) && hasValue(doc.get(f))) {
          note(sink, prefix + f);
          return true;
        }
      }
      return false;
    }
    case 'is': {
      const { field, value } = q;
      if (field === null) {
        if (value.wildcard?.isLone) return true; // a bare * is query_string "*": every document
        return anyField(doc, null, (f) => isMatch(doc, f, value), sink, prefix);
      }
      if (field.wildcard) return anyField(doc, field.wildcard, (f) => isMatch(doc, f, value), sink, prefix);
      if (!isMatch(doc, field.name, value)) return false;
      note(sink, prefix + field.name);
      return true;
    }
    case 'range': {
      const { field, op, value } = q;
      if (field.wildcard) return anyField(doc, field.wildcard, (f) => rangeMatch(doc, f, op, value), sink, prefix);
      if (!rangeMatch(doc, field.name, op, value)) return false;
      note(sink, prefix + field.name);
      return true;
    }
    case 'nested': {
      const path = q.path.name;
      const inner = `${prefix}${path}.`;
      const objects = doc.get(path).filter(isPlainObject);
      if (objects.length === 0) {
        // No objects under the path (a source that only exposes leaves, or an object field):
        // read the subfields from the document itself.
        return evaluate(q.query, new PrefixedSource(doc, `${path}.`), sink, inner);
      }
      for (const obj of objects) {
        if (evaluate(q.query, new ObjectSource(obj, doc, `${path}.`), sink, inner)) return true;
      }
      return false;
    }
  }
}

function anyField(
  doc: FieldSource,
  pattern: WildcardPattern | null,
  test: (field: string) => boolean,
  sink: string[] | undefined,
  prefix: string,
): boolean {
  for (const f of doc.fields()) {
    if ((pattern === null || pattern.test(f)) && test(f)) {
      note(sink, prefix + f);
      return true;
    }
  }
  return false;
}

/**
 * Values nested deeper than this are not looked into: Elasticsearch refuses such documents long
 * before (index.mapping.depth.limit is 20), and a document built by a caller, not by the record
 * finder (which stops at 512 levels), could otherwise exhaust the stack.
 */
const MAX_VALUE_DEPTH = 256;

/** What `exists` accepts: anything but null/undefined, and objects or arrays holding such a value. */
function hasValue(values: readonly unknown[], depth = 0): boolean {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) {
      if (depth < MAX_VALUE_DEPTH && hasValue(v, depth + 1)) return true;
    } else if (typeof v === 'object') {
      if (depth < MAX_VALUE_DEPTH && hasValue(Object.values(v), depth + 1)) return true;
    } else {
      return true;
    }
  }
  return false;
}

/** Keyword forms of the values; for flattened fields, of every leaf inside objects too. */
function anyKeyword(values: readonly unknown[], deep: boolean, test: (s: string) => boolean, depth = 0): boolean {
  for (const v of values) {
    const s = keywordOf(v);
    if (s !== undefined) {
      if (test(s)) return true;
    } else if (deep && typeof v === 'object' && v !== null && depth < MAX_VALUE_DEPTH) {
      if (anyKeyword(Array.isArray(v) ? v : Object.values(v), true, test, depth + 1)) return true;
    }
  }
  return false;
}

function textOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

// ---------------------------------------------------------------------------------------------
// field:value

function isMatch(doc: FieldSource, field: string, v: KqlValue): boolean {
  const values = doc.get(field);
  // Most documents lack most fields: decide that before asking for the type.
  return values.length > 0 && matchValue(values, doc.typeOf(field), v);
}

function rangeMatch(doc: FieldSource, field: string, op: RangeOperator, v: KqlValue): boolean {
  const values = doc.get(field);
  return values.length > 0 && matchRange(values, doc.typeOf(field), op, v);
}

function matchValue(values: unknown[], type: FieldType, v: KqlValue): boolean {
  const { info, wildcard } = v;
  // Kibana sends an unquoted null as a null term, which Elasticsearch refuses.
  if (v.value === null) return false;
  switch (type) {
    case 'text':
      return wildcard ? matchTextWildcard(values, wildcard) : matchText(values, info.tokens, v.quoted);
    case 'long':
    case 'double': {
      const want = info.num;
      if (wildcard || Number.isNaN(want)) return false;
      // A long field cannot hold a fraction: ES refuses such a term.
      if (type === 'long' && !Number.isInteger(want)) return false;
      for (const x of values) {
        let n = docNumber(x);
        if (type === 'long') n = Math.trunc(n); // ES truncates fractions when indexing a long
        if (n === want) return true;
      }
      return false;
    }
    case 'date': {
      if (wildcard || !info.date) return false;
      // An exact date is a range from the value rounded down to it rounded up: 2024-01-01 is the whole day.
      const lo = resolveDate(info.date, false, info.date.anchor === 'now' ? currentTime() : 0);
      const hi = resolveDate(info.date, true, info.date.anchor === 'now' ? currentTime() : 0);
      for (const x of values) {
        const t = docDate(x);
        if (t >= lo && t <= hi) return true;
      }
      return false;
    }
    case 'ip': {
      const range = info.ip;
      if (wildcard || !range) return false;
      for (const x of values) {
        const ip = typeof x === 'string' ? parseIp(x) : null;
        if (ip && compareBytes(ip, range.lo) >= 0 && compareBytes(ip, range.hi) <= 0) return true;
      }
      return false;
    }
    case 'boolean': {
      const want = info.bool;
      if (wildcard || want === null) return false;
      return values.some((x) => docBoolean(x) === want);
    }
    case 'object':
      return false; // object fields are not indexed themselves
    case 'flattened': {
      const want = info.str;
      return anyKeyword(values, true, wildcard ? (s) => wildcard.test(s) : (s) => s === want);
    }
    case 'keyword':
    default: {
      // The hot path of every rule: plain loops, no closures.
      if (wildcard) {
        for (const x of values) {
          const s = keywordOf(x);
          if (s !== undefined && wildcard.test(s)) return true;
        }
        return false;
      }
      const want = info.str;
      for (const x of values) if (keywordOf(x) === want) return true;
      return false;
    }
  }
}

/** match (any token) or match_phrase (consecutive tokens, within one value of an array). */
function matchText(values: unknown[], want: string[], phrase: boolean): boolean {
  if (want.length === 0) return false; // nothing left after analysis: match_none
  for (const x of values) {
    const s = textOf(x);
    if (s === undefined) continue;
    const tokens = analyze(s);
    if (!phrase || want.length === 1) {
      if (want.some((w) => tokens.includes(w))) return true;
      continue;
    }
    outer: for (let i = 0; i + want.length <= tokens.length; i++) {
      for (let k = 0; k < want.length; k++) if (tokens[i + k] !== want[k]) continue outer;
      return true;
    }
  }
  return false;
}

/**
 * A wildcard on a text field goes through query_string: whitespace separates terms (any may match),
 * a term with `*` is a lower-cased wildcard over the tokens, any other term is analysed.
 */
interface TextTerm {
  wildcard: WildcardPattern | null;
  tokens: string[];
}

const textTermsCache = new WeakMap<WildcardPattern, TextTerm[]>();

function textTerms(pattern: WildcardPattern): TextTerm[] {
  let terms = textTermsCache.get(pattern);
  if (terms) return terms;
  const raw: string[][] = [['']];
  pattern.parts.forEach((part, i) => {
    const words = part.split(/\s+/);
    words.forEach((word, w) => {
      if (w > 0) raw.push([word]);
      else {
        const cur = raw[raw.length - 1];
        cur[cur.length - 1] += word;
      }
    });
    if (i < pattern.parts.length - 1) raw[raw.length - 1].push('');
  });
  terms = raw
    .filter((pieces) => pieces.length > 1 || pieces[0] !== '')
    .map((pieces) =>
      pieces.length > 1
        ? { wildcard: new WildcardPattern(pieces).lower(), tokens: [] }
        : { wildcard: null, tokens: analyze(pieces[0]) },
    );
  textTermsCache.set(pattern, terms);
  return terms;
}

function matchTextWildcard(values: unknown[], pattern: WildcardPattern): boolean {
  const terms = textTerms(pattern);
  for (const x of values) {
    const s = textOf(x);
    if (s === undefined) continue;
    const tokens = analyze(s);
    for (const term of terms) {
      const w = term.wildcard;
      if (w ? tokens.some((t) => w.test(t)) : term.tokens.some((t) => tokens.includes(t))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// field < value

function inRange(c: number, op: RangeOperator): boolean {
  switch (op) {
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
    case 'gt':
      return c > 0;
    case 'gte':
      return c >= 0;
  }
}

function matchRange(values: unknown[], type: FieldType, op: RangeOperator, v: KqlValue): boolean {
  const { info } = v;
  // A null bound leaves the range open: any value of the field.
  if (v.value === null) return hasValue(values);
  // Kibana passes a wildcard range bound on as text: the `*` is literal there.
  const bound = v.wildcard ? v.wildcard.text : (info.str as string);
  switch (type) {
    case 'long':
    case 'double': {
      const want = v.wildcard ? NaN : info.num;
      if (Number.isNaN(want)) return false;
      return values.some((x) => {
        let n = docNumber(x);
        if (type === 'long') n = Math.trunc(n);
        return !Number.isNaN(n) && inRange(n - want, op);
      });
    }
    case 'date': {
      if (v.wildcard || !info.date) return false;
      // gt and lte round up (2024-01-01 means its last millisecond), gte and lt round down.
      const roundUp = op === 'gt' || op === 'lte';
      const t0 = resolveDate(info.date, roundUp, info.date.anchor === 'now' ? currentTime() : 0);
      return values.some((x) => {
        const t = docDate(x);
        return !Number.isNaN(t) && inRange(t - t0, op);
      });
    }
    case 'ip': {
      const want = v.wildcard ? null : info.ipExact;
      if (!want) return false;
      return values.some((x) => {
        const ip = typeof x === 'string' ? parseIp(x) : null;
        return ip !== null && inRange(compareBytes(ip, want), op);
      });
    }
    case 'boolean': {
      if (v.wildcard || info.bool === null) return false;
      const want = info.bool ? 1 : 0;
      return values.some((x) => {
        const b = docBoolean(x);
        return b !== null && inRange((b ? 1 : 0) - want, op);
      });
    }
    case 'text':
      // Terms of a text field are its tokens; the bound is not analysed.
      return values.some((x) => {
        const s = textOf(x);
        return s !== undefined && analyze(s).some((t) => inRange(compareCodePoints(t, bound), op));
      });
    case 'object':
      return false;
    default:
      return anyKeyword(values, type === 'flattened', (s) => inRange(compareCodePoints(s, bound), op));
  }
}
