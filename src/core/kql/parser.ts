// A hand-written parser for Kibana's KQL grammar (kbn-es-query kuery/grammar/grammar.peggy).
// Each method is one grammar rule with the same ordered choices, so the same inputs are accepted
// and produce the same tree. Errors are reported the way the generated PEG parser reports them:
// at the furthest position any rule failed, listing what was expected there, with named rules
// (field name, value, literal, whitespace, AND, OR, NOT) standing for everything inside them.
//
// Differences from the generated parser, none visible in results: `head (op x)+ / head` is parsed
// once instead of twice (the PEG form is exponential in nesting depth), literal scans are cached
// per position, and nesting deeper than MAX_DEPTH is refused instead of overflowing the stack.

import type { KqlField, KqlQuery, KqlScalar, KqlValue, RangeOperator } from './ast';
import { ValueInfo } from './values';
import { WildcardPattern } from './wildcard';

/** Deepest nesting of ( ) and { } groups accepted. */
export const MAX_DEPTH = 100;

export class KqlSyntaxError extends Error {
  /** 0-based UTF-16 offset of the offending character in the query. */
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  readonly column: number;
  /** What could have come at `offset`, e.g. ["(", "NOT", "field name", "value"]; sorted as Kibana does. */
  readonly expected: string[];
  /** The offending character; null at the end of the query. */
  readonly found: string | null;
  /** Kibana's wording without the position: `Expected ... but "}" found.` */
  readonly shortMessage: string;

  constructor(query: string, offset: number, expected: string[], found: string | null, shortMessage: string) {
    const { line, column } = lineColumn(query, offset);
    super(`${shortMessage.replace(/\.$/, '')} (line ${line}, column ${column}).`);
    this.name = 'KqlSyntaxError';
    this.offset = offset;
    this.line = line;
    this.column = column;
    this.expected = expected;
    this.found = found;
    this.shortMessage = shortMessage;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function parseKql(query: string): KqlQuery {
  return new Parser(query).parse();
}

// ---------------------------------------------------------------------------------------------

/** The grammar's Space: [ \t\r\n\u00A0]. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0xa0;
}

/** The grammar's SpecialCharacter: [\\():<>"*{}]. */
function isSpecial(c: number): boolean {
  return (
    c === 0x5c || c === 0x28 || c === 0x29 || c === 0x3a || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x2a ||
    c === 0x7b || c === 0x7d
  );
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A scanned QuotedString or UnquotedLiteral, before it becomes a field or a value. */
interface Lit {
  start: number;
  end: number;
  quoted: boolean;
  value: KqlScalar;
  wildcard: WildcardPattern | null;
}

type ValueTree =
  | { kind: 'value'; lit: Lit }
  | { kind: 'or' | 'and'; items: ValueTree[] }
  | { kind: 'not'; start: number; item: ValueTree };

class Parser {
  private pos = 0;
  private maxFailPos = 0;
  private readonly expected: string[] = [];
  /** > 0 inside a named rule: failures there are reported as the rule's name. */
  private silent = 0;
  private depth = 0;
  private readonly n: number;
  private cachePos = -1;
  private cacheLit: Lit | null = null;

  constructor(private readonly src: string) {
    this.n = src.length;
  }

  parse(): KqlQuery {
    this.spaces();
    const query = this.orQuery();
    this.optionalSpace();
    if (this.pos < this.n) {
      this.fail('end of input');
      throw this.syntaxError();
    }
    return query ?? { type: 'all', start: 0, end: this.n };
  }

  // --- failure bookkeeping (peggy's maxFailPos / maxFailExpected) -----------------------------

  private fail(what: string): void {
    if (this.silent > 0 || this.pos < this.maxFailPos) return;
    if (this.pos > this.maxFailPos) {
      this.maxFailPos = this.pos;
      this.expected.length = 0;
      this.expected.push(what);
    } else if (!this.expected.includes(what)) {
      this.expected.push(what);
    }
  }

  private syntaxError(): KqlSyntaxError {
    const at = this.maxFailPos;
    const shown = [...this.expected].sort();
    const found = at < this.n ? String.fromCodePoint(this.src.codePointAt(at)!) : null;
    const foundText = found === null ? 'end of input' : /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(found) ? `"${found}"` : JSON.stringify(found);
    const message = `Expected ${shown.join(', ')} but ${foundText} found.`;
    // Tokens are shown quoted in the message, bare in `expected`.
    const expected = shown.map((e) => (e.length > 2 && e.startsWith('"') ? e.slice(1, -1) : e));
    return new KqlSyntaxError(this.src, at, expected, found, message);
  }

  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) {
      const message = `query too deeply nested: more than ${MAX_DEPTH} levels of ( ) or { }.`;
      throw new KqlSyntaxError(this.src, at, [], this.src[at] ?? null, message);
    }
  }

  // --- terminals ------------------------------------------------------------------------------

  private code(at: number): number {
    return at < this.n ? this.src.charCodeAt(at) : -1;
  }

  /** A literal token such as "(" or "<=": `shown` is how an expectation of it is listed. */
  private token(text: string, shown: string): boolean {
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    this.fail(shown);
    return false;
  }

  /** Space* (the failing attempt after the last space is an expectation, as in peggy). */
  private spaces(): void {
    while (isSpace(this.code(this.pos))) this.pos++;
    this.fail('whitespace');
  }

  /**
   * OptionalSpace before a closing `)`, `}` or the end. Current Kibana does not list whitespace
   * among the expectations there ("Expected AND, OR, end of input but ":" found."), so it is silent.
   */
  private optionalSpace(): void {
    while (isSpace(this.code(this.pos))) this.pos++;
  }

  /** Case-insensitive match of a lower-case ASCII word ('or'i in the grammar). */
  private wordAt(at: number, word: string): boolean {
    if (at + word.length > this.n) return false;
    for (let k = 0; k < word.length; k++) {
      const c = this.src.charCodeAt(at + k);
      const w = word.charCodeAt(k);
      // No character outside ASCII lower-cases to one of o, r, a, n, d, t.
      if (c !== w && c !== w - 0x20) return false;
    }
    return true;
  }

  /** Or / And: Space+ keyword Space+ (named rules "OR" / "AND"). */
  private conjunction(word: 'or' | 'and', name: string): boolean {
    let i = this.pos;
    if (isSpace(this.code(i))) {
      while (isSpace(this.code(i))) i++;
      if (this.wordAt(i, word) && isSpace(this.code(i + word.length))) {
        i += word.length;
        while (isSpace(this.code(i))) i++;
        this.pos = i;
        return true;
      }
    }
    this.fail(name);
    return false;
  }

  /** Not: 'not'i Space+ (named rule "NOT"). */
  private not(): boolean {
    if (this.wordAt(this.pos, 'not') && isSpace(this.code(this.pos + 3))) {
      this.pos += 3;
      while (isSpace(this.code(this.pos))) this.pos++;
      return true;
    }
    this.fail('NOT');
    return false;
  }

  /** The grammar's Keyword, which ends an unquoted literal: Space or Space / Space and Space / not Space. */
  private keywordAt(i: number): boolean {
    const c = this.code(i);
    if (isSpace(c)) {
      if (this.wordAt(i + 1, 'or') && isSpace(this.code(i + 3))) return true;
      if (this.wordAt(i + 1, 'and') && isSpace(this.code(i + 4))) return true;
      return false;
    }
    return (c === 0x6e || c === 0x4e) && this.wordAt(i, 'not') && isSpace(this.code(i + 3));
  }

  private unicodeAt(i: number): string | null {
    // \uXXXX: the grammar wants a lower-case u and four hex digits.
    if (this.code(i) !== 0x75) return null;
    for (let k = 1; k <= 4; k++) if (!isHex(this.code(i + k))) return null;
    return String.fromCharCode(parseInt(this.src.substr(i + 1, 4), 16));
  }

  /** QuotedString / UnquotedLiteral at `at`, or null. Pure (no expectations): always inside a named rule. */
  private literalAt(at: number): Lit | null {
    if (at === this.cachePos) return this.cacheLit;
    const lit = this.code(at) === 0x22 ? this.quotedAt(at) : this.unquotedAt(at);
    this.cachePos = at;
    this.cacheLit = lit;
    return lit;
  }

  private quotedAt(at: number): Lit | null {
    const src = this.src;
    let out = '';
    let run = at + 1;
    let i = at + 1;
    for (;;) {
      if (i >= this.n) return null; // unterminated
      const c = src.charCodeAt(i);
      if (c === 0x22) break;
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += src.slice(run, i);
      const next = this.code(i + 1);
      const u = this.unicodeAt(i + 1); // non-null only after a "u"
      if (next === 0x74) out += '\t';
      else if (next === 0x72) out += '\r';
      else if (next === 0x6e) out += '\n';
      else if (u !== null) out += u;
      else if (next === 0x5c || next === 0x22) out += src[i + 1];
      else {
        // Any other backslash is an ordinary character inside quotes.
        out += '\\';
        run = i + 1;
        i++;
        continue;
      }
      i += u !== null ? 6 : 2; // \uXXXX or a two-character escape
      run = i;
    }
    out += src.slice(run, i);
    return { start: at, end: i + 1, quoted: true, value: out, wildcard: null };
  }

  private unquotedAt(at: number): Lit | null {
    const src = this.src;
    const pieces: string[] = [];
    let cur = '';
    let run = at;
    let i = at;
    while (i < this.n) {
      const c = src.charCodeAt(i);
      if (c === 0x5c) {
        const next = this.code(i + 1);
        let text: string | null = null;
        let width = 2;
        if (next === 0x74) text = '\t';
        else if (next === 0x72) text = '\r';
        else if (next === 0x6e) text = '\n';
        else if (isSpecial(next)) text = src[i + 1];
        else if ((text = this.unicodeAt(i + 1)) !== null) width = 6;
        else {
          // Escaped keyword: \or \and \not (any case) keep their letters.
          for (const word of ['or', 'and', 'not']) {
            if (this.wordAt(i + 1, word)) {
              text = src.substr(i + 1, word.length);
              width = word.length + 1;
              break;
            }
          }
        }
        if (text === null) break; // a lone backslash ends the literal
        cur += src.slice(run, i) + text;
        i += width;
        run = i;
        continue;
      }
      if (c === 0x2a) {
        pieces.push(cur + src.slice(run, i));
        cur = '';
        i++;
        run = i;
        continue;
      }
      if (isSpecial(c) || this.keywordAt(i)) break;
      i++;
    }
    if (i === at) return null;
    cur += src.slice(run, i);
    // Kibana trims the joined characters (String.prototype.trim); wildcards are not whitespace.
    if (pieces.length === 0) {
      const text = cur.trim();
      const value: KqlScalar = text === 'null' ? null : text === 'true' ? true : text === 'false' ? false : text;
      return { start: at, end: i, quoted: false, value, wildcard: null };
    }
    pieces.push(cur);
    pieces[0] = pieces[0].trimStart();
    pieces[pieces.length - 1] = pieces[pieces.length - 1].trimEnd();
    const wildcard = new WildcardPattern(pieces);
    return { start: at, end: i, quoted: false, value: wildcard.text, wildcard };
  }

  /** A named rule around QuotedString / UnquotedLiteral: Field "fieldName", Value "value", Literal "literal". */
  private named(name: string): Lit | null {
    const lit = this.literalAt(this.pos);
    if (!lit) {
      this.fail(name);
      return null;
    }
    this.pos = lit.end;
    return lit;
  }

  // --- query rules ----------------------------------------------------------------------------

  private orQuery(): KqlQuery | null {
    const head = this.andQuery();
    if (!head) return null;
    const children = [head];
    for (;;) {
      const save = this.pos;
      if (!this.conjunction('or', 'OR')) break;
      const next = this.andQuery();
      if (!next) {
        this.pos = save;
        break;
      }
      children.push(next);
    }
    if (children.length === 1) return head;
    return { type: 'or', children, start: head.start, end: children[children.length - 1].end };
  }

  private andQuery(): KqlQuery | null {
    const head = this.notQuery();
    if (!head) return null;
    const children = [head];
    for (;;) {
      const save = this.pos;
      if (!this.conjunction('and', 'AND')) break;
      const next = this.notQuery();
      if (!next) {
        this.pos = save;
        break;
      }
      children.push(next);
    }
    if (children.length === 1) return head;
    return { type: 'and', children, start: head.start, end: children[children.length - 1].end };
  }

  private notQuery(): KqlQuery | null {
    const start = this.pos;
    if (this.not()) {
      const child = this.subQuery();
      if (child) return { type: 'not', child, start, end: child.end };
      this.pos = start;
    }
    return this.subQuery();
  }

  private subQuery(): KqlQuery | null {
    const start = this.pos;
    if (this.token('(', '"("')) {
      this.enter(start);
      this.spaces();
      const query = this.orQuery();
      if (query) {
        this.optionalSpace();
        if (this.token(')', '")"')) {
          this.depth--;
          return query;
        }
      }
      this.depth--;
      this.pos = start;
    }
    return this.nestedQuery();
  }

  private nestedQuery(): KqlQuery | null {
    const start = this.pos;
    const path = this.named('field name');
    if (path) {
      this.spaces();
      if (this.token(':', '":"')) {
        this.spaces();
        const brace = this.pos;
        if (this.token('{', '"{"')) {
          this.enter(brace);
          this.spaces();
          const query = this.orQuery();
          if (query) {
            this.optionalSpace();
            if (this.token('}', '"}"')) {
              this.depth--;
              return { type: 'nested', path: fieldOf(path, false)!, query, start, end: this.pos };
            }
          }
          this.depth--;
        }
      }
    }
    this.pos = start;
    return this.fieldRangeExpression() ?? this.fieldValueExpression() ?? this.valueExpression();
  }

  private fieldRangeExpression(): KqlQuery | null {
    const start = this.pos;
    const field = this.named('field name');
    if (field) {
      this.spaces();
      const op = this.rangeOperator();
      if (op) {
        this.spaces();
        const lit = this.named('literal');
        if (lit) {
          return { type: 'range', field: fieldOf(field, false)!, op, value: valueOf(lit), start, end: lit.end };
        }
      }
    }
    this.pos = start;
    return null;
  }

  private rangeOperator(): RangeOperator | null {
    if (this.token('<=', '"<="')) return 'lte';
    if (this.token('>=', '">="')) return 'gte';
    if (this.token('<', '"<"')) return 'lt';
    if (this.token('>', '">"')) return 'gt';
    return null;
  }

  private fieldValueExpression(): KqlQuery | null {
    const start = this.pos;
    const field = this.named('field name');
    if (field) {
      this.spaces();
      if (this.token(':', '":"')) {
        this.spaces();
        const list = this.listOfValues();
        if (list) return distribute(list, fieldOf(field, true), start);
      }
    }
    this.pos = start;
    return null;
  }

  private valueExpression(): KqlQuery | null {
    const lit = this.named('value');
    return lit ? isQuery(null, lit, lit.start) : null;
  }

  // --- value lists: field:(a or b and not c) -------------------------------------------------

  private listOfValues(): ValueTree | null {
    const start = this.pos;
    if (this.token('(', '"("')) {
      this.enter(start);
      this.spaces();
      const list = this.orListOfValues();
      if (list) {
        this.optionalSpace();
        if (this.token(')', '")"')) {
          this.depth--;
          return list;
        }
      }
      this.depth--;
      this.pos = start;
    }
    const lit = this.named('value');
    return lit ? { kind: 'value', lit } : null;
  }

  private orListOfValues(): ValueTree | null {
    const head = this.andListOfValues();
    if (!head) return null;
    const items = [head];
    for (;;) {
      const save = this.pos;
      if (!this.conjunction('or', 'OR')) break;
      const next = this.andListOfValues();
      if (!next) {
        this.pos = save;
        break;
      }
      items.push(next);
    }
    return items.length === 1 ? head : { kind: 'or', items };
  }

  private andListOfValues(): ValueTree | null {
    const head = this.notListOfValues();
    if (!head) return null;
    const items = [head];
    for (;;) {
      const save = this.pos;
      if (!this.conjunction('and', 'AND')) break;
      const next = this.notListOfValues();
      if (!next) {
        this.pos = save;
        break;
      }
      items.push(next);
    }
    return items.length === 1 ? head : { kind: 'and', items };
  }

  private notListOfValues(): ValueTree | null {
    const start = this.pos;
    if (this.not()) {
      const item = this.listOfValues();
      if (item) return { kind: 'not', start, item };
      this.pos = start;
    }
    return this.listOfValues();
  }
}

// --- building nodes ---------------------------------------------------------------------------

/**
 * A field from its literal. Kibana turns an unquoted `null` field into "no field" (a bare value
 * search) for `is`; elsewhere the name is used as written.
 */
function fieldOf(lit: Lit, nullMeansAny: boolean): KqlField | null {
  if (lit.value === null && nullMeansAny) return null;
  const name = lit.value === null ? 'null' : String(lit.value);
  return { name, wildcard: lit.wildcard, start: lit.start, end: lit.end };
}

function valueOf(lit: Lit): KqlValue {
  return {
    value: lit.value,
    quoted: lit.quoted,
    wildcard: lit.wildcard,
    info: new ValueInfo(lit.value, lit.wildcard !== null),
    start: lit.start,
    end: lit.end,
  };
}

function isQuery(field: KqlField | null, lit: Lit, start: number): KqlQuery {
  if (field && lit.wildcard?.isLone) return { type: 'exists', field, start, end: lit.end };
  return { type: 'is', field, value: valueOf(lit), start, end: lit.end };
}

/** Kibana applies a value list to its field: field:(a or not b) is field:a or not field:b. */
function distribute(tree: ValueTree, field: KqlField | null, start: number): KqlQuery {
  switch (tree.kind) {
    case 'value':
      return isQuery(field, tree.lit, start);
    case 'not': {
      const child = distribute(tree.item, field, tree.start);
      return { type: 'not', child, start: tree.start, end: child.end };
    }
    default: {
      const children = tree.items.map((item) => distribute(item, field, item.kind === 'value' ? item.lit.start : start));
      return { type: tree.kind, children, start: children[0].start, end: children[children.length - 1].end };
    }
  }
}
