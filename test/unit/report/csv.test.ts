import assert from 'node:assert/strict';
import fc from 'fast-check';
import { csvCell, formatCsv } from '../../../src/core/report';
import { makeFile, record, report, rule } from './helpers';

/** RFC 4180 reader, written for the test: rows of cells, CRLF or LF line ends, "" inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the \n ends the row
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  assert.equal(cell, '', 'text after the last row end');
  return rows;
}

describe('report/csv', () => {
  it('neutralises cells that a spreadsheet would run as a formula', () => {
    for (const v of ['=HYPERLINK("http://198.51.100.9","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      const cell = parseCsv(csvCell(v) + '\r\n')[0][0];
      assert.equal(cell, `'${v}`);
    }
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a=b'), 'a=b');
  });

  it('quotes commas, quotes and line breaks, and doubles embedded quotes', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('line1\nline2'), '"line1\nline2"');
    assert.equal(csvCell(' padded '), '" padded "');
  });

  it('shows terminal escapes visibly so the file is safe to print', () => {
    assert.equal(csvCell('a\u001b[2Jb\u009bc'), 'a\\u{1b}[2Jb\\u{9b}c');
  });

  it('round-trips any value: what a reader gets back is the value (after neutralisation)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const back = parseCsv(csvCell(s) + '\r\n')[0][0];
        const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
        assert.equal(back, /^[=+\-@\t\r]/.test(clean) ? `'${clean}` : clean);
      }),
      { numRuns: 300 },
    );
  });

  it('writes a header of fields and one row per finding with the investigation fields', () => {
    const r = rule({ investigationFields: ['aws.cloudtrail.flattened.request_parameters.networkInterfaceId'] });
    const f = makeFile('dir/a,b.jsonl', [
      record({ eventName: 'CreateTrafficMirrorSession', userAgent: '=cmd|" /C calc"!A0', eventTime: '2026-11-04T09:13:27Z' }),
      record(),
      record({ eventName: 'CreateTrafficMirrorTarget', userAgent: 'Boto3/1.35.54, "quoted"\nsecond line' }),
    ], r);
    const text = formatCsv(report([f.file]));
    assert.ok(text.endsWith('\r\n'));
    const rows = parseCsv(text);
    assert.equal(rows.length, 3);
    const header = rows[0];
    for (const col of ['file', 'line', 'column', 'rule_id', 'rule_name', 'severity', 'timestamp', 'event.action', 'user_agent.original', 'source.ip', 'aws.cloudtrail.flattened.request_parameters.networkInterfaceId']) {
      assert.ok(header.includes(col), `missing column ${col}`);
    }
    assert.ok(header.every((h) => !/^[=+\-@]/.test(h)), 'a header cell looks like a formula');
    const row = Object.fromEntries(header.map((h, i) => [h, rows[1][i]]));
    assert.equal(row.file, 'dir/a,b.jsonl');
    assert.equal(row.line, '1');
    assert.equal(row['user_agent.original'], `'=cmd|" /C calc"!A0`);
    assert.equal(row['event.action'], 'CreateTrafficMirrorSession');
    assert.equal(row.timestamp, '2026-11-04T09:13:27Z');
    assert.equal(row.event_id, f.file.records!.get(0)!.eventId);
    const row2 = Object.fromEntries(header.map((h, i) => [h, rows[2][i]]));
    assert.equal(row2['user_agent.original'], 'Boto3/1.35.54, "quoted"\nsecond line');
    assert.equal(row2.line, '3');
  });
});
