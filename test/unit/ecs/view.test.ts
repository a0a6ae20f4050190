import assert from 'node:assert/strict';
import { cloudTrailToEcs, documentView } from '../../../src/core/ecs';

describe('ecs/view: documentView.get', () => {
  it('reads nested objects', () => {
    const v = documentView({ event: { action: 'CreateTrafficMirrorTarget', provider: 'ec2.amazonaws.com' } });
    assert.deepEqual(v.get('event.action'), ['CreateTrafficMirrorTarget']);
    assert.deepEqual(v.get('event.provider'), ['ec2.amazonaws.com']);
  });

  it('reads dotted keys', () => {
    const v = documentView({ 'event.action': 'CreateTrafficMirrorFilter', 'event.outcome': 'success' });
    assert.deepEqual(v.get('event.action'), ['CreateTrafficMirrorFilter']);
    assert.deepEqual(v.get('event.outcome'), ['success']);
  });

  it('reads mixtures, following every way a name can be split', () => {
    const v = documentView({
      event: { action: 'A', 'outcome.reason': 'deep' },
      'event.provider': 'ec2.amazonaws.com',
      'event.action': 'B',
      aws: { 'cloudtrail.user_identity': { type: 'IAMUser' } },
    });
    assert.deepEqual(v.get('event.action'), ['A', 'B']);
    assert.deepEqual(v.get('event.provider'), ['ec2.amazonaws.com']);
    assert.deepEqual(v.get('event.outcome.reason'), ['deep']);
    assert.deepEqual(v.get('aws.cloudtrail.user_identity.type'), ['IAMUser']);
  });

  it('flattens arrays, arrays of objects and arrays of arrays', () => {
    const v = documentView({
      a: [{ b: 1 }, { b: 2 }, { c: 3 }, { b: [4, [5]] }],
      tags: ['x', ['y', null]],
      mixed: [{ 'k.l': 'dotted' }, { k: { l: 'nested' } }],
    });
    assert.deepEqual(v.get('a.b'), [1, 2, 4, 5]);
    assert.deepEqual(v.get('tags'), ['x', 'y']);
    assert.deepEqual(v.get('mixed.k.l'), ['dotted', 'nested']);
  });

  it('returns [] for missing and null fields', () => {
    const v = documentView({ a: null, b: [null], c: { d: 1 } });
    assert.deepEqual(v.get('a'), []);
    assert.deepEqual(v.get('b'), []);
    assert.deepEqual(v.get('missing.field'), []);
    assert.deepEqual(v.get('c.d.e'), []);
    assert.deepEqual(v.get(''), []);
  });

  it('does not read inherited properties', () => {
    const v = documentView({ a: {} });
    assert.deepEqual(v.get('a.constructor'), []);
    assert.deepEqual(v.get('toString'), []);
    assert.deepEqual(v.get('__proto__'), []);
  });

  it('keeps only addresses the ip type accepts in ip fields', () => {
    const v = documentView({ source: { ip: ['198.51.100.1', '010.1.1.1', 'AWS Internal', 7, '2001:db8::1'] } });
    assert.deepEqual(v.get('source.ip'), ['198.51.100.1', '2001:db8::1']);
  });

  it('coerces numbers and booleans as their mappings do', () => {
    const v = documentView({
      source: { port: ['443', 8080, 'http', 1.9] },
      event: { risk_score: '47.5' },
      aws: { cloudtrail: { read_only: ['true', false, 'yes'] } },
    });
    assert.deepEqual(v.get('source.port'), [443, 8080, 1]);
    assert.deepEqual(v.get('event.risk_score'), [47.5]);
    assert.deepEqual(v.get('aws.cloudtrail.read_only'), [true, false]);
  });

  it('gives a flattened root every leaf, as keywords; a sub-key only its own leaves', () => {
    const v = documentView({
      aws: {
        cloudtrail: {
          flattened: {
            request_parameters: { a: { b: 1, c: [true, 'x'] }, d: 'y', 'e.f': 2 },
          },
        },
      },
    });
    assert.deepEqual(v.get('aws.cloudtrail.flattened.request_parameters'), ['1', 'true', 'x', 'y', '2']);
    assert.deepEqual(v.get('aws.cloudtrail.flattened.request_parameters.a.b'), ['1']);
    assert.deepEqual(v.get('aws.cloudtrail.flattened.request_parameters.a'), []);
    assert.deepEqual(v.get('aws.cloudtrail.flattened.request_parameters.a.c'), ['true', 'x']);
    assert.deepEqual(v.get('aws.cloudtrail.flattened.request_parameters.e.f'), ['2']);
  });

  it('reads a .text multi-field from its parent', () => {
    const v = documentView({ aws: { cloudtrail: { request_parameters: '{a=b}' } } });
    assert.deepEqual(v.get('aws.cloudtrail.request_parameters.text'), ['{a=b}']);
    assert.equal(v.typeOf('aws.cloudtrail.request_parameters.text'), 'text');
  });

  it('reads a mapped CloudTrail document, rendered strings included', () => {
    const doc = cloudTrailToEcs({
      eventVersion: '1.09',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateTrafficMirrorFilter',
      sourceIPAddress: '203.0.113.5',
      requestParameters: { CreateTrafficMirrorFilterRequest: { Description: 'capture', ClientToken: 't' } },
    });
    const v = documentView(doc);
    assert.deepEqual(v.get('event.dataset'), ['aws.cloudtrail']);
    assert.deepEqual(v.get('event.action'), ['CreateTrafficMirrorFilter']);
    assert.deepEqual(v.get('event.outcome'), ['success']);
    assert.deepEqual(v.get('source.ip'), ['203.0.113.5']);
    assert.deepEqual(v.get('aws.cloudtrail.request_parameters'), ['{CreateTrafficMirrorFilterRequest={Description=capture, ClientToken=t}}']);
    assert.deepEqual(v.get('aws.cloudtrail.flattened.request_parameters.CreateTrafficMirrorFilterRequest.Description'), ['capture']);
  });

  it('tolerates documents that are not objects', () => {
    assert.deepEqual(documentView(null as unknown as Record<string, unknown>).get('a'), []);
    assert.deepEqual([...documentView([] as unknown as Record<string, unknown>).fields()], []);
  });
});

describe('ecs/view: documentView.typeOf', () => {
  const v = documentView({
    custom: { count: 3, ratio: 0.5, ok: true, name: 'x', obj: { a: 1 } },
    cloud: { account: { id: 111122223333 } },
  });

  it('uses ECS and integration mapping types', () => {
    assert.equal(v.typeOf('source.ip'), 'ip');
    assert.equal(v.typeOf('related.ip'), 'ip');
    assert.equal(v.typeOf('@timestamp'), 'date');
    assert.equal(v.typeOf('aws.cloudtrail.user_identity.session_context.creation_date'), 'date');
    assert.equal(v.typeOf('source.port'), 'long');
    assert.equal(v.typeOf('event.risk_score'), 'double');
    assert.equal(v.typeOf('aws.cloudtrail.read_only'), 'boolean');
    assert.equal(v.typeOf('aws.cloudtrail.management_event'), 'keyword');
    assert.equal(v.typeOf('message'), 'text');
    assert.equal(v.typeOf('event.action'), 'keyword');
    assert.equal(v.typeOf('aws.cloudtrail.flattened.request_parameters'), 'flattened');
    assert.equal(v.typeOf('aws.cloudtrail.flattened.response_elements.a.b'), 'flattened');
    assert.equal(v.typeOf('aws.cloudtrail.flattenedx'), 'keyword');
  });

  it('keeps declared keyword fields keyword whatever the value', () => {
    assert.equal(v.typeOf('cloud.account.id'), 'keyword');
  });

  it('infers undeclared fields from the value, like dynamic mapping', () => {
    assert.equal(v.typeOf('custom.count'), 'long');
    assert.equal(v.typeOf('custom.ratio'), 'double');
    assert.equal(v.typeOf('custom.ok'), 'boolean');
    assert.equal(v.typeOf('custom.name'), 'keyword');
    assert.equal(v.typeOf('custom.obj'), 'object');
    assert.equal(v.typeOf('custom.missing'), 'keyword');
  });
});

describe('ecs/view: documentView.fields', () => {
  it('lists leaf names in dotted form, once each', () => {
    const v = documentView({
      event: { action: 'x', type: ['info'], empty: null },
      'event.provider': 'p',
      related: { user: [] },
      resources: [{ arn: 'a' }, { arn: 'b', type: 't' }],
    });
    assert.deepEqual([...v.fields()].sort(), ['event.action', 'event.provider', 'event.type', 'resources.arn', 'resources.type']);
  });

  it('lists a flattened field by its root', () => {
    const v = documentView({
      aws: { cloudtrail: { flattened: { request_parameters: { a: { b: 1 } }, response_elements: { c: null } }, request_parameters: '{a={b=1}}' } },
    });
    assert.deepEqual([...v.fields()].sort(), ['aws.cloudtrail.flattened.request_parameters', 'aws.cloudtrail.request_parameters']);
  });
});

describe('ecs/view: the fields the seed rule reads', () => {
  const actions = ['CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget'];
  const record = (eventName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDASEED000000000001', arn: 'arn:aws:iam::111122223333:user/frank', accountId: '111122223333', userName: 'frank' },
    eventTime: '2024-07-01T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.77',
    ...extra,
  });

  it('gives dataset, provider, action and outcome for each traffic-mirror call', () => {
    for (const action of actions) {
      const v = documentView(cloudTrailToEcs(record(action)));
      assert.deepEqual(v.get('event.dataset'), ['aws.cloudtrail']);
      assert.deepEqual(v.get('event.provider'), ['ec2.amazonaws.com']);
      assert.deepEqual(v.get('event.action'), [action]);
      assert.deepEqual(v.get('event.outcome'), ['success']);
    }
  });

  it('reports failed and blank-error calls the way the pipeline does', () => {
    const denied = documentView(cloudTrailToEcs(record('CreateTrafficMirrorSession', { errorCode: 'Client.UnauthorizedOperation' })));
    assert.deepEqual(denied.get('event.outcome'), ['failure']);
    const blank = documentView(cloudTrailToEcs(record('CreateTrafficMirrorSession', { errorCode: '', errorMessage: '' })));
    assert.deepEqual(blank.get('event.outcome'), ['success']);
  });
});
