import assert from 'node:assert/strict';
import { escapeHtml, guideHtml, type GuideHtmlInput } from '../../../src/extension/guideHtml';
import { HOSTILE_VALUES, testRule } from './helpers';

const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';
const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function render(overrides: Partial<GuideHtmlInput> = {}): string {
  return guideHtml({
    rule: testRule(),
    cspSource: CSP_SOURCE,
    nonce: NONCE,
    styleUri: `${CSP_SOURCE}/ext/media/guide.css`,
    scriptUri: `${CSP_SOURCE}/ext/media/guide.js`,
    ...overrides,
  });
}

const hostileRecord = {
  fileName: 'evil<img src=x onerror=alert(1)>.json',
  recordIndex: 7,
  rows: [
    { label: 'User agent', field: 'user_agent.original', value: '<img src=x onerror=alert(1)>' },
    { label: 'Action', field: 'event.action', value: 'CreateWidget' },
    ...HOSTILE_VALUES.map((v, i) => ({ label: `Hostile ${i}`, field: `x.${i}`, value: v })),
    { label: 'Request parameters', field: 'aws.cloudtrail.request_parameters', value: { k: '"><script>alert(1)</script>' } },
  ],
  related: [{ recordIndex: 9, reason: 'same principal arn:aws:iam::1:user/<b>x</b>' }],
};

function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/gi) ?? [];
}

describe('extension/guideHtml', () => {
  it('declares a deny-by-default CSP that allows only our nonce and our resources', () => {
    const html = render();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(meta, 'CSP meta tag');
    const csp = meta[1].replace(/&#39;/g, "'");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${NONCE.replace(/[+/=]/g, '\\$&')}'`));
    assert.ok(csp.includes(`style-src ${CSP_SOURCE}`));
    assert.ok(csp.includes(`img-src ${CSP_SOURCE}`));
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp));
    // The CSP comes before anything that loads.
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link'));
  });

  it('has no script without the nonce, no inline script and no event-handler attributes', () => {
    const html = render({ record: hostileRecord });
    const scripts = scriptTags(html);
    assert.equal(scripts.length, 1);
    for (const tag of scripts) {
      assert.ok(tag.includes(`nonce="${NONCE}"`), tag);
      assert.match(tag, /src="[^"]+guide\.js"/);
    }
    assert.match(html, /<script [^>]*><\/script>/);
    // Every real tag (a "<" in text is escaped) is free of on...= handlers.
    for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.ok(!/\son[a-z]+\s*=/i.test(tag), tag);
  });

  it('renders a hostile userAgent and other record values as escaped text', () => {
    const html = render({ record: hostileRecord });
    assert.ok(!/<img/i.test(html));
    assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'));
    assert.equal(scriptTags(html).length, 1);
    assert.ok(!/<b>x<\/b>/.test(html));
    // Record values never become links: the only links are the rule's own.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    for (const h of hrefs) assert.ok(!/evil/.test(h), h);
  });

  it('renders the guide Markdown with raw HTML disabled and unsafe links dropped', () => {
    const note = [
      '## Steps',
      '',
      '<script>alert(1)</script>',
      '',
      '<img src=x onerror=alert(1)>',
      '',
      '[click](javascript:alert(1)) and [docs](https://www.elastic.co/guide)',
      '',
      'Bare https://example.org is not linkified.',
    ].join('\n');
    const html = render({ rule: testRule({ note }) });
    assert.match(html, /<h2>Steps<\/h2>/);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/<img/i.test(html));
    assert.ok(!/href="javascript:/i.test(html));
    assert.match(html, /<a href="https:\/\/www\.elastic\.co\/guide">docs<\/a>/);
    assert.ok(!html.includes('href="https://example.org'));
    assert.equal(scriptTags(html).length, 1);
  });

  it('shows the rule metadata, MITRE links and the query', () => {
    const html = render({ docUrl: 'https://www.elastic.co/guide/en/security/current/test-rule.html' });
    for (const text of ['Runs every', '10m', 'now-60m', 'Maximum alerts per execution', '100', 'logs-aws.cloudtrail-*', 'Domain: Cloud', 'Test Author', 'MIT', 'Widget admins']) {
      assert.ok(html.includes(escapeHtml(text)), text);
    }
    assert.match(html, /Version<\/th><td>3<\/td>/);
    assert.match(html, /Risk score<\/th><td>47<\/td>/);
    assert.match(html, /<a href="https:\/\/attack\.mitre\.org\/tactics\/TA0010\/">TA0010 Exfiltration<\/a>/);
    assert.match(html, /<a href="https:\/\/attack\.mitre\.org\/techniques\/T1020\/001\/">T1020\.001 Traffic Duplication<\/a>/);
    assert.match(html, /<pre class="query"><code>event\.dataset:aws\.cloudtrail and event\.action:CreateWidget/);
    assert.match(html, /<title>Guide: Test Rule: Suspicious Widget Creation<\/title>/);
    assert.ok(html.includes('href="https://www.elastic.co/guide/en/security/current/test-rule.html"'));
  });

  it('links only http(s) references', () => {
    const html = render({ rule: testRule({ references: ['javascript:alert(1)', 'https://ok.example/a?b=1&c=2', 'file:///etc/passwd'] }) });
    assert.ok(!/href="javascript:/i.test(html));
    assert.ok(!/href="file:/i.test(html));
    assert.ok(html.includes('href="https://ok.example/a?b=1&#38;c=2"'));
    assert.ok(html.includes('javascript:alert(1)'), 'shown as text');
  });

  it('escapes hostile rule text (a user rule folder is not ours)', () => {
    const html = render({ rule: testRule({ name: '<img src=x onerror=alert(1)>', description: '"><script>x</script>', tags: ['<b>t</b>'] }) });
    assert.ok(!/<img/i.test(html));
    assert.equal(scriptTags(html).length, 1);
    assert.ok(!html.includes('<b>t</b>'));
  });

  it('shows the record and its buttons only when opened from a finding', () => {
    const without = render();
    assert.ok(!without.includes('data-action'));
    const withRecord = render({ record: hostileRecord });
    assert.match(withRecord, /<button type="button" data-action="reveal">Reveal record<\/button>/);
    assert.match(withRecord, /<button type="button" data-action="copy">Copy record as JSON<\/button>/);
    assert.match(withRecord, /record #7/);
    assert.match(withRecord, /Record #9: same principal/);
  });

  it('says when a rule is not evaluated', () => {
    const html = render({ rule: testRule({ type: 'eql', language: 'eql' }), notEvaluated: 'EQL rules are not evaluated yet' });
    assert.match(html, /Not evaluated by CloudTrail Hunter: EQL rules are not evaluated yet/);
  });

  it('refuses a nonce that could break out of its attribute', () => {
    assert.throws(() => render({ nonce: 'abc" onload="x' }), /nonce/);
    assert.throws(() => render({ nonce: 'short' }), /nonce/);
  });
});
