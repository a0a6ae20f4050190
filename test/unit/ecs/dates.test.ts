import assert from 'node:assert/strict';
import { esIsoDate } from '../../../src/core/ecs';

describe('ecs/dates: the date processor with ISO8601', () => {
  it('prints CloudTrail times with milliseconds in UTC', () => {
    assert.equal(esIsoDate('2024-05-06T07:08:09Z'), '2024-05-06T07:08:09.000Z');
    assert.equal(esIsoDate('2024-05-06T07:08:09.123456789Z'), '2024-05-06T07:08:09.123Z');
    assert.equal(esIsoDate('2024-05-06T07:08:09,5Z'), '2024-05-06T07:08:09.500Z');
  });

  it('converts offsets to UTC', () => {
    assert.equal(esIsoDate('2024-05-06T01:30:00+02:00'), '2024-05-05T23:30:00.000Z');
    assert.equal(esIsoDate('2024-12-31T23:00:00-0130'), '2025-01-01T00:30:00.000Z');
    assert.equal(esIsoDate('2024-05-06T07:08:09+05'), '2024-05-06T02:08:09.000Z');
  });

  it('fills in missing parts', () => {
    assert.equal(esIsoDate('2024-05-06'), '2024-05-06T00:00:00.000Z');
    assert.equal(esIsoDate('2024-05'), '2024-05-01T00:00:00.000Z');
    assert.equal(esIsoDate('2024-05-06T07'), '2024-05-06T07:00:00.000Z');
    assert.equal(esIsoDate('2024-05-06T07:08'), '2024-05-06T07:08:00.000Z');
  });

  it('refuses what ISO 8601 parsing refuses', () => {
    for (const bad of [
      '20131102T010628Z',
      '2024-02-30T00:00:00Z',
      '2024-13-01',
      '2024-05-06T24:00:00Z',
      '2024-05-06T07:60:00Z',
      '2024-05-06 07:08:09',
      'yesterday',
      '',
      ' 2024-05-06',
    ]) {
      assert.equal(esIsoDate(bad), undefined, bad);
    }
    assert.equal(esIsoDate(1715000000000), undefined);
    assert.equal(esIsoDate(null), undefined);
  });

  it('knows leap years', () => {
    assert.equal(esIsoDate('2024-02-29'), '2024-02-29T00:00:00.000Z');
    assert.equal(esIsoDate('2023-02-29'), undefined);
  });
});
