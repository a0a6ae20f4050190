import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WildcardPattern } from '../../../src/core/kql';

/** The obvious regex reading of a `*` pattern: the oracle for the linear matcher. */
function oracle(parts: string[], value: string): boolean {
  const esc = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${esc.join('[\\s\\S]*')}$`).test(value);
}

describe('kql wildcard patterns', () => {
  it('agree with a regex oracle on random patterns and values', () => {
    const piece = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 });
    fc.assert(
      fc.property(fc.array(piece, { minLength: 2, maxLength: 5 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 12 }), (parts, value) => {
        assert.equal(new WildcardPattern(parts).test(value), oracle(parts, value), `${parts.join('*')} vs ${value}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('treat regex metacharacters and non-ASCII text literally', () => {
    assert.equal(WildcardPattern.fromText('a.b*').test('a.bc'), true);
    assert.equal(WildcardPattern.fromText('a.b*').test('axbc'), false);
    assert.equal(WildcardPattern.fromText('*(x)[y]$').test('zz(x)[y]$'), true);
    assert.equal(WildcardPattern.fromText('日*語').test('日本語'), true);
    assert.equal(WildcardPattern.fromText('*\u{1f600}').test('smile \u{1f600}'), true);
    assert.equal(WildcardPattern.fromText('a*').test('a\nb'), true);
  });

  it('does not let the head and the tail overlap', () => {
    assert.equal(WildcardPattern.fromText('ab*ba').test('aba'), false);
    assert.equal(WildcardPattern.fromText('ab*ba').test('abba'), true);
    assert.equal(WildcardPattern.fromText('a*a*a').test('aa'), false);
    assert.equal(WildcardPattern.fromText('a*a*a').test('aaa'), true);
  });

  it('knows a lone wildcard and lower-cases its pieces on demand', () => {
    assert.equal(WildcardPattern.fromText('*').isLone, true);
    assert.equal(WildcardPattern.fromText('**').isLone, false);
    assert.equal(WildcardPattern.fromText('a*').isLone, false);
    const p = WildcardPattern.fromText('Create*Session');
    assert.equal(p.lower().text, 'create*session');
    assert.equal(p.lower().test('createmirrorsession'), true);
    assert.equal(p.test('createmirrorsession'), false);
    const already = WildcardPattern.fromText('a*');
    assert.equal(already.lower(), already); // nothing to lower-case: the same pattern
  });

  it('refuses a pattern without a wildcard', () => {
    assert.throws(() => new WildcardPattern(['abc']));
  });

  it('matches in linear time where backtracking would explode', () => {
    const value = 'a'.repeat(100_000);
    const t0 = Date.now();
    assert.equal(WildcardPattern.fromText('*a*a*a*a*a*a*b').test(value), false);
    assert.equal(WildcardPattern.fromText('*' + 'a*'.repeat(1000) + 'b').test(value), false);
    assert.equal(WildcardPattern.fromText('*' + 'a*'.repeat(1000)).test(value), true);
    assert.equal(WildcardPattern.fromText('*' + 'aaab*'.repeat(10)).test(value), false);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });
});
