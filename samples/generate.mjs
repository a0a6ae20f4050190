// Writes every sample CloudTrail file in this folder from the records below, byte for byte the same
// on every run (ids come from a hash of a label, gzip is written with mtime 0). Run from anywhere:
//   node samples/generate.mjs
// The records are invented for this project: documentation account ids and addresses only
// (111122223333, 203.0.113.0/24, 198.51.100.0/24, 2001:db8::/32) and AWS's published example keys.
// samples/README.md says what is planted where; test/unit/cli checks those counts.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const ACCOUNT = '111122223333';

/** A UUID-shaped id derived from a label, so re-running the script changes nothing. */
function uuid(label) {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
function hex(label, length) {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${label}#${i}`).digest('hex');
  return out.slice(0, length);
}

// --- who calls ------------------------------------------------------------------------------

const alice = {
  type: 'IAMUser',
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice.ops`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice.ops',
};
const mallory = {
  type: 'IAMUser',
  principalId: 'AIDAI23HXD2O5EXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/svc-backup`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
  userName: 'svc-backup',
};
function assumedRole(role, session, key, created, mfa = 'false') {
  return {
    type: 'AssumedRole',
    principalId: `AROA3EXAMPLEROLEID01:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROA3EXAMPLEROLEID01',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      webIdFederationData: {},
      attributes: { creationDate: created, mfaAuthenticated: mfa },
    },
  };
}
const netops = assumedRole('NetOpsAutomation', 'ci-deploy-4412', 'ASIAIOSFODNN7EXAMPLE', '2026-11-04T08:58:41Z');
const admin = assumedRole('AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'bob@example.com', 'ASIAI3EXAMPLEKEY2ZQ7', '2026-11-04T07:30:02Z', 'true');
const ec2Service = { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' };

const CLI_UA = (cmd) =>
  `aws-cli/2.17.42 md/awscrt#0.21.2 ua/2.0 os/linux#6.1.0-26-amd64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#${cmd}`;
const BOTO_UA = 'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54';
const TF_UA = 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.1';
const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const CONSOLE_UA = 'AWS Internal';

function tls(host, version = 'TLSv1.3') {
  return {
    tlsVersion: version,
    cipherSuite: version === 'TLSv1.3' ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256',
    clientProvidedHostHeader: host,
  };
}

/** The fields every management event carries, in the order CloudTrail writes them. */
function event(label, { identity, time, source, name, region = 'us-east-1', ip, ua, request = null, response = null, error, readOnly, extra = {} }) {
  const e = {
    eventVersion: '1.10',
    userIdentity: identity,
    eventTime: time,
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: ip,
    userAgent: ua,
  };
  if (error) Object.assign(e, error);
  e.requestParameters = request;
  e.responseElements = response;
  Object.assign(e, extra.beforeIds ?? {});
  e.requestID = uuid(`${label}/request`);
  e.eventID = uuid(`${label}/event`);
  e.readOnly = readOnly ?? /^(Describe|Get|List|Lookup)/.test(name);
  Object.assign(e, extra.afterReadOnly ?? {});
  e.eventType = extra.eventType ?? 'AwsApiCall';
  e.managementEvent = extra.managementEvent ?? true;
  e.recipientAccountId = ACCOUNT;
  e.eventCategory = extra.eventCategory ?? 'Management';
  if (extra.tail) Object.assign(e, extra.tail);
  if (ua !== 'AWS Internal' && !/amazonaws\.com$/.test(ip)) e.tlsDetails = tls(extra.host ?? `${source.split('.')[0]}.${region}.amazonaws.com`);
  return e;
}

const unauthorized = (who, action, resource) => ({
  errorCode: 'Client.UnauthorizedOperation',
  errorMessage: `You are not authorized to perform this operation. User: ${who} is not authorized to perform: ec2:${action} on resource: ${resource} because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: ${hex(action + who, 96)}`,
});

// --- traffic mirroring --------------------------------------------------------------------------

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function mirrorTarget(label, { identity, time, ip, ua, region = 'us-east-1', eni, tmt, error }) {
  const token = uuid(`${label}/token`);
  return event(label, {
    identity, time, ip, ua, region, error,
    source: 'ec2.amazonaws.com',
    name: 'CreateTrafficMirrorTarget',
    request: { CreateTrafficMirrorTargetRequest: { NetworkInterfaceId: eni, Description: 'packet-capture', ClientToken: token } },
    response: error
      ? null
      : {
          CreateTrafficMirrorTargetResponse: {
            requestId: uuid(`${label}/request`),
            trafficMirrorTarget: { trafficMirrorTargetId: tmt, networkInterfaceId: eni, ownerId: ACCOUNT, type: 'network-interface', description: 'packet-capture', tagSet: '' },
            clientToken: token,
            xmlns: XMLNS,
          },
        },
  });
}

function mirrorFilter(label, { identity, time, ip, ua, region = 'us-east-1', tmf, error }) {
  const token = uuid(`${label}/token`);
  return event(label, {
    identity, time, ip, ua, region, error,
    source: 'ec2.amazonaws.com',
    name: 'CreateTrafficMirrorFilter',
    request: { CreateTrafficMirrorFilterRequest: { Description: 'all-traffic', ClientToken: token } },
    response: error
      ? null
      : {
          CreateTrafficMirrorFilterResponse: {
            requestId: uuid(`${label}/request`),
            trafficMirrorFilter: { trafficMirrorFilterId: tmf, ingressFilterRuleSet: '', egressFilterRuleSet: '', networkServiceSet: '', description: 'all-traffic', tagSet: '' },
            clientToken: token,
            xmlns: XMLNS,
          },
        },
  });
}

function mirrorFilterRule(label, { identity, time, ip, ua, region = 'us-east-1', tmf, direction = 'ingress', number = 100, error }) {
  const token = uuid(`${label}/token`);
  const rule = {
    TrafficMirrorFilterId: tmf,
    TrafficDirection: direction,
    RuleNumber: number,
    RuleAction: 'accept',
    DestinationCidrBlock: '0.0.0.0/0',
    SourceCidrBlock: '0.0.0.0/0',
    ClientToken: token,
  };
  return event(label, {
    identity, time, ip, ua, region, error,
    source: 'ec2.amazonaws.com',
    name: 'CreateTrafficMirrorFilterRule',
    request: { CreateTrafficMirrorFilterRuleRequest: rule },
    response: error
      ? null
      : {
          CreateTrafficMirrorFilterRuleResponse: {
            requestId: uuid(`${label}/request`),
            trafficMirrorFilterRule: {
              trafficMirrorFilterRuleId: `tmfr-${hex(label, 17)}`,
              trafficMirrorFilterId: tmf,
              trafficDirection: direction,
              ruleNumber: number,
              ruleAction: 'accept',
              destinationCidrBlock: '0.0.0.0/0',
              sourceCidrBlock: '0.0.0.0/0',
            },
            clientToken: token,
            xmlns: XMLNS,
          },
        },
  });
}

function mirrorSession(label, { identity, time, ip, ua, region = 'us-east-1', eni, tmt, tmf, tms, error }) {
  const token = uuid(`${label}/token`);
  return event(label, {
    identity, time, ip, ua, region, error,
    source: 'ec2.amazonaws.com',
    name: 'CreateTrafficMirrorSession',
    request: {
      CreateTrafficMirrorSessionRequest: {
        NetworkInterfaceId: eni,
        TrafficMirrorTargetId: tmt,
        TrafficMirrorFilterId: tmf,
        SessionNumber: 1,
        Description: 'capture',
        ClientToken: token,
      },
    },
    response: error
      ? null
      : {
          CreateTrafficMirrorSessionResponse: {
            requestId: uuid(`${label}/request`),
            trafficMirrorSession: {
              trafficMirrorSessionId: tms,
              trafficMirrorTargetId: tmt,
              trafficMirrorFilterId: tmf,
              networkInterfaceId: eni,
              ownerId: ACCOUNT,
              packetLength: 0,
              sessionNumber: 1,
              virtualNetworkId: 6817045,
              description: 'capture',
              tagSet: '',
            },
            clientToken: token,
            xmlns: XMLNS,
          },
        },
  });
}

// --- ordinary traffic ---------------------------------------------------------------------------

function describeInstances(label, { identity, time, ip, ua, region = 'us-east-1' }) {
  return event(label, {
    identity, time, ip, ua, region,
    source: 'ec2.amazonaws.com',
    name: 'DescribeInstances',
    request: { instancesSet: {}, filterSet: { items: [{ name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } }] } },
  });
}

function describeMirrorSessions(label, { identity, time, ip, ua, region = 'us-east-1' }) {
  return event(label, {
    identity, time, ip, ua, region,
    source: 'ec2.amazonaws.com',
    name: 'DescribeTrafficMirrorSessions',
    request: { DescribeTrafficMirrorSessionsRequest: '' },
  });
}

function deleteMirrorSession(label, { identity, time, ip, ua, region = 'us-east-1', tms }) {
  return event(label, {
    identity, time, ip, ua, region,
    source: 'ec2.amazonaws.com',
    name: 'DeleteTrafficMirrorSession',
    request: { DeleteTrafficMirrorSessionRequest: { TrafficMirrorSessionId: tms } },
    response: { DeleteTrafficMirrorSessionResponse: { requestId: uuid(`${label}/request`), trafficMirrorSessionId: tms, xmlns: XMLNS } },
  });
}

function assumeRoleForInstance(label, { time, instance, region = 'us-east-1', role = 'WebServerInstanceRole' }) {
  const e = event(label, {
    identity: ec2Service,
    time,
    region,
    ip: 'ec2.amazonaws.com',
    ua: 'ec2.amazonaws.com',
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    request: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, roleSessionName: instance },
    response: {
      credentials: {
        accessKeyId: 'ASIAIOSFODNN7EXAMPLF',
        sessionToken: `IQoJb3JpZ2luX2VjE${hex(label + 'token', 40)}EXAMPLE`,
        expiration: 'Nov 4, 2026, 3:41:06 PM',
      },
    },
    readOnly: true,
    extra: {
      tail: {
        resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/${role}` }],
        sharedEventID: uuid(`${label}/shared`),
      },
    },
  });
  return e;
}

function consoleLogin(label, { identity, time, ip, result = 'Success', mfa = 'Yes' }) {
  return event(label, {
    identity,
    time,
    ip,
    ua: BROWSER_UA,
    source: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    request: null,
    response: { ConsoleLogin: result },
    readOnly: false,
    error: result === 'Failure' ? { errorMessage: 'Failed authentication' } : undefined,
    extra: {
      eventType: 'AwsConsoleSignIn',
      beforeIds: {
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_0123456789abcdef',
          MobileVersion: 'No',
          MFAIdentifier: `arn:aws:iam::${ACCOUNT}:mfa/${identity.userName}`,
          MFAUsed: mfa,
        },
      },
      host: 'signin.aws.amazon.com',
    },
  });
}

function getObject(label, { identity, time, ip, ua, bucket, key, bytes }) {
  return event(label, {
    identity, time, ip, ua,
    source: 's3.amazonaws.com',
    name: 'GetObject',
    request: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key },
    response: null,
    readOnly: true,
    extra: {
      beforeIds: {
        additionalEventData: {
          SignatureVersion: 'SigV4',
          CipherSuite: 'TLS_AES_128_GCM_SHA256',
          bytesTransferredIn: 0,
          AuthenticationMethod: 'AuthHeader',
          'x-amz-id-2': `${hex(label + 'amzid', 60)}=`,
          bytesTransferredOut: bytes,
        },
      },
      managementEvent: false,
      eventCategory: 'Data',
      tail: {
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
          { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
        ],
      },
      host: `${bucket}.s3.us-east-1.amazonaws.com`,
    },
  });
}

function runInstances(label, { identity, time, ip, ua, region = 'us-east-1', instance, eni }) {
  return event(label, {
    identity, time, ip, ua, region,
    source: 'ec2.amazonaws.com',
    name: 'RunInstances',
    request: {
      instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] },
      instanceType: 't3.medium',
      blockDeviceMapping: {},
      availabilityZone: `${region}a`,
      monitoring: { enabled: false },
      disableApiTermination: false,
      disableApiStop: false,
      clientToken: uuid(`${label}/token`),
      subnetId: 'subnet-0123456789abcdef0',
    },
    response: {
      requestId: uuid(`${label}/request`),
      reservationId: `r-${hex(label, 17)}`,
      ownerId: ACCOUNT,
      groupSet: {},
      instancesSet: {
        items: [
          {
            instanceId: instance,
            imageId: 'ami-0abcdef1234567890',
            instanceState: { code: 0, name: 'pending' },
            privateDnsName: 'ip-10-0-1-27.ec2.internal',
            amiLaunchIndex: 0,
            productCodes: {},
            instanceType: 't3.medium',
            launchTime: Date.parse(time),
            placement: { availabilityZone: `${region}a`, tenancy: 'default' },
            monitoring: { state: 'disabled' },
            subnetId: 'subnet-0123456789abcdef0',
            vpcId: 'vpc-0a1b2c3d4e5f67890',
            privateIpAddress: '10.0.1.27',
            networkInterfaceSet: {
              items: [{ networkInterfaceId: eni, subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0a1b2c3d4e5f67890', status: 'in-use', privateIpAddress: '10.0.1.27' }],
            },
          },
        ],
      },
    },
  });
}

function listBuckets(label, { identity, time, ip, ua }) {
  return event(label, {
    identity, time, ip, ua,
    source: 's3.amazonaws.com',
    name: 'ListBuckets',
    request: { Host: 's3.us-east-1.amazonaws.com' },
    extra: { host: 's3.us-east-1.amazonaws.com' },
  });
}

function getCallerIdentity(label, { identity, time, ip, ua }) {
  return event(label, { identity, time, ip, ua, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true });
}

// --- the files ----------------------------------------------------------------------------------

const ENI_WEB = 'eni-0a1b2c3d4e5f67890';
const ENI_DB = 'eni-0f9e8d7c6b5a43210';
const ENI_SENSOR = 'eni-01234abcd5678ef90';

// 1. S3 delivery, compact, one line: 4 matches.
const s3Main = [
  describeInstances('s3/1', { identity: alice, time: '2026-11-04T09:10:03Z', ip: '203.0.113.24', ua: CLI_UA('ec2.describe-instances') }),
  consoleLogin('s3/2', { identity: alice, time: '2026-11-04T09:10:41Z', ip: '203.0.113.24' }),
  assumeRoleForInstance('s3/3', { time: '2026-11-04T09:11:06Z', instance: 'i-0a12b34c56d78e90f' }),
  getObject('s3/4', { identity: netops, time: '2026-11-04T09:11:52Z', ip: '198.51.100.77', ua: BOTO_UA, bucket: 'example-app-artifacts', key: 'releases/2026-11-03/app.tar.gz', bytes: 18211043 }),
  mirrorTarget('s3/5', { identity: mallory, time: '2026-11-04T09:12:15Z', ip: '198.51.100.23', ua: CLI_UA('ec2.create-traffic-mirror-target'), eni: ENI_SENSOR, tmt: 'tmt-0e5c2a9f1b3d4c6e7' }),
  mirrorFilter('s3/6', { identity: mallory, time: '2026-11-04T09:12:31Z', ip: '198.51.100.23', ua: CLI_UA('ec2.create-traffic-mirror-filter'), tmf: 'tmf-04b7d2e9a1c3f5e68' }),
  // success written with an empty errorCode: still a success (empty values are dropped before mapping)
  mirrorFilterRule('s3/7', { identity: mallory, time: '2026-11-04T09:12:48Z', ip: '198.51.100.23', ua: CLI_UA('ec2.create-traffic-mirror-filter-rule'), tmf: 'tmf-04b7d2e9a1c3f5e68' }),
  // denied: errorCode + errorMessage -> failure, must not match
  mirrorSession('s3/8', {
    identity: netops, time: '2026-11-04T09:13:02Z', ip: '198.51.100.77', ua: BOTO_UA,
    eni: ENI_DB, tmt: 'tmt-0e5c2a9f1b3d4c6e7', tmf: 'tmf-04b7d2e9a1c3f5e68',
    error: unauthorized(netops.arn, 'CreateTrafficMirrorSession', `arn:aws:ec2:us-east-1:${ACCOUNT}:traffic-mirror-session/*`),
  }),
  mirrorSession('s3/9', {
    identity: mallory, time: '2026-11-04T09:13:27Z', ip: '198.51.100.23', ua: CLI_UA('ec2.create-traffic-mirror-session'),
    eni: ENI_DB, tmt: 'tmt-0e5c2a9f1b3d4c6e7', tmf: 'tmf-04b7d2e9a1c3f5e68', tms: 'tms-0c1d2e3f4a5b6c7d8',
  }),
  describeMirrorSessions('s3/10', { identity: mallory, time: '2026-11-04T09:13:40Z', ip: '198.51.100.23', ua: CLI_UA('ec2.describe-traffic-mirror-sessions') }),
  runInstances('s3/11', { identity: admin, time: '2026-11-04T09:14:09Z', ip: '203.0.113.140', ua: TF_UA, instance: 'i-0b23c45d67e89f012', eni: 'eni-0aa11bb22cc33dd44' }),
  listBuckets('s3/12', { identity: admin, time: '2026-11-04T09:14:55Z', ip: '203.0.113.140', ua: '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.226-192.879.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.422-b06 java/1.8.0_422 vendor/Oracle_Corporation cfg/retry-mode/standard]' }),
];
// The empty errorCode sits where CloudTrail would put an error, just before requestParameters.
{
  const r = s3Main[6];
  const rebuilt = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'requestParameters') rebuilt.errorCode = '';
    rebuilt[k] = v;
  }
  s3Main[6] = rebuilt;
}

// 2. S3 envelope, pretty-printed: 2 matches.
const pretty = [
  getCallerIdentity('pretty/1', { identity: netops, time: '2026-11-04T10:01:12Z', ip: '2001:db8:4f1e::17', ua: BOTO_UA }),
  describeInstances('pretty/2', { identity: netops, time: '2026-11-04T10:01:19Z', ip: '2001:db8:4f1e::17', ua: BOTO_UA }),
  mirrorTarget('pretty/3', { identity: netops, time: '2026-11-04T10:02:44Z', ip: '2001:db8:4f1e::17', ua: BOTO_UA, eni: ENI_SENSOR, tmt: 'tmt-07d3f1a2b4c5d6e70' }),
  // errorMessage alone (no errorCode): still a failure, must not match
  mirrorFilter('pretty/4', {
    identity: netops, time: '2026-11-04T10:02:51Z', ip: '2001:db8:4f1e::17', ua: BOTO_UA,
    error: { errorMessage: 'The maximum number of traffic mirror filters has been reached.' },
  }),
  mirrorSession('pretty/5', {
    identity: netops, time: '2026-11-04T10:03:30Z', ip: '2001:db8:4f1e::17', ua: BOTO_UA,
    eni: ENI_WEB, tmt: 'tmt-07d3f1a2b4c5d6e70', tmf: 'tmf-0aa0bb1cc2dd3ee4f', tms: 'tms-05e6f7a8b9c0d1e2f',
  }),
  deleteMirrorSession('pretty/6', { identity: netops, time: '2026-11-04T10:09:02Z', ip: '2001:db8:4f1e::17', ua: BOTO_UA, tms: 'tms-05e6f7a8b9c0d1e2f' }),
  consoleLogin('pretty/7', { identity: mallory, time: '2026-11-04T10:11:40Z', ip: '198.51.100.23', result: 'Failure', mfa: 'No' }),
];

// 3. JSON Lines export: 3 matches, one carrying a hostile user agent (terminal escapes, a bidi override).
const jsonl = [
  describeInstances('jsonl/1', { identity: admin, time: '2026-11-05T14:20:00Z', ip: '203.0.113.140', ua: CLI_UA('ec2.describe-instances'), region: 'eu-west-1' }),
  mirrorFilter('jsonl/2', { identity: admin, time: '2026-11-05T14:21:10Z', ip: '203.0.113.140', ua: TF_UA, region: 'eu-west-1', tmf: 'tmf-0123fedc4567ba980' }),
  mirrorFilterRule('jsonl/3', { identity: admin, time: '2026-11-05T14:21:11Z', ip: '203.0.113.140', ua: TF_UA, region: 'eu-west-1', tmf: 'tmf-0123fedc4567ba980', direction: 'egress', number: 200 }),
  // denied: errorCode + errorMessage -> failure, must not match
  mirrorTarget('jsonl/4', {
    identity: mallory, time: '2026-11-05T14:25:37Z', ip: '198.51.100.23', ua: CLI_UA('ec2.create-traffic-mirror-target'), region: 'eu-west-1', eni: ENI_DB,
    error: unauthorized(mallory.arn, 'CreateTrafficMirrorTarget', `arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/${ENI_DB}`),
  }),
  getObject('jsonl/5', { identity: alice, time: '2026-11-05T14:26:02Z', ip: '203.0.113.24', ua: CLI_UA('s3.cp'), bucket: 'example-finance-reports', key: 'q3/ledger.csv', bytes: 482113 }),
  mirrorSession('jsonl/6', {
    identity: mallory, time: '2026-11-05T14:28:45Z', ip: '198.51.100.23', region: 'eu-west-1',
    ua: 'curl/8.5.0 \u001b[2J\u001b[1;1H\u001b]8;;https://198.51.100.9/\u0007click\u001b]8;;\u0007 \u202egnp.exe',
    eni: ENI_DB, tmt: 'tmt-0f1e2d3c4b5a69788', tmf: 'tmf-0123fedc4567ba980', tms: 'tms-0a9b8c7d6e5f40312',
  }),
  runInstances('jsonl/7', { identity: admin, time: '2026-11-05T14:30:12Z', ip: '203.0.113.140', ua: TF_UA, region: 'eu-west-1', instance: 'i-0c34d56e78f90a123', eni: 'eni-0bb22cc33dd44ee55' }),
];

// 4. aws cloudtrail lookup-events output (records inside CloudTrailEvent strings): 2 matches.
const lookup = [
  mirrorSession('lookup/1', {
    identity: admin, time: '2026-11-06T08:44:19Z', ip: '203.0.113.140', ua: CLI_UA('ec2.create-traffic-mirror-session'),
    eni: ENI_WEB, tmt: 'tmt-0e5c2a9f1b3d4c6e7', tmf: 'tmf-04b7d2e9a1c3f5e68', tms: 'tms-0d4c3b2a1f0e9d8c7',
  }),
  // denied: errorCode + errorMessage -> failure, must not match
  mirrorSession('lookup/2', {
    identity: mallory, time: '2026-11-06T08:41:03Z', ip: '198.51.100.23', ua: CLI_UA('ec2.create-traffic-mirror-session'),
    eni: ENI_WEB, tmt: 'tmt-0e5c2a9f1b3d4c6e7', tmf: 'tmf-04b7d2e9a1c3f5e68',
    error: unauthorized(mallory.arn, 'CreateTrafficMirrorSession', `arn:aws:ec2:us-east-1:${ACCOUNT}:traffic-mirror-session/*`),
  }),
  mirrorTarget('lookup/3', { identity: admin, time: '2026-11-06T08:40:27Z', ip: '203.0.113.140', ua: CLI_UA('ec2.create-traffic-mirror-target'), eni: ENI_SENSOR, tmt: 'tmt-0e5c2a9f1b3d4c6e7' }),
  describeInstances('lookup/4', { identity: admin, time: '2026-11-06T08:39:55Z', ip: '203.0.113.140', ua: CLI_UA('ec2.describe-instances') }),
];

// 5. Another S3 delivery, gzip-compressed: 2 matches.
const s3Gz = [
  assumeRoleForInstance('gz/1', { time: '2026-11-04T10:05:12Z', instance: 'i-0d45e67f89a01b234', region: 'eu-west-1', role: 'BatchWorkerRole' }),
  mirrorTarget('gz/2', { identity: netops, time: '2026-11-04T10:06:40Z', ip: '198.51.100.77', ua: BOTO_UA, region: 'eu-west-1', eni: ENI_SENSOR, tmt: 'tmt-0b1c2d3e4f5a6b7c8' }),
  mirrorSession('gz/3', {
    identity: netops, time: '2026-11-04T10:07:02Z', ip: '198.51.100.77', ua: BOTO_UA, region: 'eu-west-1',
    eni: ENI_WEB, tmt: 'tmt-0b1c2d3e4f5a6b7c8', tmf: 'tmf-0c2d3e4f5a6b7c8d9', tms: 'tms-0e1f2a3b4c5d6e7f8',
  }),
  describeMirrorSessions('gz/4', { identity: netops, time: '2026-11-04T10:07:30Z', ip: '198.51.100.77', ua: BOTO_UA, region: 'eu-west-1' }),
  listBuckets('gz/5', { identity: alice, time: '2026-11-04T10:08:14Z', ip: '203.0.113.24', ua: CLI_UA('s3.ls') }),
];

function write(rel, text) {
  const path = join(here, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const S3_DIR = `s3/AWSLogs/${ACCOUNT}/CloudTrail`;
write(`${S3_DIR}/us-east-1/2026/11/04/${ACCOUNT}_CloudTrail_us-east-1_20261104T0915Z_a1b2c3.json`, JSON.stringify({ Records: s3Main }));
write('pretty-envelope.json', JSON.stringify({ Records: pretty }, null, 2) + '\n');
write('export.jsonl', jsonl.map((r) => JSON.stringify(r)).join('\n') + '\n');
write(
  'lookup-events.json',
  JSON.stringify(
    {
      Events: lookup.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly),
        AccessKeyId: r.userIdentity.accessKeyId,
        EventTime: r.eventTime.replace('Z', '+00:00'),
        EventSource: r.eventSource,
        Username: r.userIdentity.userName ?? r.userIdentity.arn.split('/').pop(),
        Resources: r.responseElements?.CreateTrafficMirrorSessionResponse
          ? [{ ResourceType: 'AWS::EC2::TrafficMirrorSession', ResourceName: r.responseElements.CreateTrafficMirrorSessionResponse.trafficMirrorSession.trafficMirrorSessionId }]
          : [],
        CloudTrailEvent: JSON.stringify(r),
      })),
    },
    null,
    4,
  ) + '\n',
);
// gzip header mtime is 0 and the OS byte fixed by zlib: the same bytes on every run of the same zlib.
write(`${S3_DIR}/eu-west-1/2026/11/04/${ACCOUNT}_CloudTrail_eu-west-1_20261104T1005Z_d4e5f6.json.gz`, gzipSync(JSON.stringify({ Records: s3Gz }), { level: 9 }));

const digestBucket = 'example-org-cloudtrail-logs';
write(
  'digest.json',
  JSON.stringify({
    awsAccountId: ACCOUNT,
    digestStartTime: '2026-11-04T09:02:16Z',
    digestEndTime: '2026-11-04T10:02:16Z',
    digestS3Bucket: digestBucket,
    digestS3Object: `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/04/${ACCOUNT}_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20261104T100216Z.json.gz`,
    digestPublicKeyFingerprint: hex('fingerprint', 32),
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: '2026-11-04T09:59:58Z',
    oldestEventTime: '2026-11-04T08:55:01Z',
    previousDigestS3Bucket: digestBucket,
    previousDigestS3Object: `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/04/${ACCOUNT}_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20261104T090216Z.json.gz`,
    previousDigestHashValue: hex('previous-hash', 64),
    previousDigestHashAlgorithm: 'SHA-256',
    previousDigestSignature: hex('previous-signature', 512),
    logFiles: [
      {
        s3Bucket: digestBucket,
        s3Object: `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/04/${ACCOUNT}_CloudTrail_us-east-1_20261104T0915Z_a1b2c3.json.gz`,
        hashValue: hex('log-a1b2c3', 64),
        hashAlgorithm: 'SHA-256',
        newestEventTime: '2026-11-04T09:14:55Z',
        oldestEventTime: '2026-11-04T09:10:03Z',
      },
      {
        s3Bucket: digestBucket,
        s3Object: `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/04/${ACCOUNT}_CloudTrail_us-east-1_20261104T0950Z_9f8e7d.json.gz`,
        hashValue: hex('log-9f8e7d', 64),
        hashAlgorithm: 'SHA-256',
        newestEventTime: '2026-11-04T09:59:58Z',
        oldestEventTime: '2026-11-04T09:46:12Z',
      },
    ],
  }),
);

// Printed so README.md can be checked against what was written.
for (const [name, records] of Object.entries({ s3Main, pretty, jsonl, lookup, s3Gz })) {
  const notMatching = records.filter((r) => /^CreateTrafficMirror/.test(r.eventName) && (r.errorCode || r.errorMessage));
  console.log(name, records.length, 'records;', 'must not match:', notMatching.map((r) => `${r.eventName} ${r.eventID}`).join(', '));
}
