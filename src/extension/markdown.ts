// Markdown for hover cards, built from rule data (ours) and log values (attacker-controlled).
// Pure: no 'vscode' import, so the escaping is unit-tested in plain Node.
//
// The threat: a CloudTrail field such as `userAgent` or `requestParameters` is whatever the caller
// sent to AWS. Rendered as Markdown it could become a link, an image (a tracking pixel), raw HTML, or
// a `command:` link that runs a VS Code command when clicked. Every log value therefore goes through
// `escapeMarkdownText`, which backslash-escapes each character that can open or close inline Markdown
// (CommonMark: an escaped ASCII punctuation character is always literal text) and breaks the
// autolink triggers. Values only ever appear inline (table cells, after a label), so line-start
// constructs (headings, lists, quotes) cannot form and `.`, `:`, `/`, `-` stay readable: an ARN
// or an IP address reads as itself in the raw Markdown too.

import type { Rule } from '../core/types';

/** Longest log value shown in a hover before it is cut. */
export const MAX_VALUE_LENGTH = 200;

// Bidirectional overrides and isolates can make text display in a different order than it is
// stored ("Trojan Source"); zero-width characters can hide text. Shown as visible code points.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
// C0/C1 controls, and the line/paragraph separators some renderers treat as newlines.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
// Links, images, HTML, entities, emphasis, strikethrough, code spans, table pipes, e-mail autolinks.
const INLINE_SYNTAX = /[\\`*_{}[\]()!|<>~&@]/g;
// GFM autolinks start at "scheme://" or "www."; an escape inside the trigger stops them.
const AUTOLINK_TRIGGER = /:(?=\/\/)|(?<=www)\./gi;

/** One line of plain text: controls and newlines become a space, invisible characters become visible, long text is cut. */
export function plainText(value: string, max = MAX_VALUE_LENGTH): string {
  let s = value
    .replace(CONTROL, ' ')
    .replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
  if (s.length > max) {
    // Do not cut a surrogate pair in half.
    let cut = max;
    const code = s.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    s = `${s.slice(0, cut)}… (${value.length} chars)`;
  }
  return s;
}

/**
 * Makes any text literal inline in Markdown (paragraphs and table cells): no link, image, HTML tag,
 * entity, emphasis, code span, table pipe or autolink (`http://`, `www.`, e-mail) can form, so a
 * `[x](command:...)` in a log stays text. Newlines become spaces.
 */
export function escapeMarkdownText(value: string, max = MAX_VALUE_LENGTH): string {
  const line = plainText(value, max)
    .replace(INLINE_SYNTAX, (c) => `\\${c}`)
    .replace(AUTOLINK_TRIGGER, (c) => `\\${c}`);
  // Leading spaces could start an indented code block at the start of a line; they carry no meaning here.
  return line.trim();
}

/** Any field value (string, number, boolean, array, object) as one line of text. */
export function valueToText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(valueToText).join(', ');
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

const MITRE_URL = /^https:\/\/attack\.mitre\.org\/[A-Za-z0-9/._-]*$/;
const MITRE_ID = /^(TA|T)\d{4}(\.\d{3})?$/;

/**
 * A link target on attack.mitre.org for a tactic or technique from the rule file, or undefined.
 * Only that site is linked, and only with a plain path, so the URL cannot break out of `(...)`.
 */
export function mitreUrl(id: string, reference: string | undefined): string | undefined {
  if (reference !== undefined && MITRE_URL.test(reference)) return reference;
  if (!MITRE_ID.test(id)) return undefined;
  if (id.startsWith('TA')) return `https://attack.mitre.org/tactics/${id}/`;
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

function mitreLink(id: string, name: string, reference: string | undefined): string {
  const label = escapeMarkdownText(`${id} ${name}`);
  const url = mitreUrl(id, reference);
  return url ? `[${label}](${url})` : label;
}

/** A `command:` URI with JSON arguments, for command ids the hover is allowed to run. */
export function commandUri(command: string, args: unknown): string {
  // encodeURIComponent leaves ( ) ' ! * alone; a ")" from a file name would end the Markdown link early.
  const encoded = encodeURIComponent(JSON.stringify([args])).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${encoded}`;
}

export interface HoverRow {
  label: string;
  value: unknown;
}

export interface HoverFinding {
  rule: Rule;
  rows: HoverRow[];
  /** Arguments for the guide and reveal commands (built by the extension from the document URI). */
  guideArgs: unknown;
  revealArgs: unknown;
}

export interface HoverCommands {
  showGuide: string;
  revealRecord: string;
}

/** The hover card for the findings of one record (several rules may flag the same record). */
export function hoverMarkdown(findings: readonly HoverFinding[], commands: HoverCommands): string {
  const parts: string[] = [];
  for (const f of findings) {
    const r = f.rule;
    const lines: string[] = [];
    lines.push(`**${escapeMarkdownText(r.name, 300)}**`);
    lines.push('');
    const risk = Number.isFinite(r.riskScore) ? `, risk score ${escapeMarkdownText(String(r.riskScore))}` : '';
    lines.push(`Severity: ${escapeMarkdownText(r.severity)}${risk}`);
    const mitre = mitreSummary(r);
    if (mitre) {
      lines.push('');
      lines.push(mitre);
    }
    if (f.rows.length > 0) {
      lines.push('');
      lines.push('| Field | Value |');
      lines.push('|---|---|');
      for (const row of f.rows) {
        const value = escapeMarkdownText(valueToText(row.value));
        lines.push(`| ${escapeMarkdownText(row.label)} | ${value === '' ? ' ' : value} |`);
      }
    }
    lines.push('');
    lines.push(
      `[Open investigation guide](${commandUri(commands.showGuide, f.guideArgs)}) · ` +
        `[Reveal record](${commandUri(commands.revealRecord, f.revealArgs)})`,
    );
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n---\n\n');
}

function mitreSummary(rule: Rule): string {
  const items: string[] = [];
  for (const t of rule.threat ?? []) {
    if (!t || !t.tactic) continue;
    const techniques = (t.technique ?? []).flatMap((tech) => [
      mitreLink(tech.id, tech.name, tech.reference),
      ...(tech.subtechnique ?? []).map((s) => mitreLink(s.id, s.name, s.reference)),
    ]);
    const tactic = mitreLink(t.tactic.id, t.tactic.name, t.tactic.reference);
    items.push(techniques.length > 0 ? `${tactic}: ${techniques.join(', ')}` : tactic);
  }
  return items.length > 0 ? `MITRE ATT\\&CK: ${items.join('; ')}` : '';
}
