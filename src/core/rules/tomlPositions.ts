// Where things are in a TOML text. smol-toml gives values but no positions, and a rule error is
// only useful when it points at the line of the offending key; so this is a small scanner over a
// document smol-toml has already accepted. It never throws and always makes progress, so even a
// document it misreads costs a worse position, not a crash.

/** A key (or table header, or array element) and where it starts. Paths hold array indexes as decimal strings. */
export interface KeyLocation {
  path: string[];
  /** Offset of the key (or of the `[` of a header, or of an array element). */
  offset: number;
  /** Offset of the value's first character; undefined for table headers. */
  valueOffset?: number;
}

export interface LineColumn {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

/** 1-based line and column of a UTF-16 offset; CRLF counts as one line break. */
export function lineColumnAt(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

const BARE_KEY = /[A-Za-z0-9_-]/;

class Scanner {
  pos = 0;
  readonly found: KeyLocation[] = [];
  /** How many elements each array of tables has so far, by its concrete path. */
  private readonly arrayCounts = new Map<string, number>();

  constructor(private readonly text: string) {}

  run(): KeyLocation[] {
    const t = this.text;
    let table: string[] = [];
    while (this.pos < t.length) {
      this.skipBlank(true);
      if (this.pos >= t.length) break;
      const before = this.pos;
      if (t[this.pos] === '[') {
        const start = this.pos;
        const isArray = t[this.pos + 1] === '[';
        this.pos += isArray ? 2 : 1;
        const keys = this.readKeyPath();
        if (t[this.pos] === ']') this.pos++;
        if (isArray && t[this.pos] === ']') this.pos++;
        table = this.resolveHeader(keys, isArray);
        this.found.push({ path: table, offset: start });
        this.skipLine();
      } else {
        this.keyValue(table);
        this.skipLine();
      }
      if (this.pos === before) this.pos++;
    }
    return this.found;
  }

  /** Concrete path of a header: arrays of tables along the way resolve to their latest element. */
  private resolveHeader(keys: string[], isArray: boolean): string[] {
    const path: string[] = [];
    keys.forEach((key, i) => {
      path.push(key);
      const id = path.join('\u0000');
      const last = i === keys.length - 1;
      if (last && isArray) {
        const n = this.arrayCounts.get(id) ?? 0;
        this.arrayCounts.set(id, n + 1);
        path.push(String(n));
      } else if (!last && this.arrayCounts.has(id)) {
        path.push(String((this.arrayCounts.get(id) ?? 1) - 1));
      }
    });
    return path;
  }

  private keyValue(base: string[]): void {
    const start = this.pos;
    const keys = this.readKeyPath();
    if (keys.length === 0) return;
    this.skipBlank(false);
    if (this.text[this.pos] !== '=') return;
    this.pos++;
    this.skipBlank(false);
    const path = [...base, ...keys];
    this.found.push({ path, offset: start, valueOffset: this.pos });
    this.skipValue(path);
  }

  private readKeyPath(): string[] {
    const t = this.text;
    const keys: string[] = [];
    for (;;) {
      this.skipBlank(false);
      const c = t[this.pos];
      if (c === '"' || c === "'") {
        const decoded = decodeTomlString(t, this.pos);
        if (!decoded) break;
        keys.push(decoded.value);
        this.pos = decoded.end;
      } else {
        const from = this.pos;
        while (this.pos < t.length && BARE_KEY.test(t[this.pos])) this.pos++;
        if (this.pos === from) break;
        keys.push(t.slice(from, this.pos));
      }
      this.skipBlank(false);
      if (t[this.pos] !== '.') break;
      this.pos++;
    }
    return keys;
  }

  private skipValue(path: string[]): void {
    const t = this.text;
    const c = t[this.pos];
    if (c === '"' || c === "'") {
      const decoded = decodeTomlString(t, this.pos);
      this.pos = decoded ? decoded.end : this.pos + 1;
    } else if (c === '[') {
      this.pos++;
      for (let index = 0; this.pos < t.length; index++) {
        this.skipBlank(true);
        if (t[this.pos] === ']') break;
        const element = [...path, String(index)];
        const before = this.pos;
        this.found.push({ path: element, offset: before, valueOffset: before });
        this.skipValue(element);
        this.skipBlank(true);
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] !== ']' && this.pos === before) this.pos++;
      }
      if (t[this.pos] === ']') this.pos++;
    } else if (c === '{') {
      this.pos++;
      while (this.pos < t.length) {
        this.skipBlank(true);
        if (t[this.pos] === '}') break;
        const before = this.pos;
        this.keyValue(path);
        this.skipBlank(true);
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] !== '}' && this.pos === before) this.pos++;
      }
      if (t[this.pos] === '}') this.pos++;
    } else {
      // A number, boolean or date: runs to a delimiter (dates may hold a space).
      while (this.pos < t.length && !',]}\n\r#'.includes(t[this.pos])) this.pos++;
    }
  }

  /** Skips spaces and tabs, and also newlines and comments when `lines` is set. */
  private skipBlank(lines: boolean): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (lines && (c === '\n' || c === '\r')) this.pos++;
      else if (lines && c === '#') this.skipToEol();
      else break;
    }
  }

  /** After a header or key/value: the rest of the line is blank or a comment. */
  private skipLine(): void {
    this.skipBlank(false);
    if (this.text[this.pos] === '#') this.skipToEol();
  }

  private skipToEol(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
  }
}

/** Every key, header and array element of a TOML document, with offsets, in document order. */
export function locateTomlKeys(text: string): KeyLocation[] {
  return new Scanner(text).run();
}

/**
 * The location of `path`, or of its longest located prefix (the table a missing key belongs to).
 * When a key appears twice (not valid TOML), the first wins.
 */
export function findLocation(locations: readonly KeyLocation[], path: readonly string[]): KeyLocation | undefined {
  for (let n = path.length; n > 0; n--) {
    const under = (l: KeyLocation) => l.path.length >= n && path.slice(0, n).every((k, i) => k === l.path[i]);
    // The key itself; else the first thing written under it (a table only ever defined implicitly).
    const hit = locations.find((l) => l.path.length === n && under(l)) ?? locations.find(under);
    if (hit) return hit;
  }
  return undefined;
}

export interface DecodedString {
  value: string;
  /** sources[i] is the text offset that produced value[i]; sources[value.length] is the closing delimiter. */
  sources: number[];
  /** Offset just past the closing delimiter. */
  end: number;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
};

/**
 * Decodes the TOML string (any of the four kinds) starting at `offset`, remembering where each
 * character of the value came from, so that a position inside the value maps back to the file.
 * Undefined when there is no well-formed string there.
 */
export function decodeTomlString(text: string, offset: number): DecodedString | undefined {
  const quote = text[offset];
  if (quote !== '"' && quote !== "'") return undefined;
  const multi = text.startsWith(quote.repeat(3), offset);
  const basic = quote === '"';
  let pos = offset + (multi ? 3 : 1);
  // A newline right after the opening delimiter of a multi-line string is not part of the value.
  if (multi) {
    if (text[pos] === '\n') pos++;
    else if (text[pos] === '\r' && text[pos + 1] === '\n') pos += 2;
  }
  let value = '';
  const sources: number[] = [];
  const push = (s: string, from: number) => {
    value += s;
    for (let i = 0; i < s.length; i++) sources.push(from);
  };
  while (pos < text.length) {
    const c = text[pos];
    if (c === quote) {
      if (!multi) {
        sources.push(pos);
        return { value, sources, end: pos + 1 };
      }
      let run = 0;
      while (text[pos + run] === quote) run++;
      if (run >= 3) {
        // Up to two quotes just before the closing delimiter belong to the value.
        const extra = Math.min(run - 3, 2);
        for (let i = 0; i < extra; i++) push(quote, pos + i);
        sources.push(pos + extra);
        return { value, sources, end: pos + extra + 3 };
      }
      for (let i = 0; i < run; i++) push(quote, pos + i);
      pos += run;
      continue;
    }
    if (!multi && (c === '\n' || c === '\r')) return undefined;
    if (basic && c === '\\') {
      const e = text[pos + 1];
      if (e !== undefined && e in SIMPLE_ESCAPES) {
        push(SIMPLE_ESCAPES[e], pos);
        pos += 2;
        continue;
      }
      const hexLength = e === 'u' ? 4 : e === 'U' ? 8 : e === 'x' ? 2 : 0;
      if (hexLength > 0) {
        const hex = text.slice(pos + 2, pos + 2 + hexLength);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== hexLength) return undefined;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) return undefined;
        push(String.fromCodePoint(code), pos);
        pos += 2 + hexLength;
        continue;
      }
      if (multi) {
        // Line-ending backslash: drops the newline and all whitespace after it.
        let p = pos + 1;
        while (text[p] === ' ' || text[p] === '\t') p++;
        if (text[p] === '\n' || (text[p] === '\r' && text[p + 1] === '\n')) {
          while (p < text.length && ' \t\r\n'.includes(text[p])) p++;
          pos = p;
          continue;
        }
      }
      return undefined;
    }
    push(c, pos);
    pos++;
  }
  return undefined;
}
