import assert from 'node:assert/strict';
import { hashMapOrder, isScrubbed, javaDouble, javaMapString, javaNumber, javaStringHash, scrub } from '../../../src/core/ecs/java';

// Expected strings below were printed by java.util.HashMap.toString() on a JVM for the same keys
// inserted in the same order.

describe('ecs/java: Java string hash and HashMap order', () => {
  it('hashes like String.hashCode, with 32-bit wrap-around', () => {
    assert.equal(javaStringHash(''), 0);
    assert.equal(javaStringHash('a'), 97);
    assert.equal(javaStringHash('Aa'), javaStringHash('BB'));
    assert.equal(javaStringHash('hello world, hello world'), 719808652);
    assert.equal(javaStringHash('x'.repeat(40)), 847293440);
  });

  it('orders a small map by hash bucket', () => {
    const keys = ['TrafficMirrorFilterId', 'RuleNumber', 'TrafficDirection', 'RuleAction', 'DestinationCidrBlock', 'SourceCidrBlock', 'ClientToken'];
    const order = hashMapOrder(keys).map((i) => keys[i]);
    assert.deepEqual(order, ['RuleAction', 'SourceCidrBlock', 'RuleNumber', 'DestinationCidrBlock', 'TrafficMirrorFilterId', 'TrafficDirection', 'ClientToken']);
  });

  it('grows the table past 12 entries', () => {
    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'mike', 'november'];
    const order = hashMapOrder(keys).map((i) => keys[i]);
    assert.deepEqual(order, ['november', 'juliett', 'lima', 'foxtrot', 'mike', 'delta', 'echo', 'india', 'bravo', 'golf', 'kilo', 'alpha', 'hotel', 'charlie']);
  });

  it('keeps insertion order among keys with the same hash', () => {
    assert.deepEqual(hashMapOrder(['BB', 'Aa', 'zz']), [0, 1, 2]);
    assert.deepEqual(hashMapOrder(['Aa', 'BB', 'zz']), [0, 1, 2]);
    assert.equal(javaMapString({ BB: 1, Aa: 2, zz: 3 }), '{BB=1, Aa=2, zz=3}');
    assert.equal(javaMapString({ Aa: 1, BB: 2, zz: 3 }), '{Aa=1, BB=2, zz=3}');
  });

  it('handles empty and single-key maps', () => {
    assert.deepEqual(hashMapOrder([]), []);
    assert.deepEqual(hashMapOrder(['only']), [0]);
  });
});

describe('ecs/java: javaMapString (request_parameters rendering)', () => {
  it('renders nested maps in HashMap order', () => {
    const rp = {
      CreateTrafficMirrorFilterRuleRequest: {
        TrafficMirrorFilterId: 'tmf-0a1b',
        RuleNumber: 100,
        TrafficDirection: 'ingress',
        RuleAction: 'accept',
        DestinationCidrBlock: '0.0.0.0/0',
        SourceCidrBlock: '10.0.0.0/8',
        ClientToken: 'tok-1',
      },
    };
    assert.equal(
      javaMapString(rp),
      '{CreateTrafficMirrorFilterRuleRequest={RuleAction=accept, SourceCidrBlock=10.0.0.0/8, RuleNumber=100, ' +
        'DestinationCidrBlock=0.0.0.0/0, TrafficMirrorFilterId=tmf-0a1b, TrafficDirection=ingress, ClientToken=tok-1}}',
    );
  });

  it('renders lists as [a, b] and lists of maps', () => {
    const rp = { ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } };
    assert.equal(javaMapString(rp), '{ipPermissions={items=[{ipRanges={items=[{cidrIp=0.0.0.0/0}]}, fromPort=22, toPort=22, ipProtocol=tcp}]}}');
    assert.equal(javaMapString({ tags: ['a', 'b'] }), '{tags=[a, b]}');
    assert.equal(javaMapString([[1, 2], ['x']]), '[[1, 2], [x]]');
  });

  it('drops null and "" entries, and maps or lists they leave empty', () => {
    assert.equal(javaMapString({ a: null, b: '', c: 'kept', d: { e: null }, f: [null, ''], g: [null, 'x'] }), '{c=kept, g=[x]}');
    assert.equal(javaMapString({ a: null }), '');
    assert.equal(javaMapString(null), '');
    assert.equal(javaMapString(''), '');
  });

  it('orders by the capacity the map had before nulls were dropped', () => {
    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'mike', 'november'];
    const withNulls: Record<string, unknown> = {};
    const without: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      withNulls[k] = i === 3 || i === 9 ? null : i;
      if (i !== 3 && i !== 9) without[k] = i;
    });
    assert.equal(
      javaMapString(withNulls),
      '{november=13, lima=11, foxtrot=5, mike=12, echo=4, india=8, bravo=1, golf=6, kilo=10, alpha=0, hotel=7, charlie=2}',
    );
    assert.equal(
      javaMapString(without),
      '{bravo=1, november=13, golf=6, kilo=10, lima=11, foxtrot=5, mike=12, alpha=0, hotel=7, echo=4, india=8, charlie=2}',
    );
  });

  it('prints numbers and booleans as Java does', () => {
    assert.equal(javaMapString({ big: 12345678901, flag: true, tiny: 1e-5, ratio: 0.25 }), '{big=12345678901, flag=true, tiny=1.0E-5, ratio=0.25}');
    assert.equal(javaMapString(false), 'false');
  });

  it('prints keys and values raw, even when they contain separators', () => {
    assert.equal(javaMapString({ 'k=v, x': 'a}b' }), '{k=v, x=a}b}');
  });

  it('keeps a "__proto__" key as data', () => {
    const rp = JSON.parse('{"__proto__": {"polluted": "yes"}, "x": null}');
    assert.equal(javaMapString(rp), '{__proto__={polluted=yes}}');
    const s = scrub(rp) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(s), Object.prototype);
    assert.deepEqual(Object.keys(s), ['__proto__']);
  });
});

describe('ecs/java: numbers', () => {
  it('formats doubles like Double.toString', () => {
    assert.equal(javaDouble(1.5), '1.5');
    assert.equal(javaDouble(100), '100.0');
    assert.equal(javaDouble(1e7), '1.0E7');
    assert.equal(javaDouble(12345678.5), '1.23456785E7');
    assert.equal(javaDouble(1e-4), '1.0E-4');
    assert.equal(javaDouble(0.001), '0.001');
    assert.equal(javaDouble(-2.5e-8), '-2.5E-8');
    assert.equal(javaDouble(1e300), '1.0E300');
    assert.equal(javaDouble(5e-324), '4.9E-324');
    assert.equal(javaDouble(0), '0.0');
  });

  it('prints integral values as integers (JSON.parse cannot tell 100 from 100.0)', () => {
    assert.equal(javaNumber(3600), '3600');
    assert.equal(javaNumber(-0), '0');
    assert.equal(javaNumber(1e20), '100000000000000000000');
    assert.equal(javaNumber(1e21), '1.0E21');
    assert.equal(javaNumber(0.5), '0.5');
  });
});

describe('ecs/java: scrub', () => {
  it('removes null and "" recursively and shares what did not change', () => {
    const keep = { a: 1, b: ['x'] };
    const input = { keep, drop: null, empty: '', nested: { x: null }, list: [null, 'y', ''] };
    const out = scrub(input) as Record<string, unknown>;
    assert.deepEqual(out, { keep: { a: 1, b: ['x'] }, list: ['y'] });
    assert.equal(out.keep, keep);
    assert.deepEqual(input.list, [null, 'y', '']); // the input is not modified
    assert.equal(scrub({ a: { b: null } }), undefined);
    assert.equal(scrub(0), 0);
    assert.equal(scrub(false), false);
    assert.equal(scrub(' '), ' ');
  });

  it('tells whether a value would be removed', () => {
    assert.equal(isScrubbed(''), true);
    assert.equal(isScrubbed({ a: [null, { b: '' }] }), true);
    assert.equal(isScrubbed({ a: [null, { b: 0 }] }), false);
  });
});
