// The hover card on a flagged record: what the rule is, who did it, from where; and log text that
// stays text (log files are attacker-controlled).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  open,
  ourHovers,
  positionIn,
  recordsOf,
  RULE_ID,
  RULE_NAME,
  unescapeMarkdown,
  waitForFindings,
} from './helpers';

describe('hover', () => {
  before(() => activateExtension());
  after(() => closeAllEditors());

  describe('on trail/traffic-mirror.json', () => {
    let doc: vscode.TextDocument;
    before(async () => {
      doc = (await open('trail/traffic-mirror.json')).document;
      await waitForFindings(doc.uri, 4);
    });

    for (const [where, path] of [
      ['on the eventName', ['eventName']],
      ['on another field of the record', ['awsRegion']],
      ['on a nested value', ['userIdentity', 'accessKeyId']],
    ] as const) {
      it(`shows the card ${where}`, async () => {
        const cards = await ourHovers(doc.uri, positionIn(doc, 0, [...path]));
        assert.equal(cards.length > 0, true, 'no CloudTrail Hunter hover');
        const text = cards.join('\n');
        for (const expected of [RULE_NAME, '47', 'Exfiltration', 'T1020', 'arn:aws:iam::111122223333:user/alice', '198.51.100.23']) {
          assert.ok(text.includes(expected), `hover lacks "${expected}":\n${text}`);
        }
      });
    }

    it('shows the values of the record under the cursor', async () => {
      const text = (await ourHovers(doc.uri, positionIn(doc, 4, ['awsRegion']))).join('\n');
      assert.ok(text.includes('arn:aws:sts::111122223333:assumed-role/NetOps/bob-session'), text);
      assert.ok(text.includes('203.0.113.77'), text);
      assert.ok(text.includes('CreateTrafficMirrorFilterRule'), text);
    });

    it('shows nothing outside flagged records', async () => {
      const records = recordsOf(doc);
      const spots = [
        new vscode.Position(0, 0), // the envelope
        positionIn(doc, 1, ['eventName']), // DescribeInstances
        positionIn(doc, 3, ['eventName']), // failed call
        positionIn(doc, 3, ['errorCode']),
        new vscode.Position(records[5].range.end.line + 1, 2), // the ] after the last record
      ];
      for (const p of spots) {
        assert.deepEqual(await ourHovers(doc.uri, p), [], `unexpected card at ${p.line}:${p.character}`);
      }
    });
  });

  describe('with hostile log values (trail/hostile.json)', () => {
    let doc: vscode.TextDocument;
    before(async () => {
      doc = (await open('trail/hostile.json')).document;
      await waitForFindings(doc.uri, 2);
    });

    it('does not turn a Markdown link in the userAgent into a command link', async () => {
      const hovers = await rawHovers(doc.uri, positionIn(doc, 0, ['userAgent']));
      const card = hovers.find((m) => m.value.includes(RULE_NAME) || m.value.includes(RULE_ID));
      assert.ok(card, 'no CloudTrail Hunter hover');
      assert.ok(unescapeMarkdown(card.value).includes('[x](command:workbench.action.terminal.new)'), `the userAgent should still be shown:\n${card.value}`);
      assert.doesNotMatch(card.value, /\]\(\s*<?command:workbench/, 'a command link was made from log text');
      for (const m of card.value.matchAll(/\]\(\s*<?command:([\w.-]+)/g)) {
        assert.ok(m[1].startsWith('cloudtrailHunter.'), `link to a foreign command ${m[1]}`);
      }
      assertTrustLimited(card);
    });

    it('shows an HTML userAgent as text', async () => {
      const hovers = await rawHovers(doc.uri, positionIn(doc, 1, ['userAgent']));
      const card = hovers.find((m) => m.value.includes(RULE_NAME) || m.value.includes(RULE_ID));
      assert.ok(card, 'no CloudTrail Hunter hover');
      assert.ok(/onerror/.test(card.value), `the userAgent should still be shown:\n${card.value}`);
      assert.ok(/&lt;img|<img/.test(unescapeMarkdown(card.value)), `the userAgent should be shown whole:\n${card.value}`);
      const outsideCode = stripCodeAndEscapes(card.value);
      assert.doesNotMatch(outsideCode, /<img/i, `raw HTML from the log reaches the Markdown:\n${card.value}`);
      assertTrustLimited(card);
    });
  });
});

async function rawHovers(uri: vscode.Uri, position: vscode.Position): Promise<vscode.MarkdownString[]> {
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position)) as vscode.Hover[];
  return hovers.flatMap((h) => h.contents.filter((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString));
}

/** Markdown outside code spans and fences, with backslash escapes removed: what could render as markup. */
function stripCodeAndEscapes(markdown: string): string {
  return markdown
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '')
    .replace(/\\[!-/:-@[-`{-~]/g, '');
}

/** A card may enable our own commands, never every command. */
function assertTrustLimited(card: vscode.MarkdownString): void {
  const trust = card.isTrusted as boolean | { enabledCommands: readonly string[] } | undefined;
  assert.notEqual(trust, true, 'a hover built from log text must not be fully trusted');
  if (typeof trust === 'object') {
    for (const c of trust.enabledCommands) assert.ok(c.startsWith('cloudtrailHunter.'), `hover enables ${c}`);
  }
  assert.notEqual(card.supportHtml, true, 'a hover built from log text must not render HTML');
}
