import assert from 'node:assert/strict';
import { cloudTrailPathOf, cloudTrailToEcs, ecsPathOf, type Provenance } from '../../../src/core/ecs';

type Rec = Record<string, unknown>;

const base = (extra: Rec = {}): Rec => ({
  eventVersion: '1.09',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAPATH000000000001', arn: 'arn:aws:iam::111122223333:user/erin', accountId: '111122223333', userName: 'erin' },
  eventTime: '2024-06-01T00:00:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'CreateTrafficMirrorTarget',
  awsRegion: 'us-west-2',
  sourceIPAddress: '192.0.2.10',
  userAgent: 'Boto3/1.34',
  requestParameters: {
    CreateTrafficMirrorTargetRequest: { NetworkInterfaceId: 'eni-9', 'Tag.Name': 'dotted', Items: [{ Key: '' }, { Key: 'k2' }], Empty: '' },
  },
  responseElements: { ConsoleLogin: 'Failure' },
  tlsDetails: { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' },
  resources: [{ type: 'AWS::EC2::TrafficMirrorTarget' }, { ARN: 'arn:aws:ec2:us-west-2:111122223333:traffic-mirror-target/tmt-1', type: 'x' }],
  ...extra,
});

describe('ecs/paths: cloudTrailPathOf', () => {
  const rec = base();

  it('maps one-to-one fields to their CloudTrail key', () => {
    assert.deepEqual(cloudTrailPathOf('event.action', rec), ['eventName']);
    assert.deepEqual(cloudTrailPathOf('event.provider', rec), ['eventSource']);
    assert.deepEqual(cloudTrailPathOf('source.ip', rec), ['sourceIPAddress']);
    assert.deepEqual(cloudTrailPathOf('source.address', rec), ['sourceIPAddress']);
    assert.deepEqual(cloudTrailPathOf('@timestamp', rec), ['eventTime']);
    assert.deepEqual(cloudTrailPathOf('cloud.region', rec), ['awsRegion']);
    assert.deepEqual(cloudTrailPathOf('user_agent.original', rec), ['userAgent']);
    assert.deepEqual(cloudTrailPathOf('user.id', rec), ['userIdentity', 'principalId']);
    assert.deepEqual(cloudTrailPathOf('aws.cloudtrail.user_identity.arn', rec), ['userIdentity', 'arn']);
    assert.deepEqual(cloudTrailPathOf('tls.version', rec), ['tlsDetails', 'tlsVersion']);
    assert.deepEqual(cloudTrailPathOf('tls.cipher', rec), ['tlsDetails', 'cipherSuite']);
  });

  it('follows user.name to the userName that was used', () => {
    assert.deepEqual(cloudTrailPathOf('user.name', rec), ['userIdentity', 'userName']);
    const role = base({
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/Ops/s',
        sessionContext: { sessionIssuer: { type: 'Role', userName: 'Ops' } },
      },
    });
    assert.deepEqual(cloudTrailPathOf('user.name', role), ['userIdentity', 'sessionContext', 'sessionIssuer', 'userName']);
    assert.deepEqual(cloudTrailPathOf('user.email', role), undefined);
  });

  it('follows cloud.account.id to the key it was taken from', () => {
    assert.deepEqual(cloudTrailPathOf('cloud.account.id', rec), ['userIdentity', 'accountId']);
    const service = base({ userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, recipientAccountId: '444455556666' });
    assert.deepEqual(cloudTrailPathOf('cloud.account.id', service), ['recipientAccountId']);
  });

  it('resolves flattened sub-fields inside the raw object, dotted keys and arrays too', () => {
    const f = 'aws.cloudtrail.flattened.request_parameters.CreateTrafficMirrorTargetRequest.';
    assert.deepEqual(cloudTrailPathOf(f + 'NetworkInterfaceId', rec), ['requestParameters', 'CreateTrafficMirrorTargetRequest', 'NetworkInterfaceId']);
    assert.deepEqual(cloudTrailPathOf(f + 'Tag.Name', rec), ['requestParameters', 'CreateTrafficMirrorTargetRequest', 'Tag.Name']);
    // The first item's Key is "" (dropped by the pipeline), so the second one is the source.
    assert.deepEqual(cloudTrailPathOf(f + 'Items.Key', rec), ['requestParameters', 'CreateTrafficMirrorTargetRequest', 'Items', '1', 'Key']);
    assert.equal(cloudTrailPathOf(f + 'Empty', rec), undefined);
    assert.equal(cloudTrailPathOf(f + 'Missing', rec), undefined);
    assert.deepEqual(cloudTrailPathOf('aws.cloudtrail.flattened.request_parameters', rec), ['requestParameters']);
    assert.deepEqual(cloudTrailPathOf('aws.cloudtrail.request_parameters', rec), ['requestParameters']);
    assert.deepEqual(cloudTrailPathOf('aws.cloudtrail.request_parameters.text', rec), ['requestParameters']);
  });

  it('follows event.outcome to what decided it', () => {
    assert.equal(cloudTrailPathOf('event.outcome', rec), undefined); // success: no single source
    assert.deepEqual(cloudTrailPathOf('event.outcome', base({ errorCode: 'AccessDenied', errorMessage: 'no' })), ['errorCode']);
    assert.deepEqual(cloudTrailPathOf('event.outcome', base({ errorCode: '', errorMessage: 'no' })), ['errorMessage']);
    assert.deepEqual(cloudTrailPathOf('event.outcome', base({ eventName: 'ConsoleLogin' })), ['responseElements', 'ConsoleLogin']);
  });

  it('points event.category at eventName when the table decided it', () => {
    assert.deepEqual(cloudTrailPathOf('event.category', base({ eventName: 'CreateUser' })), ['eventName']);
    assert.equal(cloudTrailPathOf('event.category', rec), undefined);
  });

  it('finds resources by their raw key names', () => {
    assert.deepEqual(cloudTrailPathOf('aws.cloudtrail.resources.arn', rec), ['resources', '1', 'ARN']);
    assert.deepEqual(cloudTrailPathOf('aws.cloudtrail.resources.type', rec), ['resources', '0', 'type']);
    assert.equal(cloudTrailPathOf('aws.cloudtrail.resources.nothing', rec), undefined);
  });

  it('is undefined for constants, multi-source fields, scrubbed and missing values', () => {
    assert.equal(cloudTrailPathOf('event.dataset', rec), undefined);
    assert.equal(cloudTrailPathOf('cloud.provider', rec), undefined);
    assert.equal(cloudTrailPathOf('related.user', rec), undefined);
    assert.equal(cloudTrailPathOf('aws.cloudtrail.error_code', base({ errorCode: '' })), undefined);
    assert.equal(cloudTrailPathOf('user.changes.name', rec), undefined);
    assert.equal(cloudTrailPathOf('no.such.field', rec), undefined);
    assert.equal(cloudTrailPathOf('source.ip', base({ sourceIPAddress: 'AWS Internal' })), undefined);
  });

  it('answers the same from the provenance of the mapping the scan already did', () => {
    const fields = [
      'event.action', 'event.provider', 'event.outcome', 'event.category', 'source.ip', 'user.name', 'cloud.account.id',
      'aws.cloudtrail.flattened.request_parameters.CreateTrafficMirrorTargetRequest.Items.Key', 'aws.cloudtrail.resources.arn',
      'aws.cloudtrail.request_parameters', 'related.user', 'event.dataset', 'no.such.field',
    ];
    const records = [rec, base({ errorCode: 'AccessDenied', errorMessage: 'no' }), base({ eventName: 'CreateUser', userIdentity: { type: 'Root' } }), { eventName: 7 }];
    for (const r of records) {
      const prov: Provenance = new Map();
      cloudTrailToEcs(r, prov);
      for (const f of fields) assert.deepEqual(cloudTrailPathOf(f, r, prov), cloudTrailPathOf(f, r), `${f} of ${JSON.stringify(r).slice(0, 60)}`);
    }
    // a record the mapping fails on: no field has a source, with or without the earlier mapping
    const failing: Rec = base();
    Object.defineProperty(failing, 'resources', { enumerable: true, get: () => { throw new Error('unreadable'); } }); // read late
    const prov: Provenance = new Map();
    cloudTrailToEcs(failing, prov);
    assert.equal(cloudTrailPathOf('event.action', failing), undefined);
    assert.equal(cloudTrailPathOf('event.action', failing, prov), undefined);
  });

  it('does not throw on odd input', () => {
    assert.equal(cloudTrailPathOf('event.action', null as unknown as Rec), undefined);
    assert.equal(cloudTrailPathOf(5 as unknown as string, rec), undefined);
    assert.deepEqual(cloudTrailPathOf('event.action', { eventName: 7 }), ['eventName']);
  });
});

describe('ecs/paths: ecsPathOf', () => {
  it('finds nested, dotted and partly dotted keys', () => {
    assert.deepEqual(ecsPathOf('event.action', { event: { action: 'x' } }), ['event', 'action']);
    assert.deepEqual(ecsPathOf('event.action', { 'event.action': 'x' }), ['event.action']);
    assert.deepEqual(ecsPathOf('event.action.x', { event: { 'action.x': 1 } }), ['event', 'action.x']);
    assert.deepEqual(ecsPathOf('aws.cloudtrail.user_identity.arn', { 'aws.cloudtrail': { user_identity: { arn: 'a' } } }), [
      'aws.cloudtrail',
      'user_identity',
      'arn',
    ]);
  });

  it('prefers the first reading that holds a value', () => {
    assert.deepEqual(ecsPathOf('event.action', { event: { action: null }, 'event.action': 'x' }), ['event.action']);
  });

  it('goes through arrays of objects with indexes', () => {
    assert.deepEqual(ecsPathOf('a.b', { a: [{ c: 1 }, { b: 2 }] }), ['a', '1', 'b']);
    assert.deepEqual(ecsPathOf('event.type', { event: { type: ['info'] } }), ['event', 'type']);
  });

  it('maps a multi-field to its parent', () => {
    assert.deepEqual(ecsPathOf('user_agent.original.text', { user_agent: { original: 'ua' } }), ['user_agent', 'original']);
  });

  it('is undefined when there is no value', () => {
    assert.equal(ecsPathOf('event.action', { event: { action: null } }), undefined);
    assert.equal(ecsPathOf('event.action', { event: { type: ['info'] } }), undefined);
    assert.equal(ecsPathOf('a.b', { a: [[], null] }), undefined);
    assert.equal(ecsPathOf('a', null as unknown as Rec), undefined);
  });
});
