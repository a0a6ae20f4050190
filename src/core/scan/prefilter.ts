// A byte-level test that rules out records no rule can match, before they are parsed, and a test
// on the parsed CloudTrail record before it is mapped to ECS (recordGateFor, at the end).
//
// Soundness: a literal is required only for a keyword field whose ECS value is a verbatim copy of a
// raw CloudTrail value, so its UTF-8 bytes appear in the record unless JSON escapes hide them. An
// escape can hide a literal's character only as `\uXXXX` or, for `" \ /` and control characters, a
// short escape. So a record with backslashes is still tested on the literal when the literal has
// none of those characters and the record has no `\u` escape that could stand for such a character
// (`\u00e9` for é cannot hide an ASCII letter), nor an escaped backslash where that matters (see
// mayHideLiteral). ECS documents store every keyword value verbatim, so the same literals hold for
// them.

import { outcomeByErrors } from '../ecs/cloudtrail';
import { declaredType } from '../ecs/fieldTypes';
import { requiredLiterals, requiredValues, KqlQuery } from '../kql';
import type { Prefilter } from '../types';

// ECS fields that the CloudTrail mapping copies unchanged from one raw field (or one of two raw
// fields, like cloud.account.id): a value that matches them is written in the record as it is.
const VERBATIM_FROM_CLOUDTRAIL = new Set([
  'event.action',
  'event.provider',
  'event.id',
  'cloud.region',
  'cloud.account.id',
  'source.address',
  'user_agent.original',
  'user.id',
  'user.name',
  'aws.cloudtrail.user_identity.type',
  'aws.cloudtrail.user_identity.arn',
  'aws.cloudtrail.user_identity.access_key_id',
  'aws.cloudtrail.user_identity.invoked_by',
  'aws.cloudtrail.error_code',
  'aws.cloudtrail.event_type',
  'aws.cloudtrail.event_category',
  'aws.cloudtrail.request_id',
  'aws.cloudtrail.recipient_account_id',
]);

function verbatim(field: string): boolean {
  return VERBATIM_FROM_CLOUDTRAIL.has(field) && (declaredType(field) ?? 'keyword') === 'keyword';
}

/** More distinct literals than this and records are not prefiltered (see prefilterFor). */
export const MAX_LITERALS = 256;

/**
 * A prefilter for a set of queries: a record is kept when, for some query, every literal of one of
 * its alternatives occurs in the record. Undefined when some query promises no literal at all.
 */
export function prefilterFor(queries: readonly KqlQuery[]): Prefilter | undefined {
  if (queries.length === 0) return undefined;
  const literals = new Map<string, Needle>(); // shared by the clauses that name the same literal
  const alternatives: Needle[][] = [];
  let escapable = false; // some literal has a character that a short escape can write
  let nonAscii = false; // some literal has a character beyond ASCII (any \u escape may write it)
  for (const q of queries) {
    const dnf = requiredLiterals(q, verbatim);
    if (!dnf || dnf.length === 0 || dnf.some((clause) => clause.length === 0)) return undefined;
    for (const clause of dnf) {
      const needles = clause.map((lit) => {
        let n = literals.get(lit);
        if (!n) literals.set(lit, (n = new Needle(lit, literals.size)));
        return n;
      });
      // The longest literal first: it is the likeliest to rule the record out.
      alternatives.push(needles.sort((a, b) => b.bytes.length - a.bytes.length));
      for (const lit of clause) {
        if (/["\\/\u0000-\u001f]/.test(lit)) escapable = true;
        if (/[^\u0000-\u007f]/.test(lit)) nonAscii = true;
      }
    }
    // Each literal is a search through the whole record: with thousands of them (a query of
    // thousands of ORed values), testing costs more than parsing the record and evaluating it.
    if (literals.size > MAX_LITERALS) return undefined;
  }
  const gate = sharedPrefix(alternatives);
  const literalChars = asciiChars(literals.keys());
  // Per call: 0 = not searched yet, 1 = found, 2 = absent. Reused, so no allocation per record.
  const seen = new Uint8Array(literals.size);
  const test = (bytes: Uint8Array, start: number, end: number, hasBackslash: boolean): boolean => {
    // A view bounded at the record, so a search never runs on into the rest of the buffer.
    const record = bytes.subarray(start, end);
    if (hasBackslash && (escapable || mayHideLiteral(record, nonAscii, literalChars))) return true;
    if (gate && !gate.foundIn(record)) return false;
    seen.fill(0);
    return alternatives.some((clause) =>
      clause.every((n) => {
        if (seen[n.id] === 0) seen[n.id] = n.foundIn(record) ? 1 : 2;
        return seen[n.id] === 1;
      }),
    );
  };
  // what test() rules a record out on first: the shared prefix, or the only alternative's longest
  // literal; the escapes it gives way to are those test() gives way to
  const required = gate?.bytes ?? (alternatives.length === 1 ? alternatives[0][0].bytes : undefined);
  const requiredHiddenBy = escapable ? 'any-escape' : nonAscii ? 'unicode-escape' : 'ascii-unicode-escape';
  const clauses = alternatives.map((clause) => clause.map((n) => n.bytes));
  return Object.assign(test, { required, requiredHiddenBy, nestedEscapeKey: EMBEDDING_KEY.bytes, clauses } as const);
}

/** Shorter shared prefixes rule out too few records to pay for their search. */
const MIN_GATE_BYTES = 4;

/**
 * One search instead of one per alternative: when the first (longest) literal of every alternative
 * starts with the same text, as `CreateTrafficMirrorFilter`, `...Session` and `...Target` do, a
 * record without that text matches none of them. Undefined when there is no such prefix.
 */
function sharedPrefix(alternatives: readonly Needle[][]): Needle | undefined {
  if (alternatives.length < 2) return undefined;
  let prefix = alternatives[0][0].literal;
  for (const clause of alternatives) {
    const lit = clause[0].literal;
    let k = 0;
    while (k < prefix.length && k < lit.length && prefix.charCodeAt(k) === lit.charCodeAt(k)) k++;
    prefix = prefix.slice(0, k);
  }
  // whole characters only: a cut inside a surrogate pair has no UTF-8 bytes of its own
  if (/[\ud800-\udbff]$/.test(prefix)) prefix = prefix.slice(0, -1);
  return new TextEncoder().encode(prefix).length >= MIN_GATE_BYTES ? new Needle(prefix, -1) : undefined;
}

/** A literal to search for, anchored on its rarest byte so the native byte search jumps far. */
class Needle {
  readonly bytes: Uint8Array;
  private readonly anchor: number; // index in bytes of the byte searched for first

  constructor(readonly literal: string, readonly id: number) {
    this.bytes = new TextEncoder().encode(literal);
    let best = 0;
    for (let i = 1; i < this.bytes.length; i++) if (commonness(this.bytes[i]) < commonness(this.bytes[best])) best = i;
    this.anchor = best;
  }

  foundIn(record: Uint8Array): boolean {
    const n = this.bytes;
    const a = this.anchor;
    const last = record.length - n.length + a; // the anchor's last possible place
    for (let i = record.indexOf(n[a], a); i >= 0 && i <= last; i = record.indexOf(n[a], i + 1)) {
      let j = 0;
      const s = i - a;
      while (j < n.length && record[s + j] === n[j]) j++;
      if (j === n.length) return true;
    }
    return false;
  }
}

// How often a byte turns up in CloudTrail JSON, roughly: punctuation and lower-case letters are
// everywhere, upper-case letters and rare letters much less so.
function commonness(b: number): number {
  if (b >= 0x61 && b <= 0x7a) return 'etaoinsrlcdmuphgbfywvkxjqz'.length - 'etaoinsrlcdmuphgbfywvkxjqz'.indexOf(String.fromCharCode(b)) + 10;
  if (b >= 0x41 && b <= 0x5a) return 'ETAOINSRLCDMUPHGBFYWVKXJQZ'.length - 'ETAOINSRLCDMUPHGBFYWVKXJQZ'.indexOf(String.fromCharCode(b));
  if (b >= 0x30 && b <= 0x39) return 20;
  if (b >= 0x80) return 5;
  return 40; // punctuation and spaces: quotes, colons, commas, dots
}

/** Whether the UTF-8 bytes of `literal` occur in `bytes`. */
export function contains(bytes: Uint8Array, literal: string): boolean {
  return literal === '' || new Needle(literal, 0).foundIn(bytes);
}

const BACKSLASH = 0x5c;

/**
 * Whether the record has a `\u` escape that could stand for a literal's character: any `\u` when
 * literals go beyond ASCII, else one that writes an ASCII character of a literal (`literalChars`).
 *
 * An escape that writes a backslash (`\\`, `\u005c`) may hide anything when the record is an
 * element of lookup-events output: the record inside its CloudTrailEvent string is decoded twice,
 * so `\\u0043` there is a C. Only an object with that key can be such an element, and its bytes
 * then spell the key plainly or with `\u00XX` escapes of its characters (all ASCII: `\u00e9` and
 * the like cannot spell it).
 */
function mayHideLiteral(record: Uint8Array, nonAscii: boolean, literalChars: Uint8Array): boolean {
  let nested = false;
  let keyEscape = false;
  for (let i = record.indexOf(BACKSLASH); i >= 0 && i + 1 < record.length; i = record.indexOf(BACKSLASH, i + 2)) {
    if (record[i + 1] === BACKSLASH) nested = true;
    if (record[i + 1] !== 0x75 /* u */) continue; // `\\`, `\"`, `\n`...: i + 2 skips the escaped char
    const d1 = record[i + 2];
    const d2 = record[i + 3];
    const d3 = record[i + 4];
    if (d1 === 0x30 && d2 === 0x30 && d3 === 0x35 && (record[i + 5] | 0x20) === 0x63) nested = true;
    else if (nonAscii) return true;
    else if (d1 === 0x30 && d2 === 0x30 && d3 >= 0x30 && d3 <= 0x37) {
      const c = ((d3 - 0x30) << 4) | hexDigit(record[i + 5]);
      if (c < 0 || literalChars[c] === 1) return true;
      if (EMBEDDING_KEY_CHARS[c] === 1) keyEscape = true;
    }
  }
  return nested && (keyEscape || EMBEDDING_KEY.foundIn(record));
}

/** The value of a hex digit, or a negative number for another byte. */
function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -256;
}

/** The ASCII characters of the given texts, as 128 flags. */
function asciiChars(texts: Iterable<string>): Uint8Array {
  const set = new Uint8Array(128);
  for (const t of texts) for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) < 128) set[t.charCodeAt(i)] = 1;
  return set;
}

const EMBEDDING_KEY = new Needle('CloudTrailEvent', 0);
const EMBEDDING_KEY_CHARS = asciiChars([EMBEDDING_KEY.literal]);

/** A test on a parsed CloudTrail record: false when no query can match it. */
export type RecordGate = (record: Record<string, unknown>) => boolean;

/**
 * The raw keys the CloudTrail mapping copies, unchanged when they hold a string, to these keyword
 * fields, which it sets from nothing else: a query's `event.action:X` cannot match a record whose
 * eventName is another string, or is missing.
 */
const COPIED_FROM: Readonly<Record<string, string>> = { 'event.action': 'eventName', 'event.provider': 'eventSource' };
/** Set by the mapping from the error fields (outcomeByErrors), except for a ConsoleLogin. */
const OUTCOME = 'event.outcome';

/**
 * A test for records the byte test kept (a text that names an API in an S3 key, a failed call), run
 * before the mapping to ECS, which is most of such a record's cost: it asks for the exact values
 * queries need in event.action, event.provider and event.outcome. Undefined when some query needs none.
 */
export function recordGateFor(queries: readonly KqlQuery[]): RecordGate | undefined {
  if (queries.length === 0) return undefined;
  const alternatives: { field: string; value: string }[][] = [];
  for (const q of queries) {
    const dnf = requiredValues(q, (field) => field === OUTCOME || Object.prototype.hasOwnProperty.call(COPIED_FROM, field));
    if (!dnf) return undefined;
    alternatives.push(...dnf);
  }
  return (record) => {
    let outcome: string | null | undefined = null; // null: not worked out yet
    return alternatives.some((clause) =>
      clause.every(({ field, value }) => {
        if (field === OUTCOME) {
          if (outcome === null) outcome = outcomeByErrors(record);
          return outcome === undefined || outcome === value;
        }
        const key = COPIED_FROM[field];
        const raw = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
        // missing (or "", which the pipeline scrubs): the field is not set; not a string: the
        // mapping renders it, so the evaluator decides
        if (raw === undefined || raw === '') return false;
        return typeof raw !== 'string' || raw === value;
      }),
    );
  };
}
