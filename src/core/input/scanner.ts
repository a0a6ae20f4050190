// The record finder: one resumable state machine over UTF-8 bytes, fed in chunks of any size.
//
// It validates JSON exactly (RFC 8259, as JSON.parse accepts it, plus UTF-8 validity inside
// strings) while it walks, so a syntax error is reported at its byte the moment it is seen, and a
// record that reaches its closing brace is known to parse. Only the bytes of the record being
// read are kept (in a growing buffer when it spans chunks; none when a chunk holds it whole).
//
// Above the records sits a small "frame": the containers that hold records. Which container
// holds them is decided from content as the keys go by:
//   top-level value                 a record candidate (JSON Lines, concatenated, single object)
//   top-level [ ... ]               each element
//   {"Records":[ ... ]}             each element (other keys may come first)
//   {"Events":[ ... ]}              each element's CloudTrailEvent string (lookup-events)
//   {"hits":{"hits":[ ... ]}}       each element (an Elasticsearch response)
// A top-level object stays a record candidate (and is buffered) until one of those keys proves
// it is a container; a digest file is recognised by its digest keys.
//
// Recovery after a syntax error (the record is dropped, the error reported once):
//   * Inside an array of records, a string-aware bracket counter continues from where the error
//     was: when it returns to the array's level the broken record is over, and the next `{` is
//     parsed normally. That keeps alignment for stray commas, bad tokens, garbage bytes.
//     The counter resumes only at a `{` that can start an element (not one right after `"key":`).
//   * When brackets or quotes are unbalanced the counter cannot be trusted, so in parallel every
//     `{` that begins a line, follows `,` `[` or `}` (whitespace allowed between; `},{` is the
//     usual case), or is itself the unexpected byte, starts a speculative read (at most 4 at a
//     time). A speculative object that closes, parses, and looks like a record (the strict test
//     of looksLikeRecordStrict) is accepted as the next element; the counter is dropped.
//   * The broken record's bytes already read are replayed through that search, because a fault
//     can surface only after the next record's start was swallowed (a lost quote turns
//     `"ok":true},{"eventVersion"` into one key).
//   * At the top level (JSON Lines, or an error in the frame itself), parsing resumes at the next
//     line whose first non-blank character is `{`. Speculative reads also run there, so records
//     of a one-line envelope with a broken preamble are still found. A top-level array whose
//     next element starts a line without a comma is taken for damaged JSON Lines.
//   * A top-level object that is not a record but holds arrays of records (a damaged "Records"
//     key, another tool's wrapper) yields those records, and arrays of arrays of records are
//     read through.
//   * Further errors stay quiet until recovery is confirmed (in an array: the counter closing
//     cleanly before a '{', or a complete element; at the top level: a value starting at column
//     0), so one fault gives one problem while separate faults in neighbouring records are each
//     reported.
// Nesting deeper than maxDepth is skipped with a counter (no stack, no recursion).

import type { FileShape, Prefilter, Problem, ProblemCode, RecordSink, Span } from '../types';
import { BytesText, elementValues, memberValue, memberValues } from './locate';
import { EmbeddedRecord, Json, SOURCE_PREFIX, TextRecord, classify, holdsRecords, isObject, looksLikeRecordStrict } from './records';
import { Skimmer } from './skim';

export interface ScannerOptions {
  /** Called with a record's raw bytes before parsing; `false` skips the record unparsed. */
  prefilter?: Prefilter;
  /** Deepest nesting of arrays and objects accepted, counted from the top of the file (default 512). */
  maxDepth?: number;
  /** Largest record accepted, in bytes (default 64 MiB); larger records are reported and skipped. */
  maxRecordBytes?: number;
  /** Read whole records (of an array of records, or top-level ones) with the WebAssembly fast path (default true). */
  fastPath?: boolean;
  /**
   * The fast path's skimmer, lent by a caller that also counts positions with it (StreamPositions'
   * counter), so each chunk is copied into WebAssembly memory once. The scanner neither releases it
   * nor forgets its bytes on push: the caller pushes each chunk to the tracker first, which does.
   */
  skimmer?: Skimmer;
}

export const DEFAULT_MAX_DEPTH = 512;
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The first bytes are inspected for byte-order marks and binary data before anything is parsed. */
const HEAD_BYTES = 4096;

// parser states
const TOP = 0; // between top-level values
const VALUE = 1; // a value must follow (after ':' or an array ',')
const VALUE_OR_END = 2; // after '['
const KEY_OR_END = 3; // after '{'
const KEY = 4; // after an object ','
const COLON = 5;
const AFTER = 6; // after a value inside a container
const STRING = 7;
const ESCAPE = 8;
const UHEX = 9;
const UTF8 = 10; // inside a multi-byte character of a string
const NUM_MINUS = 11;
const NUM_ZERO = 12;
const NUM_INT = 13;
const NUM_DOT = 14;
const NUM_FRAC = 15;
const NUM_E = 16;
const NUM_ESIGN = 17;
const NUM_EXP = 18;
const LITERAL = 19;
const RECOVER = 20;
const SKIP = 21; // skipping a too-deep value with a counter
const DEAD = 22; // nothing more can be read (UTF-16, binary)

const OBJ = 1;
const ARR = 2;

const QUOTE = 0x22;
const BSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COMMA = 0x2c;
const COLON_CH = 0x3a;
const SLASH = 0x2f;
const STAR = 0x2a;
const LF = 0x0a;
const CR = 0x0d;

const WS = new Uint8Array(256);
WS[0x20] = WS[0x09] = WS[LF] = WS[CR] = 1;
/** Bytes that end the fast path inside a string: quote, backslash, control, non-ASCII. */
const STR_STOP = new Uint8Array(256);
for (let b = 0; b < 256; b++) STR_STOP[b] = b < 0x20 || b === QUOTE || b === BSLASH || b >= 0x80 ? 1 : 0;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

const LITERALS = [
  [0x74, 0x72, 0x75, 0x65], // true
  [0x66, 0x61, 0x6c, 0x73, 0x65], // false
  [0x6e, 0x75, 0x6c, 0x6c], // null
];
const LITERAL_NAMES = ['true', 'false', 'null'];

// keys the frame watches
const K_NONE = 0;
const K_RECORDS = 1;
const K_EVENTS = 2;
const K_HITS = 3;
const DIGEST_START = 1;
const DIGEST_OTHER = 2;
/** The watched keys by length, for a quick rejection of the others. */
const WATCHED_BY_LENGTH: (string[] | undefined)[] = [];
for (const k of ['Records', 'Events', 'hits', 'digestStartTime', 'digestEndTime', 'logFiles']) (WATCHED_BY_LENGTH[k.length] ??= []).push(k);

function sameAscii(bytes: Uint8Array, from: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

const RECOVER_ARRAY = 1;
const RECOVER_LINES = 2;
const MAX_SPECULATIONS = 4;

type TopKind = 'single' | 'array' | 's3-envelope' | 'lookup-events' | 'elasticsearch-hits' | 'digest' | 'other';

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder('utf-8');
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Whether bytes[from, to) holds `b` (a bounded search: indexOf alone would run to the end of a big chunk). */
function hasByte(bytes: Uint8Array, from: number, to: number, b: number): boolean {
  if (to - from > 64) return bytes.subarray(from, to).indexOf(b) >= 0;
  for (let i = from; i < to; i++) if (bytes[i] === b) return true; // short (a key): no allocation
  return false;
}

function describe(b: number): string {
  if (b >= 0x21 && b < 0x7f) return `'${String.fromCharCode(b)}'`;
  if (b === 0x20) return 'a space';
  if (b === LF) return 'a line break';
  return `byte 0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
}

export class RecordScanner {
  private readonly sink: RecordSink;
  private readonly prefilter?: Prefilter;
  private readonly maxDepth: number;
  private readonly maxRecordBytes: number;
  private fastPath: boolean;
  private skimmer: Skimmer | null = null;
  /** The state after what skimRecord took: past a record (AFTER), or past the ',' after one (VALUE). */
  private skimmedState = AFTER;
  /** The skimmer is the caller's (ScannerOptions.skimmer). */
  private readonly lent: boolean;

  /** File offset of the next byte pushed. */
  private offset = 0;
  /** run(): where pushPart may stop, and where the loop stopped (the segment's end when it read all). */
  private stopAfter = Infinity;
  private stoppedAt = 0;
  /** File offset of buf[0] for the segment being run. */
  private base = 0;
  private segFrom = 0;
  private head: Uint8Array | null = null;
  private headLen = 0;
  private headDone = false;
  private ended = false;
  /** The segment being run. */
  private seg: Uint8Array = EMPTY;

  // JSON state
  private state = TOP;
  private depth = 0;
  private readonly stack: Uint8Array;
  private strIsKey = false;
  private hexLeft = 0;
  private utf8Left = 0;
  private utf8Lo = 0;
  private utf8Hi = 0;
  private litWord = 0;
  private litPos = 0;
  private hasBackslash = false;

  // frame
  /** Depth of the container whose elements are records (0: top-level values are). */
  private rcd = 0;
  private rcdLookup = false;
  /** The depth of the outermost array of records (rcd is deeper inside nested arrays). */
  private rcdBase = 0;
  private keyWatchDepth = 0;
  private hitsDepth = 0;
  private pendingKey = K_NONE;
  private digestKeys = 0;
  private watchingKey = false;
  private keySeg = 0;
  private keyBuf = new Uint8Array(256);
  private keyLen = 0;

  // the record candidate being read
  private inCand = false;
  /** True while bytes are being captured (a candidate, or speculative reads). */
  private capturing = false;
  private capStart = 0;
  private capSeg = 0;
  private capBuf = new Uint8Array(0);
  private capLen = 0;
  private capOversized = false;

  // recovery
  private quiet = false;
  private recMode = 0;
  private tDepth = 0;
  private tInStr = false;
  private tEsc = false;
  private skipTarget = 0;
  /** File offset of the byte that caused the current recovery: an unexpected '{' there is a likely record start. */
  private errorAt = -1;
  /** True while the recovery scan re-reads a broken record's bytes (see fail()). */
  private replaying = false;
  /** Where the candidate starts in the bytes being replayed. */
  private replayFrom = 0;
  private rLineStart = true;
  private rLast = -1;
  private rPrev = -1;
  private rPrevByte = LF;
  private readonly specStart: number[] = [];
  private readonly specDepth: number[] = [];
  private readonly specInStr: boolean[] = [];
  private readonly specEsc: boolean[] = [];
  // text context at the end of the previous segment, for errors at a segment's first bytes
  private ctxLineStart = true;
  private ctxLast = -1;
  private ctxPrev = -1;
  private ctxPrevByte = LF;

  // results
  private count = 0;
  private problemCount = 0;
  private errorCount = 0;
  private topCount = 0;
  private topOpen = false;
  private curKind: TopKind = 'other';
  private firstKind: TopKind | undefined;
  private mixedKinds = false;
  private digestSpan: Span | undefined;
  private finalShape: FileShape | undefined;
  private dead = false;
  /** Set for the nested check of a CloudTrailEvent string: report the bare syntax message. */
  private bareMessages = false;

  constructor(sink: RecordSink, options: ScannerOptions = {}) {
    this.sink = sink;
    this.prefilter = options.prefilter;
    this.maxDepth = Math.max(1, Math.floor(options.maxDepth ?? DEFAULT_MAX_DEPTH));
    this.maxRecordBytes = Math.max(2, Math.floor(options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES));
    this.fastPath = options.fastPath ?? true;
    this.lent = this.fastPath && options.skimmer !== undefined;
    if (this.lent) {
      this.skimmer = options.skimmer!;
      this.skimmer.setRequired(this.prefilter);
    }
    this.stack = new Uint8Array(this.maxDepth + 1);
  }

  /** What the file holds; provisional while streaming, final after end(). */
  get shape(): FileShape {
    return this.finalShape ?? this.computeShape();
  }

  /** Records found so far, parsed or skipped by the prefilter. */
  get recordCount(): number {
    return this.count;
  }

  push(chunk: Uint8Array): void {
    this.pushPart(chunk, 0, Infinity);
  }

  /**
   * Pushes chunk[from, ...) like push(), but may stop early: just past a record that ends at or
   * after `stopAfter`. Returns where it stopped (chunk.length once all is read); the caller goes on
   * by calling again from there, with the same chunk. A caller that must serve its event loop
   * often (a zlib stream waiting for its next call) reads a chunk in parts without splitting a
   * record, which would send the record through the state machine instead of the fast path.
   */
  pushPart(chunk: Uint8Array, from: number, stopAfter: number): number {
    if (this.ended) throw new Error('RecordScanner.push() after end()');
    const to = chunk.length;
    if (from >= to) return to;
    if (!this.headDone) {
      if (from > 0) chunk = chunk.subarray(from);
      if (this.headLen === 0 && chunk.length >= HEAD_BYTES) {
        // the usual case: inspect the first bytes in place, no copy
        this.headDone = true;
        const skip = this.inspectHead(chunk.subarray(0, HEAD_BYTES));
        this.offset = skip;
        return this.dead ? to : from + this.run(chunk, skip, chunk.length, stopAfter - from);
      }
      if (!this.head) this.head = new Uint8Array(HEAD_BYTES);
      const take = Math.min(chunk.length, HEAD_BYTES - this.headLen);
      this.head.set(chunk.subarray(0, take), this.headLen);
      this.headLen += take;
      if (this.headLen < HEAD_BYTES) return to;
      this.flushHead();
      return take < chunk.length && !this.dead ? from + this.run(chunk, take, chunk.length, stopAfter - from) : to;
    }
    return this.dead ? to : this.run(chunk, from, to, stopAfter);
  }

  end(): void {
    if (this.ended) return;
    if (!this.headDone) this.flushHead();
    this.ended = true;
    if (!this.dead) this.finish();
    if (this.skimmer) {
      if (!this.lent) this.skimmer.release();
      this.skimmer = null;
    }
    this.finalShape = this.computeShape(true);
    if (this.finalShape === 'digest') {
      this.report(
        'not-events',
        'info',
        'This is a CloudTrail digest file (it lists log files and their hashes for integrity validation); it holds no events to scan.',
        this.digestSpan ?? { start: 0, end: 0 },
      );
    } else if (this.count === 0 && this.finalShape !== 'empty' && this.problemCount === 0) {
      this.report(
        'not-events',
        'info',
        'No CloudTrail records or ECS documents found: no object here has eventName with eventSource, or ECS fields.',
        { start: 0, end: 0 },
      );
    }
  }

  // ---------------------------------------------------------------------------------------------
  // head: byte-order marks and binary data

  private flushHead(): void {
    this.headDone = true;
    const head = (this.head ?? new Uint8Array(0)).subarray(0, this.headLen);
    this.head = null;
    const skip = this.inspectHead(head);
    this.offset = skip;
    if (!this.dead && skip < head.length) this.run(head, skip, head.length);
  }

  /** Returns how many leading bytes to skip (a UTF-8 BOM), or marks the input unreadable. */
  private inspectHead(h: Uint8Array): number {
    const n = h.length;
    if (n >= 2 && ((h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff))) {
      return this.unreadable(
        `The file is UTF-16 encoded (it starts with a UTF-16 byte-order mark); CloudTrail logs are UTF-8. Convert it to UTF-8 to scan it.`,
      );
    }
    const bom = n >= 3 && h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf ? 3 : 0;
    if (n - bom >= 2 && h[bom] === 0x1f && h[bom + 1] === 0x8b) {
      return this.unreadable('The data is gzip-compressed; decompress it (or open the .gz through a reader that does) to scan it.');
    }
    let nul = 0;
    let control = 0;
    const nulAt = [0, 0]; // NUL bytes at even and odd offsets
    for (let i = bom; i < n; i++) {
      const b = h[i];
      if (b === 0) {
        nul++;
        nulAt[(i - bom) & 1]++;
      } else if (b < 0x20 && WS[b] === 0) control++;
    }
    if (nul > 0) {
      // UTF-16 text puts a NUL beside every ASCII character: after it (LE) or before it (BE)
      const pairs = (n - bom) >> 1;
      const hi = Math.max(nulAt[0], nulAt[1]);
      // ...on one side only: a run of NULs (zero padding) has them on both
      if (pairs > 0 && hi >= pairs * 0.45 && Math.min(nulAt[0], nulAt[1]) * 5 <= hi) {
        return this.unreadable('The file looks like UTF-16 text without a byte-order mark; CloudTrail logs are UTF-8. Convert it to UTF-8 to scan it.');
      }
    }
    // A file that starts as JSON, or has only a few stray NUL or control bytes, is parsed: the
    // parser reports each at its byte and keeps every record around them (a log whose tail a crash
    // filled with zeros, a damaged first line), as it does for such bytes past the first 4 KB.
    // Binary data has them everywhere: random bytes are about 11% controls.
    let first = bom;
    while (first < n && WS[h[first]] === 1) first++;
    if (first < n && (h[first] === LBRACE || h[first] === LBRACK)) return bom;
    if ((nul + control) * 20 > n - bom) {
      return this.unreadable(`The file holds binary data (${nul > 0 ? 'NUL' : 'control'} bytes), not JSON text; nothing in it was scanned.`);
    }
    return bom;
  }

  private unreadable(message: string): number {
    this.dead = true;
    this.state = DEAD;
    this.report('invalid-encoding', 'error', message, { start: 0, end: 0 });
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // the main loop

  /** Reads buf[from, to), or up to the end of a record at or after stopAfter (see pushPart): returns where it stopped. */
  private run(buf: Uint8Array, from: number, to: number, stopAfter = Infinity): number {
    this.base = this.offset - from;
    this.seg = buf;
    this.segFrom = from;
    if (this.capturing) this.capSeg = from;
    if (this.watchingKey) this.keySeg = from;
    if (this.skimmer && !this.lent) this.skimmer.forget();
    this.stopAfter = stopAfter;
    this.stoppedAt = to;
    this.state = this.loop(buf, from, to, this.state);
    const end = this.stoppedAt;
    this.segmentEnd(buf, from, end);
    this.offset += end - from;
    this.seg = EMPTY; // do not hold on to the caller's chunk
    return end;
  }

  /**
   * The hot loop: only transitions every record makes (strings, keys, ':', ',', nested '{' and
   * '}'); anything else, however common, goes through the one call to step() with nothing
   * changed yet. V8 optimises this loop within the first chunk, and a branch first taken deep
   * into a file has no type feedback and throws that code away, so no rare branch may live here.
   * The return after the loop reads nothing: it first runs when the OSR-compiled loop exits.
   */
  private loop(buf: Uint8Array, i: number, to: number, state: number): number {
    const stack = this.stack;
    while (i < to) {
      if (state === STRING) {
        while (i < to && STR_STOP[buf[i]] === 0) i++;
        if (i === to) return state;
        if (buf[i] === QUOTE) {
          if (this.strIsKey) {
            if (!this.watchingKey) {
              i++;
              // `"key":"value"`: straight into the value string
              if (i + 1 < to && buf[i] === COLON_CH && buf[i + 1] === QUOTE && this.pendingKey === K_NONE) {
                this.strIsKey = false;
                i += 2;
              } else state = COLON;
              continue;
            }
          } else {
            const d = this.depth;
            // keyWatchDepth >= 0, so d > 0 here: a value inside a container whose keys are not watched
            if (d > this.keyWatchDepth) {
              i++;
              // `"value","nextKey"`: straight into the next key
              if (i + 1 < to && buf[i] === COMMA && buf[i + 1] === QUOTE && stack[d - 1] === OBJ) {
                this.strIsKey = true;
                i += 2;
              } else state = AFTER;
              continue;
            }
          }
        }
      } else if (state === AFTER) {
        let b = buf[i];
        while (WS[b] === 1) {
          if (++i === to) return state;
          b = buf[i];
        }
        if (b === COMMA) {
          state = stack[this.depth - 1] === OBJ ? KEY : VALUE;
          i++;
          continue;
        }
        if (b === RBRACE) {
          // the end of an object inside an array of records: what close() does when no frame level ends
          const d = this.depth - 1;
          if (stack[d] === OBJ && d >= this.rcd && d !== 0 && d >= this.hitsDepth) {
            this.depth = d;
            // at rcd it ends a record of an array of records (a top-level one goes through step())
            if (d === this.rcd && this.inCand) this.candEnd(i);
            i++;
            continue; // still AFTER (not the top level)
          }
        }
      } else if (state === KEY || state === KEY_OR_END) {
        let b = buf[i];
        while (WS[b] === 1) {
          if (++i === to) return state;
          b = buf[i];
        }
        if (b === QUOTE && this.depth > this.keyWatchDepth) {
          this.strIsKey = true;
          state = STRING;
          i++;
          continue;
        }
      } else if (state === COLON) {
        let b = buf[i];
        while (WS[b] === 1) {
          if (++i === to) return state;
          b = buf[i];
        }
        if (b === COLON_CH) {
          state = VALUE;
          i++;
          continue;
        }
      } else if (state === VALUE || state === VALUE_OR_END || state === TOP) {
        let b = buf[i];
        while (WS[b] === 1) {
          if (++i === to) return state;
          b = buf[i];
        }
        const d = this.depth;
        // a record: of an array of records, or a top-level one (JSON Lines)
        if (b === LBRACE && d === this.rcd && this.fastPath && this.pendingKey === K_NONE) {
          const e = this.skimRecord(buf, i, to);
          if (e >= 0) {
            i = e;
            state = d === 0 ? TOP : this.skimmedState;
            // past a whole record, nothing half-read: as good a place to stop as a chunk's end
            if (i >= this.stopAfter) {
              this.stoppedAt = i;
              return state;
            }
            continue;
          }
        }
        if (d !== 0 && this.pendingKey === K_NONE) {
          // a nested object (not a record's start, not too deep)
          if (b === LBRACE && d !== this.maxDepth && d !== this.rcd) {
            stack[d] = OBJ;
            this.depth = d + 1;
            state = KEY_OR_END;
            i++;
            continue;
          }
        }
      }
      i = this.step(buf, i, to, state);
      state = this.state;
    }
    return state;
  }

  /**
   * The full state machine for the byte at buf[i] (a run of them for strings, numbers, blanks and
   * recovery): sets this.state, returns where to continue. Kept out of loop() so that its many
   * rare branches (errors, escapes, the frame, recovery) cannot deoptimise the hot loop.
   */
  private step(buf: Uint8Array, i: number, to: number, state: number): number {
    const stack = this.stack;
    // a one-pass loop, so the `continue` and `break main` of each case end the step
    main: do {
      switch (state) {
        case STRING: {
          while (i < to && STR_STOP[buf[i]] === 0) i++;
          if (i === to) break;
          const b = buf[i];
          if (b === QUOTE) {
            i++;
            if (this.strIsKey) {
              if (this.watchingKey) this.keyEnd(buf, i - 1);
              // fast path for the common `"key":"value"`: straight into the value string
              if (i + 1 < to && buf[i] === COLON_CH && buf[i + 1] === QUOTE && this.pendingKey === K_NONE) {
                this.strIsKey = false;
                i += 2;
              } else state = COLON;
            } else {
              const d = this.depth;
              if (d === 0) {
                this.topEnd();
                state = TOP;
              } else if (i + 1 < to && buf[i] === COMMA && buf[i + 1] === QUOTE && stack[d - 1] === OBJ) {
                // fast path for `"value","nextKey"`: straight into the next key
                this.strIsKey = true;
                if (d <= this.keyWatchDepth) {
                  this.watchingKey = true;
                  this.keySeg = i + 2;
                  this.keyLen = 0;
                }
                i += 2;
              } else state = AFTER;
            }
          } else if (b === BSLASH) {
            this.hasBackslash = true;
            state = ESCAPE;
            i++;
          } else if (b >= 0x80) {
            if (b >= 0xc2 && b <= 0xdf) {
              this.utf8Left = 1;
              this.utf8Lo = 0x80;
              this.utf8Hi = 0xbf;
            } else if (b >= 0xe0 && b <= 0xef) {
              this.utf8Left = 2;
              this.utf8Lo = b === 0xe0 ? 0xa0 : 0x80;
              this.utf8Hi = b === 0xed ? 0x9f : 0xbf; // no UTF-16 surrogates
            } else if (b >= 0xf0 && b <= 0xf4) {
              this.utf8Left = 3;
              this.utf8Lo = b === 0xf0 ? 0x90 : 0x80;
              this.utf8Hi = b === 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
            } else {
              state = this.fail(i, `Invalid UTF-8 in a string: ${describe(b)} cannot start a character`, state);
              continue;
            }
            state = UTF8;
            i++;
          } else {
            state = this.fail(i, `Unescaped control character (${describe(b)}) in a string; it must be written as an escape`, state);
          }
          continue;
        }

        case TOP:
        case VALUE:
        case VALUE_OR_END: {
          let b = buf[i];
          while (WS[b] === 1) {
            if (++i === to) break main;
            b = buf[i];
          }
          const d = this.depth;
          if (d === 0) this.topStart(buf, i, b);
          else if (this.pendingKey !== K_NONE) this.frameValue(b, d);
          if (b === QUOTE) {
            this.strIsKey = false;
            state = STRING;
            i++;
          } else if (b === LBRACE) {
            if (d === this.maxDepth) {
              state = this.tooDeep(i);
              i++;
              continue;
            }
            if (d === this.rcd && !this.inCand) this.candStart(i);
            stack[d] = OBJ;
            this.depth = d + 1;
            state = KEY_OR_END;
            i++;
          } else if (b === LBRACK) {
            if (d === this.maxDepth) {
              state = this.tooDeep(i);
              i++;
              continue;
            }
            // an array where records are expected holds records too ([[...], [...]] pages)
            if (d === this.rcd && d > 0) this.rcd = d + 1;
            stack[d] = ARR;
            this.depth = d + 1;
            state = VALUE_OR_END;
            i++;
          } else if (b >= 0x31 && b <= 0x39) {
            state = NUM_INT;
            i++;
          } else if (b === 0x30) {
            state = NUM_ZERO;
            i++;
          } else if (b === 0x2d) {
            state = NUM_MINUS;
            i++;
          } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
            this.litWord = b === 0x74 ? 0 : b === 0x66 ? 1 : 2;
            this.litPos = 1;
            state = LITERAL;
            i++;
          } else if (b === RBRACK && state === VALUE_OR_END) {
            state = this.close(i);
            i++;
          } else {
            state = this.fail(i, this.valueMessage(b, state), state);
          }
          continue;
        }

        case KEY_OR_END:
        case KEY: {
          let b = buf[i];
          while (WS[b] === 1) {
            if (++i === to) break main;
            b = buf[i];
          }
          if (b === QUOTE) {
            this.strIsKey = true;
            if (this.depth <= this.keyWatchDepth) {
              this.watchingKey = true;
              this.keySeg = i + 1;
              this.keyLen = 0;
            }
            state = STRING;
            i++;
          } else if (b === RBRACE && state === KEY_OR_END) {
            state = this.close(i);
            i++;
          } else {
            const msg =
              state === KEY
                ? b === RBRACE
                  ? "Expected a property name after ',', found '}' (trailing commas are not allowed in JSON)"
                  : `Expected a property name in double quotes after ',', found ${describe(b)}`
                : `Expected a property name in double quotes or '}', found ${describe(b)}`;
            state = this.fail(i, msg, state);
          }
          continue;
        }

        case COLON: {
          let b = buf[i];
          while (WS[b] === 1) {
            if (++i === to) break main;
            b = buf[i];
          }
          if (b === COLON_CH) {
            state = VALUE;
            i++;
          } else state = this.fail(i, `Expected ':' after a property name, found ${describe(b)}`, state);
          continue;
        }

        case AFTER: {
          let b = buf[i];
          while (WS[b] === 1) {
            if (++i === to) break main;
            b = buf[i];
          }
          const top = stack[this.depth - 1];
          if (b === COMMA) {
            state = top === OBJ ? KEY : VALUE;
            i++;
          } else if ((b === RBRACE && top === OBJ) || (b === RBRACK && top === ARR)) {
            state = this.close(i);
            i++;
          } else {
            const msg =
              top === OBJ
                ? `Expected ',' or '}' after a property value, found ${describe(b)}`
                : `Expected ',' or ']' after an array element, found ${describe(b)}`;
            state = this.fail(i, msg, state);
          }
          continue;
        }

        case ESCAPE: {
          const b = buf[i];
          if (b === QUOTE || b === BSLASH || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74) {
            state = STRING;
            i++;
          } else if (b === 0x75) {
            this.hexLeft = 4;
            state = UHEX;
            i++;
          } else state = this.fail(i, `Invalid escape sequence '\\${b >= 0x21 && b < 0x7f ? String.fromCharCode(b) : '…'}' in a string`, state);
          continue;
        }

        case UHEX: {
          if (HEX[buf[i]] === 1) {
            if (--this.hexLeft === 0) state = STRING;
            i++;
          } else state = this.fail(i, `Invalid \\u escape: expected four hex digits, found ${describe(buf[i])}`, state);
          continue;
        }

        case UTF8: {
          const b = buf[i];
          if (b >= this.utf8Lo && b <= this.utf8Hi) {
            this.utf8Lo = 0x80;
            this.utf8Hi = 0xbf;
            if (--this.utf8Left === 0) state = STRING;
            i++;
          } else state = this.fail(i, `Invalid UTF-8 in a string: ${describe(b)} does not continue the character before it`, state);
          continue;
        }

        case NUM_MINUS:
        case NUM_DOT:
        case NUM_E:
        case NUM_ESIGN: {
          const b = buf[i];
          if (b >= 0x30 && b <= 0x39) {
            state = state === NUM_MINUS ? (b === 0x30 ? NUM_ZERO : NUM_INT) : state === NUM_DOT ? NUM_FRAC : NUM_EXP;
            i++;
          } else if (state === NUM_E && (b === 0x2b || b === 0x2d)) {
            state = NUM_ESIGN;
            i++;
          } else {
            const where = state === NUM_MINUS ? "after '-'" : state === NUM_DOT ? "after '.'" : 'in the exponent';
            state = this.fail(i, `Invalid number: expected a digit ${where}, found ${describe(b)}`, state);
          }
          continue;
        }

        case NUM_ZERO:
        case NUM_INT:
        case NUM_FRAC:
        case NUM_EXP: {
          if (state !== NUM_ZERO) {
            while (i < to && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
            if (i === to) break;
          }
          const b = buf[i];
          if (b === 0x2e && (state === NUM_ZERO || state === NUM_INT)) {
            state = NUM_DOT;
            i++;
          } else if ((b === 0x65 || b === 0x45) && state !== NUM_EXP) {
            state = NUM_E;
            i++;
          } else if (state === NUM_ZERO && b >= 0x30 && b <= 0x39) {
            state = this.fail(i, 'Invalid number: a leading zero must not be followed by more digits', state);
          } else if (this.depth === 0) {
            // the number ended at the top level; this byte starts whatever follows
            this.topEnd();
            state = TOP;
          } else state = AFTER;
          continue;
        }

        case LITERAL: {
          const word = LITERALS[this.litWord];
          const b = buf[i];
          if (b !== word[this.litPos]) {
            state = this.fail(i, `Invalid token: expected '${LITERAL_NAMES[this.litWord]}', found ${describe(b)}`, state);
            continue;
          }
          i++;
          if (++this.litPos === word.length) {
            if (this.depth === 0) {
              this.topEnd();
              state = TOP;
            } else state = AFTER;
          }
          continue;
        }

        case RECOVER: {
          this.state = state;
          i = this.recover(buf, i, to);
          state = this.state;
          continue;
        }

        case SKIP: {
          this.state = state;
          i = this.skipDeep(buf, i, to);
          state = this.state;
          continue;
        }

        default:
          // DEAD
          i = to;
      }
    } while (false);
    this.state = state;
    return i;
  }
  /** Bytes of partial candidates/keys carry over to the next chunk; also remembers the text context. */
  private segmentEnd(buf: Uint8Array, from: number, to: number): void {
    if (this.capturing && !this.capOversized) this.capAppend(buf, this.capSeg, to);
    if (this.watchingKey) this.keyAppend(buf, this.keySeg, to);
    const ctx = this.contextBefore(buf, from, to);
    this.ctxLineStart = ctx.lineStart;
    this.ctxLast = ctx.last;
    this.ctxPrev = ctx.prev;
    this.ctxPrevByte = ctx.prevByte;
  }

  // ---------------------------------------------------------------------------------------------
  // frame: top-level values and the containers that hold records

  private topStart(buf: Uint8Array, i: number, b: number): void {
    if (this.topOpen) return;
    this.topOpen = true;
    this.topCount++;
    if (this.quiet && this.prevByteAt(buf, i) === LF) this.quiet = false;
    this.keyWatchDepth = 0;
    this.hitsDepth = 0;
    this.pendingKey = K_NONE;
    this.digestKeys = 0;
    this.rcdLookup = false;
    if (b === LBRACE) {
      this.curKind = 'single';
      this.keyWatchDepth = 1;
      this.rcd = this.rcdBase = 0;
    } else if (b === LBRACK) {
      this.curKind = 'array';
      this.rcd = this.rcdBase = 1;
    } else {
      this.curKind = 'other';
      this.rcd = this.rcdBase = 0;
    }
  }

  private topEnd(): void {
    if (!this.topOpen) return;
    this.topOpen = false;
    this.keyWatchDepth = 0;
    this.hitsDepth = 0;
    this.pendingKey = K_NONE;
    this.rcd = this.rcdBase = 0;
    this.rcdLookup = false;
    this.noteKind(this.curKind);
  }

  private noteKind(kind: TopKind): void {
    if (this.firstKind === undefined) this.firstKind = kind;
    else if (this.firstKind !== kind) this.mixedKinds = true;
  }

  /** A value starts right after a watched key: does it open the container of records? */
  private frameValue(b: number, d: number): void {
    const key = this.pendingKey;
    this.pendingKey = K_NONE;
    if (d === 1) {
      if (b === LBRACK && (key === K_RECORDS || key === K_EVENTS)) {
        this.dropCandidate();
        this.curKind = key === K_RECORDS ? 's3-envelope' : 'lookup-events';
        this.rcd = this.rcdBase = 2;
        this.rcdLookup = key === K_EVENTS;
      } else if (b === LBRACE && key === K_HITS) {
        this.hitsDepth = 2;
        this.keyWatchDepth = 2;
      }
    } else if (d === 2 && this.hitsDepth === 2 && b === LBRACK && key === K_HITS) {
      this.dropCandidate();
      this.curKind = 'elasticsearch-hits';
      this.rcd = this.rcdBase = 3;
    }
  }

  private keyEnd(buf: Uint8Array, i: number): void {
    this.watchingKey = false;
    let bytes: Uint8Array;
    let from: number;
    let to: number;
    if (this.keyLen === 0) {
      bytes = buf;
      from = this.keySeg;
      to = i;
    } else {
      this.keyAppend(buf, this.keySeg, i);
      bytes = this.keyBuf;
      from = 0;
      to = this.keyLen;
    }
    const n = to - from;
    if (n > 200) return; // longer than any watched key, even fully escaped
    let name: string | undefined;
    if (hasByte(bytes, from, to, BSLASH)) {
      // an escaped key ("\u0052ecords") means what it decodes to
      try {
        name = JSON.parse(`"${decoder.decode(bytes.subarray(from, to))}"`) as string;
      } catch {
        return;
      }
    } else {
      // compared as bytes: no string is made for the usual keys of a record
      const watched = WATCHED_BY_LENGTH[n];
      if (watched === undefined) return;
      name = watched.find((k) => sameAscii(bytes, from, k));
      if (name === undefined) return;
    }
    const d = this.depth;
    if (d === 1) {
      if (name === 'Records') this.pendingKey = K_RECORDS;
      else if (name === 'Events') this.pendingKey = K_EVENTS;
      else if (name === 'hits') this.pendingKey = K_HITS;
      else if (name === 'digestStartTime') this.digestKeys |= DIGEST_START;
      else if (name === 'digestEndTime' || name === 'logFiles') this.digestKeys |= DIGEST_OTHER;
    } else if (d === 2 && this.hitsDepth === 2 && name === 'hits') this.pendingKey = K_HITS;
  }

  private keyAppend(buf: Uint8Array, from: number, to: number): void {
    const n = Math.min(to - from, this.keyBuf.length - this.keyLen);
    if (n > 0) this.keyBuf.set(buf.subarray(from, from + n), this.keyLen);
    // a key too long to be watched is remembered as too long (length > 200)
    this.keyLen += to - from;
    if (this.keyLen > this.keyBuf.length) this.keyLen = this.keyBuf.length;
  }

  private close(i: number): number {
    const d = --this.depth;
    if (d === this.rcd && this.inCand) this.candEnd(i);
    if (d < this.rcd) {
      if (d >= this.rcdBase) this.rcd = d; // a nested array of records closed
      else {
        this.rcd = this.rcdBase = 0;
        this.rcdLookup = false;
      }
    }
    if (d < this.hitsDepth) {
      this.hitsDepth = 0;
      this.keyWatchDepth = 1;
    }
    if (d === 0) {
      this.topEnd();
      return TOP;
    }
    return AFTER;
  }

  // ---------------------------------------------------------------------------------------------
  // candidates: buffering and handling

  /**
   * The fast path for a record that starts at buf[i] and ends in this chunk: the index past it once
   * handled, or -1 when the state machine must read it (see skim.ts).
   */
  private skimRecord(buf: Uint8Array, i: number, to: number): number {
    const top = this.depth === 0;
    // not for bytes being replayed, nor where the record's keys are watched by the frame (in a
    // top-level object they are, and the fast path gives way when it sees one)
    if (buf !== this.seg || this.inCand || (!top && this.depth + 1 <= this.keyWatchDepth)) return -1;
    // what step() does first at the top level; it does nothing when step() does it again
    if (top) this.topStart(buf, i, LBRACE);
    let s = this.skimmer;
    if (s === null) {
      s = this.skimmer = Skimmer.acquire();
      if (s === null) {
        this.fastPath = false;
        return -1;
      }
      s.setRequired(this.prefilter);
    }
    if (!top && !this.rcdLookup) {
      const p = s.run(buf, i, to, this.maxDepth - this.depth, this.maxRecordBytes, this.stopAfter);
      if (p >= 0) return this.afterRun(buf, s, p);
    }
    this.skimmedState = AFTER;
    const e = s.object(buf, i, to, this.maxDepth - this.depth, top);
    if (e < 0 || e - i > this.maxRecordBytes) return -1;
    // as candEnd: a complete element confirms recovery (at the top level, topStart decided)
    if (!top) this.quiet = false;
    if (s.ruledOut && !this.rcdLookup) {
      // what the prefilter would say, from the search the fast path already made
      this.count++;
      this.sink.skipped?.({ start: this.base + i, end: this.base + e });
    } else this.handleCandidate(buf, i, e, this.base + i, this.rcdLookup, s.backslash, top, s.literalsFound);
    if (top) this.topEnd();
    return e;
  }

  /**
   * skimRecord's rest after the skimmer ran over records of the array (Skimmer.run): counts those it
   * ruled out, hands over the one it kept, and returns where the loop goes on (in skimmedState).
   */
  private afterRun(buf: Uint8Array, s: Skimmer, p: number): number {
    const n = s.runLength;
    // as candEnd: a complete element confirms recovery
    if (n > 0 || s.keptEnd >= 0) this.quiet = false;
    const skipped = this.sink.skipped;
    if (skipped) {
      for (let k = 0; k < n; k++) {
        const [start, end] = s.runSpan(k);
        this.count++;
        skipped.call(this.sink, { start: this.base + start, end: this.base + end });
      }
    } else this.count += n;
    if (s.keptEnd >= 0) {
      const e = s.keptEnd;
      this.handleCandidate(buf, p, e, this.base + p, false, s.backslash, false, s.literalsFound);
      this.skimmedState = AFTER;
      return e;
    }
    this.skimmedState = s.afterRecord ? AFTER : VALUE;
    return p;
  }

  private candStart(i: number): void {
    this.inCand = true;
    this.hasBackslash = false;
    this.capBegin(i);
  }

  private dropCandidate(): void {
    if (!this.inCand) return;
    this.inCand = false;
    this.capEnd();
  }

  private capBegin(i: number): void {
    this.capturing = true;
    this.capStart = this.base + i;
    this.capSeg = i;
    this.capLen = 0;
    this.capOversized = false;
  }

  private capEnd(): void {
    this.capturing = false;
    this.capLen = 0;
    this.capOversized = false;
    // do not keep a buffer grown for one huge record
    if (this.capBuf.length > 1 << 20) this.capBuf = new Uint8Array(0);
  }

  private capAppend(buf: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const need = this.capLen + n;
    if (need > this.maxRecordBytes) {
      this.capOversized = true;
      this.capLen = 0;
      if (this.capBuf.length > 1 << 20) this.capBuf = new Uint8Array(0);
      return;
    }
    if (need > this.capBuf.length) {
      const grown = new Uint8Array(Math.min(Math.max(need, this.capBuf.length * 2, 1 << 16), this.maxRecordBytes));
      grown.set(this.capBuf.subarray(0, this.capLen));
      this.capBuf = grown;
    }
    this.capBuf.set(buf.subarray(from, to), this.capLen);
    this.capLen = need;
  }

  /** The captured bytes up to and including buf[i]: [bytes, start, end). Undefined when oversized. */
  private captured(buf: Uint8Array, i: number): [Uint8Array, number, number] | undefined {
    if (this.capOversized) return undefined;
    if (this.capLen === 0 && this.capStart >= this.base + this.segFrom) {
      if (i + 1 - this.capSeg > this.maxRecordBytes) return undefined;
      return [buf, this.capSeg, i + 1];
    }
    this.capAppend(buf, this.capSeg, i + 1);
    this.capSeg = i + 1;
    if (this.capOversized) return undefined;
    return [this.capBuf, 0, this.capLen];
  }

  private candEnd(i: number): void {
    this.inCand = false;
    const start = this.capStart;
    const end = this.base + i + 1;
    const got = this.captured(this.seg, i);
    this.capEnd();
    if (!got) {
      this.report(
        'too-large',
        'warning',
        `Record larger than the ${this.maxRecordBytes}-byte limit (${end - start} bytes); it was skipped, the records around it were scanned.`,
        { start, end: start + 1 },
      );
      return;
    }
    // a complete element of an array confirms recovery; at the top level, topStart decides
    if (this.depth > 0) this.quiet = false;
    if (this.depth === 0 && (this.digestKeys & DIGEST_START) !== 0 && (this.digestKeys & DIGEST_OTHER) !== 0) {
      this.curKind = 'digest';
      this.digestSpan ??= { start, end };
      return;
    }
    const [bytes, s, e] = got;
    this.handleCandidate(bytes, s, e, start, this.rcdLookup, this.hasBackslash, this.depth === 0);
  }

  /** A complete, valid JSON object that may be a record. */
  private handleCandidate(
    bytes: Uint8Array,
    s: number,
    e: number,
    fileStart: number,
    lookup: boolean,
    hasBackslash: boolean,
    topLevel = false,
    /** The fast path found every literal of one of the prefilter's alternatives: the prefilter keeps it. */
    kept = false,
  ): void {
    if (lookup) {
      this.handleLookup(bytes, s, e, fileStart, false);
      return;
    }
    const span = { start: fileStart, end: fileStart + (e - s) };
    if (this.prefilter && !kept && !this.prefilter(bytes, s, e, hasBackslash)) {
      this.count++;
      this.sink.skipped?.(span);
      return;
    }
    this.parseCandidate(bytes, s, e, span, topLevel);
  }

  /**
   * handleCandidate's rest, for a record the prefilter kept. Apart so that handleCandidate stays
   * small: V8 optimises a function by the bytecode it runs, and the usual early return (the
   * prefilter skipping a record) would leave a big one unoptimised for most of a first pass.
   */
  private parseCandidate(bytes: Uint8Array, s: number, e: number, span: Span, topLevel: boolean): void {
    const fileStart = span.start;
    const text = decoder.decode(bytes.subarray(s, e));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // unreachable for input the state machine accepted; kept so a surprise cannot lose the rest
      this.report('unreadable-record', 'warning', `Record could not be parsed: ${(err as Error).message}`, span);
      return;
    }
    if (!isObject(value)) return;
    const source = value._source;
    if (isObject(source)) {
      const format = classify(source);
      if (format) this.emit(new TextRecord(this.count, span, source, format, text, SOURCE_PREFIX));
      return;
    }
    const format = classify(value);
    // a top-level object that is ECS only by a loose test (a dotted key) but holds arrays of
    // records is their container, e.g. an envelope whose "Records" key was damaged
    const wrapper = topLevel && (!format || (format === 'ecs' && !looksLikeRecordStrict(value))) && holdsRecords(value);
    if (format && !wrapper) {
      this.emit(new TextRecord(this.count, span, value, format, text));
      return;
    }
    // an element of lookup-events output outside its {"Events":[...]} (e.g. --query Events)
    if (typeof value.CloudTrailEvent === 'string' && !format) this.handleLookup(bytes, s, e, fileStart, true);
    else if (wrapper) this.handleWrapper(bytes, s, e, fileStart);
  }

  /**
   * A top-level object that is neither a record nor a known container: records may still sit in
   * an array under a key we do not know (a damaged "Records", another tool's wrapper). Elements
   * must pass the strict record test, as this is a guess.
   */
  private handleWrapper(bytes: Uint8Array, s: number, e: number, fileStart: number): void {
    const t = new BytesText(bytes, e);
    const before = this.count;
    for (const [vs, ve] of memberValues(t, s)) {
      if (bytes[vs] !== LBRACK) continue;
      for (const [es, ee] of elementValues(t, vs)) {
        if (bytes[es] !== LBRACE) continue;
        const element: unknown = JSON.parse(decoder.decode(bytes.subarray(es, ee)));
        if (!isObject(element) || !looksLikeRecordStrict(element)) continue;
        this.handleCandidate(bytes, es, ee, fileStart + (es - s), false, hasByte(bytes, es, ee, BSLASH));
      }
    }
    if (this.count > before) this.curKind = 'array';
  }

  /** A lookup-events element: the record is the JSON inside its CloudTrailEvent string. */
  private handleLookup(bytes: Uint8Array, s: number, e: number, fileStart: number, prefiltered: boolean): void {
    const t = new BytesText(bytes, e);
    const lit = memberValue(t, s, 'CloudTrailEvent');
    if (!lit || bytes[lit[0]] !== QUOTE) return;
    const [ls, le] = lit;
    const span = { start: fileStart + (ls - s), end: fileStart + (le - s) };
    const raw = decoder.decode(bytes.subarray(ls, le));
    const inner = JSON.parse(raw) as string;
    if (this.prefilter && !prefiltered) {
      // tested as the record it holds, decoded once: the string's own escapes would hide letters
      const innerBytes = encoder.encode(inner);
      if (!this.prefilter(innerBytes, 0, innerBytes.length, inner.includes('\\'))) {
        this.count++;
        this.sink.skipped?.(span);
        return;
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(inner);
    } catch {
      const why = RecordScanner.syntaxError(encoder.encode(inner)) ?? 'it is not JSON';
      this.report('unreadable-record', 'warning', `The CloudTrailEvent string does not hold valid JSON (${why}); this event was skipped.`, span);
      return;
    }
    const format = isObject(value) ? classify(value) : undefined;
    if (!format || !isObject(value)) {
      this.report(
        'unreadable-record',
        'warning',
        'The CloudTrailEvent string holds JSON that is not a CloudTrail record (no eventName/eventSource); this event was skipped.',
        span,
      );
      return;
    }
    this.emit(new EmbeddedRecord(this.count, span, value, format, raw, inner));
  }

  private emit(record: TextRecord | EmbeddedRecord): void {
    this.count++;
    this.sink.record(record);
  }

  /** The first syntax error in `bytes`, as a bare message, or undefined when they are valid JSON. */
  private static syntaxError(bytes: Uint8Array): string | undefined {
    let message: string | undefined;
    const s = new RecordScanner({
      record: () => undefined,
      problem: (p) => {
        if (p.code === 'json-syntax' && message === undefined) message = p.message;
      },
    });
    s.bareMessages = true;
    s.push(bytes);
    s.end();
    return message;
  }

  // ---------------------------------------------------------------------------------------------
  // errors and recovery

  private isStringState(state: number): boolean {
    return state === STRING || state === ESCAPE || state === UHEX || state === UTF8;
  }

  private valueMessage(b: number, state: number): string {
    if (state === VALUE && b === RBRACK) return "Expected a value after ',', found ']' (trailing commas are not allowed in JSON)";
    if (state === VALUE && (b === COMMA || b === RBRACE)) return `Expected a value, found ${describe(b)}`;
    if (b === 0x4e || b === 0x49) return `Expected a value, found ${describe(b)} (NaN and Infinity are not JSON values)`;
    if (b === 0x27) return "Expected a value, found a single quote (JSON strings use double quotes)";
    return state === VALUE_OR_END ? `Expected a value or ']', found ${describe(b)}` : `Expected a value, found ${describe(b)}`;
  }

  /** Reports a syntax error at buf[i] (unless quiet) and sets up recovery. Returns the new state. */
  private fail(i: number, message: string, errState: number): number {
    const pos = this.base + i;
    const inCand = this.inCand;
    const candAt = this.capStart;
    if (!this.quiet) {
      let text = message;
      if (!this.bareMessages) {
        text += inCand
          ? `. The record starting at byte ${candAt} was skipped; scanning continues with the next record.`
          : '. Scanning continues with the next record.';
      }
      this.report('json-syntax', 'error', text, { start: pos, end: pos + 1 });
    }
    this.quiet = true;
    this.errorAt = pos;
    this.inCand = false;
    this.watchingKey = false;
    this.pendingKey = K_NONE;
    this.clearSpeculation();
    const buf = this.seg;
    const d = this.depth;
    const ctx = this.contextBefore(buf, this.segFrom, i);
    // A top-level "array" whose next element starts a line without a comma is more likely JSON
    // Lines whose first line was damaged (e.g. its '{' became '['): recover line by line.
    const linesAfterAll = this.rcd === 1 && d === 1 && errState === AFTER && buf[i] === LBRACE && ctx.lineStart;
    const array = this.rcd > 0 && d >= this.rcd && !linesAfterAll;
    if (array) {
      // inside an array of records: the frame above it is intact
      this.recMode = RECOVER_ARRAY;
      this.depth = this.rcd;
    } else {
      this.recMode = RECOVER_LINES;
      this.depth = 0;
      this.rcd = this.rcdBase = 0;
      this.rcdLookup = false;
      this.keyWatchDepth = 0;
      this.hitsDepth = 0;
      if (this.topOpen) {
        this.topOpen = false;
        this.noteKind(this.curKind);
      }
    }
    // A fault can surface after the start of the next record was read as part of this one (a
    // lost quote makes `"ok:true},{"` one key), or after whole records were read inside a
    // top-level object not yet known to be their container: the recovery scan replays the
    // broken candidate's bytes so those starts still get their speculative reads.
    const replay = inCand && (!array || d > this.rcd) && !this.capOversized ? this.captured(buf, i - 1) : undefined;
    if (replay) {
      const [bytes, s, e] = replay;
      this.tDepth = 1; // inside the candidate's own '{'
      this.tInStr = false;
      this.tEsc = false;
      this.rLineStart = false;
      this.rLast = LBRACE;
      this.rPrev = -1;
      this.rPrevByte = LBRACE;
      const base = this.base;
      const segFrom = this.segFrom;
      this.base = this.capStart - s;
      this.segFrom = s;
      this.replayFrom = s;
      this.replaying = true;
      this.recover(bytes, s + 1, e);
      this.replaying = false;
      this.base = base;
      this.segFrom = segFrom;
      this.rebaseCapture();
      return RECOVER;
    }
    this.capEnd();
    if (array) {
      this.tDepth = d - this.rcd;
      this.tInStr = this.isStringState(errState);
      this.tEsc = errState === ESCAPE;
    }
    this.rLineStart = ctx.lineStart;
    this.rLast = ctx.last;
    this.rPrev = ctx.prev;
    this.rPrevByte = ctx.prevByte;
    return RECOVER;
  }

  private tooDeep(i: number): number {
    const pos = this.base + i;
    const what = this.inCand ? `the record starting at byte ${this.capStart} was skipped` : 'the value was skipped';
    this.report(
      'too-large',
      'warning',
      `Nesting deeper than ${this.maxDepth} levels; ${what}, scanning continues after it.`,
      { start: pos, end: pos + 1 },
    );
    this.inCand = false;
    this.capEnd();
    this.watchingKey = false;
    this.pendingKey = K_NONE;
    const d = this.depth;
    const target = this.rcd > 0 && d >= this.rcd ? this.rcd : 0;
    this.skipTarget = target;
    this.tDepth = d - target + 1; // the bracket at buf[i] included
    this.tInStr = false;
    this.tEsc = false;
    this.depth = target;
    return SKIP;
  }

  /** Skips the rest of a too-deep value with a bracket counter. */
  private skipDeep(buf: Uint8Array, i: number, to: number): number {
    let depth = this.tDepth;
    let inStr = this.tInStr;
    let esc = this.tEsc;
    for (; i < to; i++) {
      const b = buf[i];
      if (inStr) {
        if (esc) esc = false;
        else if (b === BSLASH) esc = true;
        else if (b === QUOTE) inStr = false;
      } else if (b === QUOTE) inStr = true;
      else if (b === LBRACE || b === LBRACK) depth++;
      else if ((b === RBRACE || b === RBRACK) && --depth === 0) {
        this.depth = this.skipTarget;
        if (this.skipTarget === 0) {
          this.topEnd();
          this.state = TOP;
        } else this.state = AFTER;
        return i + 1;
      }
    }
    this.tDepth = depth;
    this.tInStr = inStr;
    this.tEsc = esc;
    return i;
  }

  /**
   * Recovery, byte by byte (errors are rare). Returns where normal parsing resumes (this.state
   * set), or `to` when the segment ran out first.
   */
  private recover(buf: Uint8Array, i: number, to: number): number {
    const array = this.recMode === RECOVER_ARRAY;
    for (; i < to; i++) {
      const b = buf[i];
      if (b === LBRACE) {
        if (!array && this.rLineStart && this.specStart.length === 0 && !this.replaying) {
          // a line that starts with '{': a new top-level value (inside a speculative read it is
          // more likely one of its nested objects, and becomes a speculative read itself)
          this.recMode = 0;
          this.state = TOP;
          return i;
        }
        const atError = this.base + i === this.errorAt;
        const last = this.rLast;
        // `"key":{` is a member value of something broken, not an element
        const memberValue = last === COLON_CH && this.rPrev === QUOTE;
        if (array && this.tDepth === 0 && !this.tInStr && this.specStart.length === 0 && (!memberValue || atError)) {
          // the broken element is over (brackets balanced): the next element starts here
          return this.resumeArray(VALUE, i);
        }
        // `*/{`: a record right after a JSONC block comment is as likely a start as one after a comma
        const afterComment = last === SLASH && this.rPrev === STAR;
        const candidate = this.rLineStart || last === LBRACK || last === COMMA || last === RBRACE || afterComment || atError;
        // A damaged line can leave every slot held by reads that will never close (`{"x":1,{,{,{,{`);
        // a '{' that begins a line then takes the oldest slot, or the rest of the file would be lost.
        if (candidate && this.rLineStart && this.specStart.length >= MAX_SPECULATIONS) this.dropSpeculation(0);
        if (candidate && this.specStart.length < MAX_SPECULATIONS) {
          if (!this.capturing) this.capBegin(i);
          this.specStart.push(this.base + i);
          this.specDepth.push(0);
          this.specInStr.push(false);
          this.specEsc.push(false);
        }
      } else if (b === RBRACK && array && this.tDepth === 0 && !this.tInStr && this.specStart.length === 0) {
        // the array of records ends here; a guess that cannot be confirmed, so stay quiet
        this.clearSpeculation();
        this.recMode = 0;
        this.state = AFTER;
        return i;
      }

      if (this.specStart.length > 0) {
        const resumed = this.advanceSpeculation(buf, i, b, array);
        if (resumed >= 0) return resumed;
      }

      if (array) {
        if (this.tInStr) {
          if (this.tEsc) this.tEsc = false;
          else if (b === BSLASH) this.tEsc = true;
          else if (b === QUOTE) this.tInStr = false;
        } else if (b === QUOTE) this.tInStr = true;
        else if (b === LBRACE || b === LBRACK) this.tDepth++;
        else if ((b === RBRACE || b === RBRACK) && this.tDepth > 0) this.tDepth--;
      }

      if (b === LF || b === CR) this.rLineStart = true;
      else if (WS[b] === 0) {
        this.rLineStart = false;
        this.rPrev = this.rLast;
        this.rLast = b;
      }
      this.rPrevByte = b;
    }
    return i;
  }

  private resumeArray(state: number, i: number): number {
    this.clearSpeculation();
    this.recMode = 0;
    // the counter closed the broken element cleanly: the next one is a fresh start, and a fault
    // in it is a fault of its own
    this.quiet = false;
    this.state = state;
    return i;
  }

  /** Feeds buf[i] to every speculative read; returns a resume index when one was accepted, else -1. */
  private advanceSpeculation(buf: Uint8Array, i: number, b: number, array: boolean): number {
    for (let k = 0; k < this.specStart.length; k++) {
      let closed = false;
      let dead = false;
      if (this.specInStr[k]) {
        if (this.specEsc[k]) this.specEsc[k] = false;
        else if (b === BSLASH) this.specEsc[k] = true;
        else if (b === QUOTE) this.specInStr[k] = false;
      } else if (b === QUOTE) this.specInStr[k] = true;
      else if (b === LBRACE || b === LBRACK) this.specDepth[k]++;
      else if (b === RBRACE || b === RBRACK) {
        const left = --this.specDepth[k];
        if (left === 0) closed = b === RBRACE;
        if (left <= 0 && !closed) dead = true;
      }
      if (!closed && !dead && this.base + i + 1 - this.specStart[k] > this.maxRecordBytes) dead = true;
      if (closed) {
        // Closed inside the broken record (a replay): one of its own objects, which the strict test
        // turns down, or a whole record it swallowed (`{"eventName":` cut short, the next record
        // read as its value), which is found here or nowhere.
        const accepted = this.trySpeculation(buf, i, k);
        if (accepted) {
          const start = this.specStart[k];
          const [bytes, s, e] = accepted;
          const from = s + (start - this.capStart);
          this.clearSpeculation();
          const resume = array && !this.replaying;
          if (resume) this.quiet = false; // at the top level only a value at column 0 confirms
          this.handleCandidate(bytes, from, e, start, false, hasByte(bytes, from, e, BSLASH));
          if (resume) {
            this.recMode = 0;
            this.state = AFTER;
            return i + 1;
          }
          // at the top level the surrounding structure is unknown, and a replay is behind the
          // bytes being read: keep recovering
          return -1;
        }
        dead = true;
      }
      if (dead) {
        this.dropSpeculation(k);
        k--;
      }
    }
    return -1;
  }

  /** The speculative object k just closed at buf[i]: its bytes, when it is valid JSON and record-like. */
  private trySpeculation(buf: Uint8Array, i: number, k: number): [Uint8Array, number, number] | undefined {
    // while replaying, `buf` already holds the capture from its start
    const got: [Uint8Array, number, number] | undefined = this.replaying ? [buf, this.replayFrom, i + 1] : this.captured(buf, i);
    if (!got) return undefined;
    const [bytes, s, e] = got;
    const from = s + (this.specStart[k] - this.capStart);
    try {
      const value: unknown = JSON.parse(strictDecoder.decode(bytes.subarray(from, e)));
      if (isObject(value) && looksLikeRecordStrict(value as Json)) return got;
    } catch {
      // not valid: this guess was wrong
    }
    return undefined;
  }

  private dropSpeculation(k: number): void {
    this.specStart.splice(k, 1);
    this.specDepth.splice(k, 1);
    this.specInStr.splice(k, 1);
    this.specEsc.splice(k, 1);
    if (!this.replaying) this.rebaseCapture();
  }

  /** The capture is shared from the oldest speculative read on: keep it starting there. */
  private rebaseCapture(): void {
    if (this.specStart.length === 0) {
      this.capEnd();
      return;
    }
    const next = this.specStart[0];
    const shift = next - this.capStart;
    if (shift <= 0 || this.capOversized) return;
    if (shift < this.capLen) {
      this.capBuf.copyWithin(0, shift, this.capLen);
      this.capLen -= shift;
    } else {
      // the read starts in the current segment, past the bytes copied so far
      this.capSeg += shift - this.capLen;
      this.capLen = 0;
    }
    this.capStart = next;
  }

  private clearSpeculation(): void {
    if (this.specStart.length > 0) {
      this.specStart.length = this.specDepth.length = this.specInStr.length = this.specEsc.length = 0;
      if (!this.replaying) this.capEnd(); // a replay still reads from the capture
    }
  }

  /** The byte before buf[i] (a line feed at the start of the file, so column 0 counts as a line start). */
  private prevByteAt(buf: Uint8Array, i: number): number {
    const b = i > this.segFrom ? buf[i - 1] : this.ctxPrevByte;
    return b === CR ? LF : b;
  }

  /** Line-start state and the last two non-blank bytes before buf[i]. */
  private contextBefore(buf: Uint8Array, from: number, i: number): { lineStart: boolean; last: number; prev: number; prevByte: number } {
    let lineStart: boolean | undefined;
    let last = -1;
    let prev = -1;
    for (let j = i - 1; j >= from && (prev < 0 || lineStart === undefined); j--) {
      const b = buf[j];
      if (b === LF || b === CR) lineStart ??= true;
      else if (WS[b] === 0) {
        lineStart ??= false;
        if (last < 0) last = b;
        else prev = b;
      }
    }
    if (last < 0) {
      last = this.ctxLast;
      prev = this.ctxPrev;
    } else if (prev < 0) prev = this.ctxLast;
    return {
      lineStart: lineStart ?? this.ctxLineStart,
      last,
      prev,
      prevByte: i > from ? buf[i - 1] : this.ctxPrevByte,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // end of input

  private finish(): void {
    const state = this.state;
    const end = this.offset;
    if (state === TOP || state === DEAD) return;
    if (this.depth === 0 && (state === NUM_ZERO || state === NUM_INT || state === NUM_FRAC || state === NUM_EXP)) {
      this.topEnd(); // a top-level number ends at the end of the file
      return;
    }
    if (state === RECOVER || state === SKIP) {
      this.clearSpeculation();
      return; // already reported
    }
    if (!this.quiet) {
      const what = this.inCand
        ? `inside a record starting at byte ${this.capStart}; the file looks truncated. Every complete record before it was scanned`
        : 'the JSON is incomplete (the file looks truncated)';
      this.report('json-syntax', 'error', `Unexpected end of file ${what}.`, { start: end, end });
    }
    // The record the file ends in may have swallowed whole records (a line cut short, then the
    // next line read as its value): look for them in its bytes, as a syntax error does.
    if (this.inCand && this.capturing && !this.capOversized && this.capLen > 1) this.replayAtEnd();
    this.inCand = false;
    this.capEnd();
    if (this.topOpen) {
      this.topOpen = false;
      this.noteKind(this.curKind);
    }
  }

  /** Runs the recovery search over the bytes of the candidate the file ended in (see finish()). */
  private replayAtEnd(): void {
    this.recMode = this.rcd > 0 && this.depth > this.rcd ? RECOVER_ARRAY : RECOVER_LINES;
    this.quiet = true; // the end of the file was reported
    this.errorAt = -1;
    this.tDepth = 1; // inside the candidate's own '{'
    this.tInStr = false;
    this.tEsc = false;
    this.rLineStart = false;
    this.rLast = LBRACE;
    this.rPrev = -1;
    this.rPrevByte = LBRACE;
    this.base = this.capStart;
    this.segFrom = 0;
    this.replayFrom = 0;
    this.replaying = true;
    this.recover(this.capBuf, 1, this.capLen);
    this.replaying = false;
    this.clearSpeculation();
  }

  private computeShape(final = false): FileShape {
    if (this.dead) return 'unknown';
    const kinds: TopKind[] = [];
    if (this.firstKind !== undefined) kinds.push(this.firstKind);
    if (this.topOpen && this.firstKind === undefined) kinds.push(this.curKind);
    if (kinds.length === 0) return this.errorCount > 0 ? 'unknown' : 'empty';
    let shape: FileShape;
    const kind = kinds[0];
    const several = this.topCount > 1;
    const mixed = this.mixedKinds || (this.topOpen && this.firstKind !== undefined && this.curKind !== this.firstKind);
    if (mixed) shape = 'json-lines';
    else if (kind === 'other') shape = several ? 'json-lines' : 'unknown';
    else if (kind === 'single') shape = several ? 'json-lines' : 'single';
    else shape = kind; // the same container (or digest) throughout, possibly concatenated
    if (final && this.count === 0 && (shape === 'single' || shape === 'array' || shape === 'json-lines')) shape = 'unknown';
    return shape;
  }

  private report(code: ProblemCode, severity: Problem['severity'], message: string, span: Span): void {
    this.problemCount++;
    if (severity === 'error') this.errorCount++;
    this.sink.problem({ code, severity, message, span });
  }

}
