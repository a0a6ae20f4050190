import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findRecords } from '../../../src/core/input';
import { prefilterFor } from '../../../src/core/scan/prefilter';
import { parseKql } from '../../../src/core/kql';
import { ct, dec, enc, fixture, names, scanChunked, scanInParts, scanSplit, summary, textAt, withByte } from './helpers';

// Small files that exercise every state of the scanner: escapes, \u, multi-byte characters,
// numbers, literals, a key before Records, a BOM, and broken records with recovery.
const files: Record<string, Uint8Array> = {
  envelope: new Uint8Array([
    0xef,
    0xbb,
    0xbf,
    ...enc(
      JSON.stringify({
        _comment: 'é𝄞中 "q" \\ \u0001',
        Records: [
          ct('CreateTrafficMirrorFilter', { n: [-1.5e3, 0, 0.25, 1e-7, 12345678901234], b: [true, false, null], s: 'tab\tnl\n\u2028/' }),
          ct('Describe\u00e9\u{1d11e}'),
          ct('CreateTrafficMirrorSession', { deep: { a: [{ b: [{ c: {} }] }, []] } }),
        ],
      }).replace('"eventName":"Describe', '"event\\u004eame":"Describe'),
    ),
  ]),
  pretty: fixture('envelope-pretty.json'),
  lookup: fixture('lookup-events.json'),
  lines: fixture('lines-crlf.jsonl'),
  hits: fixture('es-hits.json'),
  broken: withByte(
    [
      '[',
      JSON.stringify(ct('A')) + ',,',
      JSON.stringify(ct('B')).replace('"eventTime"', 'NaN,"eventTime"') + ',',
      JSON.stringify(ct('C')).slice(0, -1) + ',',
      JSON.stringify(ct('D')) + ',',
      JSON.stringify(ct('E', { x: 'o#FF#k' })) + ',',
      JSON.stringify(ct('F')),
      ']',
    ].join('\n'),
    '#FF#',
    0xff,
  ),
};

describe('input: chunking', () => {
  for (const [name, bytes] of Object.entries(files)) {
    describe(name, () => {
      const whole = summary(findRecords(bytes));

      it('gives the same result for every chunk size', () => {
        for (let size = 1; size <= Math.min(bytes.length, 97); size++) {
          assert.deepEqual(summary(scanChunked(bytes, size)), whole, `chunk size ${size}`);
        }
        for (const size of [128, 1000, 4095, 4096, 4097]) assert.deepEqual(summary(scanChunked(bytes, size)), whole, `chunk size ${size}`);
      });

      it('gives the same result when read in parts that stop after any byte (pushPart)', () => {
        for (let step = 0; step <= Math.min(bytes.length, 97); step++) {
          assert.deepEqual(summary(scanInParts(bytes, step)), whole, `parts of ${step} bytes`);
        }
        for (const step of [128, 1000, 4096]) assert.deepEqual(summary(scanInParts(bytes, step)), whole, `parts of ${step} bytes`);
      });

      it('gives the same result when split into two chunks at every byte', () => {
        for (let cut = 0; cut <= bytes.length; cut++) {
          assert.deepEqual(summary(scanSplit(bytes, [cut])), whole, `split at ${cut}`);
        }
      });
    });
  }

  it('pushPart stops just past the record that reaches the point asked, with or without a prefilter', () => {
    const recs = Array.from({ length: 40 }, (_, i) => ct(i % 7 === 0 ? 'CreateTrafficMirrorSession' : `Describe${i}`, { pad: 'x'.repeat(i * 13) }));
    const envelope = enc(JSON.stringify({ Records: recs }));
    const lines = enc(recs.map((r) => JSON.stringify(r)).join('\n'));
    const prefilter = prefilterFor([parseKql('event.action:CreateTrafficMirrorSession')]);
    for (const [name, bytes] of [['envelope', envelope], ['JSON Lines', lines]] as const) {
      for (const [label, options] of [['no prefilter', {}], ['prefilter', { prefilter }]] as const) {
        for (const step of [0, 1, 200, 1500]) {
          const stops: number[] = [];
          const o = scanInParts(bytes, step, options, stops);
          const ends = [...o.records.map((r) => r.span.end), ...o.skipped.map((sp) => sp.end)].sort((a, b) => a - b);
          const what = `${name}, ${label}, parts of ${step}`;
          assert.deepEqual(summary(o), summary(findRecords(bytes, options)), what);
          assert.equal(o.recordCount, 40, what);
          // each stop is the end of the first record that reaches the point asked
          let at = 0;
          for (const stop of stops) {
            assert.equal(stop, ends.find((e) => e > at && e >= at + step), `${what}: stop after ${at}`);
            at = stop;
          }
          if (step <= 1) assert.equal(stops.length, ends.filter((e) => e < bytes.length).length, what); // after every record
        }
      }
    }
  });

  it('the broken file is read as intended (a sanity check of the fixture above)', () => {
    const r = findRecords(files.broken);
    assert.deepEqual(names(r), ['A', 'D', 'F']);
    // C lost its closing brace (D is still found); E has a 0xFF byte in a string
    assert.equal(r.problems.length, 4);
  });
});

describe('input: truncation at every byte', () => {
  const cases: [string, Uint8Array, (prefix: string) => boolean][] = [
    ['compact envelope', enc(JSON.stringify({ Records: [ct('A'), ct('B', { s: 'é𝄞"' }), ct('C')] })), parses],
    ['pretty envelope', fixture('envelope-pretty.json'), parses],
    ['JSON Lines (CRLF)', fixture('lines-crlf.jsonl'), (p) => p.split(/\r?\n/).every((l) => l.trim() === '' || parses(l))],
  ];
  function parses(text: string): boolean {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }

  for (const [name, bytes, complete] of cases) {
    it(name, () => {
      const full = findRecords(bytes);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        const r = findRecords(prefix);
        // every record that ended before the cut was found, with the same span and value
        const expected = full.records.filter((x) => x.span.end <= cut);
        assert.deepEqual(
          r.records.map((x) => [x.span, x.value]),
          expected.map((x) => [x.span, x.value]),
          `cut ${cut}`,
        );
        const text = dec(prefix);
        if (text.trim() === '' || complete(text)) {
          assert.deepEqual(r.problems, [], `cut ${cut} is clean`);
        } else {
          assert.equal(r.problems.length, 1, `cut ${cut}: ${JSON.stringify(r.problems)}`);
          assert.equal(r.problems[0].code, 'json-syntax');
          assert.deepEqual(r.problems[0].span, { start: cut, end: cut });
          assert.match(r.problems[0].message, /^Unexpected end of file/);
        }
      }
    });
  }

  it('lookup-events: records found are always a prefix of the whole file’s', () => {
    const bytes = fixture('lookup-events.json');
    const full = findRecords(bytes).records.map((x) => x.span);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = findRecords(bytes.subarray(0, cut));
      assert.deepEqual(
        r.records.map((x) => x.span),
        full.slice(0, r.records.length),
      );
      assert.ok(r.problems.filter((p) => p.code === 'json-syntax').length <= 1);
    }
  });
});

describe('input: generated files (property)', () => {
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const scalar = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(text, tie('v'), { maxKeys: 3 })),
  })).v;
  const record = fc.record({ eventName: text, eventSource: text, eventVersion: fc.constant('1.09'), extra: fc.dictionary(text, value, { maxKeys: 4 }) }).map((r) => {
    const { extra, ...rest } = r;
    return { ...extra, ...rest } as Record<string, unknown>;
  });

  it('finds every record, with spans and locate() that agree with JSON.parse, whatever the shape and chunking', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('envelope', 'array', 'lines', 'lookup'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (recs, shape, pretty, rawCuts) => {
          const indent = pretty ? 2 : undefined;
          let file: string;
          if (shape === 'envelope') file = JSON.stringify({ Records: recs }, null, indent);
          else if (shape === 'array') file = JSON.stringify(recs, null, indent);
          else if (shape === 'lines') file = recs.map((r) => JSON.stringify(r)).join('\n');
          else file = JSON.stringify({ Events: recs.map((r, i) => ({ EventId: String(i), CloudTrailEvent: JSON.stringify(r) })) }, null, indent);
          const bytes = enc(file);
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const r = scanSplit(bytes, cuts);
          assert.deepEqual(r.problems, []);
          // JSON.parse semantics, including duplicate and __proto__ keys
          assert.deepEqual(
            r.records.map((x) => x.value),
            recs.map((x) => JSON.parse(JSON.stringify(x)) as unknown),
          );
          for (const rec of r.records) {
            const raw = textAt(bytes, rec.span);
            assert.deepEqual(shape === 'lookup' ? JSON.parse(JSON.parse(raw) as string) : JSON.parse(raw), rec.value);
            for (const key of Object.keys(rec.value)) {
              const span = rec.locate([key])!;
              assert.ok(span.start >= rec.span.start && span.end <= rec.span.end);
              let got = textAt(bytes, span);
              if (shape === 'lookup') got = JSON.parse(`"${got}"`) as string;
              assert.deepEqual(JSON.parse(got), rec.value[key]);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('input: damaged files (property)', () => {
  const recs = Array.from({ length: 6 }, (_, i) => ct(`E${i}`, { resources: [{ ARN: `a${i}` }, { ARN: 'b\\"q' }], n: i * 1.5, ok: true, s: 'é𝄞' }));
  const bases: Record<string, Uint8Array> = {
    envelope: enc(JSON.stringify({ Records: recs })),
    array: enc(JSON.stringify(recs)),
    lines: enc(recs.map((r) => JSON.stringify(r)).join('\n') + '\n'),
  };
  const bytesOfInterest = [...'{}[]",:\\\nN x0-.e'].map((c) => c.charCodeAt(0)).concat([0xff, 0xc3, 0x80, 0x01]);
  const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'replace'), byte: fc.constantFrom(...bytesOfInterest) });

  for (const [name, base] of Object.entries(bases)) {
    it(`${name}: never throws, same result in chunks, loses no record away from the damage, one or two problems per fault`, () => {
      const full = findRecords(base).records;
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 2 }), fc.array(fc.nat(), { maxLength: 4 }), (mutations, rawCuts) => {
          let bytes = base;
          const at: number[] = [];
          for (const m of mutations) {
            const p = m.at % bytes.length;
            at.push(p);
            if (m.kind === 'delete') bytes = new Uint8Array([...bytes.subarray(0, p), ...bytes.subarray(p + 1)]);
            else if (m.kind === 'insert') bytes = new Uint8Array([...bytes.subarray(0, p), m.byte, ...bytes.subarray(p)]);
            else {
              bytes = bytes.slice();
              bytes[p] = m.byte;
            }
          }
          const whole = findRecords(bytes);
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          assert.deepEqual(summary(scanSplit(bytes, cuts)), summary(whole));
          const found = new Set(whole.records.map((r) => r.value.eventName));
          const n = mutations.length;
          // a record is damaged when a mutation fell on it or on the separator next to it
          const lost = full.filter((r) => !found.has(r.value.eventName) && !at.some((p) => p >= r.span.start - 2 - n && p <= r.span.end + 1 + n));
          assert.deepEqual(
            lost.map((r) => r.value.eventName),
            [],
          );
          assert.ok(whole.problems.filter((p) => p.code === 'json-syntax').length <= 2 * n, JSON.stringify(whole.problems));
          for (const r of whole.records) assert.deepEqual(JSON.parse(textAt(bytes, r.span)), r.value);
        }),
        { numRuns: 400 },
      );
    });
  }
});
