import assert from 'node:assert/strict';
import { grokIpCapture, isIpAddress, parseIpAddress, sourceIpOf } from '../../../src/core/ecs/ip';

const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);

describe('ecs/ip: isIpAddress (what the Elasticsearch ip type accepts)', () => {
  it('accepts IPv4 dotted quads', () => {
    for (const s of ['1.2.3.4', '0.0.0.0', '255.255.255.255', '10.0.0.1', '203.0.113.200']) assert.equal(isIpAddress(s), true, s);
  });

  it('rejects malformed IPv4, leading zeros and non-ASCII digits', () => {
    for (const s of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1.2.3.256',
      '01.2.3.4',
      '1.2.3.04',
      '00.1.2.3',
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1.2.3.-4',
      '1.2.3.4:80',
      '\u0661.\u0662.\u0663.\u0664',
      '１.２.３.４',
      '4294967296',
      '1234',
    ]) {
      assert.equal(isIpAddress(s), false, JSON.stringify(s));
    }
  });

  it('accepts IPv6 in full, compressed and IPv4-embedded forms', () => {
    for (const s of [
      '::',
      '::1',
      '1::',
      '2001:db8::1',
      '2001:DB8:0:0:0:0:0:1',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7::',
      '::2:3:4:5:6:7:8',
      '::ffff:192.0.2.1',
      '64:ff9b::198.51.100.7',
      '1:2:3:4:5:6:1.2.3.4',
      'fe80::1%eth0',
    ]) {
      assert.equal(isIpAddress(s), true, s);
    }
  });

  it('rejects malformed IPv6', () => {
    for (const s of [
      ':',
      ':::',
      '1::2::3',
      ':1::',
      '1:',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '12345::',
      'g::1',
      '::1%',
      '::1.2.3',
      '::01.2.3.4',
      '1.2.3.4::',
      '[::1]',
    ]) {
      assert.equal(isIpAddress(s), false, s);
    }
  });

  it('keeps Elasticsearch parser quirks (scope id on IPv4, zero-padded hextets)', () => {
    assert.equal(isIpAddress('1.2.3.4%anything'), true);
    assert.equal(isIpAddress('00001::'), true); // value 1 fits a hextet although it has five digits
  });

  it('returns the 16-byte form used for CIDR matching', () => {
    assert.equal(hex(parseIpAddress('192.0.2.1')), '00000000000000000000ffffc0000201');
    assert.equal(hex(parseIpAddress('::ffff:192.0.2.1')), '00000000000000000000ffffc0000201');
    assert.equal(hex(parseIpAddress('2001:db8::1')), '20010db8000000000000000000000001');
    assert.equal(hex(parseIpAddress('1:2:3:4:5:6:7::')), '00010002000300040005000600070000');
    assert.equal(parseIpAddress('AWS Internal'), undefined);
  });

  it('is false for non-strings', () => {
    assert.equal(isIpAddress(42 as unknown as string), false);
    assert.equal(isIpAddress(undefined as unknown as string), false);
  });
});

describe('ecs/ip: source.ip as the pipeline derives it', () => {
  it('takes whole-value addresses only', () => {
    assert.equal(sourceIpOf('203.0.113.9'), '203.0.113.9');
    assert.equal(sourceIpOf('2001:db8::5'), '2001:db8::5');
    assert.equal(sourceIpOf('fe80::1%en0'), 'fe80::1%en0');
    assert.equal(sourceIpOf('ec2.amazonaws.com'), undefined);
    assert.equal(sourceIpOf('AWS Internal'), undefined);
    assert.equal(sourceIpOf('203.0.113.9, 10.0.0.1'), undefined);
    assert.equal(sourceIpOf(12345), undefined);
    assert.equal(sourceIpOf({ ip: '1.2.3.4' }), undefined);
  });

  it('drops what grok captures but the ip type refuses', () => {
    assert.equal(grokIpCapture('010.1.1.1'), '010.1.1.1');
    assert.equal(sourceIpOf('010.1.1.1'), undefined);
  });

  it('drops what the ip type accepts but grok does not match', () => {
    assert.equal(grokIpCapture('00001::'), undefined);
    assert.equal(sourceIpOf('00001::'), undefined);
    assert.equal(sourceIpOf('1.2.3.4%x'), undefined);
  });

  it('captures the first line that is an address, as grok line anchors do', () => {
    assert.equal(sourceIpOf('AWS Internal\n198.51.100.4'), '198.51.100.4');
    assert.equal(sourceIpOf('198.51.100.4\n198.51.100.5'), '198.51.100.4');
    assert.equal(sourceIpOf('198.51.100.4\r'), undefined);
  });
});
