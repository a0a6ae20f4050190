import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { RecordScanner } from '../../../src/core/input';
import { Skimmer } from '../../../src/core/input/skim';
import { StreamPositions } from '../../../src/core/input/streamPositions';
import type { FoundRecord, Problem, Span } from '../../../src/core/types';
import { prefilterFor } from '../../../src/core/scan/prefilter';
import { parseKql } from '../../../src/core/kql';
import { digestLanes, RecordDigest } from '../../../src/core/report/model';
import { ct, enc, fixture, scanChunked, summary } from './helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');

function skimmer(): Skimmer {
  const s = Skimmer.acquire();
  assert.ok(s, 'WebAssembly is available in Node');
  return s;
}

/** The fast path's answer for text that starts with '{': the end index or -1. */
function skim(text: string | Uint8Array, levels = 512, topLevel = false): number {
  const bytes = typeof text === 'string' ? enc(text) : text;
  const s = skimmer();
  try {
    return s.object(bytes, 0, bytes.length, levels, topLevel);
  } finally {
    s.release();
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What the fast path must agree with: the bytes are UTF-8, JSON.parse takes them, and hold an object. */
function isJsonObject(bytes: Uint8Array): boolean {
  try {
    const v: unknown = JSON.parse(strictUtf8.decode(bytes));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

describe('input: the WebAssembly fast path (skim)', () => {
  it('the committed WebAssembly is what wasm/skim.ts compiles to', function () {
    this.timeout(60000);
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-wasm.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  describe('accepts exactly the objects JSON.parse accepts', () => {
    const valid = [
      '{}',
      '{ }',
      '{"a":1}',
      ' {"a" : [ 1 , -0.5e+10 , 0 , 1E3 , -0 , 12.75 ] }'.trim(),
      '{"a":{"b":{"c":[[],{}]}}}',
      '{"t":true,"f":false,"n":null}',
      '{"s":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\uD834\\uDD1E \\ud800"}',
      '{"u":"é 中 𝄞 \u007f"}',
      '{\n\t"a":\r\n1\n}',
      `{\n${' '.repeat(40)}"a" :${'\t'.repeat(17)}[${'\r\n'.repeat(9)}1 ]${' '.repeat(16)}}`,
      `{"long":"${'x'.repeat(1000)}"}`,
      `{"mixed":"${'ab\\"c'.repeat(50)}é${'y'.repeat(33)}"}`,
    ];
    for (const text of valid) {
      it(`accepts ${JSON.stringify(text.length > 50 ? text.slice(0, 47) + '...' : text)}`, () => {
        assert.ok(isJsonObject(enc(text)), 'test input is valid');
        assert.equal(skim(text), enc(text).length);
        // and stops at its end when more follows
        assert.equal(skim(text + ',{"next":1}'), enc(text).length);
      });
    }

    const invalid: [string, string | Uint8Array][] = [
      ['a trailing comma in an object', '{"a":1,}'],
      ['a trailing comma in an array', '{"a":[1,]}'],
      ['a missing colon', '{"a" 1}'],
      ['a missing comma', '{"a":1 "b":2}'],
      ['an unquoted key', '{a:1}'],
      ['a single-quoted string', "{'a':1}"],
      ['a leading zero', '{"a":01}'],
      ['a bare dot', '{"a":1.}'],
      ['a leading dot', '{"a":.5}'],
      ['a lone minus', '{"a":-}'],
      ['an empty exponent', '{"a":1e}'],
      ['a plus sign', '{"a":+1}'],
      ['NaN', '{"a":NaN}'],
      ['a truncated literal', '{"a":tru}'],
      ['a misspelt literal', '{"a":nul1}'],
      ['a bad escape', '{"a":"\\x"}'],
      ['a short \\u escape', '{"a":"\\u12G4"}'],
      ['a raw control character', '{"a":"x\ty"}'],
      ['a raw line break in a string', '{"a":"x\ny"}'],
      ['a mismatched bracket', '{"a":[1}'],
      ['a mismatched brace', '{"a":{"b":1]}'],
      ['a comment', '{/* c */"a":1}'],
      ['an overlong encoding', new Uint8Array([...enc('{"a":"'), 0xc0, 0xaf, ...enc('"}')])],
      ['a lone continuation byte', new Uint8Array([...enc('{"a":"'), 0x80, ...enc('"}')])],
      ['an encoded surrogate', new Uint8Array([...enc('{"a":"'), 0xed, 0xa0, 0x80, ...enc('"}')])],
      ['a code point above U+10FFFF', new Uint8Array([...enc('{"a":"'), 0xf4, 0x90, 0x80, 0x80, ...enc('"}')])],
      ['a cut multi-byte character', new Uint8Array([...enc('{"a":"'), 0xe4, 0xb8, ...enc('"}')])],
      ['a byte that starts nothing', new Uint8Array([...enc('{"a":"'), 0xff, ...enc('"}')])],
      ['a non-ASCII byte outside strings', new Uint8Array([...enc('{"a":'), 0xc3, 0xa9, ...enc('}')])],
    ];
    for (const [what, input] of invalid) {
      it(`refuses ${what}`, () => {
        const bytes = typeof input === 'string' ? enc(input) : input;
        assert.ok(!isJsonObject(bytes), 'test input is invalid');
        assert.equal(skim(bytes), -1);
      });
    }

    it('refuses what is cut short at every byte', () => {
      const text = enc(JSON.stringify(ct('CreateTrafficMirrorTarget', { a: [1.5, true, null, 'é𝄞', { b: '\\"' }] })));
      for (let cut = 1; cut < text.length; cut++) assert.equal(skim(text.subarray(0, cut)), -1, `cut at ${cut}`);
    });

    it('refuses nesting deeper than the scanner accepts, and deeper than 64 levels', () => {
      const nested = (n: number) => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);
      assert.equal(skim(nested(5), 5), nested(5).length);
      assert.equal(skim(nested(5), 4), -1);
      assert.equal(skim(nested(64), 512), nested(64).length);
      assert.equal(skim(nested(65), 512), -1);
      assert.equal(skim('{"a":[[[[1]]]]}', 4), -1);
    });

    it('on generated JSON with random blanks: accepts every object, ends where it ends', () => {
      // short blanks, and runs around the 16 bytes read at a time
      const blank = fc.constantFrom('', ' ', '\n', '\t', '\r\n', '  ', ' '.repeat(15), ' '.repeat(16), '\n' + ' '.repeat(16), '\r\n' + '\t'.repeat(40));
      fc.assert(
        fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 6 })), fc.array(blank, { minLength: 64, maxLength: 64 }), (obj, blanks) => {
          let k = 0;
          // blanks between tokens only: after structural characters outside strings
          const text = JSON.stringify(obj, null, 1).replace(/\n */g, () => blanks[k++ % blanks.length]);
          const bytes = enc(text);
          assert.ok(isJsonObject(bytes));
          assert.equal(skim(bytes), bytes.length);
        }),
        { numRuns: 300 },
      );
    });

    it('on damaged JSON: whatever it accepts is a JSON object (never more lenient than JSON.parse)', () => {
      const damage = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete'));
      fc.assert(
        fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 4 })), fc.array(damage, { minLength: 1, maxLength: 3 }), (obj, edits) => {
          let bytes = enc(JSON.stringify(obj));
          for (const [at, byte, kind] of edits) {
            const i = bytes.length === 0 ? 0 : at % bytes.length;
            const b = [...bytes];
            if (kind === 'set') b[i] = byte;
            else if (kind === 'insert') b.splice(i, 0, byte);
            else b.splice(i, 1);
            bytes = new Uint8Array(b);
          }
          if (bytes[0] !== 0x7b) return;
          const end = skim(bytes);
          if (end >= 0) assert.ok(isJsonObject(bytes.subarray(0, end)), `accepted ${JSON.stringify(new TextDecoder().decode(bytes.subarray(0, end)))}`);
          else if (isJsonObject(bytes)) assert.fail(`refused a valid object: ${JSON.stringify(new TextDecoder().decode(bytes))}`);
        }),
        { numRuns: 2000 },
      );
    });
  });

  it('leaves a top-level object with a key the frame watches (it may hold records) to the state machine', () => {
    for (const key of ['Records', 'Events', 'hits', 'digestStartTime', 'digestEndTime', 'logFiles', 'Reco\\u0072ds', 'x\\"y']) {
      for (const text of [`{"${key}":[]}`, `{"a":1, "${key}" : {"b":2}}`]) {
        assert.equal(skim(text, 512, true), -1, text);
        // inside an array of records, keys are not watched
        assert.equal(skim(text), enc(text).length, text);
      }
    }
    for (const text of ['{"a":{"Records":[]}}', '{"Record":[],"hit":1,"Eventss":2,"logfiles":3,"digestStartTim":4,"digestEndTimes":5}']) {
      assert.equal(skim(text, 512, true), enc(text).length, text);
    }
  });

  describe('the window over the caller\'s bytes', () => {
    it('finds records after the first megabyte, and records longer than the window', () => {
      const s = skimmer();
      try {
        const small = enc(JSON.stringify({ a: 'x'.repeat(100) }));
        const big = enc(JSON.stringify({ a: 'y'.repeat(3 << 20) }));
        const bytes = new Uint8Array(small.length * 20000 + big.length);
        for (let k = 0; k < 20000; k++) bytes.set(small, k * small.length);
        bytes.set(big, small.length * 20000);
        for (let k = 0; k < 20000; k += 997) assert.equal(s.object(bytes, k * small.length, bytes.length, 512), (k + 1) * small.length);
        assert.equal(s.object(bytes, small.length * 20000, bytes.length, 512), bytes.length);
        // the same buffer refilled: forget() makes it copy again
        bytes.fill(0x20, 0, small.length);
        bytes[0] = 0x7b;
        s.forget();
        assert.equal(s.object(bytes, 0, bytes.length, 512), -1);
      } finally {
        s.release();
      }
    });
  });

  describe('the prefilter\'s required text, and the escapes that may hide it', () => {
    const flagsOf = (query: string, record: string): { ruledOut: boolean; backslash: boolean } => {
      const prefilter = prefilterFor([parseKql(query)]);
      assert.ok(prefilter?.required, `a required text for ${query}`);
      const s = skimmer();
      try {
        s.setRequired(prefilter);
        const bytes = enc(record);
        assert.equal(s.object(bytes, 0, bytes.length, 512), bytes.length);
        return { ruledOut: s.ruledOut, backslash: s.backslash };
      } finally {
        s.release();
      }
    };
    const query = 'event.action:(CreateTrafficMirrorFilter or CreateTrafficMirrorSession)';

    it('rules out a record without it, at any place and alignment', () => {
      assert.deepEqual(flagsOf(query, '{"eventName":"DescribeInstances"}'), { ruledOut: true, backslash: false });
      for (let pad = 0; pad < 40; pad++) {
        const record = `{"p":"${'z'.repeat(pad)}","eventName":"CreateTrafficMirrorSession"}`;
        assert.equal(flagsOf(query, record).ruledOut, false, `padding ${pad}`);
        // the text cut by the record's end is not there
        assert.equal(flagsOf(query, `{"p":"${'z'.repeat(pad)}","e":"CreateTrafficMirro"}`).ruledOut, true, `padding ${pad}, cut`);
      }
    });

    it('keeps a record whose escapes could spell it, and rules out one whose escapes could not', () => {
      // \u0043 is C: the text is there, escaped
      assert.deepEqual(flagsOf(query, '{"eventName":"\\u0043reateTrafficMirrorSession"}'), { ruledOut: false, backslash: true });
      // \u00e9 cannot stand for an ASCII letter, nor \" or \n
      assert.deepEqual(flagsOf(query, '{"eventName":"Describe\\u00e9 \\" \\n"}'), { ruledOut: true, backslash: true });
      // an ASCII escape hides the text only when it writes one of the text's characters (T: yes, & and Z: no)
      assert.equal(flagsOf(query, '{"eventName":"Describe","k":"\\u0054"}').ruledOut, false);
      assert.equal(flagsOf(query, '{"eventName":"Describe","k":"\\u0026 \\u005A \\u005a"}').ruledOut, true);
      // a text beyond ASCII can hide behind any \u escape
      const wide = 'user.name:Zoë-admin';
      assert.equal(flagsOf(wide, '{"userName":"Zo\\u00eb-admin"}').ruledOut, false);
      assert.equal(flagsOf(wide, '{"userName":"other \\" x"}').ruledOut, true);
    });

    it('rules out a record that lacks a literal of every alternative, not only the shared text', () => {
      const both = 'event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or CreateTrafficMirrorSession)';
      const rec = (action: string, source: string) => `{"eventSource":"${source}","eventName":"${action}"}`;
      assert.equal(flagsOf(both, rec('CreateTrafficMirrorSession', 'ec2.amazonaws.com')).ruledOut, false);
      assert.equal(flagsOf(both, rec('CreateTrafficMirrorFilter', 'ec2.amazonaws.com')).ruledOut, false);
      // the shared text is there, but no alternative is whole
      assert.equal(flagsOf(both, rec('CreateTrafficMirrorTarget', 'ec2.amazonaws.com')).ruledOut, true);
      assert.equal(flagsOf(both, rec('CreateTrafficMirrorSession', 's3.amazonaws.com')).ruledOut, true);
      // the literals may sit anywhere, apart
      assert.equal(flagsOf(both, '{"a":"ec2.amazonaws.com","b":{"c":["x CreateTrafficMirrorFilter y"]}}').ruledOut, false);
      // an escape of a literal's character (the '.' of ec2.amazonaws.com) may spell it
      assert.equal(flagsOf(both, rec('CreateTrafficMirrorSession', 'ec2\\u002eamazonaws.com')).ruledOut, false);
    });

    it('gives way to an escaped backslash only where the record may be an element of lookup-events output', () => {
      // \\ alone, or with escapes that cannot matter: ruled out
      assert.equal(flagsOf(query, '{"eventName":"Describe","path":"C:\\\\tmp \\" \\n"}').ruledOut, true);
      // with the element's key, or a \u escape that may spell it (E and d: the key's, not the text's): kept, the prefilter decides
      assert.equal(flagsOf(query, '{"CloudTrailEvent":"{\\"eventName\\":\\"\\\\u0043reateTrafficMirrorSession\\"}"}').ruledOut, false);
      assert.equal(flagsOf(query, '{"eventName":"Describe","path":"C:\\\\tmp","n":"\\u0045"}').ruledOut, false);
      assert.equal(flagsOf(query, '{"eventName":"Describe","path":"C:\\\\tmp","n":"\\u0064"}').ruledOut, false);
      // a \u escape of none of the key's characters cannot spell it: \u00e9 is é, \u0026 is &
      assert.equal(flagsOf(query, '{"eventName":"Describe","path":"C:\\\\tmp","n":"\\u00e9 \\u0026"}').ruledOut, true);
      // \u005c writes a backslash too
      assert.equal(flagsOf(query, '{"CloudTrailEvent":"{\\"eventName\\":\\"\\u005cu0043reateTrafficMirrorSession\\"}"}').ruledOut, false);
      assert.equal(flagsOf(query, '{"eventName":"Describe","path":"\\u005c"}').ruledOut, true);
    });

    it('never rules out a record the prefilter keeps, nor finds one it rules out (generated records)', () => {
      const both = 'event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or CreateTrafficMirrorSession or CreateTrafficMirrorTarget)';
      const prefilter = prefilterFor([parseKql(both)]);
      assert.ok(prefilter);
      const piece = fc.constantFrom(
        'CreateTrafficMirrorSession', 'CreateTrafficMirrorFilter', 'CreateTrafficMirro', 'ec2.amazonaws.com', 'ec2.amazonaws', 'CloudTrailEvent',
        '\\\\', '\\u0043', '\\u0063', '\\u002e', '\\u00e9', '\\u005c', '\\u005C', '\\u0045', '\\u0026', '\\"', '\\n', 'x', ' ', 'é',
      );
      const s = skimmer();
      try {
        s.setRequired(prefilter);
        let ruledOut = 0;
        let found = 0;
        fc.assert(
          fc.property(fc.array(fc.array(piece, { maxLength: 6 }), { minLength: 1, maxLength: 4 }), (values) => {
            const record = enc('{' + values.map((v, k) => `"k${k}":"${v.join('')}"`).join(',') + '}');
            assert.equal(s.object(record, 0, record.length, 512), record.length);
            const text = new TextDecoder().decode(record);
            // what the fast path found, the prefilter keeps (the scanner then skips its test)
            if (s.literalsFound) {
              found++;
              assert.equal(prefilter(record, 0, record.length, s.backslash), true, text);
            }
            if (!s.ruledOut) return;
            ruledOut++;
            assert.equal(prefilter(record, 0, record.length, s.backslash), false, text);
          }),
          { numRuns: 3000 },
        );
        assert.ok(ruledOut > 300 && found > 100, `only ${ruledOut} records ruled out, ${found} found: the property tested little`);
      } finally {
        s.release();
      }
    });
  });

  describe('the record digest', () => {
    it('gives the JavaScript reference\'s lanes for any bytes, from any lanes, past the window too', () => {
      const s = skimmer();
      try {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), fc.nat(), fc.nat(), (bytes, a, b) => {
            const h1 = a >>> 0;
            const h2 = (b * 2654435761) >>> 0;
            assert.deepEqual(s.digest(bytes, h1, h2), digestLanes(bytes, h1, h2));
          }),
          { numRuns: 500 },
        );
        // longer than the 1 MiB window: hashed in turns
        const big = new Uint8Array(2_500_000);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 9)) & 0xff;
        assert.deepEqual(s.digest(big, 0x811c9dc5, 0xcbf29ce4), digestLanes(big, 0x811c9dc5, 0xcbf29ce4));
      } finally {
        s.release();
      }
    });

    it('is the same value however a record is split (RecordDigest, short and long pieces)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 4000, size: 'max' }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
          const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((x, y) => x - y);
          const d = new RecordDigest();
          let from = 0;
          for (const c of [...at, bytes.length]) {
            d.update(bytes.subarray(from, c));
            from = c;
          }
          const [h1, h2] = digestLanes(bytes, 0x811c9dc5, 0xcbf29ce4);
          assert.equal(d.hex(), h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0'));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('the scanner with and without it', () => {
    const files = ['envelope-pretty.json', 'lookup-events.json', 'lines-crlf.jsonl', 'es-hits.json', 'digest.json'];
    for (const name of files) {
      it(`${name}: the same records, problems and skips, in any chunking`, () => {
        const bytes = fixture(name);
        const slow = summary(scanChunked(bytes, bytes.length, { fastPath: false }));
        for (const size of [bytes.length, 4096, 97, 7]) assert.deepEqual(summary(scanChunked(bytes, size)), slow, `chunk size ${size}`);
      });
    }

    // scanFile's way: one skimmer serves the position tracker and the scanner, and each chunk goes
    // to the tracker first. Here one buffer is refilled for every chunk, the hardest case for a
    // window of bytes copied earlier.
    const many = enc(
      JSON.stringify({
        Records: Array.from({ length: 300 }, (_, i) => ct(i % 50 === 7 ? 'CreateTrafficMirrorSession' : `Describe${i}`, { note: i % 3 === 0 ? 'é'.repeat(i % 11) : 'plain' })),
      }),
    );
    for (const [name, input] of [...files.map((f) => [f, fixture(f)] as const), ['300 records, many per chunk', many] as const]) {
      it(`${name}: the same with a skimmer lent by the position tracker, one buffer refilled for each chunk`, () => {
        const bytes = input;
        const prefilter = prefilterFor([parseKql('event.action:CreateTrafficMirrorSession')]);
        const expected = summary(scanChunked(bytes, bytes.length, { fastPath: false, prefilter }));
        for (const size of [4096, 1000, 97, 7]) {
          const shared = skimmer();
          try {
            const records: FoundRecord[] = [];
            const problems: Problem[] = [];
            const skipped: Span[] = [];
            const tracker = new StreamPositions({ counter: shared, blockSize: 64 });
            const scanner = new RecordScanner({ record: (r) => records.push(r), problem: (p) => problems.push(p), skipped: (sp) => skipped.push(sp) }, { prefilter, skimmer: shared });
            const buffer = new Uint8Array(size);
            for (let from = 0; from < bytes.length; from += size) {
              const n = Math.min(size, bytes.length - from);
              buffer.set(bytes.subarray(from, from + n));
              const chunk = n === size ? buffer : buffer.subarray(0, n);
              tracker.push(chunk);
              scanner.push(chunk);
            }
            scanner.end();
            tracker.end();
            const got = summary({ records, problems, shape: scanner.shape, skipped, recordCount: scanner.recordCount });
            assert.deepEqual(got, expected, `chunk size ${size}`);
            assert.equal(tracker.length, bytes.length);
          } finally {
            shared.release();
          }
        }
      });
    }
  });
});
