// Finding the text of a value inside JSON that is already known to be valid (a record that
// parsed). Used rarely (a finding's underline, a lookup-events element's CloudTrailEvent), so it
// favours simplicity over speed, but it never recurses: a value is skipped with a depth counter.
//
// The same code serves a JS string (offsets in UTF-16 code units) and UTF-8 bytes (offsets in
// bytes): structure characters are ASCII in both, so only key decoding differs.

const QUOTE = 0x22;
const BSLASH = 0x5c;

/** Read access to a JSON text, by code unit (string) or byte (UTF-8). */
export interface JsonText {
  readonly end: number;
  code(i: number): number;
  /** The index of the next `"` at or after `from`, or -1 (a native search: strings are most of the text). */
  nextQuote(from: number): number;
  /** The decoded text of a key or string literal: `from` at its opening quote, `to` after its closing quote. */
  literal(from: number, to: number): string;
}

export class StringText implements JsonText {
  readonly end: number;
  constructor(private readonly text: string) {
    this.end = text.length;
  }
  code(i: number): number {
    return this.text.charCodeAt(i);
  }
  nextQuote(from: number): number {
    return this.text.indexOf('"', from);
  }
  literal(from: number, to: number): string {
    const raw = this.text.slice(from, to);
    return raw.indexOf('\\') < 0 ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  }
}

const utf8 = new TextDecoder('utf-8');

export class BytesText implements JsonText {
  constructor(
    private readonly bytes: Uint8Array,
    readonly end: number,
  ) {}
  code(i: number): number {
    return this.bytes[i];
  }
  nextQuote(from: number): number {
    const q = this.bytes.indexOf(QUOTE, from);
    return q < this.end ? q : -1;
  }
  literal(from: number, to: number): string {
    const raw = utf8.decode(this.bytes.subarray(from, to));
    return raw.indexOf('\\') < 0 ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  }
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipWs(t: JsonText, i: number): number {
  while (i < t.end && isWs(t.code(i))) i++;
  return i;
}

/** `i` at an opening quote; returns the index after the closing quote. */
export function skipString(t: JsonText, i: number): number {
  for (let q = t.nextQuote(i + 1); q >= 0; q = t.nextQuote(q + 1)) {
    // escaped when an odd run of backslashes precedes it (the run stops at the opening quote)
    let b = q;
    while (t.code(b - 1) === BSLASH) b--;
    if ((q - b) % 2 === 0) return q + 1;
  }
  return t.end;
}

/** `i` at the first character of a value; returns the index after it. */
export function skipValue(t: JsonText, i: number): number {
  const c = t.code(i);
  if (c === QUOTE) return skipString(t, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < t.end) {
      const d = t.code(i);
      if (d === QUOTE) {
        i = skipString(t, i);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
      i++;
    }
    return t.end;
  }
  // number or literal: runs to the next delimiter
  while (i < t.end) {
    const d = t.code(i);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break;
    i++;
  }
  return i;
}

/**
 * The value of member `key` of the object starting at `i` (its `{`), as [start, end). With
 * duplicate keys the last one wins, as in JSON.parse.
 */
export function memberValue(t: JsonText, i: number, key: string): [number, number] | undefined {
  if (t.code(i) !== 0x7b) return undefined;
  let found: [number, number] | undefined;
  i = skipWs(t, i + 1);
  while (i < t.end && t.code(i) === QUOTE) {
    const keyEnd = skipString(t, i);
    const name = t.literal(i, keyEnd);
    const vs = skipWs(t, skipWs(t, keyEnd) + 1); // past ':'
    const ve = skipValue(t, vs);
    if (name === key) found = [vs, ve];
    i = skipWs(t, ve);
    if (t.code(i) !== 0x2c) break;
    i = skipWs(t, i + 1);
  }
  return found;
}

/** Element `index` of the array starting at `i` (its `[`). */
export function elementValue(t: JsonText, i: number, index: number): [number, number] | undefined {
  if (t.code(i) !== 0x5b) return undefined;
  i = skipWs(t, i + 1);
  if (t.code(i) === 0x5d) return undefined;
  for (let n = 0; i < t.end; n++) {
    const ve = skipValue(t, i);
    if (n === index) return [i, ve];
    i = skipWs(t, ve);
    if (t.code(i) !== 0x2c) return undefined;
    i = skipWs(t, i + 1);
  }
  return undefined;
}

/** Every member value of the object starting at `i` (its `{`), as [start, end), in order. */
export function memberValues(t: JsonText, i: number): [number, number][] {
  const out: [number, number][] = [];
  if (t.code(i) !== 0x7b) return out;
  i = skipWs(t, i + 1);
  while (i < t.end && t.code(i) === QUOTE) {
    const vs = skipWs(t, skipWs(t, skipString(t, i)) + 1);
    const ve = skipValue(t, vs);
    out.push([vs, ve]);
    i = skipWs(t, ve);
    if (t.code(i) !== 0x2c) break;
    i = skipWs(t, i + 1);
  }
  return out;
}

/** Every element of the array starting at `i` (its `[`), as [start, end), in order. */
export function elementValues(t: JsonText, i: number): [number, number][] {
  const out: [number, number][] = [];
  if (t.code(i) !== 0x5b) return out;
  i = skipWs(t, i + 1);
  while (i < t.end && t.code(i) !== 0x5d) {
    const ve = skipValue(t, i);
    out.push([i, ve]);
    i = skipWs(t, ve);
    if (t.code(i) !== 0x2c) break;
    i = skipWs(t, i + 1);
  }
  return out;
}

const INDEX = /^(0|[1-9][0-9]{0,15})$/;

/** The [start, end) of the value at `path` below the value that starts at `start`. */
export function findPath(t: JsonText, start: number, path: readonly string[]): [number, number] | undefined {
  let span: [number, number] | undefined;
  let at = skipWs(t, start);
  for (const step of path) {
    const c = t.code(at);
    if (c === 0x7b) span = memberValue(t, at, step);
    else if (c === 0x5b && INDEX.test(step)) span = elementValue(t, at, Number(step));
    else span = undefined;
    if (!span) return undefined;
    at = span[0];
  }
  // the end of the value the path leads to is known, but for an empty path
  return span ?? [at, skipValue(t, at)];
}

const BEYOND_ASCII = /[^\x00-\x7f]/g;

/**
 * How many UTF-8 bytes the code units text[from, to) encode to (a lone surrogate: 3, as U+FFFD).
 * One byte per unit, plus what the units beyond ASCII add, found by the native regex search: a
 * record's text is mostly ASCII, and this runs before V8 has compiled it.
 */
export function utf8Length(text: string, from: number, to: number): number {
  let n = to - from;
  BEYOND_ASCII.lastIndex = from;
  for (let m = BEYOND_ASCII.exec(text); m !== null && m.index < to; m = BEYOND_ASCII.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 4 bytes for 2 units
      BEYOND_ASCII.lastIndex = i + 2;
    } else n += 2;
  }
  return n;
}

/**
 * Maps offsets in the decoded value of a JSON string literal to byte offsets in the literal as it
 * is written. `raw` is the literal's text, quotes included; `units` are ascending UTF-16 offsets
 * into the decoded string. An offset lands on the first byte of the escape or character that
 * produces that code unit, so a decoded `"` maps to the backslash of its `\"`.
 */
export function decodedToRawBytes(raw: string, units: readonly number[]): number[] {
  const out: number[] = new Array(units.length);
  let k = 0;
  let decoded = 0;
  let byte = 1; // after the opening quote
  let i = 1;
  const last = raw.length - 1; // the closing quote
  while (k < units.length && i < last) {
    while (k < units.length && units[k] <= decoded) out[k++] = byte;
    const c = raw.charCodeAt(i);
    if (c === BSLASH) {
      const width = raw.charCodeAt(i + 1) === 0x75 /* u */ ? 6 : 2;
      i += width;
      byte += width;
      decoded += 1;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      // a raw 4-byte character: two code units, four bytes
      i += 2;
      byte += 4;
      decoded += 2;
    } else {
      i += 1;
      byte += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      decoded += 1;
    }
  }
  while (k < units.length) out[k++] = byte;
  return out;
}
