import assert from 'node:assert/strict';
import { cloudTrailToEcs } from '../../../src/core/ecs';

// Hand-written CloudTrail records. Expected request_parameters strings were printed by
// java.util.HashMap.toString() for the same keys.

type Rec = Record<string, unknown>;

function get(doc: Rec, dotted: string): unknown {
  let node: unknown = doc;
  for (const k of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Rec)[k];
  }
  return node;
}

const ACCOUNT = '111122223333';

function iamUserRecord(extra: Rec = {}): Rec {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER00001',
      arn: `arn:aws:iam::${ACCOUNT}:user/carol`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      userName: 'carol',
    },
    eventTime: '2024-05-06T07:08:09Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTrafficMirrorSession',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.15.0 Python/3.11',
    requestParameters: {
      CreateTrafficMirrorSessionRequest: {
        NetworkInterfaceId: 'eni-0abc',
        TrafficMirrorTargetId: 'tmt-0def',
        TrafficMirrorFilterId: 'tmf-0123',
        SessionNumber: 1,
        Description: null,
        TagSpecification: [{ ResourceType: 'traffic-mirror-session', Tag: [{ Key: 'Name', Value: 'cap' }] }],
      },
    },
    responseElements: { trafficMirrorSession: { trafficMirrorSessionId: 'tms-0aaa', ownerId: ACCOUNT } },
    requestID: 'req-0001',
    eventID: 'evt-0001',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'ec2.eu-west-1.amazonaws.com' },
    ...extra,
  };
}

function assumedRoleRecord(session: string, extra: Rec = {}): Rec {
  return iamUserRecord({
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEROLE00001:${session}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/NetOps/${session}`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY000002',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEROLE00001',
          arn: `arn:aws:iam::${ACCOUNT}:role/NetOps`,
          accountId: ACCOUNT,
          userName: 'NetOps',
        },
        attributes: { creationDate: '2024-05-06T06:00:00Z', mfaAuthenticated: 'true' },
      },
    },
    ...extra,
  });
}

describe('ecs/cloudtrail: constants and event fields', () => {
  const doc = cloudTrailToEcs(iamUserRecord());

  it('sets the data stream constants', () => {
    assert.equal(get(doc, 'event.dataset'), 'aws.cloudtrail');
    assert.equal(get(doc, 'data_stream.dataset'), 'aws.cloudtrail');
    assert.equal(get(doc, 'event.module'), 'aws');
    assert.equal(get(doc, 'cloud.provider'), 'aws');
    assert.equal(get(doc, 'event.kind'), 'event');
  });

  it('maps eventSource, eventName, eventID, eventTime, awsRegion', () => {
    assert.equal(get(doc, 'event.provider'), 'ec2.amazonaws.com');
    assert.equal(get(doc, 'event.action'), 'CreateTrafficMirrorSession');
    assert.equal(get(doc, 'event.id'), 'evt-0001');
    assert.equal(get(doc, '@timestamp'), '2024-05-06T07:08:09.000Z');
    assert.equal(get(doc, 'cloud.region'), 'eu-west-1');
    assert.equal(get(doc, 'cloud.service.name'), 'ec2');
  });

  it('maps the same-named CloudTrail fields under aws.cloudtrail', () => {
    assert.equal(get(doc, 'aws.cloudtrail.event_version'), '1.09');
    assert.equal(get(doc, 'aws.cloudtrail.event_type'), 'AwsApiCall');
    assert.equal(get(doc, 'aws.cloudtrail.event_category'), 'Management');
    assert.equal(get(doc, 'aws.cloudtrail.request_id'), 'req-0001');
    assert.equal(get(doc, 'aws.cloudtrail.read_only'), false);
    assert.equal(get(doc, 'aws.cloudtrail.management_event'), true);
    assert.equal(get(doc, 'aws.cloudtrail.recipient_account_id'), ACCOUNT);
  });

  it('keeps event.type info and sets no category for actions outside the table', () => {
    assert.deepEqual(get(doc, 'event.type'), ['info']);
    assert.equal(get(doc, 'event.category'), undefined);
  });

  it('categorizes actions from the pipeline table', () => {
    const created = cloudTrailToEcs(iamUserRecord({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' }));
    assert.deepEqual(get(created, 'event.category'), ['iam']);
    assert.deepEqual(get(created, 'event.type'), ['user', 'creation']);
    const bucket = cloudTrailToEcs(iamUserRecord({ eventSource: 's3.amazonaws.com', eventName: 'DeleteBucket' }));
    assert.deepEqual(get(bucket, 'event.category'), ['file']);
    assert.deepEqual(get(bucket, 'event.type'), ['deletion']);
  });

  it('leaves @timestamp unset when eventTime is not ISO 8601', () => {
    assert.equal(get(cloudTrailToEcs(iamUserRecord({ eventTime: '06/05/2024 07:08' })), '@timestamp'), undefined);
  });
});

describe('ecs/cloudtrail: identities', () => {
  it('IAMUser: user.name, user.id, identity fields, account', () => {
    const doc = cloudTrailToEcs(iamUserRecord());
    assert.equal(get(doc, 'user.name'), 'carol');
    assert.equal(get(doc, 'user.id'), 'AIDAEXAMPLEUSER00001');
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.type'), 'IAMUser');
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.arn'), `arn:aws:iam::${ACCOUNT}:user/carol`);
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.access_key_id'), 'AKIAEXAMPLEKEY000001');
    assert.equal(get(doc, 'cloud.account.id'), ACCOUNT);
    assert.deepEqual(get(doc, 'related.user'), ['AIDAEXAMPLEUSER00001', 'carol']);
    assert.equal(get(doc, 'user.changes.name'), undefined);
  });

  it('AssumedRole: the role is user.name; the session name goes to related.user', () => {
    const doc = cloudTrailToEcs(assumedRoleRecord('build-runner-42'));
    assert.equal(get(doc, 'user.name'), 'NetOps');
    assert.equal(get(doc, 'user.id'), 'AROAEXAMPLEROLE00001:build-runner-42');
    assert.equal(get(doc, 'user.email'), undefined);
    assert.deepEqual(get(doc, 'related.user'), ['build-runner-42', 'AROAEXAMPLEROLE00001:build-runner-42', 'NetOps']);
    const ctx = 'aws.cloudtrail.user_identity.session_context.';
    assert.equal(get(doc, ctx + 'mfa_authenticated'), 'true');
    assert.equal(get(doc, ctx + 'creation_date'), '2024-05-06T06:00:00.000Z');
    assert.equal(get(doc, ctx + 'session_issuer.type'), 'Role');
    assert.equal(get(doc, ctx + 'session_issuer.principal_id'), 'AROAEXAMPLEROLE00001');
    assert.equal(get(doc, ctx + 'session_issuer.arn'), `arn:aws:iam::${ACCOUNT}:role/NetOps`);
    assert.equal(get(doc, ctx + 'session_issuer.account_id'), ACCOUNT);
  });

  it('AssumedRole with an e-mail session name: user.email and the local part in related.user', () => {
    const doc = cloudTrailToEcs(assumedRoleRecord('dana.lee@corp.example'));
    assert.equal(get(doc, 'user.email'), 'dana.lee@corp.example');
    assert.deepEqual(get(doc, 'related.user'), [
      'dana.lee@corp.example',
      'dana.lee',
      'AROAEXAMPLEROLE00001:dana.lee@corp.example',
      'NetOps',
    ]);
  });

  it('drops a session creationDate in basic ISO format, as the date processor fails on it', () => {
    const rec = assumedRoleRecord('s1');
    ((rec.userIdentity as Rec).sessionContext as Rec).attributes = { creationDate: '20240506T060000Z', mfaAuthenticated: 'false' };
    const doc = cloudTrailToEcs(rec);
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.session_context.creation_date'), undefined);
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.session_context.mfa_authenticated'), 'false');
  });

  it('AWSService: invoked_by, no user, account from recipientAccountId', () => {
    const doc = cloudTrailToEcs(
      iamUserRecord({
        userIdentity: { type: 'AWSService', invokedBy: 'autoscaling.amazonaws.com' },
        sourceIPAddress: 'autoscaling.amazonaws.com',
        recipientAccountId: '444455556666',
      }),
    );
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.type'), 'AWSService');
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.invoked_by'), 'autoscaling.amazonaws.com');
    assert.equal(get(doc, 'user'), undefined);
    assert.equal(get(doc, 'cloud.account.id'), '444455556666');
    assert.equal(get(doc, 'source.address'), 'autoscaling.amazonaws.com');
    assert.equal(get(doc, 'source.ip'), undefined);
  });

  it('Root: arn and id, no user.name when CloudTrail gives none', () => {
    const doc = cloudTrailToEcs(
      iamUserRecord({
        userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'ASIAROOT000000000001' },
      }),
    );
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.type'), 'Root');
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.arn'), `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(get(doc, 'user.id'), ACCOUNT);
    assert.equal(get(doc, 'user.name'), undefined);
    assert.deepEqual(get(doc, 'related.user'), [ACCOUNT]);
  });

  it('FederatedUser: the issuing IAM user is user.name, the federated name goes to related.user', () => {
    const doc = cloudTrailToEcs(
      iamUserRecord({
        userIdentity: {
          type: 'FederatedUser',
          principalId: `${ACCOUNT}:partner-app`,
          arn: `arn:aws:sts::${ACCOUNT}:federated-user/partner-app`,
          accountId: ACCOUNT,
          accessKeyId: 'ASIAFED0000000000001',
          sessionContext: {
            attributes: { creationDate: '2024-05-06T05:00:00Z', mfaAuthenticated: 'false' },
            sessionIssuer: { type: 'IAMUser', principalId: 'AIDAISSUER0000000001', arn: `arn:aws:iam::${ACCOUNT}:user/broker`, accountId: ACCOUNT, userName: 'broker' },
          },
        },
      }),
    );
    assert.equal(get(doc, 'user.name'), 'broker');
    assert.equal(get(doc, 'aws.cloudtrail.user_identity.session_context.session_issuer.type'), 'IAMUser');
    assert.deepEqual(get(doc, 'related.user'), ['partner-app', `${ACCOUNT}:partner-app`, 'broker']);
  });

  it('adds the user a request names to related.user, user.target.name and user.changes.name', () => {
    const doc = cloudTrailToEcs(
      iamUserRecord({ eventSource: 'iam.amazonaws.com', eventName: 'UpdateUser', requestParameters: { userName: 'bob', newUserName: 'robert' } }),
    );
    assert.deepEqual(get(doc, 'related.user'), ['AIDAEXAMPLEUSER00001', 'carol', 'bob', 'robert']);
    assert.equal(get(doc, 'user.target.name'), 'bob');
    assert.equal(get(doc, 'user.changes.name'), 'robert');
    assert.equal(get(doc, 'aws.cloudtrail.request_parameters'), '{newUserName=robert, userName=bob}');
  });

  it('maps group and target ids from the response', () => {
    const doc = cloudTrailToEcs(
      iamUserRecord({
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateGroup',
        requestParameters: { groupName: 'auditors' },
        responseElements: { group: { groupId: 'AGPAEXAMPLEGROUP0001', groupName: 'auditors' } },
      }),
    );
    assert.equal(get(doc, 'group.name'), 'auditors');
    assert.equal(get(doc, 'group.id'), 'AGPAEXAMPLEGROUP0001');
  });
});

describe('ecs/cloudtrail: source address', () => {
  const src = (addr: unknown): Rec => cloudTrailToEcs(iamUserRecord({ sourceIPAddress: addr }));

  it('IPv4: source.address and source.ip', () => {
    const doc = src('198.51.100.23');
    assert.equal(get(doc, 'source.address'), '198.51.100.23');
    assert.equal(get(doc, 'source.ip'), '198.51.100.23');
  });

  it('IPv6: source.address and source.ip', () => {
    const doc = src('2001:db8:4:5::17');
    assert.equal(get(doc, 'source.ip'), '2001:db8:4:5::17');
  });

  it('service names and "AWS Internal": source.address only', () => {
    for (const addr of ['ec2.amazonaws.com', 'AWS Internal']) {
      const doc = src(addr);
      assert.equal(get(doc, 'source.address'), addr);
      assert.equal(get(doc, 'source.ip'), undefined, addr);
    }
  });

  it('an address with leading zeros is kept as text only', () => {
    const doc = src('010.000.1.1');
    assert.equal(get(doc, 'source.address'), '010.000.1.1');
    assert.equal(get(doc, 'source.ip'), undefined);
  });
});

describe('ecs/cloudtrail: outcome and errors', () => {
  const outcome = (extra: Rec): unknown => get(cloudTrailToEcs(iamUserRecord(extra)), 'event.outcome');

  it('success without errorCode or errorMessage', () => {
    assert.equal(outcome({}), 'success');
  });

  it('failure with an errorCode', () => {
    const doc = cloudTrailToEcs(iamUserRecord({ errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized' }));
    assert.equal(get(doc, 'event.outcome'), 'failure');
    assert.equal(get(doc, 'aws.cloudtrail.error_code'), 'Client.UnauthorizedOperation');
    assert.equal(get(doc, 'aws.cloudtrail.error_message'), 'You are not authorized');
  });

  it('failure with an errorMessage alone', () => {
    assert.equal(outcome({ errorMessage: 'Request limit exceeded' }), 'failure');
  });

  it('failure for any non-empty error value, even "200"', () => {
    assert.equal(outcome({ errorCode: '200' }), 'failure');
    assert.equal(outcome({ errorCode: ' ' }), 'failure');
    assert.equal(outcome({ errorCode: 0 }), 'failure');
  });

  it('"errorCode": "" and null are scrubbed: success', () => {
    const doc = cloudTrailToEcs(iamUserRecord({ errorCode: '', errorMessage: null }));
    assert.equal(get(doc, 'event.outcome'), 'success');
    assert.equal(get(doc, 'aws.cloudtrail.error_code'), undefined);
    assert.equal(get(doc, 'aws.cloudtrail.error_message'), undefined);
  });

  it('ConsoleLogin: the lower-cased responseElements.ConsoleLogin wins', () => {
    const login = (result: string, extra: Rec = {}): Rec =>
      cloudTrailToEcs(
        iamUserRecord({
          eventSource: 'signin.amazonaws.com',
          eventName: 'ConsoleLogin',
          requestParameters: null,
          responseElements: { ConsoleLogin: result },
          additionalEventData: { MobileVersion: 'No', LoginTo: 'https://console.example/', MFAUsed: 'Yes' },
          ...extra,
        }),
      );
    const ok = login('Success');
    assert.equal(get(ok, 'event.outcome'), 'success');
    assert.deepEqual(get(ok, 'event.category'), ['authentication']);
    const failed = login('Failure', { errorMessage: 'Failed authentication' });
    assert.equal(get(failed, 'event.outcome'), 'failure');
    assert.equal(get(failed, 'aws.cloudtrail.error_message'), 'Failed authentication');
    // Whatever the value, it is lower-cased, not validated.
    assert.equal(get(login('Success', { errorCode: 'X' }), 'event.outcome'), 'success');
    assert.equal(get(ok, 'aws.cloudtrail.additional_eventdata'), '{LoginTo=https://console.example/, MobileVersion=No, MFAUsed=Yes}');
    assert.equal(get(ok, 'aws.cloudtrail.console_login.additional_eventdata.mobile_version'), false);
    assert.equal(get(ok, 'aws.cloudtrail.console_login.additional_eventdata.mfa_used'), true);
    assert.equal(get(ok, 'aws.cloudtrail.console_login.additional_eventdata.login_to'), 'https://console.example/');
  });

  it('ConsoleLogin without a ConsoleLogin result falls back to the error fields', () => {
    const doc = cloudTrailToEcs(iamUserRecord({ eventName: 'ConsoleLogin', responseElements: null, errorMessage: 'No' }));
    assert.equal(get(doc, 'event.outcome'), 'failure');
  });
});

describe('ecs/cloudtrail: request parameters and response elements', () => {
  const doc = cloudTrailToEcs(iamUserRecord());

  it('renders them as Java map strings, nulls dropped', () => {
    assert.equal(
      get(doc, 'aws.cloudtrail.request_parameters'),
      '{CreateTrafficMirrorSessionRequest={TrafficMirrorTargetId=tmt-0def, SessionNumber=1, NetworkInterfaceId=eni-0abc, ' +
        'TrafficMirrorFilterId=tmf-0123, TagSpecification=[{ResourceType=traffic-mirror-session, Tag=[{Value=cap, Key=Name}]}]}}',
    );
    assert.equal(get(doc, 'aws.cloudtrail.response_elements'), `{trafficMirrorSession={trafficMirrorSessionId=tms-0aaa, ownerId=${ACCOUNT}}}`);
  });

  it('keeps them as objects under aws.cloudtrail.flattened, nulls dropped', () => {
    assert.deepEqual(get(doc, 'aws.cloudtrail.flattened.request_parameters'), {
      CreateTrafficMirrorSessionRequest: {
        NetworkInterfaceId: 'eni-0abc',
        TrafficMirrorTargetId: 'tmt-0def',
        TrafficMirrorFilterId: 'tmf-0123',
        SessionNumber: 1,
        TagSpecification: [{ ResourceType: 'traffic-mirror-session', Tag: [{ Key: 'Name', Value: 'cap' }] }],
      },
    });
    assert.equal(get(doc, 'aws.cloudtrail.flattened.response_elements.trafficMirrorSession.trafficMirrorSessionId'), 'tms-0aaa');
  });

  it('does not keep a flattened copy when the rendered text reaches 32766 characters', () => {
    const big = cloudTrailToEcs(iamUserRecord({ requestParameters: { policyDocument: 'x'.repeat(32766) } }));
    assert.equal((get(big, 'aws.cloudtrail.request_parameters') as string).length, 32766 + '{policyDocument=}'.length);
    assert.equal(get(big, 'aws.cloudtrail.flattened.request_parameters'), undefined);
    const fits = cloudTrailToEcs(iamUserRecord({ requestParameters: { p: 'x'.repeat(32766 - 5) } }));
    assert.ok(get(fits, 'aws.cloudtrail.flattened.request_parameters'));
  });

  it('is absent when every value is null', () => {
    const empty = cloudTrailToEcs(iamUserRecord({ requestParameters: { a: null, b: [null] }, responseElements: null }));
    assert.equal(get(empty, 'aws.cloudtrail.request_parameters'), undefined);
    assert.equal(get(empty, 'aws.cloudtrail.flattened'), undefined);
  });

  it('is not mapped when no aws.cloudtrail field precedes it, like the pipeline script', () => {
    const bare = cloudTrailToEcs({ eventName: 'CreateTrafficMirrorTarget', eventSource: 'ec2.amazonaws.com', requestParameters: { a: 'b' } });
    assert.equal(get(bare, 'event.action'), 'CreateTrafficMirrorTarget');
    assert.equal(get(bare, 'aws.cloudtrail'), undefined);
  });

  it('dedupes resources and renames ARN / accountId', () => {
    const res = cloudTrailToEcs(
      iamUserRecord({
        resources: [
          { ARN: 'arn:aws:ec2:eu-west-1:111122223333:traffic-mirror-session/tms-0aaa', accountId: ACCOUNT, type: 'AWS::EC2::TrafficMirrorSession' },
          { ARN: 'arn:aws:ec2:eu-west-1:111122223333:traffic-mirror-session/tms-0aaa', accountId: ACCOUNT, type: 'AWS::EC2::TrafficMirrorSession' },
          'not-a-map',
        ],
      }),
    );
    assert.deepEqual(get(res, 'aws.cloudtrail.resources'), [
      { arn: 'arn:aws:ec2:eu-west-1:111122223333:traffic-mirror-session/tms-0aaa', account_id: ACCOUNT, type: 'AWS::EC2::TrafficMirrorSession' },
    ]);
  });
});

describe('ecs/cloudtrail: TLS details', () => {
  it('splits tlsVersion into protocol and version', () => {
    const doc = cloudTrailToEcs(iamUserRecord());
    assert.equal(get(doc, 'tls.version_protocol'), 'tls');
    assert.equal(get(doc, 'tls.version'), '1.3');
    assert.equal(get(doc, 'tls.cipher'), 'TLS_AES_128_GCM_SHA256');
    assert.equal(get(doc, 'tls.client.server_name'), 'ec2.eu-west-1.amazonaws.com');
  });

  it('a tlsVersion without "v" fails the pipeline: error.message, no cipher', () => {
    const doc = cloudTrailToEcs(iamUserRecord({ tlsDetails: { tlsVersion: 'TLS1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' } }));
    assert.equal(get(doc, 'tls'), undefined);
    assert.match(get(doc, 'error.message') as string, /dissect.*TLS1\.2/);
  });

  it('without tlsVersion the other TLS fields still map', () => {
    const doc = cloudTrailToEcs(iamUserRecord({ tlsDetails: { cipherSuite: 'TLS_AES_256_GCM_SHA384' } }));
    assert.equal(get(doc, 'tls.cipher'), 'TLS_AES_256_GCM_SHA384');
    assert.equal(get(doc, 'tls.version'), undefined);
  });
});

describe('ecs/cloudtrail: hostile and odd input', () => {
  it('never throws', () => {
    const deep: Rec = {};
    let node = deep;
    for (let i = 0; i < 5000; i++) node = node.n = {} as Rec;
    node.leaf = 'x';
    const odd: unknown[] = [
      {},
      { eventName: 5 },
      { eventName: { nested: true } },
      { userIdentity: [{ type: 'IAMUser', userName: 'x' }] },
      { userIdentity: 'Root' },
      { sourceIPAddress: ['1.2.3.4'] },
      { eventVersion: '1', requestParameters: deep },
      { eventVersion: '1', requestParameters: 'a plain string' },
      { eventVersion: '1', requestParameters: ['list', null, 7] },
      { tlsDetails: { tlsVersion: 42 } },
      { eventTime: 12345 },
      { eventName: 'x'.repeat(1_000_000) },
      null,
      [],
      'text',
    ];
    for (const rec of odd) {
      const doc = cloudTrailToEcs(rec as Rec);
      assert.equal(get(doc, 'event.dataset'), 'aws.cloudtrail');
      // Reading every field, the lazily rendered strings included, must not throw either.
      const rp = get(doc, 'aws.cloudtrail.request_parameters');
      assert.ok(rp === undefined || typeof rp === 'string');
    }
    const fourDown = get(deep, 'n.n.n.n');
    assert.ok(get(cloudTrailToEcs({ eventVersion: '1', requestParameters: deep }), 'aws.cloudtrail.flattened.request_parameters.n.n.n.n') === fourDown);
  });

  it('renders a non-string eventName as text', () => {
    assert.equal(get(cloudTrailToEcs({ eventName: 5 }), 'event.action'), '5');
    assert.equal(get(cloudTrailToEcs({ eventName: { a: 'b' } }), 'event.action'), '{a=b}');
    assert.equal(get(cloudTrailToEcs({ eventName: '' }), 'event.action'), undefined);
  });

  it('ignores a userIdentity that is not an object', () => {
    const doc = cloudTrailToEcs({ eventVersion: '1', userIdentity: [{ type: 'IAMUser', userName: 'x' }] });
    assert.equal(get(doc, 'user'), undefined);
    assert.equal(get(doc, 'aws.cloudtrail.user_identity'), undefined);
  });

  it('carries attacker-controlled text unchanged', () => {
    const ua = '<img src=x onerror=alert(1)>\u202e';
    assert.equal(get(cloudTrailToEcs(iamUserRecord({ userAgent: ua })), 'user_agent.original'), ua);
  });

  it('does not modify the record', () => {
    const rec = iamUserRecord({ errorCode: '' });
    const before = JSON.stringify(rec);
    cloudTrailToEcs(rec);
    assert.equal(JSON.stringify(rec), before);
  });
});

describe('ecs/cloudtrail: digest files', () => {
  it('maps digest fields under aws.cloudtrail.flattened.digest', () => {
    const doc = cloudTrailToEcs({
      awsAccountId: ACCOUNT,
      digestStartTime: '2024-05-06T06:00:00Z',
      digestEndTime: '2024-05-06T07:00:00Z',
      digestS3Bucket: 'trail-bucket',
      digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/x.json.gz',
      previousDigestHashAlgorithm: 'SHA-256',
      previousDigestSignature: 'abcd',
      logFiles: [{ s3Object: 'a.json.gz' }],
    });
    assert.equal(get(doc, 'cloud.account.id'), ACCOUNT);
    assert.equal(get(doc, '@timestamp'), '2024-05-06T07:00:00.000Z');
    assert.equal(get(doc, 'file.path'), 'AWSLogs/111122223333/CloudTrail-Digest/x.json.gz');
    assert.equal(get(doc, 'file.hash.sha256'), 'abcd');
    assert.deepEqual(get(doc, 'related.hash'), ['abcd']);
    assert.equal(get(doc, 'aws.cloudtrail.flattened.digest.start_time'), '2024-05-06T06:00:00.000Z');
    assert.equal(get(doc, 'aws.cloudtrail.flattened.digest.s3_bucket'), 'trail-bucket');
    assert.deepEqual(get(doc, 'aws.cloudtrail.flattened.digest.log_files'), [{ s3Object: 'a.json.gz' }]);
  });
});
