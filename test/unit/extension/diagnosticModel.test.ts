import assert from 'node:assert/strict';
import { elasticSlug, findingMessage, planDiagnostics, ruleDocumentation, MAX_DIAGNOSTICS_PER_FILE } from '../../../src/extension/diagnosticModel';
import type { DocFinding, ViewProblem } from '../../../src/extension/scanView';
import { readSeveritySettings } from '../../../src/extension/severity';
import { testRule } from './helpers';

const severity = readSeveritySettings(undefined, undefined).settings;

function range(line: number) {
  return { start: { line, character: 10 }, end: { line, character: 40 } };
}

function finding(i: number, overrides: Partial<DocFinding> = {}): DocFinding {
  return {
    rule: testRule(),
    recordIndex: i,
    record: { start: { line: i, character: 0 }, end: { line: i, character: 80 } },
    matched: range(i),
    matchedField: 'event.action',
    fields: {
      '@timestamp': `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}Z`,
      'event.action': 'CreateWidget',
      'aws.cloudtrail.user_identity.arn': 'arn:aws:iam::111122223333:user/alice',
      'source.ip': '198.51.100.7',
    },
    related: [],
    ...overrides,
  };
}

describe('extension/diagnosticModel', () => {
  it('words a finding as "<rule>: <action> by <principal> from <ip> at <time>"', () => {
    const f = finding(1);
    assert.equal(
      findingMessage(f.rule, f.fields),
      'Test Rule: Suspicious Widget Creation: CreateWidget by arn:aws:iam::111122223333:user/alice from 198.51.100.7 at 2024-05-01T10:00:01Z',
    );
  });

  it('leaves out what the record lacks, and falls back to user name and source address', () => {
    const rule = testRule();
    assert.equal(findingMessage(rule, { 'event.action': 'X', 'user.name': 'bob', 'source.address': 'ec2.amazonaws.com' }), `${rule.name}: X by bob from ec2.amazonaws.com`);
    assert.equal(findingMessage(rule, {}), `${rule.name}: matching event`);
  });

  it('keeps log text to one plain line', () => {
    const msg = findingMessage(testRule(), { 'event.action': 'A\nB', 'user.name': 'x'.repeat(500) });
    assert.ok(!msg.includes('\n'));
    assert.ok(msg.length < 400);
  });

  it('links bundled rules to Elastic’s page and user rules to their file', () => {
    assert.equal(elasticSlug('AWS EC2 Full Network Packet Capture Detected'), 'aws-ec2-full-network-packet-capture-detected');
    assert.equal(elasticSlug('Potential (Odd) Name -- with: Punctuation!'), 'potential-odd-name-with-punctuation');
    assert.deepEqual(ruleDocumentation(testRule({ name: 'AWS EC2 Full Network Packet Capture Detected', source: 'bundled:x.toml' })), {
      kind: 'url',
      url: 'https://www.elastic.co/guide/en/security/current/aws-ec2-full-network-packet-capture-detected.html',
    });
    assert.deepEqual(ruleDocumentation(testRule({ source: '/home/me/rules/widget.toml' })), { kind: 'file', path: '/home/me/rules/widget.toml' });
    assert.deepEqual(ruleDocumentation(testRule({ source: 'C:\\rules\\widget.toml' })), { kind: 'file', path: 'C:\\rules\\widget.toml' });
    assert.equal(ruleDocumentation(testRule({ source: 'query' })), undefined);
  });

  it('plans one diagnostic per finding with code, severity and related records', () => {
    const related = [{ recordIndex: 2, range: range(2), reason: 'same principal arn:aws:iam::111122223333:user/alice' }];
    const plan = planDiagnostics([finding(1, { related }), finding(2, { rule: testRule({ ruleId: 'hi', severity: 'high' }) })], [], severity);
    assert.equal(plan.length, 2);
    assert.equal(plan[0].kind, 'finding');
    assert.deepEqual(plan[0].range, range(1));
    assert.equal(plan[0].level, 'warning');
    assert.equal(plan[0].code?.value, testRule().ruleId);
    assert.deepEqual(plan[0].related, [{ range: range(2), message: related[0].reason }]);
    assert.equal(plan[1].level, 'error');
  });

  it('reports problems first, json-syntax as errors', () => {
    const problems: ViewProblem[] = [
      { code: 'json-syntax', severity: 'warning', message: 'Expected "," at line 3', range: range(3) },
      { code: 'not-events', severity: 'info', message: 'a digest file', range: range(0) },
    ];
    const plan = planDiagnostics([finding(1)], problems, severity);
    assert.deepEqual(
      plan.map((p) => [p.kind, p.level, p.code?.value]),
      [
        ['problem', 'error', 'json-syntax'],
        ['problem', 'information', 'not-events'],
        ['finding', 'warning', testRule().ruleId],
      ],
    );
  });

  it('keeps 999 findings and summarises the rest at the start of the file', () => {
    const many = Array.from({ length: 1500 }, (_, i) => finding(i));
    const plan = planDiagnostics(many, [], severity);
    assert.equal(plan.length, MAX_DIAGNOSTICS_PER_FILE);
    assert.equal(plan.filter((p) => p.kind === 'finding').length, 999);
    const last = plan[plan.length - 1];
    assert.equal(last.kind, 'overflow');
    assert.match(last.message, /^501 more findings not shown/);
    assert.deepEqual(last.range.start, { line: 0, character: 0 });
  });

  it('shows exactly 999 findings without a summary', () => {
    const plan = planDiagnostics(Array.from({ length: 999 }, (_, i) => finding(i)), [], severity);
    assert.equal(plan.length, 999);
    assert.ok(plan.every((p) => p.kind === 'finding'));
  });

  it('stays within the budget when problems and findings both overflow', () => {
    const problems: ViewProblem[] = Array.from({ length: 250 }, (_, i) => ({ code: 'json-syntax', severity: 'error', message: `bad ${i}`, range: range(i) }));
    const plan = planDiagnostics(Array.from({ length: 2000 }, (_, i) => finding(i)), problems, severity);
    assert.equal(plan.length, MAX_DIAGNOSTICS_PER_FILE);
    const summary = plan.find((p) => p.kind === 'overflow');
    assert.ok(summary);
    assert.match(summary.message, /^1101 more findings and 150 more problems not shown/);
  });
});
