import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { elasticRuleUri, formatSarif, pathToUri, sarifText } from '../../../src/core/report';
import { makeFile, record, report, rule } from './helpers';

// The SARIF 2.1.0 schema as shipped by Microsoft's @microsoft/jest-sarif package (sarif-2.1.0-rtm.5,
// the schema of the OASIS standard). It is written in JSON Schema draft-04, whose only difference
// that matters here is the top-level `id`; Ajv 8 reads the rest as draft-07 unchanged.
function sarifValidator(): ValidateFunction {
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  assert.match(String(schema.title), /SARIF\) Version 2\.1\.0/);
  delete schema.$schema;
  delete schema.id;
  // The schema's language-tag pattern is not a valid Unicode-mode regular expression; read patterns without the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

function assertValid(validate: ValidateFunction, log: unknown): void {
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}

describe('report/sarif', () => {
  let validate: ValidateFunction;
  before(() => {
    validate = sarifValidator();
  });

  it('the validator rejects what is not SARIF (so passing means something)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }), false);
  });

  it('is valid SARIF 2.1.0 with findings, problems, unreadable paths and rules not evaluated', () => {
    const critical = rule({ ruleId: 'crit-1', name: 'Critical [one]', severity: 'critical', riskScore: 99, source: 'bundled:crit.toml' });
    const a = makeFile('logs/a b.jsonl', [record({ eventName: 'CreateTrafficMirrorSession' }), record(), record({ eventName: 'CreateTrafficMirrorFilter' })], rule(), {
      problems: [{ code: 'json-syntax', severity: 'error', message: 'unexpected end [of] input', span: { start: 5, end: 5 } }],
    });
    a.result.findings[0].related.push({ recordIndex: 2, record: a.result.findings[1].record, reason: 'same access key AKIAIOSFODNN7EXAMPLE' });
    const b = makeFile('logs/b.json.gz', [record({ eventName: 'CreateTrafficMirrorTarget' })], critical);
    b.file.compressed = true;
    const eql = rule({ ruleId: 'eql-1', name: 'EQL thing', type: 'eql', language: 'eql', severity: 'low', riskScore: 21 });
    const r = report([a.file, b.file], {
      rules: [rule(), critical, eql],
      notEvaluated: [{ rule: eql, reason: 'EQL rules are not evaluated yet' }],
      errors: [{ file: 'gone.json', message: 'no such file or folder' }],
    });
    const log = JSON.parse(formatSarif(r, { cwd: '/home/analyst/case 7' })) as Sarif.Log;
    assertValid(validate, log);

    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'CloudTrail Hunter');
    assert.equal(run.tool.driver.version, '0.1.0');
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///home/analyst/case%207/' } });

    const rules = run.tool.driver.rules!;
    assert.deepEqual(rules.map((x) => x.id), ['0f6d1a52-7d4e-4b8e-9a61-5f3c2b1a0e99', 'crit-1', 'eql-1']);
    const [medium, crit, low] = rules;
    assert.equal(medium.name, 'TestMirrorRule');
    assert.equal(medium.shortDescription!.text, 'Test Mirror Rule');
    assert.equal(medium.fullDescription!.text, 'Finds traffic mirror sessions in tests.');
    assert.equal(medium.help!.markdown, '## Triage\n\nCheck **who** created the session.');
    assert.equal(medium.defaultConfiguration!.level, 'warning');
    assert.equal(medium.properties!['security-severity'], '4.7');
    assert.equal(medium.properties!.precision, 'medium');
    assert.deepEqual(medium.properties!.tags, ['security', 'Domain: Cloud', 'Tactic: Exfiltration']);
    assert.equal(medium.helpUri, undefined); // not bundled, and no helpUri callback given
    assert.equal(crit.defaultConfiguration!.level, 'error');
    assert.equal(crit.properties!['security-severity'], '9.9');
    assert.equal(crit.helpUri, 'https://www.elastic.co/guide/en/security/current/critical-one.html');
    assert.equal(low.defaultConfiguration!.level, 'note');

    const results = run.results!;
    assert.equal(results.length, 3);
    const [r0, r1, r2] = results;
    assert.equal(r0.ruleId, medium.id);
    assert.equal(r0.ruleIndex, 0);
    assert.equal(r2.ruleIndex, 1);
    assert.equal(r2.level, 'error');
    const loc0 = r0.locations![0].physicalLocation!;
    assert.deepEqual(loc0.artifactLocation, { uri: 'logs/a%20b.jsonl', uriBaseId: '%SRCROOT%', index: 0 });
    const line0 = a.text.split('\n')[0];
    const col = line0.indexOf('"CreateTrafficMirrorSession"') + 1;
    assert.deepEqual(loc0.region, {
      startLine: 1,
      startColumn: col,
      endLine: 1,
      endColumn: col + '"CreateTrafficMirrorSession"'.length,
      byteOffset: a.result.findings[0].matched.start,
      byteLength: '"CreateTrafficMirrorSession"'.length,
    });
    assert.equal(r1.locations![0].physicalLocation!.region!.startLine, 3);
    // Byte offsets are not given for a file stored compressed.
    const loc2 = r2.locations![0].physicalLocation!;
    assert.equal(loc2.region!.byteOffset, undefined);
    assert.equal(loc2.artifactLocation!.index, 1);
    assert.equal(r0.relatedLocations!.length, 1);
    assert.equal(r0.relatedLocations![0].physicalLocation!.region!.startLine, 3);

    assert.equal(r0.properties!['event.action'], 'CreateTrafficMirrorSession');
    assert.equal(r0.properties!['user.name'], 'alice.ops');
    assert.match(r0.message.text!, /^Test Mirror Rule: CreateTrafficMirrorSession by alice\.ops from 203\.0\.113\.24 at 2026-/);

    const inv = run.invocations![0];
    assert.equal(inv.executionSuccessful, false);
    const notes = inv.toolExecutionNotifications!;
    assert.equal(notes.length, 2);
    assert.equal(notes[0].level, 'error');
    assert.equal(notes[0].descriptor!.id, 'json-syntax');
    assert.equal(notes[0].message.text, 'unexpected end \\[of\\] input');
    assert.deepEqual(notes[0].locations![0].physicalLocation!.region, { startLine: 1, startColumn: 6 });
    assert.equal(notes[1].descriptor!.id, 'unreadable-path');
    assert.equal(inv.toolConfigurationNotifications![0].associatedRule!.id, 'eql-1');
    assert.equal(inv.toolConfigurationNotifications![0].associatedRule!.index, 2);
    assert.equal(run.artifacts!.length, 2);
  });

  it('fingerprints by rule and eventID: the same event in another file is the same result', () => {
    const rec = record({ eventName: 'CreateTrafficMirrorSession' });
    const a = makeFile('a.jsonl', [rec]);
    const b = makeFile('b.jsonl', [record(), rec]);
    const other = makeFile('c.jsonl', [rec], rule({ ruleId: 'other' }));
    const log = JSON.parse(formatSarif(report([a.file, b.file, other.file]))) as Sarif.Log;
    const fps = log.runs[0].results!.map((x) => x.partialFingerprints!['cloudtrailEvent/v1']);
    assert.equal(fps[0], `0f6d1a52-7d4e-4b8e-9a61-5f3c2b1a0e99:${rec.eventID}`);
    assert.equal(fps[0], fps[1]);
    assert.equal(fps[2], `other:${rec.eventID}`);
  });

  it('keeps log values from becoming links or control sequences in message text', () => {
    const f = makeFile('a.jsonl', [
      record({ eventName: 'CreateTrafficMirrorSession', userIdentity: { userName: '[click me](https://198.51.100.9/x)\u001b[31m' } }),
    ]);
    const log = JSON.parse(formatSarif(report([f.file]))) as Sarif.Log;
    assertValid(validate, log);
    const text = log.runs[0].results![0].message.text!;
    assert.ok(text.includes('\\[click me\\](https://198.51.100.9/x)\\u{1b}\\[31m'), text);
    // Raw values stay available, unchanged, in the property bag.
    assert.equal(log.runs[0].results![0].properties!['user.name'], '[click me](https://198.51.100.9/x)\u001b[31m');
    assert.equal(sarifText('a]b[c'), 'a\\]b\\[c');
  });

  it('turns paths into URI references', () => {
    assert.equal(pathToUri('samples/s3/x y#1.json'), 'samples/s3/x%20y%231.json');
    assert.equal(pathToUri('/var/log/ct/a.json'), 'file:///var/log/ct/a.json');
    assert.equal(pathToUri('C:\\logs\\a b.json'), 'file:///C:/logs/a%20b.json');
    assert.equal(pathToUri('a:b.json'), 'a%3Ab.json'); // not mistaken for a scheme
    assert.equal(elasticRuleUri(rule({ name: 'AWS EC2 Full Network Packet Capture Detected' })), 'https://www.elastic.co/guide/en/security/current/aws-ec2-full-network-packet-capture-detected.html');
  });

  it('is valid with no findings at all', () => {
    const log = JSON.parse(formatSarif(report([makeFile('a.jsonl', [record()]).file]))) as Sarif.Log;
    assertValid(validate, log);
    assert.deepEqual(log.runs[0].results, []);
    assert.equal(log.runs[0].invocations![0].executionSuccessful, true);
  });
});
