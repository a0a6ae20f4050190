import assert from 'node:assert/strict';
import { findRecords } from '../../../src/core/input';
import { ct, enc, fixture, names, textAt } from './helpers';

const A = ct('CreateTrafficMirrorFilter');
const B = ct('DescribeInstances', { readOnly: true, n: -1.5e3 });
const C = ct('CreateTrafficMirrorSession', { requestParameters: { tags: [{ k: 'a' }, { k: 'b' }] } });

function pretty(v: unknown): string {
  return JSON.stringify(v, null, 4);
}

describe('input: shapes', () => {
  const variants: [string, string, string][] = [
    ['s3-envelope', JSON.stringify({ Records: [A, B, C] }), pretty({ Records: [A, B, C] })],
    ['s3-envelope', JSON.stringify({ _comment: 'x', Records: [A, B, C] }), pretty({ _comment: { n: [1, { Records: 1 }] }, Records: [A, B, C], after: true })],
    ['array', JSON.stringify([A, B, C]), pretty([A, B, C])],
    ['json-lines', [A, B, C].map((r) => JSON.stringify(r)).join('\n') + '\n', [A, B, C].map(pretty).join('\n')],
    ['json-lines', [A, B, C].map((r) => JSON.stringify(r)).join(''), [A, B, C].map(pretty).join(' ')],
  ];
  for (const [shape, compact, prettyText] of variants) {
    for (const [style, text] of [
      ['compact', compact],
      ['pretty', prettyText],
    ]) {
      it(`${shape} (${style}${text.startsWith('{"_comment') || text.includes('"_comment"') ? ', key before Records' : ''})`, () => {
        const bytes = enc(text);
        const r = findRecords(bytes);
        assert.equal(r.shape, shape);
        assert.deepEqual(r.problems, []);
        assert.deepEqual(
          r.records.map((x) => x.value),
          [A, B, C],
        );
        assert.deepEqual(
          r.records.map((x) => x.index),
          [0, 1, 2],
        );
        for (const rec of r.records) {
          assert.equal(rec.format, 'cloudtrail');
          assert.deepEqual(JSON.parse(textAt(bytes, rec.span)), rec.value, 'span covers exactly the record');
        }
      });
    }
  }

  it('single record object, compact and pretty', () => {
    for (const text of [JSON.stringify(A), pretty(A) + '\n']) {
      const r = findRecords(enc(text));
      assert.equal(r.shape, 'single');
      assert.deepEqual(r.problems, []);
      assert.deepEqual(names(r), ['CreateTrafficMirrorFilter']);
      assert.deepEqual(r.records[0].span, { start: 0, end: text.trimEnd().length });
    }
  });

  it('arrays of arrays of records (pages) and a misspelled "Records" key still yield the records', () => {
    for (const text of [JSON.stringify([[A, B], [], [C]]), JSON.stringify({ Records: [[A], [B, C]] }), JSON.stringify({ Recrods: [A, B, C] }, null, 1)]) {
      const r = findRecords(enc(text));
      assert.deepEqual(names(r), ['CreateTrafficMirrorFilter', 'DescribeInstances', 'CreateTrafficMirrorSession'], text.slice(0, 20));
      assert.deepEqual(r.problems, []);
      for (const rec of r.records) assert.deepEqual(JSON.parse(textAt(enc(text), rec.span)), rec.value);
    }
  });

  it('concatenated S3 envelopes keep the envelope shape', () => {
    const text = JSON.stringify({ Records: [A] }) + JSON.stringify({ Records: [B, C] }) + '\n';
    const r = findRecords(enc(text));
    assert.equal(r.shape, 's3-envelope');
    assert.deepEqual(names(r), ['CreateTrafficMirrorFilter', 'DescribeInstances', 'CreateTrafficMirrorSession']);
  });

  it('lookup-events and Elasticsearch responses, compact as well as pretty', () => {
    for (const [file, shape, count] of [
      ['lookup-events.json', 'lookup-events', 2],
      ['es-hits.json', 'elasticsearch-hits', 2],
    ] as const) {
      const compact = enc(JSON.stringify(JSON.parse(new TextDecoder().decode(fixture(file)))));
      const pretty = findRecords(fixture(file));
      const r = findRecords(compact);
      assert.equal(r.shape, shape);
      assert.equal(r.records.length, count);
      assert.deepEqual(
        r.records.map((x) => x.value),
        pretty.records.map((x) => x.value),
      );
    }
  });

  it('a pretty-printed envelope fixture with a key before Records', () => {
    const bytes = fixture('envelope-pretty.json');
    const r = findRecords(bytes);
    assert.equal(r.shape, 's3-envelope');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(names(r), ['CreateTrafficMirrorTarget', 'ListBuckets']);
    assert.equal(textAt(bytes, r.records[0].span).split('\n').length, 28);
  });

  it('JSON Lines with CRLF, blank lines and a non-record line', () => {
    const bytes = fixture('lines-crlf.jsonl');
    const r = findRecords(bytes);
    assert.equal(r.shape, 'json-lines');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(names(r), ['CreateTrafficMirrorFilter', 'GetUser', 'CreateTrafficMirrorSession']);
    assert.deepEqual(
      r.records.map((x) => x.format),
      ['cloudtrail', 'cloudtrail', 'ecs'],
    );
    const lines = new TextDecoder().decode(bytes).split('\r\n');
    assert.equal(textAt(bytes, r.records[1].span), lines[3]);
  });

  it('an escaped key is matched as decoded ("Rec\\u006frds", "event\\u004eame")', () => {
    const text = '{"Rec\\u006frds":[{"event\\u004eame":"X","eventSource":"s","eventVersion":"1"}]}';
    const r = findRecords(enc(text));
    assert.equal(r.shape, 's3-envelope');
    assert.deepEqual(names(r), ['X']);
    assert.equal(r.records[0].format, 'cloudtrail');
  });

  it('an object that merely has a "Records" key of another type stays a record', () => {
    const r = findRecords(enc(JSON.stringify({ ...A, Records: 'none' })));
    assert.equal(r.shape, 'single');
    assert.deepEqual(names(r), ['CreateTrafficMirrorFilter']);
  });

  describe('lookup-events', () => {
    it('finds the record inside each CloudTrailEvent string; span is the string literal', () => {
      const bytes = fixture('lookup-events.json');
      const r = findRecords(bytes);
      assert.equal(r.shape, 'lookup-events');
      assert.deepEqual(names(r), ['CreateTrafficMirrorSession', 'DescribeInstances']);
      for (const rec of r.records) {
        const literal = textAt(bytes, rec.span);
        assert.ok(literal.startsWith('"{\\"eventVersion'), literal.slice(0, 20));
        assert.deepEqual(JSON.parse(JSON.parse(literal) as string), rec.value);
      }
      assert.equal((r.records[0].value.userIdentity as { note: string }).note, 'café 𝄞 / tab\there');
    });

    it('reports an unreadable CloudTrailEvent string and keeps going', () => {
      const bytes = fixture('lookup-events.json');
      const r = findRecords(bytes);
      assert.equal(r.problems.length, 1);
      const p = r.problems[0];
      assert.equal(p.code, 'unreadable-record');
      assert.match(p.message, /Expected ',' or '}' after a property value/);
      assert.ok(textAt(bytes, p.span).startsWith('"{\\"eventVersion\\":\\"1.09\\",\\"eventName\\":\\"Broken'));
      assert.ok(textAt(bytes, p.span).endsWith('"'));
    });

    it('elements outside {"Events":[...]} (aws --query Events) are read too', () => {
      const inner = JSON.stringify(A);
      const text = JSON.stringify([{ EventId: 'e1', EventName: 'CreateTrafficMirrorFilter', CloudTrailEvent: inner }]);
      const bytes = enc(text);
      const r = findRecords(bytes);
      assert.equal(r.shape, 'array');
      assert.deepEqual(names(r), ['CreateTrafficMirrorFilter']);
      assert.equal(textAt(bytes, r.records[0].span), JSON.stringify(inner));
    });
  });

  describe('Elasticsearch and ECS documents', () => {
    it('hits.hits[*]._source, nested and dotted; a non-ECS _source is not a record', () => {
      const bytes = fixture('es-hits.json');
      const r = findRecords(bytes);
      assert.equal(r.shape, 'elasticsearch-hits');
      assert.deepEqual(r.problems, []);
      assert.equal(r.records.length, 2);
      assert.deepEqual(
        r.records.map((x) => x.format),
        ['ecs', 'ecs'],
      );
      assert.equal((r.records[0].value.event as { action: string }).action, 'CreateTrafficMirrorFilter');
      assert.equal(r.records[1].value['event.action'], 'CreateTrafficMirrorFilterRule');
      // the record span is the whole hit; value is the _source
      assert.match(textAt(bytes, r.records[0].span), /^\{\s+"_index"[\s\S]*\}$/);
      assert.equal(r.records[0].value._index, undefined);
    });

    it('_source documents as JSON Lines and as array elements; plain ECS documents', () => {
      const hit = { _index: 'i', _id: '1', _source: { '@timestamp': 't', event: { action: 'CreateTrafficMirrorTarget' } } };
      const plain = { event: { action: 'CreateTrafficMirrorFilter', provider: 'ec2.amazonaws.com' } };
      const dotted = { 'event.action': 'CreateTrafficMirrorSession' };
      for (const text of [[hit, plain, dotted].map((x) => JSON.stringify(x)).join('\n'), JSON.stringify([hit, plain, dotted])]) {
        const r = findRecords(enc(text));
        assert.deepEqual(names(r), ['CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter', 'CreateTrafficMirrorSession']);
        assert.deepEqual(
          r.records.map((x) => x.format),
          ['ecs', 'ecs', 'ecs'],
        );
      }
    });

    it('a single _source document', () => {
      const r = findRecords(enc(JSON.stringify({ _id: 'x', _source: A })));
      assert.equal(r.shape, 'single');
      assert.equal(r.records[0].format, 'cloudtrail');
      assert.deepEqual(r.records[0].value, A);
    });
  });

  describe('files that hold no events', () => {
    it('a CloudTrail digest file', () => {
      const r = findRecords(fixture('digest.json'));
      assert.equal(r.shape, 'digest');
      assert.deepEqual(r.records, []);
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0].code, 'not-events');
      assert.equal(r.problems[0].severity, 'info');
      assert.match(r.problems[0].message, /digest/);
    });

    it('a digest is recognised even when a prefilter would skip it', () => {
      const r = findRecords(fixture('digest.json'), { prefilter: () => false });
      assert.equal(r.shape, 'digest');
      assert.equal(r.skipped, 0);
    });

    it('empty and whitespace-only files', () => {
      for (const text of ['', ' \n\r\n\t ', '\ufeff', '\ufeff\n']) {
        const r = findRecords(enc(text));
        assert.equal(r.shape, 'empty', JSON.stringify(text));
        assert.deepEqual(r.problems, []);
        assert.deepEqual(r.records, []);
      }
    });

    it('JSON without records: one not-events info, shape unknown', () => {
      for (const text of ['{"foo":1}', '[1,2,{"a":{"b":"c"}}]', '{"foo":1}\n{"bar":2}\n', '"just a string"', '[]']) {
        const r = findRecords(enc(text));
        assert.equal(r.shape, 'unknown', text);
        assert.deepEqual(
          r.problems.map((p) => [p.code, p.severity]),
          [['not-events', 'info']],
          text,
        );
      }
    });

    it('non-records among records are skipped quietly and not counted', () => {
      const text = `{"foo":1}\n${JSON.stringify(A)}\n[1]\n"s"\n{"bar":{"eventName":"nested"}}\n`;
      const r = findRecords(enc(text));
      assert.deepEqual(r.problems, []);
      assert.deepEqual(names(r), ['CreateTrafficMirrorFilter']);
      assert.equal(r.records[0].index, 0);
      assert.equal(r.shape, 'json-lines');
    });
  });

  describe('encodings', () => {
    it('skips a UTF-8 BOM; offsets still count its bytes', () => {
      const text = JSON.stringify({ Records: [A] });
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc(text)]);
      const r = findRecords(bytes);
      assert.equal(r.shape, 's3-envelope');
      assert.deepEqual(r.problems, []);
      assert.equal(r.records[0].span.start, 3 + '{"Records":['.length);
      assert.deepEqual(JSON.parse(textAt(bytes, r.records[0].span)), A);
    });

    it('UTF-16 with a BOM: one invalid-encoding problem', () => {
      for (const bom of [
        [0xff, 0xfe],
        [0xfe, 0xff],
      ]) {
        const body = JSON.stringify({ Records: [A] });
        const bytes = new Uint8Array(bom.length + body.length * 2);
        bytes.set(bom);
        for (let i = 0; i < body.length; i++) bytes[bom.length + i * 2 + (bom[0] === 0xff ? 0 : 1)] = body.charCodeAt(i);
        const r = findRecords(bytes);
        assert.deepEqual(
          r.problems.map((p) => p.code),
          ['invalid-encoding'],
        );
        assert.match(r.problems[0].message, /UTF-16/);
        assert.equal(r.records.length, 0);
        assert.equal(r.shape, 'unknown');
      }
    });

    it('UTF-16 without a BOM, binary data, gzip bytes: one invalid-encoding problem, no hang', () => {
      const body = JSON.stringify([A]);
      const utf16 = new Uint8Array(body.length * 2);
      for (let i = 0; i < body.length; i++) utf16[i * 2] = body.charCodeAt(i);
      const utf16be = new Uint8Array(body.length * 2);
      for (let i = 0; i < body.length; i++) utf16be[i * 2 + 1] = body.charCodeAt(i);
      const binary = new Uint8Array(100_000);
      let x = 12345;
      for (let i = 0; i < binary.length; i++) binary[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      const gzip = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0xae, 0x05, 0x00]);
      const controls = enc('\x01\x02\x03\x04\x05{"a":1}\x06\x07');
      for (const [what, bytes, pattern] of [
        ['utf16', utf16, /UTF-16/],
        ['utf16be', utf16be, /UTF-16/],
        ['binary', binary, /binary/],
        ['gzip', gzip, /gzip/],
        ['controls', controls, /binary/],
      ] as const) {
        const r = findRecords(bytes);
        assert.deepEqual(
          r.problems.map((p) => p.code),
          ['invalid-encoding'],
          what,
        );
        assert.match(r.problems[0].message, pattern, what);
        assert.equal(r.records.length, 0);
      }
    });
  });
});
