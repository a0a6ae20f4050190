import assert from 'node:assert/strict';
import { digest, formatJson, PositionSnapshot, recordInfo } from '../../../src/core/report';
import { makeFile, record, report, rule, spanOf, TextPositions } from './helpers';

describe('report/json', () => {
  it('round-trips: hostile values come back exactly as they were in the log', () => {
    const ua = 'x\u001b[31m\u202e"}\n{"forged":true}\u0000';
    const f = makeFile('a.jsonl', [record({ eventName: 'CreateTrafficMirrorSession', userAgent: ua })]);
    const text = formatJson(report([f.file]));
    assert.ok(!text.includes('\u001b'), 'JSON.stringify must have escaped ESC');
    const back = JSON.parse(text);
    assert.equal(back.findings[0].fields['user_agent.original'], ua);
    assert.equal(back.findings.length, 1);
  });

  it('has the documented shape with positions, offsets and the event id', () => {
    const rec = record({ eventName: 'CreateTrafficMirrorSession' });
    const f = makeFile('dir/a.jsonl', [record(), rec], rule({ ruleId: 'r-1', version: 7 }), {
      problems: [{ code: 'json-syntax', severity: 'warning', message: 'trailing comma', span: { start: 3, end: 4 } }],
    });
    const back = JSON.parse(formatJson(report([f.file], { errors: [{ file: 'missing.json', message: 'no such file or folder' }] })));
    assert.equal(back.schemaVersion, 1);
    assert.deepEqual(back.tool, { name: 'CloudTrail Hunter', version: '0.1.0' });
    const finding = back.findings[0];
    const matched = spanOf(f.text, '"CreateTrafficMirrorSession"');
    const line2 = f.text.split('\n')[1];
    assert.deepEqual(finding.rule, { id: 'r-1', name: 'Test Mirror Rule', severity: 'medium', riskScore: 47, version: 7 });
    assert.equal(finding.file, 'dir/a.jsonl');
    assert.equal(finding.compressed, false);
    assert.equal(finding.line, 2);
    assert.equal(finding.column, line2.indexOf('"CreateTrafficMirrorSession"') + 1);
    assert.equal(finding.endLine, 2);
    assert.equal(finding.endColumn, finding.column + '"CreateTrafficMirrorSession"'.length);
    assert.equal(finding.byteOffset, matched.start);
    assert.equal(finding.byteLength, matched.end - matched.start);
    assert.equal(finding.matchedField, 'event.action');
    assert.equal(finding.record.index, 1);
    assert.equal(finding.record.line, 2);
    assert.equal(finding.record.column, 1);
    assert.equal(finding.record.eventId, rec.eventID);
    assert.equal(finding.fields['event.action'], 'CreateTrafficMirrorSession');
    assert.deepEqual(back.problems, [{ file: 'dir/a.jsonl', line: 1, column: 4, byteOffset: 3, byteLength: 1, code: 'json-syntax', severity: 'warning', message: 'trailing comma' }]);
    assert.deepEqual(back.errors, [{ file: 'missing.json', message: 'no such file or folder' }]);
    assert.deepEqual(back.summary, { findings: 1, files: 1, records: 2, problems: 1, errors: 1, byRule: { 'r-1': 1 } });
  });

  it('finds the event id inside a lookup-events CloudTrailEvent string', () => {
    const inner = JSON.stringify({ eventID: 'e-42', eventName: 'CreateTrafficMirrorTarget' });
    const text = JSON.stringify({ Events: [{ CloudTrailEvent: inner }] });
    const bytes = new TextEncoder().encode(text);
    const span = spanOf(text, JSON.stringify(inner));
    const info = recordInfo(bytes, { rule: rule(), recordIndex: 0, record: span, matched: span, matchedField: '', fields: {}, related: [] });
    assert.equal(info.eventId, 'e-42');
    assert.equal(info.digest, digest(bytes.subarray(span.start, span.end)));
  });

  it('gives a record without an event id a stable digest instead', () => {
    const text = '{"eventName":"CreateTrafficMirrorTarget"}';
    const bytes = new TextEncoder().encode(text);
    const span = { start: 0, end: bytes.length };
    const a = recordInfo(bytes, { rule: rule(), recordIndex: 0, record: span, matched: span, matchedField: '', fields: {}, related: [] });
    assert.equal(a.eventId, undefined);
    assert.match(a.digest, /^[0-9a-f]{16}$/);
    assert.notEqual(digest(new TextEncoder().encode(text + ' ')), a.digest);
  });

  it('keeps only the positions it needs, and says so when asked for another', () => {
    const snap = new PositionSnapshot(new TextPositions('ab\ncd'), [0, 4]);
    assert.deepEqual(snap.positionAt(4), { line: 1, character: 1 });
    assert.throws(() => snap.positionAt(2), /no position recorded for byte offset 2/);
  });
});
