// How Elasticsearch reads a query value and a document value for each field type: numbers,
// IP addresses (with CIDR), dates (with missing components and date math), booleans, and the
// tokens of analysed text. Pure functions, no Node-only API.

import type { KqlScalar } from './ast';

// ---------------------------------------------------------------------------------------------
// Numbers

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number as Elasticsearch accepts it in a query or a numeric field; NaN otherwise. */
export function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : NaN;
}

/** A document value read as a number (JSON numbers, and numeric strings, which ES coerces). */
export function docNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseNumber(value.trim());
  return NaN;
}

// ---------------------------------------------------------------------------------------------
// Booleans

export function docBoolean(value: unknown): boolean | null {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Strings (keyword fields)

/** The indexed keyword of a document value; undefined for objects and null. */
export function keywordOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return undefined;
  }
}

/** Compares by Unicode code point (the UTF-8 byte order Lucene uses), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) encode code points above U+FFFF, which sort after U+E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Analysed text: an approximation of the standard analyser (Unicode word runs, lower-cased;
// dots and apostrophes inside a word, and commas between digits, do not split it).

const WORD = /[\p{L}\p{M}\p{N}_]+(?:(?:[.'\u2019]|(?<=\p{N}),(?=\p{N}))[\p{L}\p{M}\p{N}_]+)*/gu;

export function analyze(text: string): string[] {
  const out: string[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) out.push(m[0].toLowerCase());
  return out;
}

// ---------------------------------------------------------------------------------------------
// IP addresses: 16 bytes, IPv4 stored IPv4-mapped (::ffff:a.b.c.d) as Elasticsearch does, so
// 1.2.3.4 and ::ffff:1.2.3.4 are the same address.

export interface IpRange {
  lo: Uint8Array;
  hi: Uint8Array;
}

function parseIpv4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    // Leading zeros are refused: they read as octal in some tools, so ES rejects them.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

function parseIpv6(text: string, out: Uint8Array): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const words: number[] = [];
  const readGroups = (list: string[], allowV4Last: boolean): number[] | null => {
    const ws: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      if (allowV4Last && i === list.length - 1 && g.includes('.')) {
        const b = new Uint8Array(4);
        if (!parseIpv4(g, b, 0)) return null;
        ws.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        ws.push(parseInt(g, 16));
      }
    }
    return ws;
  };
  const h = readGroups(head, halves.length === 1);
  const t = readGroups(tail, true);
  if (!h || !t) return false;
  if (halves.length === 1) {
    if (h.length !== 8) return false;
    words.push(...h);
  } else {
    if (h.length + t.length > 7) return false;
    words.push(...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t);
  }
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i] & 0xff;
  }
  return true;
}

/** An IPv4 or IPv6 address as 16 bytes, or null. */
export function parseIp(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  if (text.includes(':')) return parseIpv6(text, out) ? out : null;
  out[10] = 0xff;
  out[11] = 0xff;
  return parseIpv4(text, out, 12) ? out : null;
}

/** An address (a range of one) or a CIDR block such as 10.0.0.0/8 or 2001:db8::/32. */
export function parseIpOrCidr(text: string): IpRange | null {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    return ip ? { lo: ip, hi: ip } : null;
  }
  const ip = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bitsText)) return null;
  const v4 = !text.slice(0, slash).includes(':');
  let bits = Number(bitsText);
  if (bits > (v4 ? 32 : 128)) return null;
  if (v4) bits += 96;
  const lo = new Uint8Array(16);
  const hi = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    const mask = (0xff << (8 - keep)) & 0xff;
    lo[i] = ip[i] & mask;
    hi[i] = ip[i] | (~mask & 0xff);
  }
  return { lo, hi };
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Dates: ISO 8601 (strict_date_optional_time) or epoch milliseconds, in UTC. For range bounds
// Elasticsearch fills missing components with the start of the period when rounding down
// (gte, lt) and with 23:59:59.999 when rounding up (gt, lte); month and day default to 01 both ways.

interface IsoDate {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  millis?: number;
  offsetMinutes: number;
}

const ISO =
  /^([+-]?\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function parseIso(text: string): IsoDate | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const d: IsoDate = {
    year: Number(m[1]),
    month: num(m[2]),
    day: num(m[3]),
    hour: num(m[4]),
    minute: num(m[5]),
    second: num(m[6]),
    millis: m[7] === undefined ? undefined : Number(m[7].padEnd(3, '0').slice(0, 3)),
    offsetMinutes: 0,
  };
  if (d.month !== undefined && (d.month < 1 || d.month > 12)) return null;
  if (d.day !== undefined && (d.day < 1 || d.day > daysInMonth(d.year, d.month ?? 1))) return null;
  if (d.hour !== undefined && d.hour > 23) return null;
  if (d.minute !== undefined && d.minute > 59) return null;
  if (d.second !== undefined && d.second > 59) return null;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hh = Number(digits.slice(0, 2));
    const mm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hh > 18 || mm > 59) return null;
    d.offsetMinutes = sign * (hh * 60 + mm);
  }
  return d;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  t.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999
  return t.getTime();
}

function isoMillis(d: IsoDate, roundUp: boolean): number {
  const time = utc(
    d.year,
    d.month ?? 1,
    d.day ?? 1,
    d.hour ?? (roundUp ? 23 : 0),
    d.minute ?? (roundUp ? 59 : 0),
    d.second ?? (roundUp ? 59 : 0),
    d.millis ?? (roundUp ? 999 : 0),
  );
  return time - d.offsetMinutes * 60_000;
}

type DateUnit = 'y' | 'M' | 'w' | 'd' | 'h' | 'H' | 'm' | 's';
type DateOp = { add: number; unit: DateUnit } | { round: DateUnit };

/** A parsed date expression: an anchor (a date, epoch millis, or now) and date-math operations. */
export interface DateExpr {
  anchor: IsoDate | number | 'now';
  ops: DateOp[];
}

/** A date string as a date field reads it (ISO 8601, else epoch millis); null when it is neither. */
function anchorOf(text: string): IsoDate | number | null {
  // strict_date_optional_time comes first in the default format, so "2024" is a year; other
  // digit strings fall through to epoch_millis.
  const iso = parseIso(text);
  if (iso) return iso;
  return /^-?\d+(?:\.\d+)?$/.test(text) ? Math.trunc(Number(text)) : null;
}

const MATH_OP = /^(?:([+-])(\d*)([yMwdhHms])|\/([yMwdhHms]))/;

export function parseDateExpr(text: string): DateExpr | null {
  let rest: string;
  let anchor: DateExpr['anchor'];
  if (text.startsWith('now')) {
    anchor = 'now';
    rest = text.slice(3);
  } else {
    const bars = text.indexOf('||');
    const a = anchorOf(bars < 0 ? text : text.slice(0, bars));
    if (a === null) return null;
    anchor = a;
    rest = bars < 0 ? '' : text.slice(bars + 2);
  }
  const ops: DateOp[] = [];
  while (rest.length > 0) {
    const m = MATH_OP.exec(rest);
    if (!m) return null;
    if (m[4]) ops.push({ round: m[4] as DateUnit });
    else ops.push({ add: (m[1] === '-' ? -1 : 1) * (m[2] === '' ? 1 : Number(m[2])), unit: m[3] as DateUnit });
    rest = rest.slice(m[0].length);
  }
  return { anchor, ops };
}

function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const y = Math.floor(total / 12);
  const mo = total - y * 12 + 1;
  // Like java.time, the day is clamped to the end of the target month (Jan 31 + 1M = Feb 28/29).
  const day = Math.min(d.getUTCDate(), daysInMonth(y, mo));
  return utc(y, mo, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

const FIXED_UNIT: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, H: 3_600_000, m: 60_000, s: 1000 };

function floorTo(t: number, unit: DateUnit): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  switch (unit) {
    case 'y':
      return utc(y, 1, 1, 0, 0, 0, 0);
    case 'M':
      return utc(y, d.getUTCMonth() + 1, 1, 0, 0, 0, 0);
    case 'w': {
      const day = utc(y, d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, 0, 0);
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000; // ISO weeks start on Monday
    }
    default: {
      const size = FIXED_UNIT[unit];
      return Math.floor(t / size) * size;
    }
  }
}

function nextOf(start: number, unit: DateUnit): number {
  if (unit === 'y') return addMonths(start, 12);
  if (unit === 'M') return addMonths(start, 1);
  return start + FIXED_UNIT[unit];
}

/** The instant (epoch millis) of a date expression, rounded up for gt/lte bounds. */
export function resolveDate(expr: DateExpr, roundUp: boolean, now: number): number {
  const { anchor, ops } = expr;
  let t =
    anchor === 'now'
      ? now
      : typeof anchor === 'number'
        ? anchor
        : isoMillis(anchor, roundUp && ops.length === 0); // an anchor followed by math is read as given
  for (const op of ops) {
    if ('round' in op) {
      const start = floorTo(t, op.round);
      t = roundUp ? nextOf(start, op.round) - 1 : start;
    } else if (op.unit === 'y' || op.unit === 'M') {
      t = addMonths(t, op.add * (op.unit === 'y' ? 12 : 1));
    } else {
      t += op.add * FIXED_UNIT[op.unit];
    }
  }
  return t;
}

/** A document's date value as epoch millis, NaN when it is not a date. */
export function docDate(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : NaN;
  if (typeof value !== 'string') return NaN;
  const a = anchorOf(value);
  if (a === null) return NaN;
  return typeof a === 'number' ? a : isoMillis(a, false);
}

// ---------------------------------------------------------------------------------------------
// A query value read every way a field type may need it. Each reading is computed on first use
// and kept: a query is parsed once and evaluated against many documents, and most values are only
// ever compared as keywords.

const UNSET = Symbol('unset');

export class ValueInfo {
  /** The keyword form: the string, or "true"/"false"; null for the null keyword. */
  readonly str: string | null;
  private _num: number | typeof UNSET = UNSET;
  private _ip: IpRange | null | typeof UNSET = UNSET;
  private _date: DateExpr | null | typeof UNSET = UNSET;
  private _tokens: string[] | typeof UNSET = UNSET;

  constructor(
    private readonly value: KqlScalar,
    /** Wildcard values have no number, IP, date or token reading (ES refuses them there). */
    private readonly isWildcard: boolean,
  ) {
    this.str = value === null ? null : String(value);
  }

  private get plain(): string | null {
    return this.isWildcard || typeof this.value !== 'string' ? null : this.value;
  }

  get num(): number {
    if (this._num === UNSET) this._num = this.plain === null ? NaN : parseNumber(this.plain);
    return this._num;
  }

  get bool(): boolean | null {
    return this.isWildcard ? null : docBoolean(this.value);
  }

  /** The address or CIDR block; null when not an IP. */
  get ip(): IpRange | null {
    if (this._ip === UNSET) this._ip = this.plain === null ? null : parseIpOrCidr(this.plain);
    return this._ip;
  }

  /** The address alone (range bounds take no CIDR). */
  get ipExact(): Uint8Array | null {
    const ip = this.ip;
    return ip && !this.plain!.includes('/') ? ip.lo : null;
  }

  get date(): DateExpr | null {
    if (this._date === UNSET) this._date = this.plain === null ? null : parseDateExpr(this.plain);
    return this._date;
  }

  /** Analysed tokens, lower-cased. */
  get tokens(): string[] {
    if (this._tokens === UNSET) this._tokens = this.isWildcard || this.str === null ? [] : analyze(this.str);
    return this._tokens;
  }
}
