// KQL wildcards: an unescaped `*` in an unquoted literal matches any run of characters (including
// none), and the pattern must cover the whole value. `?` is not special in KQL (Kibana escapes it
// before handing the pattern to Elasticsearch).

/**
 * A compiled `*` pattern. `parts` are the literal pieces between the wildcards, so `a*b*` has
 * parts ["a", "b", ""]. Matching is greedy-leftmost over the middle pieces, which is exact for
 * `*`-only patterns and never backtracks: O(length of the value) with `indexOf`.
 */
export class WildcardPattern {
  readonly parts: readonly string[];
  private readonly head: string;
  private readonly tail: string;
  private readonly middle: readonly string[];
  private readonly minLength: number;
  private lowerCased?: WildcardPattern;

  constructor(parts: readonly string[]) {
    if (parts.length < 2) throw new Error('a wildcard pattern has at least one wildcard');
    this.parts = parts;
    this.head = parts[0];
    this.tail = parts[parts.length - 1];
    // Empty middle pieces come from `**`: they constrain nothing.
    this.middle = parts.slice(1, -1).filter((p) => p.length > 0);
    this.minLength = parts.reduce((n, p) => n + p.length, 0);
  }

  /** Builds a pattern from text where every `*` is a wildcard (no escapes). */
  static fromText(text: string): WildcardPattern {
    return new WildcardPattern(text.split('*'));
  }

  /** Exactly one `*` and nothing else: Kibana turns `field:*` into an exists query. */
  get isLone(): boolean {
    return this.parts.length === 2 && this.head === '' && this.tail === '';
  }

  /** The pattern as Kibana prints it: wildcards as `*` (escaped stars are not distinguished). */
  get text(): string {
    return this.parts.join('*');
  }

  /** The same pattern with every literal piece lower-cased (text fields normalise wildcard terms). */
  lower(): WildcardPattern {
    if (!this.lowerCased) {
      const lowered = this.parts.map((p) => p.toLowerCase());
      this.lowerCased = lowered.every((p, i) => p === this.parts[i]) ? this : new WildcardPattern(lowered);
    }
    return this.lowerCased;
  }

  test(value: string): boolean {
    const n = value.length;
    if (n < this.minLength) return false;
    if (!value.startsWith(this.head) || !value.endsWith(this.tail)) return false;
    let pos = this.head.length;
    const limit = n - this.tail.length;
    for (const piece of this.middle) {
      const at = value.indexOf(piece, pos);
      if (at < 0 || at + piece.length > limit) return false;
      pos = at + piece.length;
    }
    return true;
  }
}
