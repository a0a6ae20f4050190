import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { commandUri, escapeMarkdownText, hoverMarkdown, mitreUrl, plainText, valueToText, MAX_VALUE_LENGTH } from '../../../src/extension/markdown';
import { HOSTILE_VALUES, testRule } from './helpers';

// Stricter than VS Code's renderer on HTML (raw HTML on, so any escape gap shows up) and, like its
// GFM renderer, linking "scheme://" URLs, "www." and e-mail addresses found in text. (Bare domains
// such as "a.new" are not links in VS Code; linkify-it's fuzzy domain mode is off for that reason.)
const md = new MarkdownIt({ html: true, linkify: true });
md.linkify.set({ fuzzyLink: false, fuzzyEmail: true });

/** What GFM renderers (VS Code's marked) turn into links by themselves, checked on the raw Markdown. */
function assertNoAutolinkTrigger(markdown: string): void {
  assert.doesNotMatch(markdown, /[a-z]:\/\//i, `a "scheme://" survived: ${markdown}`);
  assert.doesNotMatch(markdown, /www\./i, `a "www." survived: ${markdown}`);
  assert.doesNotMatch(markdown, /(^|[^\\])@/, `an unescaped "@" survived: ${markdown}`);
}

const ALLOWED_TAGS = new Set(['p', 'strong', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'a']);

function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase());
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => m[1]);
}

describe('extension/markdown', () => {
  describe('escapeMarkdownText', () => {
    for (const payload of HOSTILE_VALUES) {
      it(`renders ${JSON.stringify(payload)} as text only`, () => {
        const html = md.render(escapeMarkdownText(payload));
        assert.deepEqual(
          tags(html).filter((t) => t !== 'p'),
          [],
          html,
        );
        assert.ok(!/<a[\s>]/.test(html) && !/<img/i.test(html), html);
        assertNoAutolinkTrigger(escapeMarkdownText(payload));
        assert.doesNotMatch(escapeMarkdownText(payload), /\]\(/, 'no "](" left to open a link');
      });

      it(`keeps ${JSON.stringify(payload)} inside one table cell`, () => {
        const html = md.render(`| Field | Value |\n|---|---|\n| User agent | ${escapeMarkdownText(payload)} |\n`);
        assert.deepEqual(
          tags(html).filter((t) => !['table', 'thead', 'tbody', 'tr', 'th', 'td'].includes(t)),
          [],
          html,
        );
        const cells = html.match(/<td>/g) ?? [];
        assert.equal(cells.length, 2, html);
      });
    }

    it('shows the text itself after rendering', () => {
      const html = md.render(escapeMarkdownText('a*b_c [d](e) <f> `g` | h ~~i~~ &amp; j@k https://l www.m'));
      assert.equal(html.trim(), '<p>a*b_c [d](e) &lt;f&gt; `g` | h ~~i~~ &amp;amp; j@k https://l www.m</p>');
    });

    it('leaves ARNs, IP addresses and dotted names readable in the raw Markdown', () => {
      for (const v of ['arn:aws:sts::111122223333:assumed-role/NetOps/bob-session', '198.51.100.23', 'ec2.amazonaws.com', '2024-05-01T10:00:00Z']) {
        assert.equal(escapeMarkdownText(v), v);
      }
    });

    it('breaks autolink triggers whatever their case', () => {
      assertNoAutolinkTrigger(escapeMarkdownText('HTTPS://x FTP://y WWW.z xwww.w'));
    });

    it('turns newlines and separators into spaces', () => {
      assert.equal(escapeMarkdownText('a\nb\r\nc\u2028d'), 'a b c d');
    });

    it('makes bidi overrides and zero-width characters visible', () => {
      const out = plainText('x\u202Ey\u200Bz');
      assert.ok(!/[\u202E\u200B]/.test(out));
      assert.match(out, /<U\+202E>/);
      assert.match(out, /<U\+200B>/);
    });

    it('cuts long values and says how long they were', () => {
      const long = 'A'.repeat(MAX_VALUE_LENGTH + 50);
      const out = plainText(long);
      assert.ok(out.startsWith('A'.repeat(MAX_VALUE_LENGTH)));
      assert.ok(!out.startsWith('A'.repeat(MAX_VALUE_LENGTH + 1)));
      assert.match(out, /\(250 chars\)$/);
    });

    it('does not cut a surrogate pair in half', () => {
      const s = 'a'.repeat(MAX_VALUE_LENGTH - 1) + '😀' + 'tail';
      const out = plainText(s);
      assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out), 'no lone high surrogate');
    });
  });

  describe('valueToText', () => {
    it('renders scalars, arrays and objects as one line', () => {
      assert.equal(valueToText('x'), 'x');
      assert.equal(valueToText(42), '42');
      assert.equal(valueToText(false), 'false');
      assert.equal(valueToText(['a', 1]), 'a, 1');
      assert.equal(valueToText({ k: 'v' }), '{"k":"v"}');
      assert.equal(valueToText(null), '');
      assert.equal(valueToText(undefined), '');
    });
  });

  describe('mitreUrl', () => {
    it('keeps attack.mitre.org references and builds them from ids', () => {
      assert.equal(mitreUrl('T1020', 'https://attack.mitre.org/techniques/T1020/'), 'https://attack.mitre.org/techniques/T1020/');
      assert.equal(mitreUrl('TA0010', undefined), 'https://attack.mitre.org/tactics/TA0010/');
      assert.equal(mitreUrl('T1020.001', undefined), 'https://attack.mitre.org/techniques/T1020/001/');
    });

    it('refuses other hosts, other schemes and odd ids', () => {
      assert.equal(mitreUrl('T1', 'https://evil.example/'), undefined);
      assert.equal(mitreUrl('T1020', 'javascript:alert(1)'), 'https://attack.mitre.org/techniques/T1020/');
      assert.equal(mitreUrl('T1020', 'https://attack.mitre.org/x)(y'), 'https://attack.mitre.org/techniques/T1020/');
      assert.equal(mitreUrl('x](command:evil)', undefined), undefined);
    });
  });

  describe('hoverMarkdown', () => {
    const commands = { showGuide: 'cloudtrailHunter.showGuide', revealRecord: 'cloudtrailHunter.revealRecord' };

    function card(values: string[]) {
      return hoverMarkdown(
        [
          {
            rule: testRule(),
            rows: values.map((v, i) => ({ label: `Field ${i}`, value: v })),
            guideArgs: { ruleId: testRule().ruleId, uri: 'file:///logs/a.json', recordIndex: 3 },
            revealArgs: { uri: 'file:///logs/a.json', recordIndex: 3 },
          },
        ],
        commands,
      );
    }

    it('links only to our commands and to attack.mitre.org, whatever the record holds', () => {
      const html = md.render(card(HOSTILE_VALUES));
      for (const t of tags(html)) assert.ok(ALLOWED_TAGS.has(t), `unexpected <${t}> in ${html}`);
      const links = hrefs(html);
      assert.ok(links.length > 0);
      for (const href of links) {
        assert.ok(
          href.startsWith('command:cloudtrailHunter.showGuide?') ||
            href.startsWith('command:cloudtrailHunter.revealRecord?') ||
            href.startsWith('https://attack.mitre.org/'),
          href,
        );
      }
      assert.equal(links.filter((h) => h.startsWith('command:')).length, 2);
    });

    it('has one table row per field with exactly two cells', () => {
      const html = md.render(card(HOSTILE_VALUES));
      const rows = html.match(/<tr>[^]*?<\/tr>/g) ?? [];
      assert.equal(rows.length, HOSTILE_VALUES.length + 1);
      for (const row of rows.slice(1)) assert.equal((row.match(/<td>/g) ?? []).length, 2, row);
    });

    it('shows rule name, severity, risk score and the MITRE mapping', () => {
      const html = md.render(card(['x']));
      assert.match(html, /Test Rule: Suspicious Widget Creation/);
      assert.match(html, /Severity: medium, risk score 47/);
      assert.match(html, /href="https:\/\/attack\.mitre\.org\/tactics\/TA0010\/"/);
      assert.match(html, /href="https:\/\/attack\.mitre\.org\/techniques\/T1020\/001\/"/);
      assert.match(html, /T1020\.001 Traffic Duplication/);
    });

    it('escapes a hostile rule name too', () => {
      const html = md.render(
        hoverMarkdown([{ rule: testRule({ name: '[x](command:evil) <b>' }), rows: [], guideArgs: {}, revealArgs: {} }], commands),
      );
      assert.ok(!html.includes('command:evil"'));
      assert.ok(!/<b>/.test(html));
    });

    it('encodes command arguments so they cannot leave the link', () => {
      const uri = commandUri('cloudtrailHunter.revealRecord', { uri: 'file:///a b/)](x).json', recordIndex: 1 });
      assert.ok(!/[\s()[\]]/.test(uri.slice('command:'.length)), uri);
      const args = JSON.parse(decodeURIComponent(uri.split('?')[1])) as unknown[];
      assert.deepEqual(args, [{ uri: 'file:///a b/)](x).json', recordIndex: 1 }]);
    });
  });
});
