import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateKql, parseKql, queryFields, requiredLiterals, requiredValues } from '../../../src/core/kql';
import { docOf } from './helpers';

const SEED =
  'event.dataset:aws.cloudtrail and event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or ' +
  'CreateTrafficMirrorFilterRule or CreateTrafficMirrorSession or CreateTrafficMirrorTarget) and event.outcome:success';

// For these tests, fields under `raw.` hold values copied verbatim from the record.
const verbatim = (f: string): boolean => f.startsWith('raw.') || f === 'event.provider' || f === 'event.action';

describe('kql query analysis', () => {
  describe('queryFields', () => {
    it('lists the fields of the seed rule once each, in order', () => {
      assert.deepEqual(queryFields(parseKql(SEED)), ['event.dataset', 'event.provider', 'event.action', 'event.outcome']);
    });

    it('includes negated, range, exists and nested fields with their full names', () => {
      const q = parseKql('not a:1 and b > 2 and c:* and items:{ name:x and tags:{ k:v } }');
      assert.deepEqual(queryFields(q), ['a', 'b', 'c', 'items', 'items.name', 'items.tags', 'items.tags.k']);
    });

    it('keeps wildcard names as written and gives * for a bare value', () => {
      assert.deepEqual(queryFields(parseKql('event.*:x or value')), ['event.*', '*']);
      assert.deepEqual(queryFields(parseKql('')), []);
    });
  });

  describe('requiredValues', () => {
    const exact = (f: string): boolean => f === 'event.action' || f === 'event.provider';

    it('gives, for the seed rule, the service and one of the four actions as exact values', () => {
      const r = requiredValues(parseKql(SEED), exact);
      assert.equal(r?.length, 4);
      assert.deepEqual(r?.[2], [
        { field: 'event.provider', value: 'ec2.amazonaws.com' },
        { field: 'event.action', value: 'CreateTrafficMirrorSession' },
      ]);
    });

    it('returns undefined when some way of matching needs no exact value: wildcards, negations, other fields, non-strings', () => {
      for (const q of ['event.action:Create*', 'not event.action:X', 'event.action:X or raw.a:y', 'event.outcome:success', 'event.action:true', 'event.action > A', 'event.*:X', '']) {
        assert.equal(requiredValues(parseKql(q), exact), undefined, q);
      }
      assert.deepEqual(requiredValues(parseKql('event.action:X and event.action:Y*'), exact), [[{ field: 'event.action', value: 'X' }]]);
    });
  });

  describe('requiredLiterals', () => {
    it('gives, for the seed rule, the service and one of the four actions', () => {
      assert.deepEqual(requiredLiterals(parseKql(SEED), verbatim), [
        ['ec2.amazonaws.com', 'CreateTrafficMirrorFilter'],
        ['ec2.amazonaws.com', 'CreateTrafficMirrorFilterRule'],
        ['ec2.amazonaws.com', 'CreateTrafficMirrorSession'],
        ['ec2.amazonaws.com', 'CreateTrafficMirrorTarget'],
      ]);
    });

    it('returns undefined when some way of matching needs no literal', () => {
      assert.equal(requiredLiterals(parseKql('raw.a:x or event.outcome:success'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('not raw.a:x'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('raw.a:*'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('raw.n > 5'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('anything'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('raw.*:x'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('raw.a:true'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql('raw.a:""'), verbatim), undefined);
      assert.equal(requiredLiterals(parseKql(''), verbatim), undefined);
    });

    it('keeps what an and still requires when one side requires nothing', () => {
      assert.deepEqual(requiredLiterals(parseKql('raw.a:x and not raw.b:y and event.outcome:success'), verbatim), [['x']]);
    });

    it('requires every literal piece of a wildcard', () => {
      assert.deepEqual(requiredLiterals(parseKql('raw.ua:*aws-cli*/2.*'), verbatim), [['aws-cli', '/2.']]);
    });

    it('prefixes nested paths and deduplicates', () => {
      assert.deepEqual(requiredLiterals(parseKql('raw:{ a:x and b:x }'), verbatim), [['x']]);
    });

    it('caps the number of clauses by dropping conjuncts, never by guessing', () => {
      const list = (f: string): string => `raw.${f}:(${Array.from({ length: 20 }, (_, i) => `${f}${i}`).join(' or ')})`;
      const r = requiredLiterals(parseKql(`${list('a')} and ${list('b')} and ${list('c')}`), verbatim);
      assert.ok(r && r.length <= 400 && r.length >= 20);
    });

    it('is sound: a matching record always contains every literal of some clause', () => {
      const queries = [
        SEED,
        'raw.a:(x or y*z) and raw.b:"q r"',
        'raw.a:x or (raw.b:y and not raw.c:z)',
        'raw.items:{ k:v* and n:w } or raw.a:*x*',
      ].map((text) => ({ q: parseKql(text), lits: requiredLiterals(parseKql(text), verbatim) }));
      const word = fc.constantFrom('x', 'y', 'z', 'yz', 'yaz', 'q r', 'v', 'vv', 'w', 'ax', 'ec2.amazonaws.com', 'CreateTrafficMirrorSession', 'success');
      const record = fc.record({
        event: fc.record({ dataset: fc.constant('aws.cloudtrail'), provider: word, action: word, outcome: word }),
        raw: fc.record({ a: word, b: word, c: word, items: fc.array(fc.record({ k: word, n: word }), { maxLength: 3 }) }),
      });
      fc.assert(
        fc.property(record, (rec) => {
          const text = JSON.stringify(rec);
          for (const { q, lits } of queries) {
            if (!lits || !evaluateKql(q, docOf(rec))) continue;
            assert.ok(lits.some((clause) => clause.every((l) => text.includes(l))), `${text} vs ${JSON.stringify(lits)}`);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
