import assert from 'node:assert/strict';
import { looksLikeCloudTrail, SNIFF_LENGTH } from '../../../src/extension/sniff';

describe('extension/sniff', () => {
  it('recognises the CloudTrail shapes from their first bytes', () => {
    const samples = [
      '{"Records":[{"eventVersion":"1.08","userIdentity":{}}]}',
      '[\n  {\n    "eventVersion": "1.09",\n    "eventSource": "ec2.amazonaws.com"',
      '{"eventTime":"2024-01-01T00:00:00Z","eventName":"CreateWidget"}\n{"eventTime":"2024-01-01T00:00:01Z","eventName":"X"}',
      '{"Events":[{"EventId":"1","EventName":"X","CloudTrailEvent":"{\\"eventVersion\\":\\"1.08\\"}"}]}',
      '{"awsAccountId":"111122223333","digestStartTime":"2024-01-01T00:00:00Z"}',
      '{"@timestamp":"2024-01-01T00:00:00Z","event.action":"CreateWidget"}',
      '{"hits":{"hits":[{"_source":{"event":{"dataset":"aws.cloudtrail","action":"X"}}}]}}',
      '\uFEFF  {"eventSource":"iam.amazonaws.com"}',
    ];
    for (const s of samples) assert.equal(looksLikeCloudTrail(s), true, s);
  });

  it('leaves other files alone', () => {
    const samples = [
      '{"name":"my-package","version":"1.0.0","scripts":{}}',
      '{"event":"click","target":"button"}',
      '{"Records":5}',
      'eventVersion eventSource eventName: plain text mentioning them',
      '// "eventName" in a comment of some source file\nconst x = 1;',
      '',
      '   ',
    ];
    for (const s of samples) assert.equal(looksLikeCloudTrail(s), false, s);
  });

  it('reads only the first SNIFF_LENGTH characters', () => {
    const late = `{"padding":"${'x'.repeat(SNIFF_LENGTH)}","eventName":"CreateWidget"}`;
    assert.equal(looksLikeCloudTrail(late), false);
  });

  it('stays fast on a pathological head', () => {
    const head = '{' + '"event":{'.repeat(SNIFF_LENGTH / 9);
    const started = Date.now();
    assert.equal(looksLikeCloudTrail(head), false);
    assert.ok(Date.now() - started < 500);
  });
});
