import assert from 'node:assert/strict';
import { evaluateKql, parseKql } from '../../../src/core/kql';
import { docOf, matchedFields, matches } from './helpers';

const SEED =
  'event.dataset:aws.cloudtrail and event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or ' +
  'CreateTrafficMirrorFilterRule or CreateTrafficMirrorSession or CreateTrafficMirrorTarget) and event.outcome:success';

function ecs(action: string, outcome = 'success', provider = 'ec2.amazonaws.com'): Record<string, unknown> {
  return { event: { dataset: 'aws.cloudtrail', provider, action, outcome } };
}

describe('kql evaluation', () => {
  describe('the seed rule', () => {
    const q = parseKql(SEED);

    it('matches each of the four traffic mirror actions when they succeeded', () => {
      for (const action of ['CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget']) {
        assert.equal(evaluateKql(q, docOf(ecs(action))), true, action);
      }
    });

    it('does not match failures, other actions, other services, or other letter case', () => {
      assert.equal(evaluateKql(q, docOf(ecs('CreateTrafficMirrorSession', 'failure'))), false);
      assert.equal(evaluateKql(q, docOf(ecs('DeleteTrafficMirrorSession'))), false);
      assert.equal(evaluateKql(q, docOf(ecs('CreateTrafficMirrorSession', 'success', 'iam.amazonaws.com'))), false);
      assert.equal(evaluateKql(q, docOf(ecs('createtrafficmirrorsession'))), false);
      assert.equal(evaluateKql(q, docOf(ecs('CreateTrafficMirrorSessions'))), false);
      assert.equal(evaluateKql(q, docOf({ event: { provider: 'ec2.amazonaws.com', action: 'CreateTrafficMirrorSession', outcome: 'success' } })), false);
    });

    it('reports the four fields that made it match', () => {
      const fields: string[] = [];
      assert.equal(evaluateKql(q, docOf(ecs('CreateTrafficMirrorTarget')), fields), true);
      assert.deepEqual(fields, ['event.dataset', 'event.provider', 'event.action', 'event.outcome']);
    });

    it('reads dotted keys as well as nested objects', () => {
      const flat = {
        'event.dataset': 'aws.cloudtrail',
        'event.provider': 'ec2.amazonaws.com',
        'event.action': 'CreateTrafficMirrorFilter',
        'event.outcome': 'success',
      };
      assert.equal(evaluateKql(q, docOf(flat)), true);
    });
  });

  describe('boolean logic', () => {
    const doc = { a: 'x', b: 'y' };

    it('combines and, or, not with short circuits', () => {
      assert.equal(matches('a:x and b:y', doc), true);
      assert.equal(matches('a:x and b:z', doc), false);
      assert.equal(matches('a:z or b:y', doc), true);
      assert.equal(matches('not a:z', doc), true);
      assert.equal(matches('not (a:x or b:z)', doc), false);
      assert.equal(matches('a:x and not b:y or b:y', doc), true);
      assert.equal(matches('a:x and not (b:y or b:z)', doc), false);
    });

    it('matches every document with an empty query', () => {
      assert.equal(matches('', {}), true);
      assert.equal(matches('   ', doc), true);
    });

    it('is true for `not f:v` when the field is missing', () => {
      assert.equal(matches('not missing:v', doc), true);
      assert.equal(matches('not missing:*', doc), true);
      assert.equal(matches('missing:v', doc), false);
    });

    it('distributes value lists: field:(a and not b)', () => {
      assert.equal(matches('tags:(red and not blue)', { tags: ['red', 'green'] }), true);
      assert.equal(matches('tags:(red and not blue)', { tags: ['red', 'blue'] }), false);
      assert.equal(matches('tags:(red and green)', { tags: ['red', 'green'] }), true);
      assert.equal(matches('tags:(red or blue)', { tags: 'blue' }), true);
    });
  });

  describe('matched fields', () => {
    it('reports only the true branch of an or', () => {
      assert.deepEqual(matchedFields('a:1 or b:2', { a: '9', b: '2' }), ['b']);
      assert.deepEqual(matchedFields('a:1 or b:2', { a: '1', b: '2' }), ['a']);
    });

    it('drops the fields of an and that turned out false', () => {
      assert.deepEqual(matchedFields('(a:1 and b:1) or c:1', { a: '1', b: '2', c: '1' }), ['c']);
    });

    it('does not report negated terms', () => {
      assert.deepEqual(matchedFields('a:1 and not b:2', { a: '1', b: '3' }), ['a']);
      assert.deepEqual(matchedFields('not b:2', { b: '3' }), []);
    });

    it('reports concrete names for wildcard fields and bare values, and no duplicates', () => {
      assert.deepEqual(matchedFields('event.*:Create*', { event: { provider: 'ec2', action: 'CreateX' } }), ['event.action']);
      assert.deepEqual(matchedFields('CreateX', { event: { provider: 'ec2', action: 'CreateX' } }), ['event.action']);
      assert.deepEqual(matchedFields('a:(1 and 2)', { a: ['1', '2'] }), ['a']);
    });

    it('appends to a list the caller already holds', () => {
      const out = ['earlier'];
      assert.equal(evaluateKql(parseKql('a:1'), docOf({ a: '1' }), out), true);
      assert.deepEqual(out, ['earlier', 'a']);
      const kept = ['earlier'];
      assert.equal(evaluateKql(parseKql('a:1 and b:1'), docOf({ a: '1' }), kept), false);
      assert.deepEqual(kept, ['earlier']);
    });
  });

  describe('keyword fields', () => {
    it('match exactly and case-sensitively, whole value only', () => {
      assert.equal(matches('user.name:Alice', { user: { name: 'Alice' } }), true);
      assert.equal(matches('user.name:alice', { user: { name: 'Alice' } }), false);
      assert.equal(matches('user.name:Ali', { user: { name: 'Alice' } }), false);
      assert.equal(matches('user.name:John Smith', { user: { name: 'John Smith' } }), true);
      assert.equal(matches('user.name:"John Smith"', { user: { name: 'John Smith' } }), true);
      assert.equal(matches('user.name:"John"', { user: { name: 'John Smith' } }), false);
    });

    it('match when any element of an array matches', () => {
      assert.equal(matches('event.type:change', { event: { type: ['info', 'change'] } }), true);
      assert.equal(matches('related.user:bob', { related: { user: [['alice'], ['bob']] } }), true);
      assert.equal(matches('event.type:creation', { event: { type: ['info', 'change'] } }), false);
    });

    it('compare numbers and booleans in the document as their text', () => {
      assert.equal(matches('code:200', { code: 200 }), true);
      assert.equal(matches('code:200.0', { code: 200 }), false);
      assert.equal(matches('flag:true', { flag: true }), true);
      assert.equal(matches('flag:true', { flag: 'true' }), true);
      assert.equal(matches('flag:"true"', { flag: true }), true);
      assert.equal(matches('flag:false', { flag: true }), false);
    });

    it('match an empty quoted string only against an empty value', () => {
      assert.equal(matches('f:""', { f: '' }), true);
      assert.equal(matches('f:""', { f: 'x' }), false);
    });

    it('never match the unquoted null keyword (Elasticsearch refuses a null term)', () => {
      assert.equal(matches('f:null', { f: 'null' }), false);
      assert.equal(matches('f:null', { f: null }), false);
      assert.equal(matches('f:"null"', { f: 'null' }), true);
    });

    it('match escaped special characters literally', () => {
      assert.equal(matches('path:C\\:\\\\Windows\\\\\\*', { path: 'C:\\Windows\\*' }), true);
      assert.equal(matches('path:C\\:\\\\Windows\\\\\\*', { path: 'C:\\Windows\\x' }), false);
      assert.equal(matches('f:\\(a\\)', { f: '(a)' }), true);
    });

    it('do not match objects', () => {
      assert.equal(matches('f:x', { f: { g: 'x' } }), false);
    });
  });

  describe('exists', () => {
    it('is true for any non-null value', () => {
      assert.equal(matches('f:*', { f: 'x' }), true);
      assert.equal(matches('f:*', { f: '' }), true);
      assert.equal(matches('f:*', { f: 0 }), true);
      assert.equal(matches('f:*', { f: false }), true);
      assert.equal(matches('f:*', { f: [null, 'x'] }), true);
      assert.equal(matches('f:*', { f: { g: 1 } }), true);
    });

    it('is false for null, empty arrays, empty objects and missing fields', () => {
      assert.equal(matches('f:*', { f: null }), false);
      assert.equal(matches('f:*', { f: [] }), false);
      assert.equal(matches('f:*', { f: [null] }), false);
      assert.equal(matches('f:*', { f: {} }), false);
      assert.equal(matches('f:*', {}), false);
    });

    it('works with wildcard field names, and *:* matches everything', () => {
      assert.equal(matches('event.*:*', { event: { action: 'x' } }), true);
      assert.equal(matches('event.*:*', { other: 'x' }), false);
      assert.equal(matches('*:*', {}), true);
      assert.equal(matches('not *:*', { a: 1 }), false);
    });
  });

  describe('wildcards', () => {
    const doc = { f: 'CreateTrafficMirrorSession' };

    it('match prefix, suffix, infix and several stars, over the whole value', () => {
      assert.equal(matches('f:Create*', doc), true);
      assert.equal(matches('f:*Session', doc), true);
      assert.equal(matches('f:*Mirror*', doc), true);
      assert.equal(matches('f:Create*Mirror*Session', doc), true);
      assert.equal(matches('f:C*a*e*T*', doc), true);
      assert.equal(matches('f:Mirror*', doc), false);
      assert.equal(matches('f:*Mirror', doc), false);
      assert.equal(matches('f:Create*Session*Mirror', doc), false);
      assert.equal(matches('f:**', doc), true);
      assert.equal(matches('f:CreateTrafficMirrorSession*', doc), true);
    });

    it('are case-sensitive on keyword fields', () => {
      assert.equal(matches('f:create*', doc), false);
      assert.equal(matches('f:*session', doc), false);
    });

    it('are literal inside quotes and when escaped', () => {
      assert.equal(matches('f:"Create*"', doc), false);
      assert.equal(matches('f:"Create*"', { f: 'Create*' }), true);
      assert.equal(matches('f:Create\\*', doc), false);
      assert.equal(matches('f:Create\\*', { f: 'Create*' }), true);
      assert.equal(matches('f:a\\**', { f: 'a*bc' }), true);
      assert.equal(matches('f:a\\**', { f: 'abc' }), false);
    });

    it('treat ? as an ordinary character', () => {
      assert.equal(matches('f:a?c', { f: 'abc' }), false);
      assert.equal(matches('f:a?c', { f: 'a?c' }), true);
    });

    it('keep spaces inside the pattern', () => {
      assert.equal(matches('ua:aws cli*', { ua: 'aws cli/2.0' }), true);
      assert.equal(matches('ua:aws cli*', { ua: 'aws-cli/2.0' }), false);
    });

    it('stay linear on a pathological pattern against a 100 KB value', () => {
      const big = { f: 'a'.repeat(100_000) };
      const t0 = Date.now();
      assert.equal(matches('f:*a*a*a*a*a*a*b', big), false);
      assert.equal(matches('f:*a*a*a*a*a*a*a', big), true);
      assert.equal(matches('f:*aab*a', big), false);
      assert.equal(matches('f:a*' + 'a*'.repeat(200) + 'b', big), false);
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    });
  });

  describe('text fields', () => {
    const types = { message: 'text' as const };
    const doc = { message: 'The Quick brown fox, jumped over the lazy dog.' };

    it('match analysed tokens case-insensitively', () => {
      assert.equal(matches('message:quick', doc, types), true);
      assert.equal(matches('message:QUICK', doc, types), true);
      assert.equal(matches('message:qui', doc, types), false);
      assert.equal(matches('message:fox', doc, types), true);
    });

    it('match any word of an unquoted value, and consecutive words of a quoted phrase', () => {
      assert.equal(matches('message:cat dog', doc, types), true);
      assert.equal(matches('message:cat bird', doc, types), false);
      assert.equal(matches('message:"brown fox"', doc, types), true);
      assert.equal(matches('message:"Brown  FOX"', doc, types), true);
      assert.equal(matches('message:"fox brown"', doc, types), false);
      assert.equal(matches('message:"quick fox"', doc, types), false);
    });

    it('do not let a phrase span two elements of an array', () => {
      assert.equal(matches('message:"brown fox"', { message: ['a brown', 'fox b'] }, types), false);
      assert.equal(matches('message:fox', { message: ['a brown', 'fox b'] }, types), true);
    });

    it('match nothing for a value without words', () => {
      assert.equal(matches('message:"..."', { message: '...' }, types), false);
    });

    it('apply wildcards to tokens, lower-cased', () => {
      assert.equal(matches('message:Jump*', doc, types), true);
      assert.equal(matches('message:*azy', doc, types), true);
      assert.equal(matches('message:brown*fox', doc, types), false);
      assert.equal(matches('message:cat jum*', doc, types), true);
    });
  });

  describe('numeric fields', () => {
    const types = { n: 'long' as const, d: 'double' as const, k: 'keyword' as const };

    it('compare numerically', () => {
      assert.equal(matches('n:10', { n: 10 }, types), true);
      assert.equal(matches('n:10.0', { n: 10 }, types), true);
      assert.equal(matches('n:010', { n: 10 }, types), true);
      assert.equal(matches('n:10', { n: '10' }, types), true);
      assert.equal(matches('n:11', { n: 10 }, types), false);
      assert.equal(matches('d:1.5', { d: 1.5 }, types), true);
      assert.equal(matches('d:1.50', { d: '1.5' }, types), true);
      assert.equal(matches('d:15e-1', { d: 1.5 }, types), true);
    });

    it('refuse values that are not numbers, fractions on longs, and wildcards', () => {
      assert.equal(matches('n:ten', { n: 10 }, types), false);
      assert.equal(matches('n:10.5', { n: 10 }, types), false);
      assert.equal(matches('n:1*', { n: 10 }, types), false);
      assert.equal(matches('n:true', { n: 1 }, types), false);
    });

    it('order numbers numerically in ranges, and keywords by character', () => {
      assert.equal(matches('n > 9', { n: 10 }, types), true);
      assert.equal(matches('n >= 10', { n: 10 }, types), true);
      assert.equal(matches('n < 10', { n: 10 }, types), false);
      assert.equal(matches('n <= 10', { n: '10' }, types), true);
      assert.equal(matches('d > 1.25', { d: 1.3 }, types), true);
      assert.equal(matches('d < -1', { d: -2 }, types), true);
      assert.equal(matches('k > 9', { k: '10' }, types), false);
      assert.equal(matches('k > 09', { k: '10' }, types), true);
      assert.equal(matches('k < b', { k: 'a' }, types), true);
      assert.equal(matches('k < B', { k: 'a' }, types), false);
      assert.equal(matches('n > x', { n: 10 }, types), false);
      assert.equal(matches('n > 5 and n < 20', { n: [1, 30] }, types), true); // like ES: any value per bound
    });

    it('compare a numeric value with a keyword field as text', () => {
      assert.equal(matches('k:10', { k: '10' }, types), true);
      assert.equal(matches('k:10', { k: '10.0' }, types), false);
    });
  });

  describe('boolean fields', () => {
    const types = { b: 'boolean' as const };

    it('match true and false, from booleans or their strings', () => {
      assert.equal(matches('b:true', { b: true }, types), true);
      assert.equal(matches('b:false', { b: false }, types), true);
      assert.equal(matches('b:true', { b: 'true' }, types), true);
      assert.equal(matches('b:"false"', { b: false }, types), true);
      assert.equal(matches('b:true', { b: false }, types), false);
      assert.equal(matches('b:yes', { b: true }, types), false);
      assert.equal(matches('not b:true', { b: false }, types), true);
    });
  });

  describe('date fields', () => {
    const types = { '@timestamp': 'date' as const };
    const at = (t: unknown): Record<string, unknown> => ({ '@timestamp': t });

    it('match an exact instant in any notation', () => {
      assert.equal(matches('@timestamp:"2024-03-01T12:00:00Z"', at('2024-03-01T12:00:00Z'), types), true);
      assert.equal(matches('@timestamp:"2024-03-01T14:00:00+02:00"', at('2024-03-01T12:00:00Z'), types), true);
      assert.equal(matches('@timestamp:"2024-03-01T12:00:00.000Z"', at(Date.UTC(2024, 2, 1, 12)), types), true);
      assert.equal(matches('@timestamp:"2024-03-01T12:00:01Z"', at('2024-03-01T12:00:00Z'), types), false);
    });

    it('read a date without a time as the whole day, as Elasticsearch does', () => {
      assert.equal(matches('@timestamp:2024-03-01', at('2024-03-01T23:59:59.999Z'), types), true);
      assert.equal(matches('@timestamp:2024-03-01', at('2024-03-01T00:00:00Z'), types), true);
      assert.equal(matches('@timestamp:2024-03-01', at('2024-03-02T00:00:00Z'), types), false);
    });

    it('compare instants in ranges, rounding missing parts per operator', () => {
      const doc = at('2024-03-01T10:00:00Z');
      assert.equal(matches('@timestamp > "2024-03-01T09:59:59Z"', doc, types), true);
      assert.equal(matches('@timestamp < "2024-03-01T11:00:00+01:00"', doc, types), false);
      assert.equal(matches('@timestamp >= 2024-03-01', doc, types), true);
      assert.equal(matches('@timestamp <= 2024-03-01', doc, types), true); // up to 23:59:59.999
      assert.equal(matches('@timestamp > 2024-03-01', doc, types), false); // after the whole day
      assert.equal(matches('@timestamp < 2024-03-01', doc, types), false);
      assert.equal(matches('@timestamp >= 2024-02-29 and @timestamp < 2024-03-02', doc, types), true);
    });

    it('accept epoch milliseconds on either side', () => {
      const ms = Date.UTC(2024, 2, 1, 10);
      assert.equal(matches(`@timestamp:${ms}`, at('2024-03-01T10:00:00Z'), types), true);
      assert.equal(matches('@timestamp >= 2024-03-01', at(ms), types), true);
    });

    it('evaluate date math relative to now', () => {
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
      const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
      assert.equal(matches('@timestamp > now-1d', at(hourAgo), types), true);
      assert.equal(matches('@timestamp > now-1d', at(weekAgo), types), false);
      assert.equal(matches('@timestamp < now', at(hourAgo), types), true);
      assert.equal(matches('@timestamp >= now-30d/d and @timestamp <= now/d', at(weekAgo), types), true);
    });

    it('refuse values that are not dates and wildcards', () => {
      assert.equal(matches('@timestamp:yesterday', at('2024-03-01T10:00:00Z'), types), false);
      assert.equal(matches('@timestamp:2024*', at('2024-03-01T10:00:00Z'), types), false);
      assert.equal(matches('@timestamp:2024-03-01', at('not a date'), types), false);
    });
  });

  describe('ip fields', () => {
    const types = { 'source.ip': 'ip' as const };
    const from = (ip: unknown): Record<string, unknown> => ({ source: { ip } });

    it('match a CIDR block', () => {
      assert.equal(matches('source.ip:10.0.0.0/8', from('10.20.30.40'), types), true);
      assert.equal(matches('source.ip:10.0.0.0/8', from('11.0.0.1'), types), false);
      assert.equal(matches('source.ip:"192.168.1.0/24"', from('192.168.1.255'), types), true);
      assert.equal(matches('source.ip:2001\\:db8\\:\\:/32', from('2001:db8:1::5'), types), true);
      assert.equal(matches('source.ip:"2001:db8::/32"', from('2001:db9::1'), types), false);
      assert.equal(matches('source.ip:"0.0.0.0/0"', from('8.8.8.8'), types), true);
    });

    it('match the same address in any notation', () => {
      assert.equal(matches('source.ip:1.2.3.4', from('1.2.3.4'), types), true);
      assert.equal(matches('source.ip:"::ffff:1.2.3.4"', from('1.2.3.4'), types), true);
      assert.equal(matches('source.ip:1.2.3.4', from('::ffff:102:304'), types), true);
      assert.equal(matches('source.ip:"2001:DB8:0:0:0:0:0:1"', from('2001:db8::1'), types), true);
      assert.equal(matches('source.ip:1.2.3.5', from('1.2.3.4'), types), false);
      assert.equal(matches('source.ip:"::1.2.3.4"', from('1.2.3.4'), types), false);
    });

    it('do not match wildcards or invalid values, without throwing', () => {
      assert.equal(matches('source.ip:10.*', from('10.0.0.1'), types), false);
      assert.equal(matches('source.ip:localhost', from('127.0.0.1'), types), false);
      assert.equal(matches('source.ip:10.0.0.1', from('ec2.amazonaws.com'), types), false);
      assert.equal(matches('source.ip:*', from('10.0.0.1'), types), true);
    });

    it('order addresses in ranges', () => {
      assert.equal(matches('source.ip >= 10.0.0.0 and source.ip < 10.0.1.0', from('10.0.0.200'), types), true);
      assert.equal(matches('source.ip > "::1"', from('1.2.3.4'), types), true);
      assert.equal(matches('source.ip > 10.0.0.0/8', from('11.0.0.0'), types), false);
    });
  });

  describe('nested', () => {
    const doc = {
      items: [
        { name: 'a', qty: 1 },
        { name: 'b', qty: 5 },
      ],
    };
    const types = { 'items.qty': 'long' as const };

    it('needs one element to satisfy the whole subquery', () => {
      assert.equal(matches('items:{ name:b and qty > 2 }', doc, types), true);
      assert.equal(matches('items:{ name:a and qty > 2 }', doc, types), false);
      assert.equal(matches('items:{ name:a } and items:{ qty > 2 }', doc, types), true);
      assert.equal(matches('not items:{ name:c }', doc, types), true);
    });

    it('reports full field names', () => {
      assert.deepEqual(matchedFields('items:{ name:b and qty > 2 }', doc, types), ['items.name', 'items.qty']);
    });

    it('nests several levels', () => {
      const deep = { a: [{ b: [{ c: 'x', d: 'y' }, { c: 'z', d: 'w' }] }] };
      assert.equal(matches('a:{ b:{ c:x and d:y } }', deep), true);
      assert.equal(matches('a:{ b:{ c:x and d:w } }', deep), false);
      assert.deepEqual(matchedFields('a:{ b:{ c:z } }', deep), ['a.b.c']);
    });

    it('reads a single object under the path too', () => {
      assert.equal(matches('user:{ name:x and id:1 }', { user: { name: 'x', id: '1' } }), true);
      assert.equal(matches('user:{ name:x and id:2 }', { user: { name: 'x', id: '1' } }), false);
      assert.equal(matches('user:{ name:x }', {}), false);
    });
  });

  describe('searches of every field', () => {
    const doc = { event: { action: 'CreateTrafficMirrorSession' }, count: 3, message: 'Hello World' };
    const types = { count: 'long' as const, message: 'text' as const };

    it('match a bare value against any field, each by its type', () => {
      assert.equal(matches('CreateTrafficMirrorSession', doc, types), true);
      assert.equal(matches('createtrafficmirrorsession', doc, types), false);
      assert.equal(matches('3', doc, types), true);
      assert.equal(matches('world', doc, types), true);
      assert.equal(matches('"hello world"', doc, types), true);
      assert.equal(matches('Nothing', doc, types), false);
      assert.equal(matches('CreateTraffic*', doc, types), true);
      assert.equal(matches('*', doc, types), true);
    });

    it('match wildcard field names against the fields present', () => {
      assert.equal(matches('event.*:CreateTrafficMirrorSession', doc, types), true);
      assert.equal(matches('*.action:CreateTrafficMirrorSession', doc, types), true);
      assert.equal(matches('user.*:CreateTrafficMirrorSession', doc, types), false);
      assert.equal(matches('*:3', doc, types), true);
      assert.equal(matches('ev*.action > Create', doc, types), true);
    });
  });

  describe('hostile documents', function () {
    this.timeout(20_000);
    it('reads keys named like prototype members as plain data', () => {
      const doc = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c", "a": {"toString": "t"}}');
      assert.equal(matches('__proto__.polluted:yes', doc), true);
      assert.equal(matches('constructor:c', doc), true);
      assert.equal(matches('a.toString:t', doc), true);
      assert.equal(matches('a.hasOwnProperty:*', doc), false);
      assert.equal(matches('items:{ constructor:* }', { items: [{}] }), false);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('evaluates the seed rule over many documents quickly', () => {
      const q = parseKql(SEED);
      const docs = Array.from({ length: 20_000 }, (_, i) => docOf(ecs(i % 7 === 0 ? 'CreateTrafficMirrorSession' : 'DescribeInstances', i % 2 ? 'success' : 'failure')));
      const t0 = Date.now();
      let n = 0;
      for (const d of docs) if (evaluateKql(q, d)) n++;
      assert.equal(n, docs.filter((_, i) => i % 7 === 0 && i % 2 === 1).length);
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`); // loose: shared machines
    });
  });
});
