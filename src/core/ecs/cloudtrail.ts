// One CloudTrail record -> the document Elastic's AWS integration indexes (aws.cloudtrail data
// stream), processor by processor. The pipeline text followed is
// packages/aws/data_stream/cloudtrail/elasticsearch/ingest_pipeline/default.yml of elastic/integrations
// (2.x line, read in full), with the later changes visible in that package's newer test fixtures and
// pull requests: cloud.provider, cloud.account.id falling back to recipientAccountId,
// cloud.service.name, and the assumed-role session name going to related.user / user.email.
//
// While mapping, every ECS field can note the raw path its value came from (the provenance map), so
// that a finding can underline the exact text in the file.

import { categorizationOf } from './categories';
import { esIsoDate } from './dates';
import { sourceIpOf } from './ip';
import { hashMapOrder, javaMapString, scrub, setOwn, templateString } from './java';

type Obj = Record<string, unknown>;
export type RawPath = readonly string[];
export type Provenance = Map<string, RawPath>;

/** Values whose rendered text reaches this length are not kept under aws.cloudtrail.flattened.*. */
const FLATTENED_LIMIT = 32766;

/** The raw object each flattened field / rendered string comes from. */
export const FLATTENED_SOURCES: ReadonlyArray<readonly [ecsName: string, rawKey: string]> = [
  ['request_parameters', 'requestParameters'],
  ['response_elements', 'responseElements'],
  ['additional_eventdata', 'additionalEventData'],
  ['service_event_details', 'serviceEventDetails'],
];

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A property of a plain object (never of an array or a primitive, as in ingest field paths). */
function at(o: unknown, key: string): unknown {
  return isObj(o) && hasOwn(o, key) ? o[key] : undefined;
}

/** A raw value as the pipeline sees it after its null/"" scrub: undefined when scrubbed away. */
function clean(v: unknown): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  return typeof v === 'object' ? scrub(v) : v;
}

/** The scrubbed value at a raw key path (through plain objects only). */
function read(record: Obj, path: RawPath): unknown {
  let node: unknown = record;
  for (const k of path) node = at(node, k);
  return clean(node);
}

interface Field {
  readonly name: string;
  readonly segs: readonly string[];
}

interface Rename {
  readonly field: Field;
  readonly path: RawPath;
}

const F = (name: string): Field => ({ name, segs: name.split('.') });
const R = (field: string, path: string): Rename => ({ field: F(field), path: path.split('.') });
const P = (path: string): RawPath => path.split('.');

/** Builds the nested document; records provenance when asked to. */
class Doc {
  readonly root: Obj = {};
  constructor(private readonly prov?: Provenance) {}

  set(field: Field, value: unknown, from?: RawPath): void {
    const segs = field.segs;
    let node = this.root;
    for (let i = 0; i < segs.length - 1; i++) {
      const next = node[segs[i]];
      if (isObj(next)) {
        node = next;
      } else {
        const created: Obj = {};
        node[segs[i]] = created;
        node = created;
      }
    }
    node[segs[segs.length - 1]] = value;
    if (this.prov) {
      if (from) this.prov.set(field.name, from);
      else this.prov.delete(field.name);
    }
  }

  get(field: Field): unknown {
    let node: unknown = this.root;
    for (const s of field.segs) node = at(node, s);
    return node;
  }

  /** A rename with ignore_failure: nothing happens when the source is missing. */
  rename(r: Rename, record: Obj): boolean {
    const v = read(record, r.path);
    if (v === undefined) return false;
    this.set(r.field, v, r.path);
    return true;
  }

  /** `related.*` append with allow_duplicates: false. */
  append(field: Field, value: string): void {
    const current = this.get(field);
    if (Array.isArray(current)) {
      if (!current.includes(value)) current.push(value);
    } else {
      this.set(field, [value]);
    }
  }
}

/**
 * The session name of an assumed-role or federated-user ARN:
 * arn:aws:sts::111122223333:assumed-role/RoleName/SessionName, ...:federated-user/Name.
 */
export function sessionNameOf(arn: unknown): string | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const ar = arn.indexOf(':assumed-role/');
  if (ar >= 0) {
    const rest = arn.slice(ar + ':assumed-role/'.length);
    const slash = rest.indexOf('/');
    const name = slash >= 0 ? rest.slice(slash + 1) : '';
    return name.length > 0 ? name : undefined;
  }
  const fu = arn.indexOf(':federated-user/');
  if (fu >= 0) {
    const name = arn.slice(fu + ':federated-user/'.length);
    return name.length > 0 ? name : undefined;
  }
  return undefined;
}

// Constants: the data stream's constant_keyword fields and what the integration sets on every event.
const CONSTANTS: ReadonlyArray<readonly [Field, string]> = [
  [F('event.dataset'), 'aws.cloudtrail'],
  [F('event.module'), 'aws'],
  [F('data_stream.dataset'), 'aws.cloudtrail'],
  [F('data_stream.type'), 'logs'],
  [F('ecs.version'), '8.11.0'],
  [F('cloud.provider'), 'aws'],
];

// Renames that create aws.cloudtrail.* before the request/response script (see awsSet below).
const AWS_IDENTITY: readonly Rename[] = [
  R('aws.cloudtrail.event_version', 'eventVersion'),
  R('aws.cloudtrail.user_identity.type', 'userIdentity.type'),
  R('aws.cloudtrail.user_identity.arn', 'userIdentity.arn'),
  R('aws.cloudtrail.user_identity.access_key_id', 'userIdentity.accessKeyId'),
  R('aws.cloudtrail.user_identity.session_context.mfa_authenticated', 'userIdentity.sessionContext.attributes.mfaAuthenticated'),
  R('aws.cloudtrail.user_identity.session_context.session_issuer.type', 'userIdentity.sessionContext.sessionIssuer.type'),
  R('aws.cloudtrail.user_identity.session_context.session_issuer.principal_id', 'userIdentity.sessionContext.sessionIssuer.principalId'),
  R('aws.cloudtrail.user_identity.session_context.session_issuer.arn', 'userIdentity.sessionContext.sessionIssuer.arn'),
  R('aws.cloudtrail.user_identity.session_context.session_issuer.account_id', 'userIdentity.sessionContext.sessionIssuer.accountId'),
  R('aws.cloudtrail.user_identity.invoked_by', 'userIdentity.invokedBy'),
  R('aws.cloudtrail.event_category', 'eventCategory'),
  R('aws.cloudtrail.error_code', 'errorCode'),
  R('aws.cloudtrail.error_message', 'errorMessage'),
];
const CREATION_DATE = F('aws.cloudtrail.user_identity.session_context.creation_date');
const CREATION_DATE_PATH = P('userIdentity.sessionContext.attributes.creationDate');

const ECS_RENAMES: readonly Rename[] = [
  R('user.id', 'userIdentity.principalId'),
  R('event.provider', 'eventSource'),
  R('cloud.region', 'awsRegion'),
  R('source.address', 'sourceIPAddress'),
  R('user_agent.original', 'userAgent'),
];

const LATER_RENAMES: readonly Rename[] = [
  R('aws.cloudtrail.request_id', 'requestID'),
  R('event.id', 'eventID'),
  R('aws.cloudtrail.event_type', 'eventType'),
  R('aws.cloudtrail.api_version', 'apiVersion'),
  R('aws.cloudtrail.management_event', 'managementEvent'),
  R('aws.cloudtrail.read_only', 'readOnly'),
  R('aws.cloudtrail.recipient_account_id', 'recipientAccountId'),
  R('aws.cloudtrail.shared_event_id', 'sharedEventId'),
  R('aws.cloudtrail.vpc_endpoint_id', 'vpcEndpointId'),
];

// The pipeline builds aws.cloudtrail.digest.* and renames it to aws.cloudtrail.flattened.digest.
const DIGEST_RENAMES: readonly Rename[] = [
  R('file.path', 'digestS3Object'),
  R('aws.cloudtrail.flattened.digest.log_files', 'logFiles'),
  R('aws.cloudtrail.flattened.digest.s3_bucket', 'digestS3Bucket'),
  R('aws.cloudtrail.flattened.digest.previous_s3_bucket', 'previousDigestS3Bucket'),
  R('aws.cloudtrail.flattened.digest.previous_hash_algorithm', 'previousDigestHashAlgorithm'),
  R('aws.cloudtrail.flattened.digest.public_key_fingerprint', 'publicKeyFingerprint'),
  R('aws.cloudtrail.flattened.digest.signature_algorithm', 'digestSignatureAlgorithm'),
];
const DIGEST_KEYS = ['awsAccountId', 'digestS3Object', 'digestS3Bucket', 'digestStartTime', 'digestEndTime', 'logFiles', 'previousDigestSignature'];
const DIGEST_DATES: ReadonlyArray<readonly [Field, RawPath]> = [
  [F('aws.cloudtrail.flattened.digest.start_time'), P('digestStartTime')],
  [F('@timestamp'), P('digestEndTime')],
  [F('aws.cloudtrail.flattened.digest.end_time'), P('digestEndTime')],
  [F('aws.cloudtrail.flattened.digest.newest_event_time'), P('newestEventTime')],
  [F('aws.cloudtrail.flattened.digest.oldest_event_time'), P('oldestEventTime')],
];

const FLATTENED_FIELDS = FLATTENED_SOURCES.map(([name, rawKey]) => ({
  text: F('aws.cloudtrail.' + name),
  object: F('aws.cloudtrail.flattened.' + name),
  rawKey,
  path: [rawKey] as RawPath,
}));

const TIMESTAMP = F('@timestamp');
const EVENT_TIME = P('eventTime');
const USER_NAME = F('user.name');
const USER_ID = F('user.id');
const USER_EMAIL = F('user.email');
const OWN_NAME = P('userIdentity.userName');
const ISSUER_NAME = P('userIdentity.sessionContext.sessionIssuer.userName');
const ARN = P('userIdentity.arn');
const ACCOUNT_ID = F('cloud.account.id');
// userIdentity.accountId, else the account that received the event, else a digest's awsAccountId.
const ACCOUNT_SOURCES: readonly RawPath[] = [P('userIdentity.accountId'), P('recipientAccountId'), P('awsAccountId')];
const SERVICE_NAME = F('cloud.service.name');
const EVENT_SOURCE = P('eventSource');
const ACTION = F('event.action');
const EVENT_NAME = P('eventName');
const SOURCE_IP = F('source.ip');
const SOURCE_IP_PATH = P('sourceIPAddress');
const RESOURCES = F('aws.cloudtrail.resources');
const RESOURCES_PATH = P('resources');
const RELATED_USER = F('related.user');
const RELATED_HASH = F('related.hash');
const CONSOLE_LOGIN = {
  mobile: F('aws.cloudtrail.console_login.additional_eventdata.mobile_version'),
  loginTo: F('aws.cloudtrail.console_login.additional_eventdata.login_to'),
  mfa: F('aws.cloudtrail.console_login.additional_eventdata.mfa_used'),
  mobilePath: P('additionalEventData.MobileVersion'),
  loginToPath: P('additionalEventData.LoginTo'),
  mfaPath: P('additionalEventData.MFAUsed'),
};
const KIND = F('event.kind');
const TYPE = F('event.type');
const CATEGORY = F('event.category');
const OUTCOME = F('event.outcome');
const ERROR_CODE = P('errorCode');
const ERROR_MESSAGE = P('errorMessage');
const CONSOLE_LOGIN_RESULT = P('responseElements.ConsoleLogin');
const INSIGHT = R('aws.cloudtrail.flattened.insight_details', 'insightDetails');
const FILE_SHA256 = R('file.hash.sha256', 'previousDigestSignature');
const TEMPLATE_SETS: ReadonlyArray<readonly [Field, 'request_parameters' | 'response_elements', readonly string[], RawPath]> = [
  [F('group.id'), 'response_elements', ['group', 'groupId'], P('responseElements.group.groupId')],
  [F('user.target.id'), 'response_elements', ['user', 'userId'], P('responseElements.user.userId')],
  [F('user.changes.name'), 'request_parameters', ['newUserName'], P('requestParameters.newUserName')],
  [F('group.name'), 'request_parameters', ['groupName'], P('requestParameters.groupName')],
  [F('user.target.name'), 'request_parameters', ['userName'], P('requestParameters.userName')],
];
const TLS = {
  protocol: F('tls.version_protocol'),
  version: F('tls.version'),
  versionPath: P('tlsDetails.tlsVersion'),
  cipher: R('tls.cipher', 'tlsDetails.cipherSuite'),
  serverName: R('tls.client.server_name', 'tlsDetails.clientProvidedHostHeader'),
  error: F('error.message'),
};

/** event.outcome by the error fields, and where it came from: an error code or message is a failure. */
function errorOutcome(record: Obj): ['failure' | 'success', RawPath | undefined] {
  if (read(record, ERROR_CODE) !== undefined) return ['failure', ERROR_CODE];
  if (read(record, ERROR_MESSAGE) !== undefined) return ['failure', ERROR_MESSAGE];
  return ['success', undefined];
}

/**
 * The event.outcome the mapping gives a record, when the error fields decide it; undefined for a
 * ConsoleLogin, whose reported result may replace it (read from the mapped response).
 */
export function outcomeByErrors(record: Obj): 'failure' | 'success' | undefined {
  return hasOwn(record, 'eventName') && record.eventName === 'ConsoleLogin' ? undefined : errorOutcome(record)[0];
}

/** The mapping. `prov`, when given, receives ECS field -> raw path for every field with one source. */
export function mapCloudTrail(input: Record<string, unknown>, prov?: Provenance): Obj {
  const d = new Doc(prov);
  const record: Obj = isObj(input) ? input : {};

  for (const [field, value] of CONSTANTS) d.set(field, value);

  const ts = esIsoDate(record.eventTime);
  if (ts !== undefined) d.set(TIMESTAMP, ts, EVENT_TIME);

  // ctx.aws exists once any aws.cloudtrail.* field is set; the request/response script needs it.
  let awsSet = false;
  for (const r of AWS_IDENTITY) if (d.rename(r, record)) awsSet = true;
  const creation = esIsoDate(read(record, CREATION_DATE_PATH));
  if (creation !== undefined) {
    d.set(CREATION_DATE, creation, CREATION_DATE_PATH);
    awsSet = true;
  }

  // user.name: the IAM user, or for role sessions the role (sessionIssuer.userName), which is what
  // Elastic's detection rules expect; the session name itself goes to related.user below.
  const identityType = read(record, AWS_IDENTITY[1].path);
  const issuerName = read(record, ISSUER_NAME);
  const ownName = read(record, OWN_NAME);
  const roleSession = identityType === 'AssumedRole' || identityType === 'FederatedUser';
  if (roleSession && issuerName !== undefined) d.set(USER_NAME, issuerName, ISSUER_NAME);
  else if (ownName !== undefined) d.set(USER_NAME, ownName, OWN_NAME);
  else if (issuerName !== undefined) d.set(USER_NAME, issuerName, ISSUER_NAME);

  for (const r of ECS_RENAMES) d.rename(r, record);
  for (const path of ACCOUNT_SOURCES) {
    const v = read(record, path);
    if (v !== undefined) {
      d.set(ACCOUNT_ID, v, path);
      break;
    }
  }

  const source = read(record, EVENT_SOURCE);
  if (typeof source === 'string' && source.endsWith('.amazonaws.com')) {
    const service = source.slice(0, source.indexOf('.'));
    if (service.length > 0) d.set(SERVICE_NAME, service, EVENT_SOURCE);
  }
  const eventName = read(record, EVENT_NAME);
  const action = eventName === undefined ? '' : templateString(eventName);
  if (action !== '') d.set(ACTION, action, EVENT_NAME);
  const ip = sourceIpOf(read(record, SOURCE_IP_PATH));
  if (ip !== undefined) d.set(SOURCE_IP, ip, SOURCE_IP_PATH);

  // The pipeline's script starts with `ctx.aws.cloudtrail?.flattened`: with no aws.* field yet
  // (no eventVersion, userIdentity, eventCategory or error), ctx.aws is null, the script fails, its
  // failure is ignored, and none of these four objects is mapped.
  const flat: Partial<Record<string, unknown>> = {};
  if (awsSet) {
    for (const f of FLATTENED_FIELDS) {
      const value = read(record, f.path);
      if (value === undefined) continue;
      const text = javaMapString(record[f.rawKey]); // from the raw value: HashMap order counts scrubbed keys
      d.set(f.text, text, f.path);
      if (text.length < FLATTENED_LIMIT) {
        d.set(f.object, value, f.path);
        flat[f.object.segs[3]] = value;
      }
    }
  }

  for (const r of LATER_RENAMES) d.rename(r, record);
  const resources = read(record, RESOURCES_PATH);
  if (resources !== undefined) d.set(RESOURCES, resourcesOf(resources), RESOURCES_PATH);

  // related.user: the session name (and an e-mail session name's local part), the principal, the
  // user name, and the user a request names.
  const session = roleSession ? sessionNameOf(read(record, ARN)) : undefined;
  if (session !== undefined) {
    d.append(RELATED_USER, session);
    const atSign = session.indexOf('@');
    if (atSign >= 0) {
      if (atSign > 0) d.append(RELATED_USER, session.slice(0, atSign));
      d.set(USER_EMAIL, session, ARN);
    }
  }
  for (const field of [USER_ID, USER_NAME]) {
    const v = d.get(field);
    if (v !== undefined) d.append(RELATED_USER, templateString(v));
  }
  if (ownName !== undefined) d.append(RELATED_USER, templateString(ownName));
  const requestParams = flat.request_parameters;
  const reqUserName = at(requestParams, 'userName');
  const reqNewUserName = at(requestParams, 'newUserName');
  if (reqUserName !== undefined) d.append(RELATED_USER, templateString(reqUserName));
  if (reqNewUserName !== undefined) d.append(RELATED_USER, templateString(reqNewUserName));

  // ConsoleLogin details (read from the flattened copy, as the pipeline does).
  const aed = flat.additional_eventdata;
  if (eventName === 'ConsoleLogin' && isObj(aed)) {
    const c = CONSOLE_LOGIN;
    if (aed.MobileVersion !== undefined) d.set(c.mobile, aed.MobileVersion !== 'No', c.mobilePath);
    if (aed.LoginTo !== undefined) d.set(c.loginTo, aed.LoginTo, c.loginToPath);
    if (aed.MFAUsed !== undefined) d.set(c.mfa, aed.MFAUsed !== 'No', c.mfaPath);
  }

  // Categorization and outcome.
  d.set(KIND, 'event');
  d.set(TYPE, ['info']);
  const [outcome, outcomeFrom] = errorOutcome(record);
  d.set(OUTCOME, outcome, outcomeFrom);
  if (action !== '') {
    const consoleLogin = at(flat.response_elements, 'ConsoleLogin');
    if (action === 'ConsoleLogin' && typeof consoleLogin === 'string') {
      d.set(OUTCOME, consoleLogin.toLowerCase(), CONSOLE_LOGIN_RESULT);
    }
    const cat = categorizationOf(action);
    if (cat) {
      d.set(CATEGORY, [...cat.category], EVENT_NAME);
      d.set(TYPE, [...cat.type], EVENT_NAME);
    }
  }

  if (DIGEST_KEYS.some((k) => hasOwn(record, k))) mapDigest(d, record);
  d.rename(INSIGHT, record);

  for (const [field, from, keys, path] of TEMPLATE_SETS) {
    let v: unknown = flat[from];
    for (const k of keys) v = at(v, k);
    if (v === undefined) continue;
    const s = templateString(v);
    if (s !== '') d.set(field, s, path);
  }

  mapTls(d, record);
  return d.root;
}

/**
 * The resources script: map entries only, `ARN`/`accountId` renamed to `arn`/`account_id`, one entry
 * per arn+account+type (the last one wins), in the order of a HashMap keyed by that combination.
 */
function resourcesOf(resources: unknown): unknown {
  if (!Array.isArray(resources)) return resources;
  const keys: string[] = [];
  const byKey = new Map<string, Obj>();
  const part = (r: Obj, k: string): string => (hasOwn(r, k) ? templateString(r[k]) : '');
  for (const original of resources) {
    if (!isObj(original)) continue;
    const r: Obj = {};
    for (const k of Object.keys(original)) setOwn(r, k, original[k]);
    if (hasOwn(r, 'ARN')) {
      r.arn = r.ARN;
      delete r.ARN;
    }
    if (hasOwn(r, 'accountId')) {
      r.account_id = r.accountId;
      delete r.accountId;
    }
    const key = part(r, 'arn') + '_' + part(r, 'account_id') + '_' + part(r, 'type');
    if (!byKey.has(key)) keys.push(key);
    byKey.set(key, r);
  }
  return hashMapOrder(keys).map((i) => byKey.get(keys[i]));
}

function mapDigest(d: Doc, record: Obj): void {
  for (const r of DIGEST_RENAMES) d.rename(r, record);
  if (read(record, P('previousDigestHashAlgorithm')) === 'SHA-256' && d.rename(FILE_SHA256, record)) {
    d.append(RELATED_HASH, templateString(read(record, FILE_SHA256.path)));
  }
  for (const [field, path] of DIGEST_DATES) {
    const v = esIsoDate(read(record, path));
    if (v !== undefined) d.set(field, v, path);
  }
}

/**
 * tlsDetails. The pipeline's dissect `%{tls.version_protocol}v%{tls.version}` has no
 * ignore_failure: a tlsVersion without a "v" fails the pipeline, whose on_failure handler records
 * error.message and skips the remaining processors (cipher and host header are then not mapped).
 */
function mapTls(d: Doc, record: Obj): void {
  const version = read(record, TLS.versionPath);
  if (version !== undefined) {
    const v = typeof version === 'string' ? version.indexOf('v') : -1;
    if (v < 0) {
      d.set(
        TLS.error,
        'Processor "dissect" with tag "" in pipeline "logs-aws.cloudtrail" failed with message ' +
          `"Unable to find match for dissect pattern: %{tls.version_protocol}v%{tls.version} against source: ${templateString(version)}"`,
      );
      return;
    }
    const s = version as string;
    d.set(TLS.protocol, s.slice(0, v).toLowerCase(), TLS.versionPath);
    d.set(TLS.version, s.slice(v + 1), TLS.versionPath);
  }
  d.rename(TLS.cipher, record);
  d.rename(TLS.serverName, record);
}
