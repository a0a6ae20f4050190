// Findings become diagnostics on the exact characters of the matched value, for every input shape.
import assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  codeValue,
  findings,
  open,
  ours,
  record,
  recordsOf,
  RULE_ID,
  RULE_NAME,
  sleep,
  valueRange,
  waitFor,
  waitForFindings,
  writeWorkspaceFile,
} from './helpers';

/** Records of trail/traffic-mirror.json that the rule must flag, with their eventName. */
const FLAGGED = new Map([
  [0, 'CreateTrafficMirrorTarget'],
  [2, 'CreateTrafficMirrorFilter'],
  [4, 'CreateTrafficMirrorFilterRule'],
  [5, 'CreateTrafficMirrorSession'],
]);
const ALICE_RECORDS = [0, 2, 5]; // same principal ARN and access key

const sameRange = (a: vscode.Range, b: vscode.Range) => a.isEqual(b);
const show = (r: vscode.Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

describe('diagnostics', function () {
  before(() => activateExtension());
  after(() => closeAllEditors());

  describe('an S3 delivery file (trail/traffic-mirror.json)', () => {
    let doc: vscode.TextDocument;
    let diags: vscode.Diagnostic[];

    before(async () => {
      doc = (await open('trail/traffic-mirror.json')).document;
      diags = await waitForFindings(doc.uri, FLAGGED.size);
    });

    it('puts one diagnostic on the eventName value (quotes included) of each successful traffic-mirror call', () => {
      const expected = [...FLAGGED.keys()].map((i) => valueRange(doc, i, ['eventName']));
      const actual = diags.map((d) => d.range);
      for (const range of expected) {
        assert.ok(actual.some((r) => sameRange(r, range)), `no diagnostic at ${show(range)}; got ${actual.map(show).join(', ')}`);
      }
      assert.equal(doc.getText(expected[0]), '"CreateTrafficMirrorTarget"');
    });

    it('flags neither the failed call (errorCode) nor the unrelated DescribeInstances', () => {
      for (const i of [1, 3]) {
        const inside = recordsOf(doc)[i].range;
        const hit = ours(doc.uri).filter((d) => inside.contains(d.range));
        assert.deepEqual(hit.map((d) => d.message), [], `record ${i} must not be flagged`);
      }
    });

    it('uses Warning for the medium-severity bundled rule, and the rule id as a linked code', () => {
      for (const d of diags) {
        assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
        assert.ok(typeof d.code === 'object' && d.code !== null, 'code should be {value, target}');
        assert.equal(d.code.value, RULE_ID);
        assert.ok(d.code.target instanceof vscode.Uri, 'code.target should be a Uri');
      }
    });

    it('names the rule and the action in the message', () => {
      for (const [i, action] of FLAGGED) {
        const range = valueRange(doc, i, ['eventName']);
        const d = diags.find((x) => sameRange(x.range, range));
        assert.ok(d, `no diagnostic on record ${i}`);
        assert.ok(d.message.includes(RULE_NAME), d.message);
        assert.ok(d.message.includes(action), `message should mention ${action}: ${d.message}`);
      }
    });

    it('links findings by the same principal / access key as related information', () => {
      const records = recordsOf(doc);
      for (const i of ALICE_RECORDS) {
        const d = diags.find((x) => sameRange(x.range, valueRange(doc, i, ['eventName'])));
        assert.ok(d, `no diagnostic on record ${i}`);
        const related = d.relatedInformation ?? [];
        for (const other of ALICE_RECORDS.filter((j) => j !== i)) {
          assert.ok(
            related.some((r) => r.location.uri.toString() === doc.uri.toString() && records[other].range.contains(r.location.range)),
            `finding on record ${i} should point at record ${other}; related: ${related.map((r) => show(r.location.range)).join(', ')}`,
          );
        }
        for (const r of related) assert.ok(r.message.length > 0, 'related information needs a message');
      }
      // bob (record 4) shares nothing with alice
      const bob = diags.find((x) => sameRange(x.range, valueRange(doc, 4, ['eventName'])));
      for (const r of bob?.relatedInformation ?? []) {
        assert.ok(!ALICE_RECORDS.some((j) => records[j].range.contains(r.location.range)), 'bob\'s finding must not relate to alice\'s records');
      }
    });
  });

  it('reports broken JSON as an Error at the break and still flags the good records (trail/broken.json)', async () => {
    const doc = (await open('trail/broken.json')).document;
    const text = doc.getText();
    // The break: a missing comma between two members on line 2.
    const before = text.indexOf('"ec2.amazonaws.com" "eventName"');
    assert.ok(before > 0, 'fixture changed');
    const breakStart = doc.positionAt(before + '"ec2.amazonaws.com"'.length);
    const breakEnd = doc.positionAt(before + '"ec2.amazonaws.com" '.length);
    const errors = await waitFor('an Error diagnostic', () => {
      const e = ours(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      return e.length > 0 ? e : undefined;
    });
    assert.ok(
      errors.some((d) => d.range.start.isBeforeOrEqual(breakEnd) && d.range.end.isAfterOrEqual(breakStart) && d.range.start.line === 2),
      `no Error at ${breakStart.line}:${breakStart.character}; got ${errors.map((d) => `${show(d.range)} ${d.message}`).join(' | ')}`,
    );
    for (const d of errors) assert.ok(d.message.length > 10, `an error should say what is wrong: "${d.message}"`);
    const flagged = findings(doc.uri).map((d) => doc.getText(d.range));
    assert.ok(flagged.includes('"CreateTrafficMirrorTarget"'), `the record before the break is lost: ${flagged.join(', ')}`);
    assert.ok(flagged.includes('"CreateTrafficMirrorSession"'), `the record after the break is lost: ${flagged.join(', ')}`);
  });

  it('caps a file at 999 findings plus one summary of the rest', async function () {
    this.timeout(60_000);
    const total = 1_200;
    const lines = Array.from({ length: total }, (_, i) =>
      JSON.stringify(record('CreateTrafficMirrorSession', { eventID: `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}` })),
    );
    const uri = await writeWorkspaceFile('generated/many.json', `{"Records":[\n${lines.join(',\n')}\n]}\n`);
    const doc = (await open(uri)).document;
    const all = await waitFor('1000 diagnostics', () => {
      const d = ours(doc.uri);
      return d.length >= 1000 ? d : undefined;
    }, 40_000);
    await sleep(300); // a late second publish must not add more
    assert.equal(ours(doc.uri).length, 1000);
    const summary = all.filter((d) => d.message.includes('more findings'));
    assert.equal(summary.length, 1, 'exactly one summary diagnostic');
    assert.ok(summary[0].message.includes(String(total - 999)), `the summary should say how many: ${summary[0].message}`);
    assert.equal(all.filter((d) => d !== summary[0] && codeValue(d) === RULE_ID).length, 999);
  });

  // Two kinds of JSON that are not CloudTrail: a plain config, and a runbook that mentions
  // eventName and a traffic-mirror action without being a record (no eventSource next to it).
  for (const file of ['other/app-config.json', 'other/not-cloudtrail.json']) {
    it(`leaves JSON that is not CloudTrail alone (${file})`, async () => {
      const doc = (await open(file)).document;
      // A control file proves the extension is scanning at all before the silence is checked.
      const control = (await open('trail/traffic-mirror.json')).document;
      await waitForFindings(control.uri, FLAGGED.size);
      await vscode.window.showTextDocument(doc);
      await sleep(1_500);
      assert.deepEqual(ours(doc.uri).map((d) => d.message), []);
    });
  }

  it('flags the right line of a JSON Lines file (trail/events.jsonl)', async () => {
    const doc = (await open('trail/events.jsonl')).document;
    const [d] = await waitForFindings(doc.uri, 1);
    const line = doc.lineAt(1).text;
    const at = line.indexOf('"CreateTrafficMirrorFilter"', line.indexOf('"eventName"'));
    assert.ok(at > 0, 'fixture changed');
    const expected = new vscode.Range(1, at, 1, at + '"CreateTrafficMirrorFilter"'.length);
    assert.ok(d.range.isEqual(expected), `expected ${show(expected)}, got ${show(d.range)}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('decides by content, not by file name: JSON Lines in a .log file', async () => {
    const lines = [record('DescribeInstances'), record('CreateTrafficMirrorTarget'), record('CreateTrafficMirrorSession', { errorCode: 'Client.DryRunOperation' })];
    const uri = await writeWorkspaceFile('generated/export.log', lines.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const doc = (await open(uri)).document;
    const [d] = await waitForFindings(uri, 1);
    assert.equal(d.range.start.line, 1);
    assert.equal(doc.getText(d.range), '"CreateTrafficMirrorTarget"');
  });

  it('flags inside the CloudTrailEvent string of lookup-events output (trail/lookup-events.json)', async () => {
    const doc = (await open('trail/lookup-events.json')).document;
    const [d] = await waitForFindings(doc.uri, 1);
    const root = jsonc.parseTree(doc.getText());
    const str = root && jsonc.findNodeAtLocation(root, ['Events', 1, 'CloudTrailEvent']);
    assert.ok(str, 'fixture changed');
    const inside = new vscode.Range(doc.positionAt(str.offset + 1), doc.positionAt(str.offset + str.length - 1));
    assert.ok(inside.contains(d.range), `${show(d.range)} is not inside the CloudTrailEvent string ${show(inside)}`);
    // Inside a JSON string the quotes of the value are escaped: \"CreateTrafficMirrorTarget\"
    assert.equal(doc.getText(d.range).replace(/\\/g, ''), '"CreateTrafficMirrorTarget"', `underlined: ${doc.getText(d.range)}`);
    assert.ok(d.message.includes('CreateTrafficMirrorTarget'));
  });
});
