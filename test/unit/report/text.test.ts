import assert from 'node:assert/strict';
import { formatText, displayWidth } from '../../../src/core/report';
import { makeFile, RAW_CONTROL, record, report, rule } from './helpers';

const HOSTILE_UA = 'curl/8.5.0 \u001b[2J\u001b[1;1H\u001b]8;;https://198.51.100.9/\u0007click\u001b]8;;\u0007 \u202egnp.exe\r\nFAKE: 0 findings';

describe('report/text', () => {
  it('prints one aligned row per finding under a header, then the summary', () => {
    const a = makeFile('logs/a.jsonl', [
      record({ eventName: 'CreateTrafficMirrorSession' }),
      record(),
      record({ eventName: 'CreateTrafficMirrorTarget', userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/NetOps/ci-4412' }, sourceIPAddress: '2001:db8::17' }),
    ]);
    const text = formatText(report([a.file]));
    const lines = text.split('\n');
    assert.match(lines[0], /^RULE +TIME +ACTOR +ACTION +SOURCE IP +LOCATION$/);
    const rows = lines.slice(1, 3);
    assert.equal(rows.length, 2);
    // Every column starts at the same place on every line.
    for (const title of ['TIME', 'ACTOR', 'ACTION', 'SOURCE IP', 'LOCATION']) {
      const col = lines[0].indexOf(title);
      for (const row of rows) {
        assert.equal(row.slice(col - 2, col), '  ', `column ${title} misaligned in ${row}`);
        assert.notEqual(row[col], ' ', `column ${title} misaligned in ${row}`);
      }
    }
    assert.match(rows[0], /alice\.ops +CreateTrafficMirrorSession +203\.0\.113\.24 +logs\/a\.jsonl:1:\d+$/);
    // No user name: the ARN stands for the actor; an IPv6 source is printed whole.
    assert.match(rows[1], /arn:aws:sts::111122223333:assumed-role\/NetOps\/ci-4412 +CreateTrafficMirrorTarget +2001:db8::17 +logs\/a\.jsonl:3:\d+$/);
    assert.equal(lines.at(-2), '2 findings in 1 file (3 records scanned, 0 problems)');
    assert.equal(text.endsWith('\n'), true);
  });

  it('points at the underlined value with 1-based line and UTF-16 column', () => {
    const f = makeFile('x.jsonl', [record({ userAgent: '😀日本', eventName: 'CreateTrafficMirrorFilter' })]);
    const line = f.text.split('\n')[0];
    const column = line.indexOf('"CreateTrafficMirrorFilter"') + 1; // UTF-16 index, as editors count
    assert.match(formatText(report([f.file])), new RegExp(`x\\.jsonl:1:${column}\\n`));
  });

  it('escapes terminal escapes, bidi overrides and newlines from a hostile userAgent and actor', () => {
    const f = makeFile('evil.jsonl', [
      record({ eventName: 'CreateTrafficMirrorSession', userAgent: HOSTILE_UA, userIdentity: { userName: 'root\u001b[8m\u202e', type: 'IAMUser' } }),
    ]);
    const text = formatText(report([f.file]));
    for (const line of text.split('\n')) assert.ok(!RAW_CONTROL.test(line), `raw control in ${JSON.stringify(line)}`);
    assert.match(text, /root\\u\{1b\}\[8m\\u\{202e\}/);
    assert.equal(text.split('\n').filter((l) => l.includes('FAKE')).length, 0);
  });

  it('escapes a hostile file name and problem message too', () => {
    const f = makeFile('a\u001b[31m\u202e.jsonl', [record({ eventName: 'CreateTrafficMirrorSession' })], rule(), {
      problems: [{ code: 'json-syntax', severity: 'error', message: 'unexpected \u001b]0;pwned\u0007 here', span: { start: 0, end: 0 } }],
    });
    const text = formatText(report([f.file]));
    for (const line of text.split('\n')) assert.ok(!RAW_CONTROL.test(line), `raw control in ${JSON.stringify(line)}`);
    assert.match(text, /a\\u\{1b\}\[31m\\u\{202e\}\.jsonl:1:1 +error +json-syntax +unexpected \\u\{1b\}\]0;pwned\\u\{7\} here/);
    assert.match(text, /1 finding in 1 file \(1 record scanned, 1 problem\)/);
  });

  it('cuts very long values with an ellipsis and keeps the columns aligned', () => {
    const long = 'x'.repeat(500);
    const f = makeFile('a.jsonl', [
      record({ eventName: 'CreateTrafficMirrorSession', userIdentity: { userName: long } }),
      record({ eventName: 'CreateTrafficMirrorSession', userIdentity: { userName: 'bob' } }),
    ]);
    const lines = formatText(report([f.file])).split('\n');
    assert.ok(lines[1].includes('x'.repeat(63) + '…'));
    assert.ok(!lines[1].includes('x'.repeat(64)));
    const at = lines[0].indexOf('ACTION');
    assert.equal(lines[1].indexOf('CreateTrafficMirrorSession'), at);
    assert.equal(lines[2].indexOf('CreateTrafficMirrorSession'), at);
  });

  it('aligns by display width when values hold wide characters', () => {
    const f = makeFile('a.jsonl', [
      record({ eventName: 'CreateTrafficMirrorSession', userIdentity: { userName: '管理者' } }),
      record({ eventName: 'CreateTrafficMirrorSession', userIdentity: { userName: 'admin' } }),
    ]);
    const lines = formatText(report([f.file])).split('\n');
    const actionAt = (l: string): number => displayWidth(l.slice(0, l.indexOf('CreateTrafficMirrorSession')));
    assert.equal(actionAt(lines[1]), actionAt(lines[2]));
  });

  it('colours only when asked, and then only with its own SGR sequences', () => {
    const f = makeFile('a.jsonl', [record({ eventName: 'CreateTrafficMirrorSession', userAgent: HOSTILE_UA })]);
    assert.ok(!formatText(report([f.file])).includes('\u001b'));
    const coloured = formatText(report([f.file]), { color: true });
    assert.ok(coloured.includes('\u001b[33m')); // medium severity
    const foreign = coloured.replace(/\u001b\[[0-9;]*m/g, '');
    assert.ok(!foreign.includes('\u001b'), 'an escape sequence other than SGR colour reached the output');
  });

  it('lists rules that were not evaluated, and says when nothing was found', () => {
    const f = makeFile('a.jsonl', [record()]);
    const eql = rule({ ruleId: 'eql-1', name: 'Sequence \u001b[1m rule', type: 'eql' });
    const text = formatText(report([f.file], { notEvaluated: [{ rule: eql, reason: 'EQL rules are not evaluated yet' }] }));
    assert.match(text, /1 rule not evaluated:\n {2}Sequence \\u\{1b\}\[1m rule \(eql-1\): EQL rules are not evaluated yet/);
    assert.match(text, /0 findings in 1 file \(1 record scanned, 0 problems\)\n$/);
    assert.ok(!text.includes('RULE '));
  });

  it('--quiet prints the findings alone', () => {
    const f = makeFile('a.jsonl', [record({ eventName: 'CreateTrafficMirrorSession' }), record()], rule(), {
      problems: [{ code: 'json-syntax', severity: 'error', message: 'bad', span: { start: 0, end: 0 } }],
    });
    const text = formatText(report([f.file]), { quiet: true });
    assert.equal(text.split('\n').length, 2);
    assert.match(text, /^Test Mirror Rule +\S+ +alice\.ops +CreateTrafficMirrorSession/);
    assert.equal(formatText(report([makeFile('b.jsonl', [record()]).file]), { quiet: true }), '');
  });
});
