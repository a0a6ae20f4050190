// Broken and strange files: a corpus of damaged inputs, each built around records known to be intact.
// For every case: no exception escapes, every intact record is found (and nothing that is not a
// record is reported as one), every problem has a position inside the file, and scanText,
// scanBytes and a StreamingScan fed random chunks agree exactly.

import assert from 'node:assert/strict';
import { huntRule } from '../../../src/core/rules';
import { DEFAULT_MAX_RECORD_BYTES } from '../../../src/core/input';
import { prepareRules, scanBytes, StreamingScan } from '../../../src/core/scan';
import type { ScanResult } from '../../../src/core/types';
import { SEED } from './fuzz';
import { assertSpansInside, dec, enc, scanAllWays, seedRule } from './helpers';

/** A successful traffic-mirroring call with a known id (the seed rule matches it). */
function rec(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/u-${id}`, accountId: '111122223333', userName: `u-${id}` },
    eventTime: '2026-11-04T09:13:27Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTrafficMirrorSession',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0 é𝄞',
    requestParameters: { trafficMirrorTargetId: `tmt-${id}`, nested: { list: [1, 2.5, true, null, 'x'] } },
    eventID: `rec-${id}`,
    ...extra,
  };
}
const j = (v: unknown): string => JSON.stringify(v);

/** Every CloudTrail record (the hunt) and the seed rule: findings name every record found. */
const RULES = prepareRules([{ ...huntRule('event.dataset:aws.cloudtrail'), ruleId: 'all' }, seedRule()]);

interface Case {
  name: string;
  bytes: Uint8Array;
  /** Ids of the records that are intact: each must be found. */
  intact: string[];
  /** Ids of every record in the file, intact or not: nothing else may be found. */
  all?: string[];
  /** True: the file is damaged and at least one problem must say where. A range: one problem must start in it. */
  damaged: boolean | [number, number];
  /** The problem code expected (when damaged). */
  code?: string;
}

function idsFound(r: ScanResult): string[] {
  return [...new Set(r.findings.filter((f) => f.rule.ruleId === 'all').map((f) => String(f.fields['event.id'])))].sort();
}

let chunkSeed = SEED;

function check(c: Case): ScanResult {
  const r = scanAllWays(c.bytes, RULES, chunkSeed++);
  assertSpansInside(r, c.bytes.length, c.name);
  const found = idsFound(r);
  for (const id of c.intact) assert.ok(found.includes(`rec-${id}`), `${c.name}: intact record ${id} not found; found ${found.join(', ')}; problems ${JSON.stringify(r.problems)}`);
  const all = new Set((c.all ?? c.intact).map((id) => `rec-${id}`));
  for (const id of found) assert.ok(all.has(id), `${c.name}: ${id} found, but it is not a record of the file`);
  const errors = r.problems.filter((p) => p.severity !== 'info');
  if (c.damaged === false) {
    assert.deepEqual(errors, [], `${c.name}: problems in an undamaged file`);
  } else {
    assert.ok(errors.length >= 1, `${c.name}: damage not reported`);
    if (Array.isArray(c.damaged)) {
      const [from, to] = c.damaged;
      assert.ok(
        errors.some((p) => p.span.start >= from && p.span.start <= to),
        `${c.name}: no problem in bytes ${from}..${to}: ${JSON.stringify(errors.map((p) => [p.span.start, p.message]))}`,
      );
    }
    if (c.code) assert.ok(errors.some((p) => p.code === c.code), `${c.name}: no ${c.code} problem: ${JSON.stringify(errors.map((p) => p.code))}`);
  }
  return r;
}

/** The byte offset of `marker` in the text's UTF-8 encoding. */
function at(text: string, marker: string, from = 0): number {
  const i = text.indexOf(marker, from);
  assert.ok(i >= 0, `no ${marker}`);
  return enc(text.slice(0, i)).length;
}

const A = rec('A');
const B = rec('B');
const C = rec('C');

// ------------------------------------------------------------------------------------------------

describe('robustness: broken and strange files', function () {
  this.timeout(60000);

  describe('truncated at every byte', () => {
    const shapes: [string, string][] = [
      ['compact envelope', j({ Records: [A, B, C] })],
      ['JSON Lines', [A, B, C].map(j).join('\n') + '\n'],
      ['pretty array', JSON.stringify([A, B, C], null, 2)],
    ];
    for (const [name, text] of shapes) {
      it(`${name}: every complete record before the cut is found; an incomplete end is reported at the cut`, () => {
        const bytes = enc(text);
        // where each record's closing brace is: its text as the shape writes it
        const ends = [A, B, C].map((r) => {
          const own = name === 'pretty array' ? JSON.stringify(r, null, 2).split('\n').join('\n  ') : j(r);
          const start = text.indexOf(own);
          assert.ok(start >= 0);
          return { id: String(r.eventID).slice(4), end: enc(text.slice(0, start + own.length)).length };
        });
        for (let cut = 0; cut <= bytes.length; cut++) {
          const prefix = bytes.subarray(0, cut);
          const intact = ends.filter((e) => e.end <= cut).map((e) => e.id);
          const complete = cut === bytes.length || isCompleteJson(dec(prefix), name === 'JSON Lines');
          const r = check({
            name: `${name} cut at ${cut}`,
            bytes: prefix,
            intact,
            all: ['A', 'B', 'C'],
            damaged: complete ? false : [cut, cut],
          });
          if (!complete) assert.ok(r.problems.some((p) => p.code === 'json-syntax' && p.span.start === cut && /end of file/.test(p.message)));
        }
      });
    }
  });

  describe('stray commas, comments and non-JSON tokens', () => {
    const cases: (() => Case)[] = [
      () => {
        const t = `[,${j(A)},,${j(B)},]`;
        return { name: 'commas in an array', bytes: enc(t), intact: ['A', 'B'], damaged: [1, 1] };
      },
      () => {
        const t = `{"Records":[${j(A)},,${j(B)},${j(C)},]}`;
        return { name: 'commas in an envelope', bytes: enc(t), intact: ['A', 'B', 'C'], damaged: [at(t, ',,') + 1, at(t, ',,') + 1] };
      },
      () => {
        const t = `${j(A)},\n,\n${j(B)}\n${j(C)},\n`;
        return { name: 'commas in JSON Lines', bytes: enc(t), intact: ['A', 'B', 'C'], damaged: true };
      },
      () => {
        const t = j(A).replace('"awsRegion"', ',"awsRegion"') + '\n' + j(B) + '\n';
        return { name: 'a double comma inside a record', bytes: enc(t), intact: ['B'], all: ['A', 'B'], damaged: [at(t, ',,"awsRegion"') + 1, at(t, ',,"awsRegion"') + 1] };
      },
      () => {
        const t = `// exported by a tool\n${j(A)}\n/* block */${j(B)}\n${j(C)} // trailing\n`;
        return { name: 'JSONC comments in JSON Lines', bytes: enc(t), intact: ['A', 'B', 'C'], damaged: [0, 0] };
      },
      () => {
        const t = `[\n  // first\n  ${j(A)}, /* between */ ${j(B)},\n  /* multi\n  line */\n  ${j(C)}\n]`;
        return { name: 'comments in an array', bytes: enc(t), intact: ['A', 'B', 'C'], damaged: true };
      },
      () => {
        const t = `{"Records": /* c */ [${j(A)}, // x\n${j(B)},/* y */${j(C)}]}`;
        return { name: 'comments in an envelope', bytes: enc(t), intact: ['A', 'B', 'C'], damaged: true };
      },
      () => {
        const t = `/* header */{"Records":[${j(A)},${j(B)}]}`;
        return { name: 'a comment before a one-line envelope', bytes: enc(t), intact: ['A', 'B'], damaged: [0, 0] };
      },
      () => {
        const t = `[${j(A).replace('"x"', 'NaN')},${j(B).replace('2.5', 'Infinity')},${j(C).replace('2.5', '-Infinity')},${j(rec('D'))}]`;
        return { name: 'NaN and Infinity as values', bytes: enc(t), intact: ['D'], all: ['A', 'B', 'C', 'D'], damaged: [at(t, 'NaN'), at(t, 'NaN')] };
      },
      () => {
        const t = `NaN\n${j(A)}\nInfinity\n-Infinity\n${j(B)}\nundefined\n${j(C)}\n`;
        return { name: 'NaN and Infinity lines', bytes: enc(t), intact: ['A', 'B', 'C'], damaged: [0, 0] };
      },
      () => {
        const t = `[${j(A).replace(/"/g, "'")},${j(B)}]`;
        return { name: 'single quotes', bytes: enc(t), intact: ['B'], all: ['A', 'B'], damaged: [2, 2] };
      },
      () => {
        const t = `[${j(A).replace('"eventName"', 'eventName')},${j(B)}]`;
        return { name: 'an unquoted key', bytes: enc(t), intact: ['B'], all: ['A', 'B'], damaged: [at(t, 'eventName:'), at(t, 'eventName:')] };
      },
    ];
    for (const make of cases) {
      const c = make();
      it(c.name, () => {
        check(c);
      });
    }
  });

  describe('duplicate keys', () => {
    it('a duplicate key: the last value counts (as in JSON.parse and Elasticsearch), and the underline is on it', () => {
      const t = `[${j(A).replace('"eventName":"CreateTrafficMirrorSession"', '"eventName":"DescribeInstances","eventName":"CreateTrafficMirrorSession"')}]`;
      const bytes = enc(t);
      const r = check({ name: 'duplicate eventName', bytes, intact: ['A'], damaged: false });
      const seed = r.findings.find((f) => f.rule.ruleId !== 'all');
      assert.ok(seed, 'the seed rule matches');
      assert.equal(dec(bytes.subarray(seed.matched.start, seed.matched.end)), '"CreateTrafficMirrorSession"');
      assert.equal(seed.matched.start, at(t, '"CreateTrafficMirrorSession"'));
      // and the other way round: the first value matches, the last does not
      const u = `[${j(A).replace('"eventName":"CreateTrafficMirrorSession"', '"eventName":"CreateTrafficMirrorSession","eventName":"DescribeInstances"')}]`;
      assert.equal(scanBytes(enc(u), RULES).findings.filter((f) => f.rule.ruleId !== 'all').length, 0);
    });

    it('two "Records" keys: the records of both arrays are found', () => {
      check({ name: 'two Records keys', bytes: enc(`{"Records":[${j(A)}],"Records":[${j(B)},${j(C)}]}`), intact: ['A', 'B', 'C'], damaged: false });
    });
  });

  describe('byte-order marks and encodings', () => {
    const text = j({ Records: [A, B] });
    it('a UTF-8 BOM is skipped; offsets still count it', () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc(text)]);
      const r = check({ name: 'UTF-8 BOM', bytes, intact: ['A', 'B'], damaged: false });
      assert.ok(r.findings.every((f) => f.record.start >= 3));
      const seed = r.findings.find((f) => f.rule.ruleId !== 'all')!;
      assert.equal(dec(bytes.subarray(seed.matched.start, seed.matched.end)), '"CreateTrafficMirrorSession"');
    });
    for (const [name, bytes] of [
      ['UTF-16 LE with its BOM', new Uint8Array([0xff, 0xfe, ...utf16(text, true)])],
      ['UTF-16 BE with its BOM', new Uint8Array([0xfe, 0xff, ...utf16(text, false)])],
      ['UTF-16 LE without a BOM', utf16(text, true)],
      ['UTF-16 BE without a BOM', utf16(text, false)],
      ['UTF-32 LE with its BOM', new Uint8Array([0xff, 0xfe, 0, 0, ...[...text].flatMap((ch) => [ch.charCodeAt(0), 0, 0, 0])])],
    ] as const) {
      it(`${name}: reported as an encoding problem at the start, nothing misread`, () => {
        const r = check({ name, bytes, intact: [], all: [], damaged: [0, 0], code: 'invalid-encoding' });
        assert.equal(r.recordCount, 0);
      });
    }
  });

  describe('invalid UTF-8', () => {
    const sequences: [string, number[]][] = [
      ['a stray continuation byte', [0x80]],
      ['0xFF', [0xff]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a sequence cut short', [0xe2, 0x82]],
    ];
    for (const [what, seq] of sequences) {
      it(`${what} inside a string: that record is skipped at the byte, the others are found`, () => {
        const t = `${j(A)}\n${j(B).replace('u-B', 'u-#BAD#')}\n${j(C)}\n`;
        const [before, after] = t.split('#BAD#');
        const bytes = new Uint8Array([...enc(before), ...seq, ...enc(after)]);
        const pos = enc(before).length;
        check({ name: what, bytes, intact: ['A', 'C'], all: ['A', 'B', 'C'], damaged: [pos, pos + seq.length], code: 'json-syntax' });
      });
    }
    it('bytes that are not UTF-8 between records', () => {
      const bytes = new Uint8Array([...enc(j(A) + '\n'), 0xff, 0xfe, 0x80, 0x0a, ...enc(j(B) + '\n')]);
      check({ name: 'garbage line', bytes, intact: ['A', 'B'], damaged: [enc(j(A)).length + 1, enc(j(A)).length + 1] });
    });
  });

  describe('binary files', () => {
    const random = (n: number, seed: number): Uint8Array => {
      const out = new Uint8Array(n);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    };
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, ...random(2000, 7)]);
    const cases: [string, Uint8Array][] = [
      ['64 KiB of random bytes', random(64 * 1024, SEED)],
      ['a PNG', png],
      ['gzip data (not decompressed by the engine)', new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, ...random(500, 3)])],
      ['a ZIP archive', new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...random(500, 4)])],
      ['an ELF executable', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...random(4000, 5)])],
      ['random printable garbage', enc(dec(random(8000, 9)).replace(/[^\x20-\x7e\n]/g, '{'))],
    ];
    for (const [name, bytes] of cases) {
      it(`${name}: reported, no record invented`, () => {
        const r = check({ name, bytes, intact: [], all: [], damaged: true });
        assert.ok(r.problems.length <= 64, `${r.problems.length} problems for one file`);
      });
    }
  });

  it('a small log whose tail a crash filled with NUL bytes: its records are kept, the NULs reported where they start', () => {
    const t = j({ Records: [A, B] });
    const bytes = new Uint8Array([...enc(t), ...new Uint8Array(3000)]);
    check({ name: 'NUL tail', bytes, intact: ['A', 'B'], damaged: [enc(t).length, enc(t).length] });
    const lines = new Uint8Array([...enc(`${j(A)}\n${j(B)}\n`), ...new Uint8Array(512), ...enc(`\n${j(C)}\n`)]);
    check({ name: 'NUL run between lines', bytes: lines, intact: ['A', 'B', 'C'], damaged: [enc(`${j(A)}\n${j(B)}\n`).length, enc(`${j(A)}\n${j(B)}\n`).length] });
  });

  describe('huge values and deep nesting', () => {
    const bigHead = enc(`{"Records":[${j(A)},{"eventVersion":"1.09","eventSource":"ec2.amazonaws.com","eventName":"CreateTrafficMirrorSession","eventID":"rec-BIG","userAgent":"`);
    const bigTail = enc(`"},${j(C)}]}`);

    it('a single 100 MB string value: the records around it are found, the same whole and in chunks, in bounded time', function () {
      this.timeout(120000);
      const big = 100 * 1024 * 1024;
      const bytes = new Uint8Array(bigHead.length + big + bigTail.length);
      bytes.set(bigHead, 0);
      bytes.fill(0x61, bigHead.length, bigHead.length + big);
      bytes.set(bigTail, bigHead.length + big);
      const t0 = Date.now();
      const whole = scanBytes(bytes, RULES);
      const ms = Date.now() - t0;
      const s = new StreamingScan(RULES);
      for (let i = 0; i < bytes.length; i += 1 << 20) s.push(bytes.subarray(i, Math.min(bytes.length, i + (1 << 20))));
      assert.deepEqual(JSON.parse(JSON.stringify(s.end())), JSON.parse(JSON.stringify(whole)));
      assert.deepEqual(idsFound(whole), ['rec-A', 'rec-C']);
      assert.equal(whole.problems.length, 1);
      assert.equal(whole.problems[0].code, 'too-large');
      assert.equal(whole.problems[0].span.start, bigHead.lastIndexOf(0x7b), 'at the big record\'s {');
      assert.ok(ms < 20000, `scanBytes took ${ms} ms`);
    });

    it('a 256 MB string value streamed: memory stays under twice the record limit, whatever the value size', function () {
      this.timeout(120000);
      const chunk = new Uint8Array(1 << 20).fill(0x61); // the same MiB pushed again and again: no 256 MB buffer
      const before = process.memoryUsage();
      let peak = 0;
      const s = new StreamingScan(RULES);
      s.push(bigHead);
      for (let i = 0; i < 256; i++) {
        s.push(chunk);
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
      }
      s.push(bigTail);
      const r = s.end();
      assert.deepEqual(idsFound(r), ['rec-A', 'rec-C']);
      assert.deepEqual(
        r.problems.map((p) => p.code),
        ['too-large'],
      );
      // what is held is one record's worth at most (the 64 MiB limit, and the copy while it grows)
      assert.ok(peak < 2 * DEFAULT_MAX_RECORD_BYTES, `streaming held ${(peak / 1048576).toFixed(0)} MiB`);
    });

    it('a 100 MB top-level string line in JSON Lines: the lines around it are found', function () {
      this.timeout(120000);
      const head = enc(`${j(A)}\n"`);
      const tail = enc(`"\n${j(B)}\n`);
      const bytes = new Uint8Array(head.length + 100 * 1024 * 1024 + tail.length);
      bytes.set(head, 0);
      bytes.fill(0x62, head.length, bytes.length - tail.length);
      bytes.set(tail, bytes.length - tail.length);
      const r = scanBytes(bytes, RULES);
      assert.deepEqual(idsFound(r), ['rec-A', 'rec-B']);
      assertSpansInside(r, bytes.length, '100 MB line');
    });

    const deep = 100_000;
    const cases: (() => Case)[] = [
      () => {
        const t = `{"Records":[${j(A)},${'['.repeat(deep)}${']'.repeat(deep)},${j(B)}]}`;
        return { name: '100,000 nested arrays between records', bytes: enc(t), intact: ['A', 'B'], damaged: [at(t, '[['), at(t, '[[') + 600], code: 'too-large' };
      },
      () => {
        const t = `[${j(A)},${j(rec('X', { deep: JSON.parse('[' + '{"a":['.repeat(300) + ']}'.repeat(300) + ']') })).replace('"deep":', `"deep":${'{"a":'.repeat(deep)}1${'}'.repeat(deep)},"deep2":`)},${j(B)}]`;
        return { name: '100,000 nested objects inside a record', bytes: enc(t), intact: ['A', 'B'], all: ['A', 'B', 'X'], damaged: true, code: 'too-large' };
      },
      () => {
        const t = `${j(A)}\n${'['.repeat(deep)}\n${j(B)}\n${j(C)}\n`;
        return { name: '100,000 unclosed brackets on a JSON Lines line', bytes: enc(t), intact: ['A'], all: ['A', 'B', 'C'], damaged: true, code: 'too-large' };
      },
      () => {
        const t = `{"Records":[${j(A)},${'{"a":'.repeat(deep)}`;
        return { name: '100,000 unclosed objects at the end', bytes: enc(t), intact: ['A'], damaged: true };
      },
      () => {
        // valid JSON inside a string, where the scanner's depth limit does not reach: parsed, mapped, evaluated
        const inner = j(rec('Deep', { requestParameters: 'DEEP' })).replace('"DEEP"', '{"a":'.repeat(deep) + '[1]' + '}'.repeat(deep));
        const t = j({ Events: [{ EventId: '1', CloudTrailEvent: j(A) }, { EventId: '2', CloudTrailEvent: inner }, { EventId: '3', CloudTrailEvent: j(B) }] });
        return { name: '100,000 levels inside a CloudTrailEvent string', bytes: enc(t), intact: ['A', 'Deep', 'B'], damaged: false };
      },
      () => {
        // 500 levels: under the scanner's limit, so the record is parsed, mapped and evaluated
        const t = `[${j(rec('D', { requestParameters: JSON.parse('{"a":'.repeat(500) + '1' + '}'.repeat(500)) }))}]`;
        return { name: '500 levels inside a record (accepted)', bytes: enc(t), intact: ['D'], damaged: false };
      },
    ];
    for (const make of cases) {
      const c = make();
      it(c.name, () => {
        check(c);
      });
    }
  });

  describe('records whose eventName is not a string', () => {
    const values: [string, unknown][] = [
      ['a number', 5],
      ['an object', { a: 'CreateTrafficMirrorSession' }],
      ['an array', ['CreateTrafficMirrorSession']],
      ['null', null],
      ['true', true],
    ];
    it('are still records: found and counted the same with and without the prefilter, never matched by the seed rule', () => {
      const records = values.map(([, v], i) => rec(`N${i}`, { eventName: v }));
      for (const bytes of [enc(j({ Records: records })), enc(records.map(j).join('\n')), enc(j({ Events: records.map((r, i) => ({ EventId: String(i), CloudTrailEvent: j(r) })) }))]) {
        const r = check({ name: 'non-string eventName', bytes, intact: values.map((_, i) => `N${i}`), damaged: false });
        assert.equal(r.recordCount, values.length);
        assert.equal(scanBytes(bytes, RULES, { prefilter: false }).recordCount, values.length);
        assert.equal(r.findings.filter((f) => f.rule.ruleId !== 'all').length, 0);
        // the ingest pipeline turns the value into text for event.action, and a hunt sees it
        const hunt = prepareRules([huntRule('event.action:5 or event.action:true or event.action:"[CreateTrafficMirrorSession]" or event.action:"{a=CreateTrafficMirrorSession}"')]);
        assert.equal(scanBytes(bytes, hunt).findings.length, 4);
        assert.equal(scanBytes(bytes, hunt, { prefilter: false }).findings.length, 4);
      }
    });
  });
});

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i + (littleEndian ? 0 : 1)] = c & 0xff;
    out[2 * i + (littleEndian ? 1 : 0)] = c >> 8;
  }
  return out;
}

/** Whether a prefix is valid as it stands: whitespace only, complete JSON, or (JSON Lines) complete lines. */
function isCompleteJson(text: string, lines: boolean): boolean {
  const parses = (s: string) => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  };
  if (text.trim() === '') return true;
  if (lines) return text.split('\n').every((l) => l.trim() === '' || parses(l));
  return parses(text);
}
