import assert from 'node:assert/strict';
import {
  analyze,
  compareCodePoints,
  docDate,
  parseDateExpr,
  parseIp,
  parseIpOrCidr,
  parseNumber,
  resolveDate,
} from '../../../src/core/kql/values';

const hex = (b: Uint8Array | null | undefined): string | null => (b ? Buffer.from(b).toString('hex') : null);
const iso = (t: number): string => new Date(t).toISOString();

function at(text: string, roundUp = false, now = Date.UTC(2024, 4, 15, 13, 45, 30, 250)): string {
  const expr = parseDateExpr(text);
  assert.ok(expr, `not a date: ${text}`);
  return iso(resolveDate(expr, roundUp, now));
}

describe('kql value readings', () => {
  describe('IP addresses', () => {
    it('read IPv4 as IPv4-mapped IPv6', () => {
      assert.equal(hex(parseIp('1.2.3.4')), '00000000000000000000ffff01020304');
      assert.equal(hex(parseIp('255.255.255.255')), '00000000000000000000ffffffffffff');
    });

    it('refuse malformed IPv4', () => {
      for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..3.4', '', ' 1.2.3.4', '1.2.3.4/']) {
        assert.equal(parseIp(bad), null, bad);
      }
    });

    it('read IPv6 in full, compressed and mixed notation', () => {
      assert.equal(hex(parseIp('::')), '0'.repeat(32));
      assert.equal(hex(parseIp('::1')), '0'.repeat(31) + '1');
      assert.equal(hex(parseIp('2001:db8::1')), '20010db8000000000000000000000001');
      assert.equal(hex(parseIp('2001:0DB8:0:0:0:0:0:1')), '20010db8000000000000000000000001');
      assert.equal(hex(parseIp('fe80::')), 'fe800000000000000000000000000000');
      assert.equal(hex(parseIp('::ffff:1.2.3.4')), hex(parseIp('1.2.3.4')));
      assert.equal(hex(parseIp('64:ff9b::192.0.2.33')), '0064ff9b0000000000000000c0000221');
    });

    it('refuse malformed IPv6', () => {
      for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'gggg::', '12345::', 'fe80::1%eth0', ':1', '1:2:3:4:5:6:7::8', '::1.2.3']) {
        assert.equal(parseIp(bad), null, bad);
      }
    });

    it('read CIDR blocks into their first and last address', () => {
      const r = parseIpOrCidr('10.1.2.3/8');
      assert.equal(hex(r?.lo), hex(parseIp('10.0.0.0')));
      assert.equal(hex(r?.hi), hex(parseIp('10.255.255.255')));
      const v6 = parseIpOrCidr('2001:db8::/32');
      assert.equal(hex(v6?.lo), '20010db8000000000000000000000000');
      assert.equal(hex(v6?.hi), '20010db8ffffffffffffffffffffffff');
      const all4 = parseIpOrCidr('0.0.0.0/0');
      assert.equal(hex(all4?.lo), hex(parseIp('0.0.0.0')));
      assert.equal(hex(all4?.hi), hex(parseIp('255.255.255.255')));
      const one = parseIpOrCidr('1.2.3.4/32');
      assert.equal(hex(one?.lo), hex(one?.hi));
      assert.equal(parseIpOrCidr('1.2.3.4/33'), null);
      assert.equal(parseIpOrCidr('::/129'), null);
      assert.equal(parseIpOrCidr('1.2.3.4/x'), null);
      assert.equal(parseIpOrCidr('1.2.3.4/'), null);
    });
  });

  describe('dates', () => {
    it('read ISO dates in UTC unless an offset is given', () => {
      assert.equal(docDate('2024-03-01T10:00:00'), Date.UTC(2024, 2, 1, 10));
      assert.equal(docDate('2024-03-01T10:00:00Z'), Date.UTC(2024, 2, 1, 10));
      assert.equal(docDate('2024-03-01T10:00:00-05:30'), Date.UTC(2024, 2, 1, 15, 30));
      assert.equal(docDate('2024-03-01T10:00:00+0100'), Date.UTC(2024, 2, 1, 9));
      assert.equal(docDate('2024-03-01T10:00:00.123456789Z'), Date.UTC(2024, 2, 1, 10, 0, 0, 123));
      assert.equal(docDate('2024-03-01'), Date.UTC(2024, 2, 1));
      assert.equal(docDate('2024'), Date.UTC(2024, 0, 1));
      assert.equal(docDate('0050-06-01'), new Date('0050-06-01T00:00:00Z').getTime());
    });

    it('read numbers as epoch milliseconds', () => {
      assert.equal(docDate(1_700_000_000_000), 1_700_000_000_000);
      assert.equal(docDate('1700000000000'), 1_700_000_000_000);
    });

    it('refuse impossible dates and other text', () => {
      for (const bad of ['2023-02-29', '2024-13-01', '2024-01-32', '2024-01-01T24:00', '2024-01-01T10:60', 'yesterday', '', '2024-1-1']) {
        assert.ok(Number.isNaN(docDate(bad)), bad);
      }
      assert.ok(Number.isNaN(docDate(true)));
      assert.ok(Number.isNaN(docDate({})));
    });

    it('fill missing components down or up depending on the bound', () => {
      assert.equal(at('2024-03-01'), '2024-03-01T00:00:00.000Z');
      assert.equal(at('2024-03-01', true), '2024-03-01T23:59:59.999Z');
      assert.equal(at('2024-03-01T10', true), '2024-03-01T10:59:59.999Z');
      assert.equal(at('2024-03-01T10:20:30', true), '2024-03-01T10:20:30.999Z');
      assert.equal(at('2024-03-01T10:20:30.5', true), '2024-03-01T10:20:30.500Z');
      // Elasticsearch defaults the month and the day to 01 even when rounding up.
      assert.equal(at('2024-03', true), '2024-03-01T23:59:59.999Z');
    });

    it('apply date math to now and to anchored dates', () => {
      assert.equal(at('now'), '2024-05-15T13:45:30.250Z');
      assert.equal(at('now-1d'), '2024-05-14T13:45:30.250Z');
      assert.equal(at('now+2h-30m'), '2024-05-15T15:15:30.250Z');
      assert.equal(at('now/d'), '2024-05-15T00:00:00.000Z');
      assert.equal(at('now/d', true), '2024-05-15T23:59:59.999Z');
      assert.equal(at('now-1M/M'), '2024-04-01T00:00:00.000Z');
      assert.equal(at('now/M', true), '2024-05-31T23:59:59.999Z');
      assert.equal(at('now/y', true), '2024-12-31T23:59:59.999Z');
      assert.equal(at('now/w'), '2024-05-13T00:00:00.000Z'); // a Monday
      assert.equal(at('now/H'), '2024-05-15T13:00:00.000Z');
      assert.equal(at('now-d'), '2024-05-14T13:45:30.250Z');
      assert.equal(at('2024-01-31||+1M'), '2024-02-29T00:00:00.000Z');
      assert.equal(at('2023-01-31||+1M'), '2023-02-28T00:00:00.000Z');
      assert.equal(at('2024-02-29||+1y'), '2025-02-28T00:00:00.000Z');
      assert.equal(at('2024-03-10||/w'), '2024-03-04T00:00:00.000Z');
      assert.equal(at('1700000000000||+1s'), iso(1_700_000_001_000));
      // An anchor followed by math is read as given, not filled up.
      assert.equal(at('2024-03-01||+1d', true), '2024-03-02T00:00:00.000Z');
    });

    it('refuse malformed date math', () => {
      for (const bad of ['now-', 'now-1x', 'now*2', 'now/', 'yesterday||+1d', 'now 1d', 'nowadays']) {
        assert.equal(parseDateExpr(bad), null, bad);
      }
      assert.equal(at('2024-03-01||'), '2024-03-01T00:00:00.000Z'); // empty math is allowed
    });
  });

  describe('numbers', () => {
    it('accept decimal and exponent notation only', () => {
      assert.equal(parseNumber('42'), 42);
      assert.equal(parseNumber('-4.5'), -4.5);
      assert.equal(parseNumber('+.5'), 0.5);
      assert.equal(parseNumber('1e3'), 1000);
      assert.equal(parseNumber('5.'), 5);
      for (const bad of ['', '0x10', '1_000', 'NaN', 'Infinity', '1e', '.', ' 1', '1,5']) assert.ok(Number.isNaN(parseNumber(bad)), bad);
    });
  });

  describe('text analysis', () => {
    it('splits on non-word characters and lower-cases', () => {
      assert.deepEqual(analyze('The Quick-Brown fox!'), ['the', 'quick', 'brown', 'fox']);
      assert.deepEqual(analyze('ec2.amazonaws.com and 1,000 users'), ['ec2.amazonaws.com', 'and', '1,000', 'users']);
      assert.deepEqual(analyze("can't stop_me"), ["can't", 'stop_me']);
      assert.deepEqual(analyze('Ünïcode ÉTÉ 日本'), ['ünïcode', 'été', '日本']);
      assert.deepEqual(analyze('...'), []);
      assert.deepEqual(analyze('a,b'), ['a', 'b']);
    });
  });

  describe('code point order', () => {
    it('orders supplementary characters after the whole BMP, as UTF-8 bytes do', () => {
      assert.ok(compareCodePoints('\uffff', '\u{1f600}') < 0);
      assert.ok('\uffff' > '\u{1f600}'); // UTF-16 order differs
      assert.ok(compareCodePoints('a', 'b') < 0);
      assert.ok(compareCodePoints('ab', 'a') > 0);
      assert.equal(compareCodePoints('same', 'same'), 0);
    });
  });
});
