import assert from 'node:assert/strict';
import type { Range } from '../../../src/core/types';
import { buildFindingsTree, childrenOf, lineColumn, recordLabel, type FileNode, type RecordNode, type TreeEntry, type TreeFinding } from '../../../src/extension/findingsTree';
import { HOSTILE_VALUES, testRule } from './helpers';

function at(line: number, character: number, length = 10): Range {
  return { start: { line, character }, end: { line, character: character + length } };
}

const medium = testRule({ ruleId: 'medium-rule', name: 'Widget Created', severity: 'medium' });
const critical = testRule({ ruleId: 'critical-rule', name: 'Widget Exfiltrated', severity: 'critical' });
const low = testRule({ ruleId: 'low-rule', name: 'A Widget Listed', severity: 'low' });

function finding(rule: TreeFinding['rule'], recordIndex: number, line: number, fields: Record<string, unknown> = {}): TreeFinding {
  return {
    rule,
    recordIndex,
    record: { start: { line, character: 0 }, end: { line: line + 3, character: 1 } },
    matched: at(line + 1, 16),
    fields: { 'event.action': 'CreateWidget', 'user.name': 'carol', '@timestamp': '2024-05-01T10:00:00.000Z', ...fields },
  };
}

describe('extension/findingsTree', () => {
  const entries: TreeEntry[] = [
    { uri: 'file:///logs/b.json', path: 'logs/b.json', large: false, findings: [finding(medium, 4, 40), finding(medium, 1, 10), finding(critical, 1, 10)] },
    { uri: 'cloudtrail-gz:/logs/a.json.gz', path: 'logs/a.json.gz', large: false, findings: [finding(medium, 0, 0)] },
    { uri: 'file:///huge.json', path: 'huge.json', large: true, findings: [finding(low, 7, 900_000)] },
    { uri: 'file:///quiet.json', path: 'quiet.json', large: false, findings: [] },
  ];

  it('groups by rule, most severe first, then by file path, then by position in the file', () => {
    const roots = buildFindingsTree(entries);
    assert.deepEqual(
      roots.map((r) => [r.ruleId, r.description]),
      [
        ['critical-rule', '1 finding in 1 file'],
        ['medium-rule', '3 findings in 2 files'],
        ['low-rule', '1 finding in 1 file'],
      ],
    );
    const files = roots[1].children;
    assert.deepEqual(
      files.map((f) => [f.path, f.label, f.description]),
      [
        ['logs/a.json.gz', 'a.json.gz', '1 finding · logs'],
        ['logs/b.json', 'b.json', '2 findings · logs'],
      ],
    );
    const records = files[1].children as RecordNode[];
    assert.deepEqual(
      records.map((r) => [r.recordIndex, r.description]),
      [
        [1, '12:17'],
        [4, '42:17'],
      ],
    );
    assert.deepEqual(childrenOf(roots), roots);
    assert.deepEqual(childrenOf(roots, files[1]), records);
    assert.deepEqual(childrenOf(roots, records[0]), []);
  });

  it('gives every node an id unique across rules, files and records', () => {
    const ids: string[] = [];
    const walk = (nodes: readonly ReturnType<typeof childrenOf>[number][]) => {
      for (const n of nodes) {
        ids.push(n.id);
        walk(childrenOf([], n));
      }
    };
    walk(buildFindingsTree(entries));
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 3 + 4 + 5, `${ids.length} nodes`);
  });

  it('labels a record "action, principal, time" and leaves out what the record lacks', () => {
    assert.equal(recordLabel(finding(medium, 0, 0)), 'CreateWidget, carol, 2024-05-01T10:00:00.000Z');
    const arnOnly = finding(medium, 0, 0, { 'user.name': undefined, 'aws.cloudtrail.user_identity.arn': 'arn:aws:iam::111122223333:user/dave' });
    assert.equal(recordLabel(arnOnly), 'CreateWidget, arn:aws:iam::111122223333:user/dave, 2024-05-01T10:00:00.000Z');
    assert.equal(recordLabel({ ...finding(medium, 6, 0), fields: {} }), 'record #7');
    assert.equal(recordLabel({ ...finding(medium, 0, 0), fields: { 'event.action': ['A', 'B'] } }), 'A, B');
  });

  it('marks the records of files too large for the editor', () => {
    const [, , lowRule] = buildFindingsTree(entries);
    const file = lowRule.children[0];
    assert.equal(file.large, true);
    assert.match(file.description, /over 50 MB/);
    const record = file.children[0] as RecordNode;
    assert.equal(record.large, true);
    assert.equal(record.description, '900002:17');
  });

  it('caps the records listed under one file and says how many more there are', () => {
    const many: TreeFinding[] = Array.from({ length: 25 }, (_, i) => finding(medium, i, i * 5));
    const [rule] = buildFindingsTree([{ uri: 'file:///many.json', path: 'many.json', large: false, findings: many }], 10);
    const file = rule.children[0];
    assert.equal(file.findings, 25);
    assert.equal(file.description, '25 findings');
    assert.equal(file.children.length, 11);
    const more = file.children[10];
    assert.equal(more.kind, 'more');
    assert.ok(more.kind === 'more' && more.hidden === 15 && /^15 more findings/.test(more.label), more.label);
  });

  it('keeps log values in labels and tooltips to one line of plain text, cut to length', () => {
    for (const hostile of HOSTILE_VALUES) {
      const f = finding(medium, 0, 0, { 'event.action': hostile, 'user.name': hostile, 'source.ip': hostile });
      const [rule] = buildFindingsTree([{ uri: 'file:///h.json', path: `evil\n${hostile}.json`, large: false, findings: [f] }]);
      const file = rule.children[0] as FileNode;
      const record = file.children[0] as RecordNode;
      for (const text of [record.label, file.label, file.description]) {
        assert.doesNotMatch(text, /[\u0000-\u001f\u2028\u2029\u202e]/, JSON.stringify(text));
      }
      // Tooltips have lines of their own making; within each, the same rule.
      for (const tooltip of [record.tooltip, file.tooltip, rule.tooltip]) {
        const lines = tooltip.split('\n');
        assert.ok(lines.length <= 8, `${lines.length} lines: a value broke a line`);
        for (const line of lines) assert.doesNotMatch(line, /[\u0000-\u001f\u2028\u2029\u202e]/, JSON.stringify(line));
      }
      assert.equal(file.tooltip.split('\n').length, 1, 'a file name with a line break stays on one line');
    }
    const long = finding(medium, 0, 0, { 'event.action': 'A'.repeat(5000) });
    assert.ok(recordLabel(long).length < 200, `label of ${recordLabel(long).length} chars`);
  });

  it('prints positions 1-based, as editors do', () => {
    assert.equal(lineColumn(at(0, 0)), '1:1');
    assert.equal(lineColumn(at(11, 299)), '12:300');
  });

  it('is empty without findings', () => {
    assert.deepEqual(buildFindingsTree([]), []);
    assert.deepEqual(buildFindingsTree([{ uri: 'file:///q.json', path: 'q.json', large: false, findings: [] }]), []);
  });
});
