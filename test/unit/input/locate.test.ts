import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PositionMapper, findRecords } from '../../../src/core/input';
import { utf8Length } from '../../../src/core/input/locate';
import { ct, enc, fixture, textAt } from './helpers';

/** The line/character of UTF-16 index `index` in `text`, counted the slow, obvious way. */
function slowPosition(text: string, index: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: index - lineStart };
}

describe('input: locate', () => {
  const rec = ct('CreateTrafficMirrorFilter', { requestParameters: { tags: [{ k: 'a' }, { k: 'b', v: [true, null, 1.5] }] } });

  it('returns the value span, quotes included, for nested paths and array indexes', () => {
    const bytes = enc(JSON.stringify({ Records: [ct('Other'), rec] }));
    const r = findRecords(bytes).records[1];
    assert.equal(textAt(bytes, r.locate(['eventName'])!), '"CreateTrafficMirrorFilter"');
    assert.equal(textAt(bytes, r.locate(['userIdentity', 'userName'])!), '"tester"');
    assert.equal(textAt(bytes, r.locate(['requestParameters', 'tags', '1', 'k'])!), '"b"');
    assert.equal(textAt(bytes, r.locate(['requestParameters', 'tags', '1', 'v'])!), '[true,null,1.5]');
    assert.equal(textAt(bytes, r.locate(['requestParameters', 'tags', '1', 'v', '2'])!), '1.5');
    assert.equal(textAt(bytes, r.locate(['requestParameters', 'tags', '1', 'v', '1'])!), 'null');
    assert.deepEqual(r.locate([]), r.span);
  });

  it('is undefined for paths that do not exist', () => {
    const bytes = enc(JSON.stringify([rec]));
    const r = findRecords(bytes).records[0];
    for (const path of [['nope'], ['eventName', 'x'], ['requestParameters', 'tags', '2'], ['requestParameters', 'tags', '01'], ['requestParameters', 'tags', 'k'], ['userIdentity', '0']]) {
      assert.equal(r.locate(path), undefined, path.join('.'));
    }
  });

  it('matches keys as decoded and agrees with JSON.parse on duplicate keys (last wins)', () => {
    const text = '[{"event\\u004eame":"First","eventSource":"s","eventVersion":"1","eventName":"Last","x\\"y":{"a\\\\b":7}}]';
    const bytes = enc(text);
    const r = findRecords(bytes).records[0];
    assert.equal(r.value.eventName, 'Last');
    assert.equal(textAt(bytes, r.locate(['eventName'])!), '"Last"');
    assert.equal(textAt(bytes, r.locate(['x"y', 'a\\b'])!), '7');
  });

  it('a value written with \\u escapes is decoded, and located as written', () => {
    const text = '{"Records":[{"eventVersion":"1.09","eventSource":"ec2.amazonaws.com","eventName":"Create\\u0054raffic\\u004dirrorSession","note":"\\ud834\\udd1e"}]}';
    const bytes = enc(text);
    const r = findRecords(bytes).records[0];
    assert.equal(r.value.eventName, 'CreateTrafficMirrorSession');
    assert.equal(r.value.note, '𝄞');
    assert.equal(textAt(bytes, r.locate(['eventName'])!), '"Create\\u0054raffic\\u004dirrorSession"');
    assert.equal(textAt(bytes, r.locate(['note'])!), '"\\ud834\\udd1e"');
  });

  it('counts bytes correctly after multi-byte UTF-8 (é, 𝄞, CJK) before and inside a record', () => {
    const text = `{"_comment":"é𝄞中文","Records":[\n  {"note":"ü𝄞漢字","eventVersion":"1","eventSource":"s","eventName":"CreateTrafficMirrorSession"}]}`;
    const bytes = enc(text);
    const found = findRecords(bytes);
    const r = found.records[0];
    const span = r.locate(['eventName'])!;
    assert.equal(textAt(bytes, span), '"CreateTrafficMirrorSession"');
    assert.equal(textAt(bytes, r.locate(['note'])!), '"ü𝄞漢字"');
    const mapper = new PositionMapper(bytes);
    const index = text.indexOf('"CreateTrafficMirrorSession"');
    assert.deepEqual(mapper.rangeOf(span), {
      start: slowPosition(text, index),
      end: slowPosition(text, index + '"CreateTrafficMirrorSession"'.length),
    });
    assert.deepEqual(mapper.positionAt(r.span.start), { line: 1, character: 2 });
  });

  it('counts the UTF-8 bytes of any range of code units as an encoder does (pairs, lone surrogates)', () => {
    const unit = fc.constantFrom('a', '"', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '中', '\uffff', '\ud834', '\udd1e', '\ud834\udd1e');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), fc.nat(), fc.nat(), (units, a, b) => {
        const text = units.join('');
        const from = Math.min(a, b) % (text.length + 1);
        const to = from + (Math.max(a, b) % (text.length - from + 1));
        assert.equal(utf8Length(text, from, to), new TextEncoder().encode(text.slice(from, to)).length);
      }),
      { numRuns: 3000 },
    );
  });

  it('locates relative to _source in Elasticsearch documents', () => {
    const text = JSON.stringify({ _id: 'x', event: { action: 'wrong' }, _source: { event: { action: 'CreateTrafficMirrorTarget' } } });
    const bytes = enc(text);
    const r = findRecords(bytes).records[0];
    assert.equal(textAt(bytes, r.locate(['event', 'action'])!), '"CreateTrafficMirrorTarget"');
    assert.equal(textAt(bytes, r.locate([])!), JSON.stringify({ event: { action: 'CreateTrafficMirrorTarget' } }));
  });

  describe('inside a lookup-events CloudTrailEvent string', () => {
    const bytes = fixture('lookup-events.json');
    const found = findRecords(bytes);
    const r = found.records[0];

    it('maps a decoded value to the escaped text, escaped quotes included, inside the literal', () => {
      const span = r.locate(['eventName'])!;
      assert.equal(textAt(bytes, span), '\\"CreateTrafficMirrorSession\\"');
      assert.ok(span.start > r.span.start && span.end < r.span.end);
    });

    it('maps through \\uXXXX (incl. surrogate pairs), \\/ and \\\\ escapes', () => {
      assert.equal(textAt(bytes, r.locate(['userIdentity', 'note'])!), '\\"caf\\u00e9 \\ud834\\udd1e \\/ tab\\\\there\\"');
      assert.equal(textAt(bytes, r.locate(['awsRegion'])!), '\\"us-west-2\\"');
      assert.equal(textAt(bytes, r.locate(['sourceIPAddress'])!), '\\"203.0.113.9\\"');
    });

    it('the whole record maps to the text between the literal quotes', () => {
      const whole = r.locate([])!;
      assert.deepEqual(whole, { start: r.span.start + 1, end: r.span.end - 1 });
      assert.equal(r.locate(['nope']), undefined);
    });

    it('maps through raw (unescaped) multi-byte characters in the literal', () => {
      const inner = JSON.stringify(ct('CreateTrafficMirrorFilter', { note: 'é𝄞中 "quoted"' }));
      const text = JSON.stringify({ Events: [{ EventId: '1', CloudTrailEvent: inner }] });
      const b = enc(text);
      const rec = findRecords(b).records[0];
      assert.equal(textAt(b, rec.locate(['note'])!), '\\"é𝄞中 \\\\\\"quoted\\\\\\"\\"');
      assert.equal(textAt(b, rec.locate(['awsRegion'])!), '\\"us-east-1\\"');
      assert.equal(textAt(b, rec.locate(['eventName'])!), '\\"CreateTrafficMirrorFilter\\"');
    });
  });
});

describe('input: PositionMapper', () => {
  it('agrees with a slow UTF-16 count at every character boundary (LF, CRLF, lone CR, surrogates)', () => {
    const text = 'a\r\nbé\n\n𝄞x\rcd 中文\r\n\r\nend𝄞';
    const bytes = enc(text);
    const mapper = new PositionMapper(bytes);
    let byte = 0;
    for (let i = 0; i <= text.length; i++) {
      const expect = slowPosition(text, i);
      // between \r and \n there is no position of its own
      if (!(text[i - 1] === '\r' && text[i] === '\n')) assert.deepEqual(mapper.positionAt(byte), expect, `index ${i}`);
      if (i < text.length) {
        const cp = text.codePointAt(i)!;
        byte += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (cp >= 0x10000) i++;
      }
    }
    assert.equal(mapper.lineCount, 7);
  });

  it('fromText and a byte constructor agree; offsets are clamped', () => {
    const text = 'x\n😀y';
    const a = PositionMapper.fromText(text);
    const b = new PositionMapper(enc(text));
    assert.deepEqual(a.positionAt(6), { line: 1, character: 2 });
    assert.deepEqual(b.positionAt(6), { line: 1, character: 2 });
    assert.deepEqual(a.positionAt(7), { line: 1, character: 3 });
    assert.deepEqual(a.positionAt(999), { line: 1, character: 3 });
    assert.deepEqual(a.positionAt(-5), { line: 0, character: 0 });
    assert.deepEqual(a.rangeOf({ start: 0, end: 2 }), { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
  });

  it('does not count a UTF-8 BOM as a character (VS Code hides it)', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('{"a":1}\n{"b":2}')]);
    const m = new PositionMapper(bytes);
    assert.deepEqual(m.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(m.positionAt(3), { line: 0, character: 0 });
    assert.deepEqual(m.positionAt(5), { line: 0, character: 2 });
    assert.deepEqual(m.positionAt(11), { line: 1, character: 0 });
  });

  it('is exact far into a very long line (block checkpoints)', () => {
    const parts: string[] = [];
    for (let i = 0; i < 20000; i++) parts.push(i % 3 === 0 ? 'é' : i % 3 === 1 ? '𝄞' : 'abc');
    const text = 'first\n' + parts.join('') + 'TARGET';
    const bytes = enc(text);
    const m = new PositionMapper(bytes);
    const byte = bytes.length - 'TARGET'.length;
    assert.deepEqual(m.positionAt(byte), slowPosition(text, text.length - 'TARGET'.length));
    // the last part is '𝄞': four bytes, two UTF-16 units
    assert.deepEqual(m.positionAt(byte - 4), slowPosition(text, text.length - 'TARGET'.length - 2));
  });
});
