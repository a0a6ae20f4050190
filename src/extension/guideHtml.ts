// The investigation-guide webview's HTML, as a pure function of the rule and (optionally) the
// finding's record. No 'vscode' import: the escaping and the Content-Security-Policy are unit-tested.
//
// Two kinds of text reach this page. Rule text (name, guide Markdown, references) comes from rule
// files: ours or the user's, still escaped, and Markdown is rendered with raw HTML disabled. Record
// values come from log files, which are attacker-controlled: every one is HTML-escaped and shown as
// text, never as a link. The page's only script is media/guide.js, allowed by a per-render nonce.

import MarkdownIt from 'markdown-it';
import type { Rule } from '../core/types';
import { plainText, valueToText, mitreUrl } from './markdown';

export interface GuideRow {
  label: string;
  field: string;
  value: unknown;
}

export interface GuideRecord {
  /** File name of the document the finding is in (shown, escaped). */
  fileName: string;
  recordIndex: number;
  rows: GuideRow[];
  related: { recordIndex: number; reason: string }[];
}

export interface GuideHtmlInput {
  rule: Rule;
  /** webview.cspSource */
  cspSource: string;
  /** A fresh random nonce (base64) for this render. */
  nonce: string;
  /** webview.asWebviewUri of media/guide.css and media/guide.js, as strings. */
  styleUri: string;
  scriptUri: string;
  /** Where the rule is documented (Elastic's page for bundled rules, the rule file for others). */
  docUrl?: string;
  /** Why the rule is not evaluated here, when it is not. */
  notEvaluated?: string;
  /** Present when the guide was opened from a finding. */
  record?: GuideRecord;
}

// Rule Markdown: no raw HTML, no bare-URL linkify; markdown-it's own link validation rejects
// javascript:, vbscript:, file: and data: targets.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

const NONCE = /^[A-Za-z0-9+/=_-]{16,}$/;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A record value as one escaped line (long values are cut; full values are in the record itself). */
function valueHtml(value: unknown): string {
  return escapeHtml(plainText(valueToText(value), 2000));
}

function httpUrl(value: string): string | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function link(href: string | undefined, text: string): string {
  return href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}

function list(items: string[]): string {
  return items.length === 0 ? '<span class="none">none</span>' : `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
}

function mitreHtml(rule: Rule): string {
  const rows: string[] = [];
  for (const t of rule.threat ?? []) {
    if (!t || !t.tactic) continue;
    const techniques = (t.technique ?? []).map((tech) => {
      const subs = (tech.subtechnique ?? []).map((s) => link(mitreUrl(s.id, s.reference), `${s.id} ${s.name}`));
      const head = link(mitreUrl(tech.id, tech.reference), `${tech.id} ${tech.name}`);
      return subs.length > 0 ? `${head}<ul>${subs.map((s) => `<li>${s}</li>`).join('')}</ul>` : head;
    });
    rows.push(
      `<li>${escapeHtml(t.framework || 'MITRE ATT&CK')} tactic ${link(mitreUrl(t.tactic.id, t.tactic.reference), `${t.tactic.id} ${t.tactic.name}`)}` +
        (techniques.length > 0 ? `<ul>${techniques.map((x) => `<li>${x}</li>`).join('')}</ul>` : '') +
        '</li>',
    );
  }
  return rows.length === 0 ? '<span class="none">none</span>' : `<ul>${rows.join('')}</ul>`;
}

function metadataHtml(rule: Rule, docUrl: string | undefined): string {
  const rows: [string, string][] = [
    ['Rule ID', `<code>${escapeHtml(rule.ruleId)}</code>`],
    ['Severity', `<span class="severity severity-${escapeHtml(rule.severity)}">${escapeHtml(rule.severity)}</span>`],
    ['Risk score', escapeHtml(String(rule.riskScore))],
    ['Type', escapeHtml(`${rule.type}${rule.language ? ` (${rule.language})` : ''}`)],
    ['Runs every', escapeHtml(rule.interval)],
    ['Searches indices from', `${escapeHtml(rule.from)} <span class="hint">(look-back)</span>`],
    ['Maximum alerts per execution', escapeHtml(String(rule.maxSignals))],
    ['Indices', list(rule.index.map((i) => `<code>${escapeHtml(i)}</code>`))],
    ['Tags', list(rule.tags.map(escapeHtml))],
    ['Version', rule.version === undefined ? '<span class="none">not set</span>' : escapeHtml(String(rule.version))],
    ['Authors', list(rule.author.map(escapeHtml))],
    ['License', rule.license ? escapeHtml(rule.license) : '<span class="none">not set</span>'],
    ['MITRE ATT&CK', mitreHtml(rule)],
    ['References', list(rule.references.map((r) => link(httpUrl(r), r)))],
  ];
  if (rule.falsePositives.length > 0) rows.push(['False positives', list(rule.falsePositives.map(escapeHtml))]);
  if (docUrl) rows.push(['Documentation', link(httpUrl(docUrl), docUrl)]);
  return `<table class="meta">${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function recordHtml(record: GuideRecord): string {
  const rows = record.rows
    .map((r) => `<tr><th scope="row" title="${escapeHtml(r.field)}">${escapeHtml(r.label)}</th><td>${valueHtml(r.value)}</td></tr>`)
    .join('');
  const related =
    record.related.length === 0
      ? ''
      : `<h3>Related records</h3><ul>${record.related
          .map((r) => `<li>Record #${escapeHtml(String(r.recordIndex))}: ${escapeHtml(plainText(r.reason, 300))}</li>`)
          .join('')}</ul>`;
  return (
    `<section class="record"><h2>The flagged record</h2>` +
    `<p class="where">${escapeHtml(plainText(record.fileName, 300))}, record #${escapeHtml(String(record.recordIndex))}</p>` +
    `<div class="buttons"><button type="button" data-action="reveal">Reveal record</button>` +
    `<button type="button" data-action="copy">Copy record as JSON</button></div>` +
    `<table class="fields">${rows}</table>${related}</section>`
  );
}

export function guideHtml(input: GuideHtmlInput): string {
  const { rule, cspSource, nonce } = input;
  // The nonce goes into an attribute and the CSP: refuse anything that could break out of either.
  if (!NONCE.test(nonce)) throw new Error('guideHtml: the nonce must be at least 16 base64 characters');
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource}`,
  ].join('; ');
  const note = rule.note ? md.render(rule.note) : '<p class="none">This rule has no investigation guide.</p>';
  const setup = rule.setup ? `<section class="setup"><h2>Setup</h2>${md.render(rule.setup)}</section>` : '';
  const notEvaluated = input.notEvaluated
    ? `<p class="warning">Not evaluated by CloudTrail Hunter: ${escapeHtml(input.notEvaluated)}</p>`
    : '';
  const query = rule.query === undefined ? '' : `<h2>Query</h2><pre class="query"><code>${escapeHtml(rule.query)}</code></pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>${escapeHtml(`Guide: ${rule.name}`)}</title>
</head>
<body>
<header><h1>${escapeHtml(rule.name)}</h1>
<p class="description">${escapeHtml(rule.description)}</p>${notEvaluated}</header>
${input.record ? recordHtml(input.record) : ''}
<section class="guide"><h2>Investigation guide</h2>${note}</section>
${setup}
<section class="metadata"><h2>About this rule</h2>${metadataHtml(rule, input.docUrl)}${query}</section>
<script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
