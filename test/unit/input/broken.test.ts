import assert from 'node:assert/strict';
import { RecordScanner, findRecords } from '../../../src/core/input';
import type { Problem } from '../../../src/core/types';
import { ct, enc, names, scanChunked, textAt } from './helpers';

const j = (name: string, extra?: Record<string, unknown>): string => JSON.stringify(ct(name, extra));
const p = (name: string): string =>
  JSON.stringify(ct(name), null, 4)
    .split('\n')
    .map((l) => '        ' + l)
    .join('\n');

/** Asserts one json-syntax problem at the first occurrence of `marker` (offset `delta` into it). */
function oneErrorAt(bytes: Uint8Array, problems: Problem[], marker: string | Uint8Array, delta = 0, message?: RegExp): void {
  assert.equal(problems.length, 1, JSON.stringify(problems));
  const [pr] = problems;
  assert.equal(pr.code, 'json-syntax');
  assert.equal(pr.severity, 'error');
  const needle = typeof marker === 'string' ? enc(marker) : marker;
  const at = indexOf(bytes, needle) + delta;
  assert.deepEqual(pr.span, { start: at, end: at + 1 }, pr.message);
  if (message) assert.match(pr.message, message);
}

function textIndex(bytes: Uint8Array, marker: string): number {
  return indexOf(bytes, enc(marker));
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  throw new Error('marker not found');
}

describe('input: broken input', () => {
  describe('stray commas', () => {
    it('between records in a compact envelope', () => {
      const bytes = enc(`{"Records":[${j('A')},,${j('B')},${j('C')}]}`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B', 'C']);
      oneErrorAt(bytes, r.problems, ',,', 1, /^Expected a value, found ','/);
    });

    it('leading and trailing commas in an array', () => {
      let bytes = enc(`[,${j('A')},${j('B')}]`);
      let r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      oneErrorAt(bytes, r.problems, '[,', 1);
      bytes = enc(`[${j('A')},${j('B')},]\n`);
      r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      oneErrorAt(bytes, r.problems, ',]', 1, /trailing commas/);
      assert.equal(r.shape, 'array');
    });

    it('inside a record: that record is skipped, the error is at the comma', () => {
      const bad = j('B').replace('"awsRegion"', ',"awsRegion"');
      const bytes = enc(`{"Records":[\n${p('A')},\n${bad},\n${p('C')}\n]}`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C']);
      oneErrorAt(bytes, r.problems, ',,"awsRegion"', 1, /^Expected a property name in double quotes after ','.*The record starting at byte \d+ was skipped/);
    });

    it('a trailing comma inside a record', () => {
      const bytes = enc([j('A').replace(/}$/, ',}'), j('B')].join('\n'));
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['B']);
      oneErrorAt(bytes, r.problems, ',}', 1, /trailing commas/);
    });
  });

  describe('bad tokens', () => {
    it('NaN, Infinity, single quotes, bad literals and numbers: the error is at the bad byte', () => {
      const cases: [string, string, number, RegExp][] = [
        ['"n":NaN', 'NaN', 0, /NaN and Infinity/],
        ['"n":-Infinity', 'Infinity', 0, /expected a digit after '-'/],
        ["\"n\":'x'", "'x'", 0, /single quote/],
        ['"n":tru', 'tru,', 3, /expected 'true'/],
        ['"n":nul1', 'nul1', 3, /expected 'null'/],
        ['"n":01', '01', 1, /leading zero/],
        ['"n":1.', '1.,', 2, /digit after '.'/],
        ['"n":1e+', '1e+,', 3, /in the exponent/],
        ['"n":.5', '.5', 0, /Expected a value/],
        ['"n":"\\x"', '\\x', 1, /Invalid escape sequence '\\x'/],
        ['"n":"\\u12G4"', '\\u12G4', 4, /four hex digits/],
        ['"n":1 2', '1 2', 2, /Expected ',' or '}' after a property value, found '2'/],
      ];
      for (const [inject, marker, delta, message] of cases) {
        const bad = j('B').replace('"awsRegion"', `${inject},"awsRegion"`);
        const bytes = enc(`[${j('A')},${bad},${j('C')}]`);
        const r = findRecords(bytes);
        assert.deepEqual(names(r), ['A', 'C'], inject);
        oneErrorAt(bytes, r.problems, marker, delta, message);
      }
    });

    it('an unquoted key', () => {
      const bytes = enc(`${j('A')}\n{eventName:"B","eventSource":"s"}\n${j('C')}\n`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C']);
      oneErrorAt(bytes, r.problems, '{eventName', 1, /Expected a property name in double quotes or '}', found 'e'/);
    });

    it('garbage between records, and garbage lines in JSON Lines', () => {
      let bytes = enc(`{"Records":[${j('A')}, @@ junk ## , ${j('B')}]}`);
      let r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      oneErrorAt(bytes, r.problems, '@@', 0, /Expected a value, found '@'/);
      // a '{' in the garbage looks like an element start: it is parsed, and fails on its own
      bytes = enc(`{"Records":[${j('A')}, @@ junk {{ , ${j('B')}]}`);
      r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      assert.deepEqual(
        r.problems.map((x) => x.span.start),
        [textIndex(bytes, '@@'), textIndex(bytes, '{{') + 1],
      );
      // ... and a '{' right after '}' does (a missing comma)
      bytes = enc(`[${j('A')}${j('B').replace('"eventTime"', 'NaN')}${j('C')},${j('D')}]`);
      r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C', 'D']);
      assert.deepEqual(
        r.problems.map((x) => x.span.start),
        // (the missing comma between B and C falls inside B's recovery)
        [j('A').length + 1, textIndex(bytes, 'NaN')],
      );
      bytes = enc(`${j('A')}\nhello world }}]] "\n${j('B')}\n`);
      r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      oneErrorAt(bytes, r.problems, 'hello', 0);
    });

    it('a NUL byte in the middle of a log (not at its head) is a syntax error, and lines after it are read', () => {
      const head = Array.from({ length: 60 }, (_, i) => j(`R${i}`)).join('\n');
      const bytes = enc(`${head}\n\0\0\0\0\n${j('LAST')}\n`);
      const r = findRecords(bytes);
      assert.equal(r.records.length, 61);
      assert.equal(names(r)[60], 'LAST');
      oneErrorAt(bytes, r.problems, new Uint8Array([0]), 0, /byte 0x00/);
    });
  });

  describe('invalid UTF-8 and control characters in strings', () => {
    const cases: [string, number[], number][] = [
      ['a byte that cannot start a character', [0xff], 0],
      ['a lone continuation byte', [0x80], 0],
      ['an overlong encoding', [0xc0, 0xaf], 0],
      ['an overlong 3-byte encoding', [0xe0, 0x80, 0x80], 1],
      ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 1],
      ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 1],
      ['a cut-off character', [0xe4, 0xb8, 0x22], 2],
    ];
    for (const [what, bad, delta] of cases) {
      it(what, () => {
        const before = enc(`[${j('A')},{"eventName":"B`);
        const after = enc(`x","eventSource":"s"},${j('C')}]`);
        const bytes = new Uint8Array([...before, ...bad, ...after]);
        const r = findRecords(bytes);
        assert.deepEqual(names(r), ['A', 'C']);
        assert.equal(r.problems.length, 1);
        assert.equal(r.problems[0].code, 'json-syntax');
        assert.deepEqual(r.problems[0].span, { start: before.length + delta, end: before.length + delta + 1 });
        assert.match(r.problems[0].message, /Invalid UTF-8/);
      });
    }

    it('valid multi-byte characters of every length are accepted', () => {
      const r = findRecords(enc(`[${j('é中𝄞\u07ff\uffff\u{10ffff}')}]`));
      assert.deepEqual(r.problems, []);
      assert.deepEqual(names(r), ['é中𝄞\u07ff\uffff\u{10ffff}']);
    });

    it('a raw line break inside a JSON Lines string', () => {
      const bytes = enc(`${j('A')}\n{"eventName":"B\n","eventSource":"s"}\n${j('C')}\n`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C']);
      oneErrorAt(bytes, r.problems, 'B\n', 1, /Unescaped control character \(a line break\)/);
    });
  });

  describe('unbalanced brackets and quotes', () => {
    it('a compact array record missing its closing brace: the next records are found', () => {
      const bytes = enc(`[${j('A').slice(0, -1)},${j('B')},${j('C')}]`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['B', 'C']);
      oneErrorAt(bytes, r.problems, `,${j('B')}`, 1, /Expected a property name/);
    });

    it('a pretty envelope record missing its closing brace', () => {
      const a = p('A').replace(/\n\s*}$/, '');
      const bytes = enc(`{\n    "Records": [\n${a},\n${p('B')},\n${p('C')}\n    ]\n}\n`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['B', 'C']);
      assert.equal(r.problems.length, 1);
      assert.equal(r.shape, 's3-envelope');
    });

    it('a missing closing brace of a nested object', () => {
      const bad = p('B').replace('"accountId": "111122223333"\n            }', '"accountId": "111122223333"\n');
      assert.notEqual(bad, p('B'));
      const bytes = enc(`{"Records": [\n${p('A')},\n${bad},\n${p('C')},\n${p('D')}\n]}`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C', 'D']);
      assert.equal(r.problems.length, 1);
    });

    it('an unterminated string (a quote missing) in a pretty array', () => {
      const bad = p('B').replace('"us-east-1"', '"us-east-1');
      const bytes = enc(`[\n${p('A')},\n${bad},\n${p('C')},\n${p('D')}\n]`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C', 'D']);
      assert.equal(r.problems.length, 1);
    });

    it('an extra closing brace after a record', () => {
      const bytes = enc(`{"Records":[${j('A')}},${j('B')}]}`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      oneErrorAt(bytes, r.problems, '}},', 1);
    });

    it("JSON Lines whose first line lost its '{': the rest is read line by line, without a cascade", () => {
      const bytes = enc([j('A').replace('{', '['), j('B'), j('C'), j('D')].join('\n') + '\n');
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['B', 'C', 'D']);
      assert.ok(r.problems.length <= 2, JSON.stringify(r.problems));
    });

    it('JSON Lines: a line cut short does not swallow the next lines', () => {
      const bytes = enc(`${j('A')}\n${j('B').slice(0, 40)}\n${j('C')}\n${j('D').slice(0, -1)}\n${j('E')}\n`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C', 'E']);
      assert.equal(r.problems.length, 2, 'each broken line is reported');
    });

    it('a broken preamble on a one-line envelope: its records are still found', () => {
      const bytes = enc(`{"_comment" "x","Records":[${j('A')},${j('B', { tags: [{ k: 1 }, { k: 2 }] })},${j('C')}]}`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B', 'C']);
      oneErrorAt(bytes, r.problems, ' "x"', 1, /Expected ':' after a property name/);
    });

    it('an extra ] closing the envelope early', () => {
      const bytes = enc(`{"Records":[${j('A')}]],"x":1}\n${j('B')}\n`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'B']);
      oneErrorAt(bytes, r.problems, ']]', 1);
    });

    it('two separate faults in one array are both reported', () => {
      const bytes = enc(`[${j('A')},${j('B').replace('"eventTime"', 'NaN')},${j('C')},${j('D').replace('"eventTime"', ',"eventTime"')},${j('E')}]`);
      const r = findRecords(bytes);
      assert.deepEqual(names(r), ['A', 'C', 'E']);
      assert.equal(r.problems.length, 2);
    });
  });

  describe('limits', () => {
    it('100,000-deep nesting: one too-large problem, no stack overflow, records around it found', () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      for (const text of [deep, `[${j('A')},{"x":${deep}},${j('B')}]`, `${j('A')}\n{"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}\n${j('B')}\n`]) {
        const bytes = enc(text);
        const r = findRecords(bytes);
        assert.deepEqual(
          r.problems.map((x) => [x.code, x.span.start]),
          [['too-large', textIndexOfDepth(text, 512)]],
        );
        assert.match(r.problems[0].message, /deeper than 512/);
        if (text !== deep) assert.deepEqual(names(r), ['A', 'B']);
      }
    });

    it('unclosed deep nesting ends without a hang or a second problem', () => {
      const r = findRecords(enc('{"Records":[' + '['.repeat(100_000)));
      assert.deepEqual(
        r.problems.map((x) => x.code),
        ['too-large'],
      );
    });

    it('maxDepth is configurable and counts from the top of the file', () => {
      const bytes = enc(`{"Records":[${j('A')},${j('B', { a: { b: { c: { d: 1 } } } })},${j('C')}]}`);
      const r = findRecords(bytes, { maxDepth: 5 });
      assert.deepEqual(names(r), ['A', 'C']);
      assert.deepEqual(
        r.problems.map((x) => x.code),
        ['too-large'],
      );
      assert.equal(textAt(bytes, r.problems[0].span), '{');
    });

    it('a record over maxRecordBytes is skipped with a too-large problem, in one chunk or many', () => {
      const big = j('BIG', { pad: 'x'.repeat(5000) });
      const bytes = enc(`{"Records":[${j('A')},${big},${j('C')}]}`);
      for (const r of [findRecords(bytes, { maxRecordBytes: 4000 }), scanChunked(bytes, 7, { maxRecordBytes: 4000 }), scanChunked(bytes, 3000, { maxRecordBytes: 4000 })]) {
        assert.deepEqual(names(r), ['A', 'C']);
        assert.equal(r.problems.length, 1);
        assert.equal(r.problems[0].code, 'too-large');
        assert.equal(r.problems[0].span.start, bytes.length - big.length - j('C').length - 3);
      }
      // a long preamble before Records is not a record, so it is not "too large"
      const pre = enc(`{"_comment":"${'y'.repeat(5000)}","Records":[${j('A')}]}`);
      const r = scanChunked(pre, 100, { maxRecordBytes: 4000 });
      assert.deepEqual(r.problems, []);
      assert.deepEqual(names(r), ['A']);
    });
  });

  describe('prefilter', () => {
    it('is called with the record bytes; false skips the record (counted, not parsed)', () => {
      const bytes = enc(`{"Records":[${j('A')},${j('B', { s: 'a\\"b' })},${j('C')}]}`);
      const seen: [string, boolean][] = [];
      const records: string[] = [];
      const skipped: string[] = [];
      const s = new RecordScanner(
        { record: (r) => records.push(r.value.eventName as string), problem: (pr) => assert.fail(pr.message), skipped: (sp) => skipped.push(textAt(bytes, sp)) },
        {
          prefilter: (b, start, end, hasBackslash) => {
            const text = new TextDecoder().decode(b.subarray(start, end));
            seen.push([JSON.parse(text).eventName as string, hasBackslash]);
            return !text.includes('"B"');
          },
        },
      );
      s.push(bytes);
      s.end();
      assert.deepEqual(seen, [
        ['A', false],
        ['B', true],
        ['C', false],
      ]);
      assert.deepEqual(records, ['A', 'C']);
      assert.deepEqual(skipped, [j('B', { s: 'a\\"b' })]);
      assert.equal(s.recordCount, 3);
      assert.equal(s.shape, 's3-envelope');
    });

    it('record indexes count skipped records, so they stay file ordinals', () => {
      const r = findRecords(enc([j('A'), j('B'), j('C')].join('\n')), { prefilter: (b, s, e) => !new TextDecoder().decode(b.subarray(s, e)).includes('"B"') });
      assert.deepEqual(
        r.records.map((x) => x.index),
        [0, 2],
      );
      assert.equal(r.skipped, 1);
    });

    it('for lookup-events it sees the record inside the CloudTrailEvent string, decoded once', () => {
      const text = JSON.stringify({ Events: [{ EventId: '1', CloudTrailEvent: j('A') }] });
      const bytes = enc(text);
      const calls: [string, boolean][] = [];
      const r = findRecords(bytes, {
        prefilter: (b, s, e, bs) => {
          calls.push([new TextDecoder().decode(b.subarray(s, e)), bs]);
          return false;
        },
      });
      // the string's own escapes (\") are gone: what is left are the record's, here none
      assert.deepEqual(calls, [[j('A'), false]]);
      assert.equal(r.skipped, 1);
      assert.equal(r.records.length, 0);
    });
  });

  it('push() after end() is a programming error', () => {
    const s = new RecordScanner({ record: () => undefined, problem: () => undefined });
    s.end();
    assert.throws(() => s.push(enc('{}')), /after end/);
  });
});

/** Byte offset of the bracket that opens nesting level `level` + 1 (0-based count of open brackets). */
function textIndexOfDepth(text: string, level: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '[' || c === '{') {
      if (depth === level) return i;
      depth++;
    } else if (c === ']' || c === '}') depth--;
  }
  return -1;
}

describe('input: scan time', () => {
  // a regression guard against work per key or per record that grows with the file (a search
  // that runs to the end of the buffer made JSON Lines quadratic once)
  it('grows linearly with the file, for every shape', () => {
    const rec = j('CreateTrafficMirrorSession', { requestParameters: { a: [1, 2, { b: 'c' }] } }); // no backslash: a search for one runs far
    const make = (n: number): Record<string, Uint8Array> => {
      const recs = Array.from({ length: n }, () => rec);
      return {
        lines: enc(recs.join('\n')),
        envelope: enc(`{"Records":[${recs.join(',')}]}`),
        lookup: enc(JSON.stringify({ Events: recs.map((r) => ({ EventId: 'x', CloudTrailEvent: r })) })),
      };
    };
    const small = make(500);
    const large = make(8000);
    const time = (bytes: Uint8Array): number => {
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const t0 = process.hrtime.bigint();
        findRecords(bytes, { prefilter: () => false });
        best = Math.min(best, Number(process.hrtime.bigint() - t0));
      }
      return best;
    };
    for (const shape of Object.keys(small)) {
      time(large[shape]); // warm up
      const ratio = time(large[shape]) / time(small[shape]);
      // 16x the input: linear is ~16, quadratic would be ~256
      assert.ok(ratio < 60, `${shape}: 16x the input took ${ratio.toFixed(1)}x the time`);
    }
  });
});
