// Synthetic CloudTrail records: a realistic mix of ~35 API calls across ec2, s3, iam, sts, kms and
// signin, made by a seeded PRNG, with traffic-mirroring calls planted at a known rate. The generator
// decides which planted records the seed rule must match, so the expected count is known exactly
// without trusting any of the tools being measured.

import { Rng } from './prng';
import { MIRROR_ACTIONS } from './reference';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** How a planted traffic-mirroring record is written, and whether the rule must match it. */
export type PlantKind =
  | 'success' // no error fields
  | 'success-empty-errorCode' // "errorCode": "" (dropped by the integration: still a success)
  | 'success-empty-both' // "errorCode": "", "errorMessage": ""
  | 'success-escaped-name' // eventName written with a \u escape: same value once decoded
  | 'failure-code-message' // errorCode + errorMessage
  | 'failure-message-only' // errorMessage alone
  | 'failure-code-only'; // errorCode alone

export const PLANT_KINDS: readonly PlantKind[] = [
  'success',
  'success-empty-errorCode',
  'success-empty-both',
  'success-escaped-name',
  'failure-code-message',
  'failure-message-only',
  'failure-code-only',
];

export function plantMatches(kind: PlantKind): boolean {
  return kind.startsWith('success');
}

const PLANT_MIX: readonly (readonly [number, PlantKind])[] = [
  [50, 'success'],
  [12, 'success-empty-errorCode'],
  [4, 'success-empty-both'],
  [6, 'success-escaped-name'],
  [20, 'failure-code-message'],
  [6, 'failure-message-only'],
  [2, 'failure-code-only'],
];

/** About one record in this many is a planted traffic-mirroring call: rare, yet enough for every variant to occur in 10 MB. */
const PLANT_EVERY = 300;

/** One generated record and how to post-process its JSON text. */
export interface GeneratedRecord {
  record: Obj;
  /** Set for planted records. */
  plant?: PlantKind;
  /** Write `é` as the escape `\u00e9` in this record's text. */
  escapeAccents: boolean;
  /** Write the eventName value with a `\u0054` escape (same decoded value). */
  escapeName: boolean;
}

/** Serialises a record the way a file of the given style holds it, applying the planned escapes. */
export function recordText(g: GeneratedRecord, pretty: boolean, indent: string): string {
  let text = pretty ? JSON.stringify(g.record, null, 2).replace(/\n/g, `\n${indent}`) : JSON.stringify(g.record);
  if (g.escapeName) {
    const name = g.record.eventName as string;
    // The first occurrence of the quoted action is the eventName value (userIdentity precedes it
    // and never contains it).
    text = text.replace(`"${name}"`, `"${name.replace('T', '\\u0054')}"`);
  }
  if (g.escapeAccents) text = text.replace(/é/g, '\\u00e9');
  return text;
}

// ---------------------------------------------------------------------------------------------

type Principal = { type: 'IAMUser' | 'AssumedRole' | 'AWSService' | 'Root'; identity: Obj; accountId: string };

interface Body {
  source: string;
  name: string;
  req: Json;
  resp: Json;
  readOnly: boolean;
  eventType?: string;
  category?: 'Management' | 'Data';
  resources?: Json;
  additional?: Obj;
  /** The call failed with this error (ordinary records). */
  error?: { code?: string; message?: string };
}

type Builder = (g: RecordGenerator, p: Principal) => Body;

const REGIONS: readonly (readonly [number, string])[] = [
  [60, 'us-east-1'],
  [15, 'eu-west-1'],
  [10, 'us-west-2'],
  [8, 'ap-northeast-1'],
  [7, 'eu-central-1'],
];

const USER_AGENTS: readonly string[] = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0',
  'console.amazonaws.com',
  'AWS Internal',
  'terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  // Attacker-controlled text shows up in userAgent: quotes, markup, non-ASCII.
  'curl/8.5.0 "probe" <img src=x onerror=alert(1)>',
  'custom-agent/1.0 (équipe réseau; naïve café)',
  'scanner/0.9 (\u6e2c\u8a66; \ud83d\ude80)',
];

const SERVICE_SOURCES = ['ec2.amazonaws.com', 'AWS Internal', 'cloudformation.amazonaws.com', 'autoscaling.amazonaws.com'];

const TAG_VALUES = ['prod', 'staging', 'dev', 'Équipe réseau', 'données-clients', '財務', 'Überwachung', 'on-call 🚨', 'team "blue"'];

const S3_KEYS = [
  'logs/2024/05/01/app.log.gz',
  'exports/report-final.csv',
  'uploads/résumé.pdf',
  'backups/db/snapshot-0001.tar.zst',
  'docs/報告書.pdf',
  'static/img/logo.png',
  // Text-grep bait: the action name inside another service's value.
  'runbooks/CreateTrafficMirrorSession-howto.md',
];

export class RecordGenerator {
  readonly rng: Rng;
  private time = Date.UTC(2024, 4, 1, 0, 0, 0);
  private readonly accounts: string[];
  private readonly principals: Principal[];

  constructor(seed: number) {
    this.rng = new Rng(seed);
    const r = this.rng;
    this.accounts = ['111122223333', String(r.int(100000000000, 999999999999)), String(r.int(100000000000, 999999999999))];
    this.principals = [];
    const users = ['alice', 'bob', 'ci-deployer', 'svc-backup', 'jose.garcia', 'incident-responder', 'mallory'];
    const roles: [string, string][] = [
      ['OrganizationAccountAccessRole', 'admin-session'],
      ['GitHubActionsDeploy', 'GitHubActions'],
      ['AWSReservedSSO_AdministratorAccess_3f2a', 'alice@example.com'],
      ['NetworkOpsRole', 'netops-1714550000'],
      ['LambdaExecutionRole', 'inventory-collector'],
    ];
    for (const account of this.accounts) {
      for (const u of users) this.principals.push(this.iamUser(account, u));
      for (const [role, session] of roles) this.principals.push(this.assumedRole(account, role, session));
      this.principals.push(this.root(account));
    }
    for (const svc of ['ec2.amazonaws.com', 'cloudtrail.amazonaws.com', 'config.amazonaws.com']) {
      this.principals.push({ type: 'AWSService', accountId: this.accounts[0], identity: { type: 'AWSService', invokedBy: svc } });
    }
  }

  private iamUser(accountId: string, name: string): Principal {
    const r = this.rng;
    return {
      type: 'IAMUser',
      accountId,
      identity: {
        type: 'IAMUser',
        principalId: `AIDA${r.alnum(17)}`,
        arn: `arn:aws:iam::${accountId}:user/${name}`,
        accountId,
        accessKeyId: `AKIA${r.alnum(16)}`,
        userName: name,
      },
    };
  }

  private assumedRole(accountId: string, role: string, session: string): Principal {
    const r = this.rng;
    const roleId = `AROA${r.alnum(17)}`;
    return {
      type: 'AssumedRole',
      accountId,
      identity: {
        type: 'AssumedRole',
        principalId: `${roleId}:${session}`,
        arn: `arn:aws:sts::${accountId}:assumed-role/${role}/${session}`,
        accountId,
        accessKeyId: `ASIA${r.alnum(16)}`,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${accountId}:role/${role}`, accountId, userName: role },
          webIdFederationData: {},
          attributes: { creationDate: '2024-05-01T00:00:00Z', mfaAuthenticated: 'false' },
        },
      },
    };
  }

  private root(accountId: string): Principal {
    return {
      type: 'Root',
      accountId,
      identity: {
        type: 'Root',
        principalId: accountId,
        arn: `arn:aws:iam::${accountId}:root`,
        accountId,
        accessKeyId: `ASIA${this.rng.alnum(16)}`,
        sessionContext: { attributes: { creationDate: '2024-05-01T00:00:00Z', mfaAuthenticated: 'true' } },
      },
    };
  }

  // --- small value helpers -------------------------------------------------------------------

  id(prefix: string): string {
    return `${prefix}-${this.rng.hex(17)}`;
  }

  ipv4(): string {
    const r = this.rng;
    return `${r.pick([198, 203, 185, 34, 52, 3, 91])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }

  private sourceAddress(p: Principal): string {
    const r = this.rng;
    if (p.type === 'AWSService') return p.identity.invokedBy as string;
    return r.weighted<() => string>([
      [75, () => this.ipv4()],
      [15, () => `2001:db8:${r.hex(4)}:${r.hex(4)}::${r.hex(3)}`],
      [10, () => r.pick(SERVICE_SOURCES)],
    ])();
  }

  tags(n: number): Json {
    const out: Json[] = [];
    for (let i = 0; i < n; i++) out.push({ key: this.rng.pick(['Name', 'env', 'owner', 'cost-center', 'Beschreibung']), value: this.rng.pick(TAG_VALUES) });
    return out;
  }

  private isoTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // --- records -------------------------------------------------------------------------------

  next(): GeneratedRecord {
    const r = this.rng;
    this.time += r.int(0, 1500);
    if (r.int(1, PLANT_EVERY) === 1) return this.planted();
    const p = r.pick(this.principals);
    const build = r.weighted(CATALOG);
    const body = build(this, p);
    if (!body.error && !body.readOnly && r.chance(0.04)) {
      body.error = { code: 'AccessDenied', message: `User: ${p.identity.arn ?? 'unknown'} is not authorized to perform: ${body.source.split('.')[0]}:${body.name}` };
    } else if (!body.error && r.chance(0.01)) {
      body.error = { code: '' }; // an empty errorCode on an ordinary record
    }
    const record = this.assemble(p, body);
    const escapeAccents = r.chance(0.3);
    return { record, escapeAccents, escapeName: false };
  }

  private planted(): GeneratedRecord {
    const r = this.rng;
    const kind = r.weighted(PLANT_MIX);
    const name = r.pick(MIRROR_ACTIONS);
    // Whoever sets up packet capture: usually a human or an automation role, never an AWS service.
    const candidates = this.principals.filter((p) => p.type !== 'AWSService');
    const p = r.pick(candidates);
    const body = mirrorBody(this, name, !plantMatches(kind));
    switch (kind) {
      case 'success-empty-errorCode':
        body.error = { code: '' };
        break;
      case 'success-empty-both':
        body.error = { code: '', message: '' };
        break;
      case 'failure-code-message':
        body.error = r.pick([
          { code: 'Client.UnauthorizedOperation', message: 'You are not authorized to perform this operation. Encoded authorization failure message: ' + r.hex(120) },
          { code: 'Client.InvalidParameterValue', message: 'The network interface "eni-0abc" is not supported as a traffic mirror source.' },
          { code: 'Client.TrafficMirrorSessionLimitExceeded', message: 'The maximum number of traffic mirror sessions has been reached.' },
          { code: 'Server.InternalError', message: 'An internal error has occurred' },
        ]);
        break;
      case 'failure-message-only':
        body.error = { message: 'Request failed: the traffic mirror target does not exist (résumé: échec).' };
        break;
      case 'failure-code-only':
        body.error = { code: 'Client.DryRunOperation' };
        break;
      default:
        break;
    }
    return { record: this.assemble(p, body), plant: kind, escapeAccents: r.chance(0.3), escapeName: kind === 'success-escaped-name' };
  }

  private assemble(p: Principal, b: Body): Obj {
    const r = this.rng;
    const rec: Obj = {
      eventVersion: r.pick(['1.08', '1.09', '1.10']),
      userIdentity: p.identity,
      eventTime: this.isoTime(this.time),
      eventSource: b.source,
      eventName: b.name,
      awsRegion: b.source === 'signin.amazonaws.com' || b.source === 'iam.amazonaws.com' ? 'us-east-1' : r.weighted(REGIONS),
      sourceIPAddress: this.sourceAddress(p),
      userAgent: p.type === 'AWSService' ? (p.identity.invokedBy as string) : r.pick(USER_AGENTS),
    };
    if (b.error?.code !== undefined) rec.errorCode = b.error.code;
    if (b.error?.message !== undefined) rec.errorMessage = b.error.message;
    rec.requestParameters = b.req;
    // Failed API calls carry no response; a failed console sign-in still says "Failure" in it.
    rec.responseElements = (b.error?.code || b.error?.message) && b.eventType !== 'AwsConsoleSignIn' ? null : b.resp;
    if (b.additional) rec.additionalEventData = b.additional;
    rec.requestID = r.uuid();
    rec.eventID = r.uuid();
    rec.readOnly = b.readOnly;
    if (b.resources) rec.resources = b.resources;
    rec.eventType = b.eventType ?? 'AwsApiCall';
    rec.managementEvent = (b.category ?? 'Management') === 'Management';
    rec.recipientAccountId = p.accountId;
    rec.eventCategory = b.category ?? 'Management';
    if (p.type !== 'AWSService' && rec.eventType === 'AwsApiCall') {
      rec.tlsDetails = {
        tlsVersion: r.pick(['TLSv1.2', 'TLSv1.3']),
        cipherSuite: r.pick(['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256']),
        clientProvidedHostHeader: `${b.source.split('.')[0]}.${rec.awsRegion as string}.amazonaws.com`,
      };
    }
    if (p.identity.sessionContext && r.chance(0.2)) rec.sessionCredentialFromConsole = 'true';
    return rec;
  }
}

// --- the catalog -----------------------------------------------------------------------------

function policyDocument(g: RecordGenerator, statements: number): string {
  const r = g.rng;
  const st: Json[] = [];
  for (let i = 0; i < statements; i++) {
    st.push({
      Sid: `Stmt${r.int(1000, 9999)}`,
      Effect: r.pick(['Allow', 'Deny']),
      Action: [r.pick(['s3:GetObject', 'ec2:*', 'kms:Decrypt', 'iam:PassRole', 'logs:*']), r.pick(['s3:ListBucket', 'sts:AssumeRole'])],
      Resource: `arn:aws:s3:::bucket-${r.hex(6)}/*`,
      Condition: r.chance(0.5) ? { StringEquals: { 'aws:PrincipalTag/team': r.pick(TAG_VALUES) } } : {},
    });
  }
  // CloudTrail records policy documents as JSON *strings*: the source of most \" escapes in real logs.
  return JSON.stringify({ Version: '2012-10-17', Statement: st });
}

function instanceItem(g: RecordGenerator): Obj {
  const r = g.rng;
  return {
    instanceId: g.id('i'),
    imageId: g.id('ami'),
    instanceState: { code: 0, name: 'pending' },
    privateDnsName: `ip-10-0-${r.int(0, 255)}-${r.int(0, 255)}.ec2.internal`,
    amiLaunchIndex: 0,
    productCodes: {},
    instanceType: r.pick(['t3.micro', 'm6i.large', 'c7g.xlarge', 'p4d.24xlarge']),
    launchTime: 1714550000000 + r.int(0, 1e8),
    placement: { availabilityZone: 'us-east-1a', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: g.id('subnet'),
    vpcId: g.id('vpc'),
    privateIpAddress: `10.0.${r.int(0, 255)}.${r.int(0, 255)}`,
    stateReason: { code: 'pending', message: 'pending' },
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: {},
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    tagSet: { items: g.tags(r.int(0, 4)) },
    groupSet: { items: [{ groupId: g.id('sg'), groupName: 'default' }] },
    networkInterfaceSet: {
      items: [{ networkInterfaceId: g.id('eni'), subnetId: g.id('subnet'), vpcId: g.id('vpc'), macAddress: '0e:' + r.hex(2) + ':' + r.hex(2) + ':11:22:33', privateIpAddress: `10.0.${r.int(0, 255)}.${r.int(0, 255)}` }],
    },
    ebsOptimized: false,
    enaSupport: true,
    metadataOptions: { state: 'pending', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
  };
}

function mirrorBody(g: RecordGenerator, name: (typeof MIRROR_ACTIONS)[number], failed: boolean): Body {
  const r = g.rng;
  const base = { source: 'ec2.amazonaws.com', name, readOnly: false };
  const tag = { ResourceType: 'traffic-mirror-session', Tag: g.tags(r.int(0, 2)) };
  switch (name) {
    case 'CreateTrafficMirrorFilter':
      return {
        ...base,
        req: { CreateTrafficMirrorFilterRequest: { Description: r.pick(['capture all', 'netops débogage', 'temp']), ClientToken: r.uuid() } },
        resp: failed ? null : { CreateTrafficMirrorFilterResponse: { trafficMirrorFilter: { trafficMirrorFilterId: g.id('tmf'), description: 'capture all' }, requestId: r.uuid() } },
      };
    case 'CreateTrafficMirrorFilterRule':
      return {
        ...base,
        req: {
          CreateTrafficMirrorFilterRuleRequest: {
            TrafficMirrorFilterId: g.id('tmf'),
            TrafficDirection: r.pick(['ingress', 'egress']),
            RuleNumber: r.int(1, 32766),
            RuleAction: 'accept',
            DestinationCidrBlock: '0.0.0.0/0',
            SourceCidrBlock: '0.0.0.0/0',
          },
        },
        resp: failed ? null : { CreateTrafficMirrorFilterRuleResponse: { trafficMirrorFilterRule: { trafficMirrorFilterRuleId: g.id('tmfr'), ruleAction: 'accept' } } },
      };
    case 'CreateTrafficMirrorSession':
      return {
        ...base,
        req: {
          CreateTrafficMirrorSessionRequest: {
            NetworkInterfaceId: g.id('eni'),
            TrafficMirrorTargetId: g.id('tmt'),
            TrafficMirrorFilterId: g.id('tmf'),
            SessionNumber: r.int(1, 32766),
            TagSpecification: tag,
          },
        },
        resp: failed ? null : { CreateTrafficMirrorSessionResponse: { trafficMirrorSession: { trafficMirrorSessionId: g.id('tms'), packetLength: 65535 } } },
      };
    case 'CreateTrafficMirrorTarget':
      return {
        ...base,
        req: { CreateTrafficMirrorTargetRequest: { NetworkLoadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/collector/${r.hex(16)}` } },
        resp: failed ? null : { CreateTrafficMirrorTargetResponse: { trafficMirrorTarget: { trafficMirrorTargetId: g.id('tmt'), type: 'network-load-balancer' } } },
      };
  }
}

const ec2 = (name: string, readOnly: boolean, req: (g: RecordGenerator) => Json, resp: (g: RecordGenerator) => Json = () => null): Builder => (g) => ({
  source: 'ec2.amazonaws.com',
  name,
  readOnly,
  req: req(g),
  resp: resp(g),
});

const CATALOG: readonly (readonly [number, Builder])[] = [
  // ec2
  [90, ec2('DescribeInstances', true, (g) => ({ instancesSet: {}, filterSet: { items: [{ name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } }] } }))],
  [30, ec2('DescribeSecurityGroups', true, (g) => ({ securityGroupSet: {}, securityGroupIdSet: { items: [{ groupId: g.id('sg') }] }, filterSet: {} }))],
  [25, ec2('DescribeVolumes', true, () => ({ volumeSet: {}, filterSet: {}, maxResults: 500 }))],
  [
    12,
    ec2(
      'RunInstances',
      false,
      (g) => ({ instancesSet: { items: [{ imageId: g.id('ami'), minCount: 1, maxCount: 1 }] }, instanceType: 't3.micro', blockDeviceMapping: {}, tagSpecificationSet: { items: [{ resourceType: 'instance', tags: g.tags(3) }] } }),
      (g) => {
        // Mostly one instance; now and then a large fleet: the records of widely varying size.
        const n = g.rng.weighted([[80, 1], [15, g.rng.int(2, 8)], [5, g.rng.int(20, 40)]] as const);
        const items: Json[] = [];
        for (let i = 0; i < n; i++) items.push(instanceItem(g));
        return { requestId: g.rng.uuid(), reservationId: g.id('r'), ownerId: '111122223333', groupSet: {}, instancesSet: { items } };
      },
    ),
  ],
  [8, ec2('TerminateInstances', false, (g) => ({ instancesSet: { items: [{ instanceId: g.id('i') }] } }), (g) => ({ requestId: g.rng.uuid(), instancesSet: { items: [{ instanceId: g.id('i'), currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } }] } }))],
  [8, ec2('StartInstances', false, (g) => ({ instancesSet: { items: [{ instanceId: g.id('i') }] } }))],
  [8, ec2('StopInstances', false, (g) => ({ instancesSet: { items: [{ instanceId: g.id('i') }] }, force: false }))],
  [10, ec2('AuthorizeSecurityGroupIngress', false, (g) => ({ groupId: g.id('sg'), ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'temp "ssh" accès' }] } }] } }), (g) => ({ requestId: g.rng.uuid(), _return: true }))],
  [20, ec2('CreateTags', false, (g) => ({ resourcesSet: { items: [{ resourceId: g.id('i') }] }, tagSet: { items: g.tags(g.rng.int(1, 6)) } }), (g) => ({ requestId: g.rng.uuid(), _return: true }))],
  [6, ec2('CreateSnapshot', false, (g) => ({ volumeId: g.id('vol'), description: 'nightly backup — données' }), (g) => ({ snapshotId: g.id('snap'), status: 'pending', volumeSize: 100 }))],
  // Traffic-mirroring calls that are not creations: same service, similar names, not the rule's.
  [3, ec2('DescribeTrafficMirrorSessions', true, () => ({ DescribeTrafficMirrorSessionsRequest: { MaxResults: 100 } }))],
  [3, ec2('DescribeTrafficMirrorFilters', true, () => ({ DescribeTrafficMirrorFiltersRequest: { MaxResults: 100 } }))],
  [1, ec2('DeleteTrafficMirrorSession', false, (g) => ({ DeleteTrafficMirrorSessionRequest: { TrafficMirrorSessionId: g.id('tms') } }), (g) => ({ DeleteTrafficMirrorSessionResponse: { trafficMirrorSessionId: g.id('tms') } }))],
  [1, ec2('ModifyTrafficMirrorSession', false, (g) => ({ ModifyTrafficMirrorSessionRequest: { TrafficMirrorSessionId: g.id('tms'), PacketLength: 128 } }))],
  // s3 (data events dominate busy trails)
  [
    120,
    (g): Body => {
      const bucket = `bucket-${g.rng.hex(6)}`;
      const key = g.rng.pick(S3_KEYS);
      return {
        source: 's3.amazonaws.com',
        name: 'GetObject',
        readOnly: true,
        category: 'Data',
        req: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key },
        resp: null,
        additional: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, bytesTransferredOut: g.rng.int(100, 9e6), AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': g.rng.hex(60) },
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
          { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
        ],
      };
    },
  ],
  [40, (g) => ({ source: 's3.amazonaws.com', name: 'PutObject', readOnly: false, category: 'Data', req: { bucketName: `bucket-${g.rng.hex(6)}`, key: g.rng.pick(S3_KEYS), 'x-amz-server-side-encryption': 'aws:kms' }, resp: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-version-id': g.rng.hex(32) } })],
  [6, (g) => ({ source: 's3.amazonaws.com', name: 'DeleteObject', readOnly: false, category: 'Data', req: { bucketName: `bucket-${g.rng.hex(6)}`, key: g.rng.pick(S3_KEYS) }, resp: null })],
  [10, () => ({ source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true, req: { Host: 's3.amazonaws.com' }, resp: null })],
  [8, (g) => ({ source: 's3.amazonaws.com', name: 'GetBucketAcl', readOnly: true, req: { bucketName: `bucket-${g.rng.hex(6)}`, acl: '' }, resp: null })],
  [2, (g) => ({ source: 's3.amazonaws.com', name: 'PutBucketPolicy', readOnly: false, req: { bucketName: `bucket-${g.rng.hex(6)}`, bucketPolicy: JSON.parse(policyDocument(g, g.rng.int(1, 12))) as Json, policy: '' }, resp: null })],
  // iam
  [3, (g) => ({ source: 'iam.amazonaws.com', name: 'CreateUser', readOnly: false, req: { userName: `user-${g.rng.hex(5)}`, tags: g.tags(2) }, resp: { user: { path: '/', userName: `user-${g.rng.hex(5)}`, userId: `AIDA${g.rng.alnum(17)}`, arn: 'arn:aws:iam::111122223333:user/new', createDate: 'May 1, 2024 12:00:00 AM' } } })],
  [3, (g) => ({ source: 'iam.amazonaws.com', name: 'CreateAccessKey', readOnly: false, req: { userName: 'ci-deployer' }, resp: { accessKey: { userName: 'ci-deployer', accessKeyId: `AKIA${g.rng.alnum(16)}`, status: 'Active', createDate: 'May 1, 2024 12:00:00 AM' } } })],
  [
    5,
    (g) => ({
      source: 'iam.amazonaws.com',
      name: 'PutRolePolicy',
      readOnly: false,
      // Sizes from a few hundred bytes to ~10 KB, all of it inside one escaped string.
      req: { roleName: 'NetworkOpsRole', policyName: `inline-${g.rng.hex(4)}`, policyDocument: policyDocument(g, g.rng.weighted([[85, g.rng.int(1, 4)], [15, g.rng.int(20, 40)]] as const)) },
      resp: null,
    }),
  ],
  [4, (g) => ({ source: 'iam.amazonaws.com', name: 'AttachUserPolicy', readOnly: false, req: { userName: 'bob', policyArn: g.rng.pick(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']) }, resp: null })],
  [12, (g) => ({ source: 'iam.amazonaws.com', name: 'ListRoles', readOnly: true, req: { maxItems: g.rng.pick([100, 1000]) }, resp: null })],
  [8, () => ({ source: 'iam.amazonaws.com', name: 'GetUser', readOnly: true, req: null, resp: null })],
  // sts
  [
    60,
    (g) => ({
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      readOnly: true,
      req: { roleArn: 'arn:aws:iam::111122223333:role/NetworkOpsRole', roleSessionName: `session-${g.rng.hex(8)}`, durationSeconds: 3600 },
      resp: {
        credentials: { accessKeyId: `ASIA${g.rng.alnum(16)}`, sessionToken: g.rng.hex(g.rng.int(300, 900)), expiration: 'May 1, 2024, 1:00:00 AM' },
        assumedRoleUser: { assumedRoleId: `AROA${g.rng.alnum(17)}:session`, arn: 'arn:aws:sts::111122223333:assumed-role/NetworkOpsRole/session' },
      },
      resources: [{ accountId: '111122223333', type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::111122223333:role/NetworkOpsRole' }],
    }),
  ],
  [20, () => ({ source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true, req: null, resp: null })],
  [4, (g) => ({ source: 'sts.amazonaws.com', name: 'GetSessionToken', readOnly: true, req: { durationSeconds: 43200 }, resp: { credentials: { accessKeyId: `ASIA${g.rng.alnum(16)}`, sessionToken: g.rng.hex(400), expiration: 'May 1, 2024, 12:00:00 PM' } } })],
  // kms
  [70, (g) => ({ source: 'kms.amazonaws.com', name: 'Decrypt', readOnly: true, req: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::bucket-${g.rng.hex(6)}/${g.rng.pick(S3_KEYS)}` } }, resp: null, resources: [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: `arn:aws:kms:us-east-1:111122223333:key/${g.rng.uuid()}` }] })],
  [25, (g) => ({ source: 'kms.amazonaws.com', name: 'GenerateDataKey', readOnly: true, req: { keyId: `alias/${g.rng.pick(['s3', 'ebs', 'secrets'])}`, keySpec: 'AES_256' }, resp: null })],
  [8, (g) => ({ source: 'kms.amazonaws.com', name: 'Encrypt', readOnly: true, req: { keyId: g.rng.uuid(), encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, resp: null })],
  // signin
  [
    6,
    (g) => {
      const ok = g.rng.chance(0.85);
      return {
        source: 'signin.amazonaws.com',
        name: 'ConsoleLogin',
        readOnly: false,
        eventType: 'AwsConsoleSignIn',
        req: null,
        resp: { ConsoleLogin: ok ? 'Success' : 'Failure' },
        additional: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: g.rng.pick(['Yes', 'No']) },
        error: ok ? undefined : { message: 'Failed authentication' },
      };
    },
  ],
];
