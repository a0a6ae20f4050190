// AssemblyScript, compiled to WebAssembly by scripts/build-wasm.mjs into src/core/input/skimWasm.ts.
//
// skim() is the record scanner's fast path for the usual record: a JSON object that sits whole in
// the bytes at hand. It validates the object exactly as the scanner's state machine does (RFC 8259
// as JSON.parse accepts it, plus UTF-8 validity inside strings) and returns where it ends. It
// reports nothing: on anything unusual (a syntax error, the end of the bytes, deep nesting) it gives
// up and the state machine reads the record again from its first byte, with its exact messages and
// recovery. So it may refuse any record, but must never accept one the state machine would reject.
// String bodies are checked 16 bytes at a time, which is where a JSON scan spends its time.
//
// It also searches an accepted record for the prefilter's required text (Prefilter.required), with
// its bytes still in the cache, notes which escapes it holds (an escape may spell the text
// differently), and from both decides whether the record is ruled out. run() skims the records of
// an array of records one after another while each is ruled out, so that the scanner's JavaScript
// sees only the records it must read and where the run stopped.
//
// The module also counts UTF-16 units for the position tracker (units()) and hashes the record
// digest (digest()): byte loops that V8 leaves in its slower tiers when they are JavaScript.

/** The bytes ran out before the object closed. */
const INCOMPLETE: i32 = -1;
/** Invalid or unusual: leave the record to the state machine. */
const REFUSED: i32 = -2;
/** A top-level object with a key the scanner's frame watches: it may hold the records. */
const WATCHED: i32 = -3;
/** Nesting kept in a 64-bit stack; deeper records are refused. */
const MAX_LEVELS: i32 = 64;
/** Room for the required text, before the caller's bytes. */
const NEEDLE_ROOM: i32 = 256;
/** Room for the key that marks an element of lookup-events output (see NESTED_ESCAPE). */
const KEY_ROOM: i32 = 32;
/** Records run() notes the spans of, at most, before it stops (it goes on when called again). */
const SPAN_ROOM: i32 = 1024;
/** Room for the prefilter's literals (see setLiterals): their bytes, how many, and how many alternatives. */
const LIT_ROOM: i32 = 1024;
const MAX_LITS: i32 = 32;
const MAX_CLAUSES: i32 = 32;

/** flags() bits, for the last accepted object */
const BACKSLASH: i32 = 1; // an escape of any kind
const UNICODE_ESCAPE: i32 = 4; // a \uXXXX escape
const ASCII_ESCAPE: i32 = 8; // a \u00XX escape of an ASCII character of the required text or a literal

/**
 * An escape that writes a backslash (\\ or \u005c): in JSON inside a string (lookup-events'
 * CloudTrailEvent) it starts an escape of its own, which may write any character.
 */
const NESTED_ESCAPE: i32 = 16;
/** A \u00XX escape of an ASCII character of the lookup-events key: it may spell the key. */
const KEY_ESCAPE: i32 = 32;
/** The record is ruled out: no required text (or no alternative's literals), and no escape that could spell it. */
const RULED_OUT: i32 = 64;
/** Every literal of some alternative is in the record's bytes (setLiterals): the prefilter keeps it. */
const LITERALS_FOUND: i32 = 128;

/** the escapes seen, as flags() bits */
let escapes: i32 = 0;
let flagBits: i32 = 0;
let needleLen: i32 = 0;
let keyLen: i32 = 0;
/** The escapes (flags() bits) that may spell the required text. */
let hidingBits: i32 = BACKSLASH;

/** Where the caller writes the required text (at most NEEDLE_ROOM bytes), then calls setNeedle. */
export function needleStart(): i32 {
  return (<i32>__heap_base + 15) & ~15;
}

/** Where the caller writes the key of a lookup-events element (at most KEY_ROOM bytes). */
export function keyStart(): i32 {
  return needleStart() + NEEDLE_ROOM;
}

/** Where run() notes spans: pairs of (start, end) addresses, SPAN_ROOM of them. */
export function spansStart(): i32 {
  return keyStart() + KEY_ROOM;
}

/**
 * Where the caller writes the literals' bytes one after another (LIT_ROOM), then their lengths
 * (MAX_LITS i32) and the alternatives (MAX_CLAUSES u32: bit k for literal k), then calls setLiterals.
 */
export function literalsStart(): i32 {
  return spansStart() + SPAN_ROOM * 8;
}

/** Where the caller may put its bytes: past this module's own data, the texts and the tables. */
export function dataStart(): i32 {
  return literalsStart() + LIT_ROOM + MAX_LITS * 4 + MAX_CLAUSES * 4;
}

/**
 * The required text's length in bytes (0: none), the escapes that may spell it (flags() bits), and
 * the length of the lookup-events key at keyStart (0: none, then an escaped backslash keeps every
 * record).
 */
export function setNeedle(length: i32, hiding: i32, keyLength: i32): void {
  hidingBits = hiding;
  keyLen = keyLength >= 2 && keyLength <= KEY_ROOM ? keyLength : 0;
  needleLen = length >= 2 && length <= NEEDLE_ROOM ? length : 0;
  needleChars0 = charBits(needleStart(), needleLen, 0);
  needleChars1 = charBits(needleStart(), needleLen, 64);
  keyChars0 = charBits(keyStart(), keyLen, 0);
  keyChars1 = charBits(keyStart(), keyLen, 64);
  litCount = clauseCount = 0;
}

/** The ASCII characters of the required text and the literals, as a 128-bit set. */
let needleChars0: u64 = 0;
let needleChars1: u64 = 0;
/** The ASCII characters of the lookup-events key, likewise. */
let keyChars0: u64 = 0;
let keyChars1: u64 = 0;

/** The characters from `from` to from + 63 among the n bytes at p, as bits (bit k: character from + k). */
function charBits(p: i32, n: i32, from: u64): u64 {
  let bits: u64 = 0;
  for (let i = 0; i < n; i++) {
    const c = <u64>load<u8>(p + i) - from;
    if (c < 64) bits |= (<u64>1) << c;
  }
  return bits;
}

let litCount: i32 = 0;
let clauseCount: i32 = 0;

/**
 * The prefilter's alternatives (Prefilter.clauses), as literalsStart() describes them: a record is
 * kept when every literal of some alternative is in it. 0 literals: the required text decides alone.
 * Call after setNeedle.
 */
export function setLiterals(count: i32, clauses: i32): void {
  litCount = clauseCount = 0;
  if (count < 1 || count > MAX_LITS || clauses < 1 || clauses > MAX_CLAUSES) return;
  const lens = literalsStart() + LIT_ROOM;
  let total = 0;
  for (let k = 0; k < count; k++) {
    const n = load<i32>(lens + k * 4);
    if (n < 1) return;
    total += n;
  }
  if (total > LIT_ROOM) return;
  needleChars0 |= charBits(literalsStart(), total, 0);
  needleChars1 |= charBits(literalsStart(), total, 64);
  litCount = count;
  clauseCount = clauses;
}

/** Whether every literal of some alternative is in [start, end); each literal searched at most once. */
function someClause(start: i32, end: i32): bool {
  const lens = literalsStart() + LIT_ROOM;
  const masks = lens + MAX_LITS * 4;
  let searched: u32 = 0;
  let found: u32 = 0;
  for (let c = 0; c < clauseCount; c++) {
    const mask = load<u32>(masks + c * 4);
    let all = true;
    for (let k = 0, at = literalsStart(); k < litCount; k++) {
      const n = load<i32>(lens + k * 4);
      const bit: u32 = (<u32>1) << <u32>k;
      if ((mask & bit) != 0) {
        if ((searched & bit) == 0) {
          searched |= bit;
          if (contains(start, end, at, n)) found |= bit;
        }
        if ((found & bit) == 0) {
          all = false;
          break;
        }
      }
      at += n;
    }
    if (all) return true;
  }
  return false;
}

/**
 * The flags() bits of the \u escape at p (4 hex digits) that writes an ASCII character: of the
 * required text or a literal (ASCII_ESCAPE), of the lookup-events key (KEY_ESCAPE); 0 for others.
 */
function asciiEscapeBits(p: i32): i32 {
  if (load<u8>(p) != 0x30 || load<u8>(p + 1) != 0x30) return 0;
  const hi = <u64>hexValue(load<u8>(p + 2));
  if (hi > 7) return 0;
  const c = (hi << 4) | <u64>hexValue(load<u8>(p + 3));
  const needle = c < 64 ? (needleChars0 >> c) & 1 : (needleChars1 >> (c - 64)) & 1;
  const key = c < 64 ? (keyChars0 >> c) & 1 : (keyChars1 >> (c - 64)) & 1;
  return (needle != 0 ? ASCII_ESCAPE : 0) | (key != 0 ? KEY_ESCAPE : 0);
}

/** Whether the \u escape at p (4 hex digits) is \u005c, a backslash. */
function writesBackslash(p: i32): bool {
  return load<u8>(p) == 0x30 && load<u8>(p + 1) == 0x30 && load<u8>(p + 2) == 0x35 && (load<u8>(p + 3) | 0x20) == 0x63;
}

// @ts-ignore: decorator
@inline function hexValue(b: u32): u32 {
  return b - 0x30 < 10 ? b - 0x30 : (b | 0x20) - 0x61 + 10;
}

export function flags(): i32 {
  return flagBits;
}

/**
 * Whether the n bytes at needle occur in [p, end): candidates by their first and last byte, 32
 * places at a time (one bounds test and one loop per 32: V8 checks the stack at every loop head).
 */
function contains(p: i32, end: i32, needle: i32, n: i32): bool {
  const first = i8x16.splat(load<u8>(needle));
  const last = i8x16.splat(load<u8>(needle + n - 1));
  const stop = end - n; // the last place the needle can start
  while (p + 32 + n - 1 <= end) {
    const q = p + n - 1;
    const lo = v128.and(i8x16.eq(v128.load(p), first), i8x16.eq(v128.load(q), last));
    const hi = v128.and(i8x16.eq(v128.load(p, 16), first), i8x16.eq(v128.load(q, 16), last));
    let m = i8x16.bitmask(lo) | (i8x16.bitmask(hi) << 16);
    if (m != 0) {
      do {
        if (memory.compare(changetype<usize>(p + ctz(m)), changetype<usize>(needle), n) == 0) return true;
        m &= m - 1;
      } while (m != 0);
    }
    p += 32;
  }
  if (p + 16 + n - 1 <= end) {
    let m = i8x16.bitmask(v128.and(i8x16.eq(v128.load(p), first), i8x16.eq(v128.load(p + n - 1), last)));
    while (m != 0) {
      if (memory.compare(changetype<usize>(p + ctz(m)), changetype<usize>(needle), n) == 0) return true;
      m &= m - 1;
    }
    p += 16;
  }
  const b0 = load<u8>(needle);
  for (; p <= stop; p++) {
    if (load<u8>(p) == b0 && memory.compare(changetype<usize>(p), changetype<usize>(needle), n) == 0) return true;
  }
  return false;
}

// @ts-ignore: decorator
@inline function isWs(b: u32): bool {
  // one comparison for the usual byte, which is none of them
  return b <= 0x20 && (b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09);
}

// @ts-ignore: decorator
@inline function isDigit(b: u32): bool {
  return b - 0x30 < 10;
}

// @ts-ignore: decorator
@inline function isHex(b: u32): bool {
  return b - 0x30 < 10 || (b | 0x20) - 0x61 < 6;
}

// @ts-ignore: decorator
@inline function skipWs(p: i32, end: i32): i32 {
  // compact JSON has no blanks, pretty JSON runs of them (a line break and the indentation)
  if (p < end && load<u8>(p) <= 0x20) p = skipWsRun(p, end);
  return p;
}

/** Skips blanks from p, 16 bytes at a time. */
function skipWsRun(p: i32, end: i32): i32 {
  const space = i8x16.splat(0x20);
  const lf = i8x16.splat(0x0a);
  const cr = i8x16.splat(0x0d);
  const tab = i8x16.splat(0x09);
  while (p + 16 <= end) {
    const v = v128.load(p);
    const blank = v128.or(v128.or(i8x16.eq(v, space), i8x16.eq(v, lf)), v128.or(i8x16.eq(v, cr), i8x16.eq(v, tab)));
    const other = ~i8x16.bitmask(blank) & 0xffff;
    if (other != 0) return p + ctz(other);
    p += 16;
  }
  while (p < end && isWs(load<u8>(p))) p++;
  return p;
}

/** A continuation byte in [lo, hi] at p. */
// @ts-ignore: decorator
@inline function cont(p: i32, lo: u32, hi: u32): bool {
  const b = <u32>load<u8>(p);
  return b >= lo && b <= hi;
}

/**
 * The bytes str() compares 16 at a time with, 16 of each, in memory: V8 builds a v128 constant
 * anew wherever it is used (three instructions), and a load is one.
 */
const STR_BYTES = memory.data<u8>([
  0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
  0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
  0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
], 16);

/** Reads a string body from p (just past the opening quote): returns the index past the closing quote. */
// @ts-ignore: decorator
@inline function str(p: i32, end: i32): i32 {
  // one loop, not a 16-byte loop inside a byte loop: V8 checks the stack at every loop head
  while (true) {
    if (p + 16 <= end) {
      // 16 at a time while no quote, backslash, control character or non-ASCII byte is among them
      const v = v128.load(p);
      // signed: bytes from 0x80 up are negative, so one test stops at control and non-ASCII bytes
      const quote = v128.load(STR_BYTES);
      const bslash = v128.load(STR_BYTES, 16);
      const space = v128.load(STR_BYTES, 32);
      const m = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, bslash)), i8x16.lt_s(v, space)));
      if (m == 0) {
        p += 16;
        continue;
      }
      p += ctz(m);
    } else if (p >= end) return INCOMPLETE;
    if (load<u8>(p) == 0x22) return p + 1;
    p = strStop(p, end);
    if (p < 0) return p;
  }
  return REFUSED; // not reached
}

/**
 * str()'s rarer stops, out of its loop so that the loop stays small in registers: at p, a
 * backslash, a control character, a byte beyond ASCII, or (within 16 bytes of the end) any byte
 * but a quote. Returns the index past what it read (an escape, a character), or a negative result.
 */
function strStop(p: i32, end: i32): i32 {
  const b = <u32>load<u8>(p);
  if (b == 0x5c) {
    escapes |= BACKSLASH;
    if (p + 1 >= end) return INCOMPLETE;
    const e = <u32>load<u8>(p + 1);
    if (e == 0x75) {
      if (p + 6 > end) return INCOMPLETE;
      if (!(isHex(load<u8>(p + 2)) && isHex(load<u8>(p + 3)) && isHex(load<u8>(p + 4)) && isHex(load<u8>(p + 5)))) return REFUSED;
      escapes |= UNICODE_ESCAPE | asciiEscapeBits(p + 2);
      if (writesBackslash(p + 2)) escapes |= NESTED_ESCAPE;
      p += 6;
    } else if (e == 0x5c) {
      escapes |= NESTED_ESCAPE;
      p += 2;
    } else if (e == 0x22 || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
      p += 2;
    } else return REFUSED;
  } else if (b < 0x20) {
    return REFUSED;
  } else if (b < 0x80) {
    p++; // the tail, fewer than 16 bytes from the end
  } else {
    // one UTF-8 character, by the table of well-formed sequences (Unicode 15, table 3-7)
    if (b >= 0xc2 && b <= 0xdf) {
      if (p + 2 > end) return INCOMPLETE;
      if (!cont(p + 1, 0x80, 0xbf)) return REFUSED;
      p += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (p + 3 > end) return INCOMPLETE;
      const lo: u32 = b == 0xe0 ? 0xa0 : 0x80;
      const hi: u32 = b == 0xed ? 0x9f : 0xbf;
      if (!(cont(p + 1, lo, hi) && cont(p + 2, 0x80, 0xbf))) return REFUSED;
      p += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (p + 4 > end) return INCOMPLETE;
      const lo: u32 = b == 0xf0 ? 0x90 : 0x80;
      const hi: u32 = b == 0xf4 ? 0x8f : 0xbf;
      if (!(cont(p + 1, lo, hi) && cont(p + 2, 0x80, 0xbf) && cont(p + 3, 0x80, 0xbf))) return REFUSED;
      p += 4;
    } else return REFUSED;
  }
  return p;
}

/** The name of the last property read by member(): [keyFrom, keyTo). */
let keyFrom: i32 = 0;
let keyTo: i32 = 0;

/**
 * A property name and its colon, from p (blanks allowed first): returns the index past the ':'.
 * `noteKey`: also note the name in keyFrom and keyTo.
 */
// @ts-ignore: decorator
@inline function member(p: i32, end: i32, noteKey: bool): i32 {
  if (p >= end) return INCOMPLETE;
  let b = <u32>load<u8>(p);
  if (b <= 0x20) {
    p = skipWsRun(p, end); // blanks, or none: a control character, refused below
    if (p >= end) return INCOMPLETE;
    b = <u32>load<u8>(p);
  }
  if (b != 0x22) return REFUSED;
  if (noteKey) keyFrom = p + 1;
  p = str(p + 1, end);
  if (p < 0) return p;
  if (noteKey) keyTo = p - 1;
  if (p >= end) return INCOMPLETE;
  b = <u32>load<u8>(p);
  if (b <= 0x20) {
    p = skipWsRun(p, end); // blanks, or none: a control character, refused below
    if (p >= end) return INCOMPLETE;
    b = <u32>load<u8>(p);
  }
  if (b != 0x3a) return REFUSED;
  return p + 1;
}

/**
 * Whether the name at [p, p + n) is one the scanner's frame watches in a top-level object (Records,
 * Events, hits, and the digest file's digestStartTime, digestEndTime, logFiles), or may spell one
 * with escapes. Compared as little-endian words.
 */
function watchedKey(p: i32, n: i32): bool {
  for (let i = p; i < p + n; i++) if (load<u8>(i) == 0x5c) return true;
  if (n == 4) return load<u32>(p) == 0x73746968; // hits
  if (n == 6) return load<u32>(p) == 0x6e657645 && load<u16>(p + 4) == 0x7374; // Events
  if (n == 7) return load<u32>(p) == 0x6f636552 && load<u16>(p + 4) == 0x6472 && load<u8>(p + 6) == 0x73; // Records
  if (n == 8) return load<u64>(p) == 0x73656c6946676f6c; // logFiles
  if (n == 13) return load<u64>(p) == 0x6e45747365676964 && load<u32>(p + 8) == 0x6d695464 && load<u8>(p + 12) == 0x65; // digestEndTime
  if (n == 15) return load<u64>(p) == 0x7453747365676964 && load<u32>(p + 8) == 0x54747261 && load<u16>(p + 12) == 0x6d69 && load<u8>(p + 14) == 0x65; // digestStartTime
  return false;
}

/** A number from p (at '-' or a digit): returns the index past it. */
function num(p: i32, end: i32): i32 {
  if (load<u8>(p) == 0x2d) {
    p++;
    if (p >= end) return INCOMPLETE;
  }
  let b = <u32>load<u8>(p);
  if (b == 0x30) p++;
  else if (b - 0x31 < 9) {
    p++;
    while (p < end && isDigit(load<u8>(p))) p++;
  } else return REFUSED;
  if (p >= end) return INCOMPLETE;
  if (load<u8>(p) == 0x2e) {
    p++;
    if (p >= end) return INCOMPLETE;
    if (!isDigit(load<u8>(p))) return REFUSED;
    while (p < end && isDigit(load<u8>(p))) p++;
    if (p >= end) return INCOMPLETE;
  }
  b = <u32>load<u8>(p);
  if (b == 0x65 || b == 0x45) {
    p++;
    if (p >= end) return INCOMPLETE;
    b = <u32>load<u8>(p);
    if (b == 0x2b || b == 0x2d) {
      p++;
      if (p >= end) return INCOMPLETE;
    }
    if (!isDigit(load<u8>(p))) return REFUSED;
    while (p < end && isDigit(load<u8>(p))) p++;
  }
  return p;
}

/** true, false or null from p: returns the index past it. */
function literal(p: i32, end: i32): i32 {
  const b = <u32>load<u8>(p);
  if (b == 0x74 || b == 0x6e) {
    if (p + 4 > end) return INCOMPLETE;
    // little-endian words: "true" and "null"
    const w = load<u32>(p);
    return w == 0x65757274 || w == 0x6c6c756e ? p + 4 : REFUSED;
  }
  if (p + 5 > end) return INCOMPLETE;
  return load<u32>(p) == 0x736c6166 && load<u8>(p + 4) == 0x65 ? p + 5 : REFUSED; // "false"
}

/**
 * Validates the JSON object at [start, end) (start holds '{') and returns the index past its closing
 * brace, or INCOMPLETE / REFUSED / WATCHED. `levels`: how many nested objects and arrays, counting
 * this one, the state machine accepts here. `topLevel`: the object is a top-level value, whose
 * watched keys (see watchedKey) are the frame's business.
 */
export function skim(start: i32, end: i32, levels: i32, topLevel: bool): i32 {
  return topLevel ? skimObject(start, end, levels, true) : skimObject(start, end, levels, false);
}

/** skim(), made twice: the records of an array (run()) skip the watched keys' bookkeeping. */
// @ts-ignore: decorator
@inline function skimObject(start: i32, end: i32, levels: i32, topLevel: bool): i32 {
  escapes = 0;
  if (levels > MAX_LEVELS) levels = MAX_LEVELS;
  let p = start;
  let depth: i32 = 0;
  let arrays: u64 = 0; // bit d-1: the container at depth d is an array
  let inArray = false; // the innermost open container is an array (its bit, kept apart for speed)
  while (true) {
    // a value is due at p
    if (p >= end) return INCOMPLETE;
    let b = <u32>load<u8>(p);
    if (b <= 0x20) {
      p = skipWsRun(p, end); // blanks, or none: a control character, refused below
      if (p >= end) return INCOMPLETE;
      b = <u32>load<u8>(p);
    }
    if (b == 0x22) {
      p = str(p + 1, end);
    } else if (b == 0x7b) {
      if (depth >= levels) return REFUSED;
      depth++;
      arrays &= ~(<u64>1 << <u64>(depth - 1));
      p = skipWs(p + 1, end);
      if (p >= end) return INCOMPLETE;
      if (load<u8>(p) == 0x7d) {
        depth--;
        p++;
      } else {
        inArray = false;
        p = member(p, end, topLevel);
        if (p < 0) return p;
        if (topLevel && depth == 1 && watchedKey(keyFrom, keyTo - keyFrom)) return WATCHED;
        continue;
      }
    } else if (b == 0x5b) {
      if (depth >= levels) return REFUSED;
      depth++;
      arrays |= <u64>1 << <u64>(depth - 1);
      p = skipWs(p + 1, end);
      if (p >= end) return INCOMPLETE;
      if (load<u8>(p) == 0x5d) {
        depth--;
        p++;
      } else {
        inArray = true;
        continue;
      }
    } else if (b == 0x2d || isDigit(b)) {
      p = num(p, end);
    } else if (b == 0x74 || b == 0x66 || b == 0x6e) {
      p = literal(p, end);
    } else return REFUSED;
    if (p < 0) return p;

    // after a value: ',' or the close of its container, as long as containers close
    while (true) {
      if (depth == 0) {
        flagBits = decide(start, p);
        return p;
      }
      if (p >= end) return INCOMPLETE;
      let c = <u32>load<u8>(p);
      if (c <= 0x20) {
        p = skipWsRun(p, end); // blanks, or none: a control character, refused below
        if (p >= end) return INCOMPLETE;
        c = <u32>load<u8>(p);
      }
      if (c == 0x2c) {
        p++;
        if (!inArray) {
          p = member(p, end, topLevel);
          if (p < 0) return p;
          if (topLevel && depth == 1 && watchedKey(keyFrom, keyTo - keyFrom)) return WATCHED;
        }
        break;
      }
      if (c == (inArray ? 0x5d : 0x7d)) {
        depth--;
        p++;
        // at depth 0 the bit read is meaningless, and the loop returns before using it
        inArray = ((arrays >> <u64>(depth - 1)) & 1) != 0;
        continue;
      }
      return REFUSED;
    }
  }
  return REFUSED; // not reached
}

/**
 * The flags() bits of the accepted object [start, end). An escaped backslash (NESTED_ESCAPE) starts
 * an escape of its own in the record inside a lookup-events element's CloudTrailEvent string, where
 * `\\u0043` is a C: it keeps the record when the record may be such an element, that is when it
 * spells the element's key plainly or with a \u escape of one of its characters (as prefilter.ts
 * decides; the key is ASCII, so \u00e9 and the like cannot spell it).
 */
function decide(start: i32, end: i32): i32 {
  let f = escapes;
  if (needleLen == 0 || contains(start, end, needleStart(), needleLen)) {
    if (litCount == 0) return f;
    if (someClause(start, end)) return f | LITERALS_FOUND;
  }
  // absent: ruled out unless an escape may spell it
  const embedded = (f & NESTED_ESCAPE) != 0 && (keyLen == 0 || (f & KEY_ESCAPE) != 0 || contains(start, end, keyStart(), keyLen));
  if ((f & hidingBits) == 0 && !embedded) f |= RULED_OUT;
  return f;
}

/** run()'s results: why it stopped, how many records it ruled out, and where a kept record ends. */
const RUN_KEPT: i32 = 1; // at a record it accepted and did not rule out: [returned index, keptEnd())
const RUN_RECORD: i32 = 2; // at a record it leaves to the caller (refused, cut short, too long, span room full)
const RUN_AFTER: i32 = 3; // just past a record, before something other than ',' and a record
const RUN_VALUE: i32 = 4; // just past a ',' not followed by a record in the bytes
let runState: i32 = 0;
let runCount: i32 = 0;
let keptEnd: i32 = 0;

export function runResult(): i32 {
  return runState;
}

export function runLength(): i32 {
  return runCount;
}

export function runKeptEnd(): i32 {
  return keptEnd;
}

/**
 * Skims the records of an array of records from start (at '{') while each is accepted and ruled
 * out, and returns where it stopped (see the RUN_ results). The spans of the records ruled out are
 * noted at spansStart(). `levels`: as skim's; `maxBytes`: the longest record the caller accepts.
 */
export function run(start: i32, end: i32, levels: i32, maxBytes: i32): i32 {
  runCount = 0;
  let p = start;
  while (true) {
    if (runCount == SPAN_ROOM) {
      runState = RUN_RECORD;
      return p;
    }
    const e = skimObject(p, end, levels, false);
    if (e < 0 || e - p > maxBytes) {
      runState = RUN_RECORD;
      return p;
    }
    if ((flagBits & RULED_OUT) == 0) {
      runState = RUN_KEPT;
      keptEnd = e;
      return p;
    }
    const span = spansStart() + runCount * 8;
    store<i32>(span, p);
    store<i32>(span, e, 4);
    runCount++;
    let q = skipWs(e, end);
    if (q >= end || load<u8>(q) != 0x2c) {
      runState = RUN_AFTER;
      return e;
    }
    q = skipWs(q + 1, end);
    if (q >= end || load<u8>(q) != 0x7b) {
      runState = RUN_VALUE;
      return q;
    }
    p = q;
  }
  return p; // not reached
}

/**
 * UTF-16 code units of the UTF-8 bytes [p, end), as the position tracker counts them: one per byte,
 * none per continuation byte (10xxxxxx), one more per lead byte of 4 (11110xxx and up).
 */
export function units(p: i32, end: i32): i32 {
  let n = end - p;
  const top2 = i8x16.splat(<i8>0xc0);
  const cont = i8x16.splat(<i8>0x80);
  const lead4 = i8x16.splat(<i8>0xf0);
  while (p + 16 <= end) {
    const v = v128.load(p);
    if (i8x16.bitmask(v) != 0) {
      n -= popcnt(i8x16.bitmask(i8x16.eq(v128.and(v, top2), cont)));
      n += popcnt(i8x16.bitmask(i8x16.ge_u(v, lead4)));
    }
    p += 16;
  }
  for (; p < end; p++) {
    const b = <u32>load<u8>(p);
    if ((b & 0xc0) == 0x80) n--;
    else if (b >= 0xf0) n++;
  }
  return n;
}

/** digest()'s two lanes after the bytes it was given. */
let lane1: u32 = 0;
let lane2: u32 = 0;

/**
 * The record digest (RecordDigest in report/model.ts, whose JavaScript loop is the reference) fed
 * the bytes [p, end) from lanes h1 and h2: two FNV-1a-like 32-bit lanes, the second mixed with the
 * first. In JavaScript it is a byte loop V8 leaves in its baseline tiers for most of a scan.
 */
export function digest(p: i32, end: i32, h1: u32, h2: u32): void {
  for (; p < end; p++) {
    const b = <u32>load<u8>(p);
    h1 = (h1 ^ b) * 0x01000193;
    h2 = (h2 ^ b ^ (h1 & 0xff)) * 0x01000193;
  }
  lane1 = h1;
  lane2 = h2;
}

export function digestLane1(): u32 {
  return lane1;
}

export function digestLane2(): u32 {
  return lane2;
}
