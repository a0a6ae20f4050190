// Injection through log content: every caller-controlled string of a CloudTrail record (keys too)
// carries an attack on whatever shows it. The CLI, in every format, and the extension's pure renderers
// must keep each one inert, while the machine formats give back the exact values.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import { parse as parseHtml } from 'parse5';
import { javaMapString } from '../../../src/core/ecs';
import { INVESTIGATION_FIELDS, fieldLabel } from '../../../src/core/scan/fields';
import { guideHtml } from '../../../src/extension/guideHtml';
import { escapeMarkdownText, hoverMarkdown, plainText, valueToText, type HoverFinding } from '../../../src/extension/markdown';
import type { Finding, Rule } from '../../../src/core/types';
import { scanBytes } from '../../../src/core/scan';
import { eventId, hostileFiles, hostileRecord, LONG_VALUE, PAYLOADS } from '../../fixtures/hostile/generate';
import { terminalSafe } from '../../../src/core/report';
import { assertNoUnsafe, HOSTILE_DIR, runCli, seedAndEverything, seedRule, tempDir } from './helpers';

const FORMATS = ['text', 'json', 'sarif', 'csv'] as const;
/** What a CSV cell shows as \u{..}: every character UNSAFE_BUT_LF names except TAB, LF and CR (kept inside quotes). */
const CSV_SHOWN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const VALUES = PAYLOADS.map((p) => p.value);

/** The fixtures and a copy under a file name that is itself hostile, in a scratch folder. */
function hostileFolder(): string {
  const dir = tempDir('cth-hostile-');
  for (const [name, text] of Object.entries(hostileFiles())) fs.writeFileSync(path.join(dir, name), text);
  fs.copyFileSync(path.join(HOSTILE_DIR, 'hostile-envelope.json'), path.join(dir, HOSTILE_FILE_NAME));
  return dir;
}

const HOSTILE_FILE_NAME = 'evil\u001b]8;;https:__evil.example\u0007\u202egnp.json';

/** A user's rule whose own texts are hostile (a rules folder is not necessarily ours). */
function hostileRuleToml(): string {
  const esc = (s: string) => JSON.stringify(s); // a TOML basic string accepts JSON's escapes for these
  return [
    '[metadata]',
    'creation_date = "2026/01/01"',
    '',
    '[rule]',
    `name = ${esc('Hostile <img src=x onerror=alert(1)> [x](command:evil) =1+1 \u202eeman')}`,
    'rule_id = "00000000-hostile-rule-0000-000000000001"',
    `description = ${esc('</script><script>alert(1)</script> \u2066 ![p](https://evil.example/p.png)')}`,
    'type = "query"',
    'language = "kuery"',
    'severity = "high"',
    'risk_score = 73',
    `tags = [${esc('<b>tag</b>')}, ${esc('=HYPERLINK("x")')}]`,
    "query = 'event.dataset:aws.cloudtrail and event.action:CreateTrafficMirrorSession'",
    '',
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------

const ARGS = ['--query', 'event.dataset:aws.cloudtrail'];
/** The hunt above matches every CloudTrail record: its findings carry every record's values. */
const HUNT = 'hunt-query';

type JsonFinding = { file: string; rule: { id: string }; record: { eventId?: string }; fields: Record<string, unknown> };

describe('robustness: injection through log content', function () {
  this.timeout(60000);

  it('the committed fixtures are exactly what generate.ts writes (the payloads are the ones it lists)', () => {
    for (const [name, text] of Object.entries(hostileFiles())) {
      const committed = fs.readFileSync(path.join(HOSTILE_DIR, name), 'utf8');
      assert.ok(committed === text, `${name} differs from generate.ts's output: regenerate it`);
    }
    assert.ok(VALUES.length >= 45);
    assert.equal(new Set(VALUES).size, VALUES.length, 'duplicate payloads');
  });

  describe('CLI output in every format', () => {
    const out = {} as Record<(typeof FORMATS)[number], { code: number; stdout: string; stderr: string }>;

    before(async () => {
      const dir = hostileFolder();
      fs.mkdirSync(path.join(dir, 'rules'));
      fs.writeFileSync(path.join(dir, 'rules', 'hostile_rule.toml'), hostileRuleToml());
      for (const format of FORMATS) out[format] = await runCli(['scan', '.', '--rules', 'rules', ...ARGS, '--format', format], dir);
    });

    it('finds every hostile record, so the checks below see every payload', () => {
      const json = JSON.parse(out.json.stdout) as { findings: JsonFinding[]; problems: unknown[] };
      assert.equal(out.json.code, 1, out.json.stderr);
      assert.deepEqual(json.problems, []);
      const ids = new Set(json.findings.map((f) => f.record.eventId));
      VALUES.forEach((_, i) => {
        for (const variant of ['envelope', 'lines', 'lookup', 'name', 'ecs']) assert.ok(ids.has(eventId(i, variant)), `no finding for payload ${i} (${variant})`);
      });
    });

    for (const format of FORMATS) {
      it(`--format ${format}: no raw ESC, C0, C1, bidi or zero-width character anywhere in the output`, () => {
        const { stdout, stderr } = out[format];
        assert.ok(stdout.length > 0);
        assertNoUnsafe(stderr, `stderr of --format ${format}`);
        if (format !== 'csv') {
          assertNoUnsafe(stdout, `stdout of --format ${format}`);
          return;
        }
        // CSV: rows end in CRLF and a cell may hold TAB, CR and LF inside its quotes, nothing else
        for (const row of parseCsv(stdout)) for (const cell of row) assertNoUnsafe(cell.replace(/[\t\r\n]/g, ''), 'CSV cell');
      });
    }

    it('--format text: one line per finding, log values escaped and cut, the file name escaped', () => {
      const { stdout } = out.text;
      assert.ok(stdout.split('\n').every((l) => l.length < 1000), 'an uncut line');
      assert.ok(stdout.includes(terminalSafe(HOSTILE_FILE_NAME)), 'the hostile file name, escaped');
      const json = JSON.parse(out.json.stdout) as { findings: unknown[] };
      assert.match(stdout, new RegExp(`^${json.findings.length} findings in 5 files `, 'm'));
      // every finding is one table line: the line count is the findings plus header, problems and summary
      const table = stdout.split('\n\n')[0].split('\n');
      assert.equal(table.length, json.findings.length + 1);
    });

    it('--format json: JSON.parse gives back every payload exactly, in values and in keys', () => {
      const json = JSON.parse(out.json.stdout) as { findings: JsonFinding[] };
      let records = 0;
      let others = 0;
      for (const f of json.findings) {
        if (f.rule.id !== HUNT) continue;
        const m = /^00000000-0000-4000-8000-(\d{4})(envelope|lines000|lookup00|name0000|ecs00000)$/.exec(f.record.eventId ?? '');
        assert.ok(m, `unexpected event id ${f.record.eventId}`);
        const i = Number(m[1]);
        const v = VALUES[i];
        if (m[2] === 'name0000' || m[2] === 'ecs00000') {
          // payloads as the API call and service, and in an ECS document's fields
          const fields = m[2] === 'name0000' ? ['event.action', 'event.provider', 'user_agent.original'] : ['user_agent.original', 'source.address', 'user.name'];
          for (const field of fields) assert.equal(f.fields[field], v, `${field} of payload ${i} (${m[2]})`);
          others++;
          continue;
        }
        for (const field of ['user_agent.original', 'aws.cloudtrail.user_identity.arn', 'aws.cloudtrail.user_identity.access_key_id', 'user.name', 'source.address', 'cloud.region']) {
          assert.equal(f.fields[field], v, `${field} of payload ${i}`);
        }
        // the request, rendered as the ingest pipeline does, carries the payload as key and value
        const rendered = f.fields['aws.cloudtrail.request_parameters'];
        assert.equal(rendered, javaMapString(hostileRecord(v, i).requestParameters));
        assert.ok((rendered as string).includes(`${v}=${v}`));
        records++;
      }
      assert.equal(records, VALUES.length * 4); // the envelope is there twice (once under the hostile name)
      assert.equal(others, VALUES.length * 2);
    });

    it('--format sarif: properties give back every payload exactly; message texts carry no link syntax from the log', () => {
      const run = (JSON.parse(out.sarif.stdout) as SarifLog).runs[0];
      const byId = new Map<string, string>();
      VALUES.forEach((v, i) => {
        for (const variant of ['envelope', 'lines', 'lookup']) byId.set(eventId(i, variant), v);
      });
      let checked = 0;
      for (const r of run.results) {
        const v = byId.get(r.properties['event.id'] as string);
        if (v === undefined || r.ruleId !== HUNT) continue;
        assert.equal(r.properties['user_agent.original'], v);
        assert.equal(r.properties['aws.cloudtrail.user_identity.arn'], v);
        checked++;
      }
      assert.equal(checked, VALUES.length * 4);
      assertSafeSarifMessages(run);
    });

    it('--format csv: no cell a spreadsheet would run, no cell broken out of its row, and every value comes back', () => {
      const rows = parseCsv(out.csv.stdout);
      const header = rows[0];
      for (const row of rows) {
        assert.equal(row.length, header.length, 'a row with the wrong number of cells');
        for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a live formula: ${JSON.stringify(cell.slice(0, 80))}`);
      }
      // a cell reads back as the value, with a leading apostrophe before a formula start and controls
      // shown as \u{..}; nothing else changed
      const ua = header.indexOf('user_agent.original');
      const cells = new Set(rows.slice(1).map((r) => r[ua]));
      for (const v of VALUES) assert.ok(cells.has(csvShown(v)), `no cell ${JSON.stringify(csvShown(v))}`);
      // the hostile rule's name is escaped and cannot start a formula either
      const name = header.indexOf('rule_name');
      const hostile = rows.find((r) => r[name].startsWith('Hostile'));
      assert.ok(hostile, 'the hostile rule matched');
      assert.ok(hostile[name].includes('\\u{202e}'));
    });
  });

  describe('a 1 MiB value (and key) in every format', () => {
    const out = {} as Record<(typeof FORMATS)[number], { code: number; stdout: string; stderr: string }>;

    before(async () => {
      const dir = tempDir('cth-long-');
      fs.writeFileSync(path.join(dir, 'long.json'), hostileFiles({ long: true })['hostile-long.json']);
      for (const format of FORMATS) out[format] = await runCli(['scan', 'long.json', ...ARGS, '--format', format], dir);
    });

    it('is found, kept whole in JSON and SARIF properties, and cut in text and in SARIF messages', () => {
      for (const format of FORMATS) {
        assert.equal(out[format].code, 1, out[format].stderr);
        assertNoUnsafe(out[format].stderr, 'stderr');
      }
      const json = JSON.parse(out.json.stdout) as { findings: JsonFinding[] };
      const f = json.findings.find((x) => x.record.eventId === eventId(0, 'long') && x.rule.id === HUNT)!;
      assert.equal(f.fields['user_agent.original'], LONG_VALUE);
      assert.equal(f.fields['user.name'], LONG_VALUE);
      assert.equal(f.fields['aws.cloudtrail.request_parameters'], `{${LONG_VALUE}=${LONG_VALUE}}`);
      assert.equal(json.findings.find((x) => x.record.eventId === eventId(1, 'name'))?.fields['event.action'], LONG_VALUE);
      assertNoUnsafe(out.json.stdout, 'JSON');
      assertNoUnsafe(out.text.stdout, 'text');
      assert.ok(out.text.stdout.split('\n').every((l) => l.length < 1000), 'an uncut line');
      const run = (JSON.parse(out.sarif.stdout) as SarifLog).runs[0];
      assert.ok(run.results.some((r) => r.properties['user_agent.original'] === LONG_VALUE));
      assertSafeSarifMessages(run);
      assertNoUnsafe(out.sarif.stdout, 'SARIF');
    });

    it('CSV: the cell is neutralised and escaped, and otherwise whole', () => {
      const rows = parseCsv(out.csv.stdout);
      const ua = rows[0].indexOf('user_agent.original');
      assert.ok(rows.slice(1).some((r) => r[ua] === csvShown(LONG_VALUE)));
      for (const row of rows) for (const cell of row) assertNoUnsafe(cell.replace(/[\t\r\n]/g, ''), 'CSV cell');
    });
  });

  describe("the extension's pure renderers", () => {
    const rs = seedAndEverything();
    /** Findings of the hunt that matches every record, file by file (so every payload in every shape). */
    const byFile: Finding[][] = Object.values(hostileFiles({ long: true })).map((text) =>
      scanBytes(new TextEncoder().encode(text), rs).findings.filter((f) => f.rule.ruleId === 'hunt-everything'),
    );

    /** What hover.ts's findingRows builds (it imports vscode, so it is rebuilt here from the same table). */
    function rowsOf(f: Finding): { field: string; label: string; value: unknown }[] {
      const names = [...INVESTIGATION_FIELDS.map((x) => x.field), ...f.rule.investigationFields];
      return [...new Set(names)].filter((n) => n in f.fields).map((field) => ({ field, label: fieldLabel(field), value: f.fields[field] }));
    }

    const COMMANDS = { showGuide: 'cloudtrailHunter.showGuide', revealRecord: 'cloudtrailHunter.revealRecord' };
    const hostileRule: Rule = {
      ...seedRule(),
      ruleId: 'hostile-rule',
      name: VALUES.join(' '),
      description: VALUES.join('\n'),
      threat: [{ framework: VALUES[0], tactic: { id: 'TA0010', name: VALUES[10], reference: 'javascript:alert(1)' }, technique: [{ id: 'x](command:evil)', name: VALUES[12] }] }],
      tags: VALUES,
      author: VALUES,
      falsePositives: VALUES,
      references: VALUES,
    };

    function cardsOf(findings: Finding[]): HoverFinding[] {
      return findings.map((f) => ({
        rule: f.rule,
        rows: rowsOf(f),
        guideArgs: { ruleId: f.rule.ruleId, uri: 'file:///logs/x.json', recordIndex: f.recordIndex },
        revealArgs: { uri: 'file:///logs/x.json', recordIndex: f.recordIndex },
      }));
    }

    /** Markdown to a parse5 tree, rendered like VS Code's hovers: no raw HTML, links found in text. */
    function render(markdown: string, fuzzyDomains: boolean): Element {
      const md = new MarkdownIt({ html: false, linkify: true });
      // VS Code's hover renderer (marked, GFM) links "scheme://", "www." and e-mail addresses found in
      // text, not bare domains; linkify-it links those too unless told not to.
      md.linkify.set({ fuzzyLink: fuzzyDomains });
      return parseHtml(md.render(markdown)) as unknown as Element;
    }

    it('hover cards: every payload renders as text; the only links are our two commands and attack.mitre.org', () => {
      const groups = [...byFile.map(cardsOf), [{ rule: hostileRule, rows: VALUES.map((v) => ({ label: v, value: v })), guideArgs: {}, revealArgs: {} }]];
      let cards = 0;
      for (const group of groups) {
        const tree = render(hoverMarkdown(group, COMMANDS), false);
        const all = elements(tree);
        for (const e of all) {
          assert.ok(['html', 'head', 'body', 'p', 'strong', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'hr'].includes(e.tagName), `<${e.tagName}> from a log`);
          for (const a of e.attrs) assert.ok(['href', 'style'].includes(a.name), `attribute ${a.name} from a log`);
        }
        const anchors = all.filter((e) => e.tagName === 'a');
        let commands = 0;
        for (const a of anchors) {
          const href = attr(a, 'href') ?? '';
          if (/^command:cloudtrailHunter\.(showGuide|revealRecord)\?/.test(href)) {
            assert.ok(['Open investigation guide', 'Reveal record'].includes(textOf(a)), textOf(a));
            commands++;
          } else assert.ok(href.startsWith('https://attack.mitre.org/'), `a link from log text: ${href.slice(0, 120)}`);
        }
        assert.equal(commands, 2 * group.length);
        // one table row per field, two cells each: no payload broke out of its cell or its card
        const rows = all.filter((e) => e.tagName === 'tr');
        assert.equal(rows.length, group.reduce((n, c) => n + c.rows.length + 1, 0));
        for (const r of rows) assert.equal(r.childNodes.filter((n) => n.tagName === 'td' || n.tagName === 'th').length, 2);
        assert.equal(all.filter((e) => e.tagName === 'hr').length, group.length - 1);
        cards += group.length;
      }
      assert.ok(cards >= VALUES.length * 5);
    });

    it('hover cards: even with linkify-it fuzzy domains on, no image, no HTML and no command or script link comes from a log', () => {
      for (const findings of byFile) {
        const tree = render(hoverMarkdown(cardsOf(findings), COMMANDS), true);
        for (const e of elements(tree)) {
          assert.notEqual(e.tagName, 'img');
          const href = attr(e, 'href');
          if (href === undefined) continue;
          const ours = /^command:cloudtrailHunter\.(showGuide|revealRecord)\?/.test(href) || href.startsWith('https://attack.mitre.org/');
          // at most, a bare domain in a value becomes a plain http link to itself
          assert.ok(ours || (/^http:\/\/[^\s"<>]+$/.test(href) && href === `http://${textOf(e)}`), `link ${href.slice(0, 120)}`);
        }
      }
    });

    it('escapeMarkdownText: a payload after a label renders as one paragraph whose visible text is the value', () => {
      for (const v of [...VALUES, LONG_VALUE]) {
        const tree = render(`Value: ${escapeMarkdownText(v)}`, false);
        const body = elements(tree).filter((e) => !['html', 'head', 'body'].includes(e.tagName));
        assert.deepEqual(
          body.map((e) => e.tagName),
          ['p'],
          JSON.stringify(v),
        );
        // what a reader sees is the value made plain (controls as spaces, invisibles as <U+..>), every
        // markup character of it shown as itself
        assert.equal(textOf(tree).trim(), `Value: ${plainText(v).trim()}`, JSON.stringify(v));
      }
    });

    it('guideHtml: CSP deny-by-default, one script and only with the nonce, no handler, every value shown as text', () => {
      const NONCE = 'cm9idXN0bmVzcy1ub25jZS0x';
      const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
      let pages = 0;
      byFile.flat().forEach((f, n) => {
        const rows = rowsOf(f);
        const html = guideHtml({
          // every tenth page shows a hostile rule too
          rule: n % 10 === 0 ? hostileRule : f.rule,
          cspSource: CSP_SOURCE,
          nonce: NONCE,
          styleUri: `${CSP_SOURCE}/ext/media/guide.css`,
          scriptUri: `${CSP_SOURCE}/ext/media/guide.js`,
          docUrl: VALUES[n % VALUES.length],
          notEvaluated: n % 10 === 0 ? VALUES.join(' ') : undefined,
          record: { fileName: VALUES[n % VALUES.length], recordIndex: f.recordIndex, rows, related: [{ recordIndex: 1, reason: VALUES[(n + 1) % VALUES.length] }] },
        });
        const all = elements(parseHtml(html) as unknown as Element);
        const head = all.find((e) => e.tagName === 'head')!;
        const metas = elements(head).filter((e) => e.tagName === 'meta' && (attr(e, 'http-equiv') ?? '').toLowerCase() === 'content-security-policy');
        assert.equal(metas.length, 1, 'one CSP, in <head>');
        assert.equal(all.filter((e) => (attr(e, 'http-equiv') ?? '') !== '').length, 1, 'no other http-equiv');
        const csp = cspDirectives(attr(metas[0], 'content')!);
        assert.deepEqual(csp.get('default-src'), ["'none'"]);
        assert.deepEqual(csp.get('script-src'), [`'nonce-${NONCE}'`]);
        for (const [name, sources] of csp) {
          for (const src of sources) assert.ok(!/unsafe-|^\*$|^data:|^https?:$|^blob:/.test(src), `${name} allows ${src}`);
        }
        const scripts = all.filter((e) => e.tagName === 'script');
        assert.equal(scripts.length, 1);
        assert.equal(attr(scripts[0], 'nonce'), NONCE);
        assert.equal(attr(scripts[0], 'src'), `${CSP_SOURCE}/ext/media/guide.js`);
        assert.equal(textOf(scripts[0]), '');
        for (const e of all) {
          assert.ok(!['iframe', 'object', 'embed', 'base', 'form', 'svg', 'math', 'img', 'style', 'frame', 'template'].includes(e.tagName), `<${e.tagName}>`);
          for (const a of e.attrs) {
            assert.ok(!/^on/i.test(a.name), `handler ${a.name} on <${e.tagName}>`);
            if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name)) assert.match(a.value, /^https:\/\//, `${a.name}=${a.value.slice(0, 100)}`);
          }
        }
        // the record: one row per field, whose cell text is exactly the value made plain
        const record = all.find((e) => e.tagName === 'section' && attr(e, 'class') === 'record')!;
        const inRecord = elements(record);
        assert.ok(inRecord.every((e) => ['section', 'h2', 'h3', 'p', 'div', 'button', 'table', 'tbody', 'tr', 'th', 'td', 'ul', 'li'].includes(e.tagName)));
        const cells = inRecord.filter((e) => e.tagName === 'td');
        assert.equal(cells.length, rows.length);
        rows.forEach((r, i) => assert.equal(textOf(cells[i]), plainText(valueToText(r.value), 2000)));
        pages++;
      });
      assert.ok(pages >= VALUES.length * 5);
    });
  });
});

// ------------------------------------------------------------------------------------------------
// SARIF and CSV checks

interface SarifLog {
  runs: {
    results: { ruleId: string; message: { text: string }; properties: Record<string, unknown>; relatedLocations?: { message: { text: string } }[] }[];
    invocations: { toolExecutionNotifications: { message: { text: string } }[]; toolConfigurationNotifications: { message: { text: string } }[] }[];
  }[];
}

/** Every message text of the run: short, no raw controls, and no bracket a viewer could read as a link. */
function assertSafeSarifMessages(run: SarifLog['runs'][number]): void {
  const texts: string[] = [];
  for (const r of run.results) texts.push(r.message.text, ...(r.relatedLocations ?? []).map((l) => l.message.text));
  for (const inv of run.invocations) for (const n of [...inv.toolExecutionNotifications, ...inv.toolConfigurationNotifications]) texts.push(n.message.text);
  for (const text of texts) {
    // SARIF viewers render [text](target) as a link (SARIF 3.11.6): every bracket from a log is escaped
    assert.equal(unescapedBracket(text), -1, `an unescaped bracket in a SARIF message: ${text.slice(0, 200)}`);
    assert.ok(text.length < 5000, `a SARIF message of ${text.length} characters`);
    assertNoUnsafe(text, 'SARIF message');
  }
}

/** How a value reads back from its CSV cell: controls as \u{..}, an apostrophe before a formula start. */
function csvShown(v: string): string {
  const shown = v.replace(CSV_SHOWN, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
  return /^[=+\-@\t\r]/.test(shown) ? `'${shown}` : shown;
}

// ------------------------------------------------------------------------------------------------
// parse5 tree helpers (the default tree adapter's node shape)

interface Attr {
  name: string;
  value: string;
}
interface Element {
  nodeName: string;
  tagName: string;
  attrs: Attr[];
  childNodes: Element[];
  value?: string;
  content?: Element;
}

function elements(root: Element): Element[] {
  const out: Element[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.tagName) out.push(n);
    if (n.content) stack.push(n.content); // <template> content
    if (n.childNodes) for (let i = n.childNodes.length - 1; i >= 0; i--) stack.push(n.childNodes[i]);
  }
  return out;
}

function attr(e: Element, name: string): string | undefined {
  return e.attrs?.find((a) => a.name === name)?.value;
}

function textOf(e: Element): string {
  if (e.nodeName === '#text') return e.value ?? '';
  return (e.childNodes ?? []).map(textOf).join('');
}

/** Index of the first `[` or `]` not escaped by an odd run of backslashes (SARIF 3.11.6), or -1. */
function unescapedBracket(text: string): number {
  let backslashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === '[' || c === ']') && backslashes % 2 === 0) return i;
    backslashes = c === '\\' ? backslashes + 1 : 0;
  }
  return -1;
}

function cspDirectives(content: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of content.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** RFC 4180, written for the test: rows of cells; CRLF ends a row; "" inside quotes. Strict about the rest. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  const delimiter = /[,\r\n"]/g;
  let i = 0;
  for (;;) {
    let cell: string;
    if (text[i] === '"') {
      const parts: string[] = [];
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        assert.ok(q >= 0, `an unterminated quoted cell at ${i}`);
        parts.push(text.slice(j, q));
        if (text[q + 1] !== '"') {
          i = q + 1;
          break;
        }
        parts.push('"');
        j = q + 2;
      }
      cell = parts.join('');
    } else {
      delimiter.lastIndex = i;
      const m = delimiter.exec(text);
      const end = m ? m.index : text.length;
      assert.ok(!m || m[0] !== '"', `a quote inside an unquoted cell at ${end}`);
      cell = text.slice(i, end);
      i = end;
    }
    row.push(cell);
    if (text[i] === ',') {
      i++;
      continue;
    }
    assert.ok(text.startsWith('\r\n', i), `a row must end in CRLF, found ${JSON.stringify(text.slice(i, i + 10))} at ${i}`);
    rows.push(row);
    row = [];
    i += 2;
    if (i === text.length) return rows;
  }
}
