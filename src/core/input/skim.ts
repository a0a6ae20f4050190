// The record scanner's fast path: wasm/skim.ts, compiled to WebAssembly, validates a whole record
// and finds its end with string bodies checked 16 bytes at a time (and, for the position tracker,
// counts UTF-16 units 16 bytes at a time). The scanner's state machine stays the reference:
// whatever the fast path refuses (errors, records cut by a chunk's end, deep nesting) it reads
// again itself, so messages and recovery are unchanged.
//
// WebAssembly reads only its own memory, so the bytes are copied in: a window of WINDOW bytes from
// the record being skimmed, grown for a longer record up to the largest record the scanner accepts.

import type { Prefilter } from '../types';
import { SKIM_WASM } from './skimWasm';

// The few WebAssembly names used (TypeScript declares them only in its DOM library, not loaded here).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: unknown };
};

interface SkimExports {
  memory: WasmMemory;
  needleStart(): number;
  keyStart(): number;
  spansStart(): number;
  dataStart(): number;
  setNeedle(length: number, hiding: number, keyLength: number): void;
  literalsStart(): number;
  setLiterals(count: number, clauses: number): void;
  flags(): number;
  skim(start: number, end: number, levels: number, topLevel: boolean): number;
  run(start: number, end: number, levels: number, maxBytes: number): number;
  runResult(): number;
  runLength(): number;
  runKeptEnd(): number;
  units(start: number, end: number): number;
  digest(start: number, end: number, h1: number, h2: number): void;
  digestLane1(): number;
  digestLane2(): number;
}

// as wasm/skim.ts defines them
const INCOMPLETE = -1;
// flags() bits
const BACKSLASH = 1;
const UNICODE_ESCAPE = 4;
const ASCII_ESCAPE = 8;
const RULED_OUT = 64;
const LITERALS_FOUND = 128;
const NEEDLE_ROOM = 256;
const KEY_ROOM = 32;
const LIT_ROOM = 1024;
const MAX_LITS = 32;
const MAX_CLAUSES = 32;
// runResult() values
const RUN_KEPT = 1;
const RUN_RECORD = 2;
const RUN_AFTER = 3;
const WINDOW = 1 << 20;
const MAX_WINDOW = 64 << 20;
/** Instances kept for reuse: one per scanner in use at a time (a nested scan takes a second). */
const POOL_LIMIT = 8;

let compiled: WasmModule | null | undefined;

function wasmModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      const text = atob(SKIM_WASM);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null; // no WebAssembly here (e.g. node --jitless): the state machine does it all
    }
  }
  return compiled ?? null;
}

const pool: Skimmer[] = [];

export class Skimmer {
  /** Whether the last object accepted held a backslash. */
  backslash = false;
  /** Whether the last object accepted lacks the required text and holds no escape that could spell it. */
  ruledOut = false;
  /**
   * Whether the last object accepted holds every literal of one of the prefilter's alternatives
   * (Prefilter.clauses), in which case the prefilter keeps it.
   */
  literalsFound = false;
  /** run(): how many records it ruled out (their spans: runSpan), and where the record it kept ends (-1: none). */
  runLength = 0;
  keptEnd = -1;
  /** run(): it stopped just past a record (true), or before a value (false). */
  afterRecord = false;

  private readonly exports: SkimExports;
  private memory: Uint8Array;
  private readonly base: number;
  /** The window: src[from, to) is in memory at base. */
  private src: Uint8Array | null = null;
  private from = 0;
  private to = 0;
  private capacity = WINDOW;

  private constructor(exports: SkimExports) {
    this.exports = exports;
    this.base = exports.dataStart();
    this.memory = this.reserve(WINDOW);
  }

  private reserve(capacity: number): Uint8Array {
    const memory = this.exports.memory;
    const need = this.base + capacity;
    const have = memory.buffer.byteLength;
    if (need > have) memory.grow(Math.ceil((need - have) / 65536));
    this.capacity = capacity;
    return new Uint8Array(memory.buffer);
  }

  /** A skimmer for one scanner's use; null when WebAssembly is not available. */
  static acquire(): Skimmer | null {
    const pooled = pool.pop();
    if (pooled) return pooled;
    const m = wasmModule();
    if (!m) return null;
    try {
      return new Skimmer(new WebAssembly.Instance(m).exports as unknown as SkimExports);
    } catch {
      return null;
    }
  }

  /** The prefilter's required text (see Prefilter.required); none: nothing is ruled out. */
  setRequired(prefilter: Prefilter | undefined): void {
    const text = prefilter?.required;
    const usable = text !== undefined && text.length >= 2 && text.length <= NEEDLE_ROOM;
    if (usable) this.memory.set(text, this.exports.needleStart());
    const key = prefilter?.nestedEscapeKey;
    const keyUsable = key !== undefined && key.length >= 2 && key.length <= KEY_ROOM;
    if (keyUsable) this.memory.set(key, this.exports.keyStart());
    const by = prefilter?.requiredHiddenBy;
    const hiding = by === 'ascii-unicode-escape' ? ASCII_ESCAPE : by === 'unicode-escape' ? UNICODE_ESCAPE : BACKSLASH;
    this.exports.setNeedle(usable ? text.length : 0, hiding, keyUsable ? key.length : 0);
    this.setLiterals(prefilter?.clauses ?? []);
  }

  /** The alternatives of literals (Prefilter.clauses), when they fit the module's tables; else the required text decides alone. */
  private setLiterals(clauses: readonly (readonly Uint8Array[])[]): void {
    const ids = new Map<Uint8Array, number>();
    const masks: number[] = [];
    for (const clause of clauses) {
      let mask = 0;
      for (const lit of clause) {
        let k = ids.get(lit);
        if (k === undefined) ids.set(lit, (k = ids.size));
        mask |= 1 << k; // more than MAX_LITS literals: not used, see below
      }
      masks.push(mask >>> 0);
    }
    const lits = [...ids.keys()];
    const bytes = lits.reduce((n, l) => n + l.length, 0);
    if (lits.length === 0 || lits.length > MAX_LITS || masks.length > MAX_CLAUSES || bytes > LIT_ROOM) {
      this.exports.setLiterals(0, 0);
      return;
    }
    const start = this.exports.literalsStart();
    let at = start;
    for (const l of lits) {
      this.memory.set(l, at);
      at += l.length;
    }
    const tables = new DataView(this.memory.buffer, start + LIT_ROOM, MAX_LITS * 4 + MAX_CLAUSES * 4);
    lits.forEach((l, k) => tables.setInt32(k * 4, l.length, true));
    masks.forEach((m, c) => tables.setUint32(MAX_LITS * 4 + c * 4, m, true));
    this.exports.setLiterals(lits.length, masks.length);
  }

  release(): void {
    this.forget();
    this.setRequired(undefined);
    // memory grown for a huge record is not kept
    if (this.capacity === WINDOW && pool.length < POOL_LIMIT && !pool.includes(this)) pool.push(this);
  }

  /** The bytes given before may have changed (a reused read buffer): copy afresh next time. */
  forget(): void {
    this.src = null;
  }

  /**
   * buf[i] is '{': the index just past the JSON object starting there when it is valid and ends
   * before `to`, else -1. `levels`: the nesting (this object included) the caller accepts.
   * `topLevel`: also -1 when the object has a key that may make it a container of records.
   */
  object(buf: Uint8Array, i: number, to: number, levels: number, topLevel = false): number {
    if (buf !== this.src || i < this.from || i >= this.to) this.load(buf, i, to);
    let r = this.exports.skim(this.base + (i - this.from), this.base + (this.to - this.from), levels, topLevel);
    // the window ended inside the object, not the bytes: move the window to the object, or widen it
    while (r === INCOMPLETE && this.to < to) {
      if (i === this.from) {
        if (this.capacity >= MAX_WINDOW) break;
        this.memory = this.reserve(this.capacity * 2);
      }
      this.load(buf, i, to);
      r = this.exports.skim(this.base, this.base + (this.to - i), levels, topLevel);
    }
    if (r < 0) return -1;
    const end = this.from + (r - this.base);
    this.noteFlags();
    return end;
  }

  /**
   * buf[i] is '{' in an array of records: skims the records from there while each is valid and
   * ruled out, and returns where the caller goes on (-1: nothing taken, use object()). Then
   * runLength records were ruled out (runSpan), keptEnd is the end of the record at the returned
   * index when it was accepted but not ruled out (its flags as object() leaves them), and
   * afterRecord tells whether the returned index is just past a record or before a value.
   * Records are stopped at the window's end, and at `stopAfter` (the record that crosses it is left
   * to object(), after which a caller reading in parts stops), so a caller checks the rest with object().
   */
  run(buf: Uint8Array, i: number, to: number, levels: number, maxBytes: number, stopAfter = Infinity): number {
    if (buf !== this.src || i < this.from || i >= this.to) this.load(buf, i, to);
    const end = Math.max(i, Math.min(this.to, stopAfter));
    const at = this.exports.run(this.base + (i - this.from), this.base + (end - this.from), levels, maxBytes);
    const result = this.exports.runResult();
    this.runLength = this.exports.runLength();
    this.keptEnd = -1;
    this.afterRecord = result === RUN_AFTER;
    const p = this.from + (at - this.base);
    if (result === RUN_KEPT) {
      this.keptEnd = this.from + (this.exports.runKeptEnd() - this.base);
      this.noteFlags();
    } else if (result === RUN_RECORD && p === i) return -1;
    return p;
  }

  /** The span of the k-th record the last run() ruled out, as [start, end) of the caller's bytes. */
  runSpan(k: number): [number, number] {
    const words = new Int32Array(this.memory.buffer, this.exports.spansStart() + k * 8, 2);
    return [this.from + (words[0] - this.base), this.from + (words[1] - this.base)];
  }

  private noteFlags(): void {
    const flags = this.exports.flags();
    this.backslash = (flags & BACKSLASH) !== 0;
    this.ruledOut = (flags & RULED_OUT) !== 0;
    this.literalsFound = (flags & LITERALS_FOUND) !== 0;
  }

  /** UTF-16 code units of bytes[from, to), for the position tracker (a UnitCounter). */
  units(bytes: Uint8Array, from: number, to: number): number {
    let n = 0;
    while (from < to) {
      if (bytes !== this.src || from < this.from || from >= this.to) this.load(bytes, from, bytes.length);
      const stop = Math.min(to, this.to);
      n += this.exports.units(this.base + (from - this.from), this.base + (stop - this.from));
      from = stop;
    }
    return n;
  }

  /**
   * RecordDigest's lanes after `bytes`, from lanes h1 and h2 (as unsigned 32-bit numbers). The
   * bytes go through the window, which is then forgotten: the caller may change them.
   */
  digest(bytes: Uint8Array, h1: number, h2: number): [number, number] {
    for (let i = 0; i < bytes.length; i = this.to) {
      this.load(bytes, i, bytes.length);
      this.exports.digest(this.base, this.base + (this.to - this.from), h1, h2);
      h1 = this.exports.digestLane1() >>> 0;
      h2 = this.exports.digestLane2() >>> 0;
    }
    this.forget();
    return [h1, h2];
  }

  private load(buf: Uint8Array, i: number, to: number): void {
    const n = Math.min(to - i, this.capacity);
    this.memory.set(buf.subarray(i, i + n), this.base);
    this.src = buf;
    this.from = i;
    this.to = i + n;
  }
}
