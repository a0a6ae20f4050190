// Making attacker-controlled text safe for a terminal: log values (a userAgent, an error message, a
// file name) can carry ANSI escape sequences that repaint the screen or forge hyperlinks, and bidi
// overrides that make text read differently than it is. Such characters are shown as visible
// `\u{..}` sequences instead, and values are cut to a display width.

/** True for a code point that must never reach a terminal raw. */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp < 0x20 || // C0 controls, including ESC, BEL, CR, LF, TAB
    cp === 0x7f || // DEL
    (cp >= 0x80 && cp <= 0x9f) || // C1 controls (0x9b is a one-byte CSI on some terminals)
    cp === 0x061c || // Arabic letter mark
    (cp >= 0x200b && cp <= 0x200c) || // zero-width space / non-joiner: invisible spoofing
    (cp >= 0x200e && cp <= 0x200f) || // LRM, RLM
    (cp >= 0x2028 && cp <= 0x2029) || // line / paragraph separators
    (cp >= 0x202a && cp <= 0x202e) || // bidi embeddings and overrides
    (cp >= 0x2060 && cp <= 0x2064) || // word joiner and invisible operators: zero-width, hide text
    (cp >= 0x2066 && cp <= 0x2069) || // bidi isolates
    cp === 0xfeff || // zero-width no-break space
    (cp >= 0xd800 && cp <= 0xdfff) // a lone surrogate (iteration yields pairs as one code point)
  );
}

function visible(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

// What JSON.stringify leaves raw but a terminal or a viewer acts on (DEL, C1 controls, bidi
// controls, invisible characters); C0 controls and lone surrogates it already escapes itself.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * JSON text (from JSON.stringify) with every such character written as a `\uXXXX` escape: the same
 * JSON (JSON.parse gives back the exact values), safe to print. They can only occur inside string
 * literals, and never as part of an escape sequence, so replacing them in place is exact.
 */
export function jsonSafe(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every unsafe character replaced by a visible `\u{..}` sequence; everything else untouched. */
export function escapeControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += isUnsafeCodePoint(cp) ? visible(cp) : ch;
  }
  return out;
}

/** Columns a code point takes in a monospace terminal: 0 for combining marks, 2 for wide CJK/emoji. */
export function codePointWidth(cp: number): number {
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x200d) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display width of text that is already escaped (no control characters left). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

export const ELLIPSIS = '…';

/**
 * The text escaped and cut to at most `maxWidth` columns, ending in an ellipsis when cut. An escape
 * sequence is never cut in half, and neither is a surrogate pair.
 */
export function terminalSafe(text: string, maxWidth = Infinity): string {
  let out = '';
  let width = 0;
  const budget = maxWidth - 1; // room for the ellipsis if the text does not fit
  let cut = -1; // length of `out` at the last point where an ellipsis still fits
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const piece = isUnsafeCodePoint(cp) ? visible(cp) : ch;
    const w = isUnsafeCodePoint(cp) ? piece.length : codePointWidth(cp);
    if (width + w > maxWidth) {
      return (cut >= 0 ? out.slice(0, cut) : '') + ELLIPSIS;
    }
    out += piece;
    width += w;
    if (width <= budget) cut = out.length;
  }
  return out;
}

/** Pads escaped text with spaces on the right to `width` columns. */
export function padEnd(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}

/** A field value as one line of text: arrays joined with ", ", objects as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
