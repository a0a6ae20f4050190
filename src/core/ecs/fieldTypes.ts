// Mapping types of the fields a CloudTrail document carries: the AWS integration's
// data_stream/cloudtrail/fields/*.yml, plus the ECS fields rules commonly read. Anything not listed
// is 'keyword' unless the document's own value says otherwise (Elasticsearch's dynamic mapping).

import type { FieldType } from '../types';

const T: Record<string, FieldType> = Object.create(null);
const set = (type: FieldType, ...fields: string[]): void => {
  for (const f of fields) T[f] = type;
};

set(
  'date',
  '@timestamp',
  'event.created',
  'event.ingested',
  'event.start',
  'event.end',
  'aws.cloudtrail.user_identity.session_context.creation_date',
  'aws.cloudtrail.digest.start_time',
  'aws.cloudtrail.digest.end_time',
  'aws.cloudtrail.digest.newest_event_time',
  'aws.cloudtrail.digest.oldest_event_time',
  'file.created',
  'file.ctime',
  'file.mtime',
  'file.accessed',
  'process.start',
  'process.end',
  'tls.client.not_after',
  'tls.client.not_before',
  'tls.server.not_after',
  'tls.server.not_before',
);
set(
  'ip',
  'source.ip',
  'destination.ip',
  'client.ip',
  'server.ip',
  'host.ip',
  'observer.ip',
  'related.ip',
  'source.nat.ip',
  'destination.nat.ip',
  'client.nat.ip',
  'server.nat.ip',
);
set(
  'long',
  'source.port',
  'destination.port',
  'client.port',
  'server.port',
  'url.port',
  'source.bytes',
  'destination.bytes',
  'source.packets',
  'destination.packets',
  'network.bytes',
  'network.packets',
  'source.as.number',
  'destination.as.number',
  'client.as.number',
  'server.as.number',
  'event.severity',
  'event.sequence',
  'event.duration',
  'http.response.status_code',
  'http.request.bytes',
  'http.response.bytes',
  'http.request.body.bytes',
  'http.response.body.bytes',
  'process.pid',
  'process.parent.pid',
  'process.exit_code',
  'file.size',
);
set('double', 'event.risk_score', 'event.risk_score_norm');
set(
  'boolean',
  'aws.cloudtrail.read_only',
  'aws.cloudtrail.console_login.additional_eventdata.mobile_version',
  'aws.cloudtrail.console_login.additional_eventdata.mfa_used',
);
set('text', 'message', 'error.message');
// Multi-fields: the same value, analysed as text.
set(
  'text',
  'aws.cloudtrail.request_parameters.text',
  'aws.cloudtrail.response_elements.text',
  'aws.cloudtrail.additional_eventdata.text',
  'aws.cloudtrail.service_event_details.text',
  'user_agent.original.text',
  'user.name.text',
  'user.full_name.text',
);
// Keyword fields that hold booleans or numbers in CloudTrail; listed so the value does not suggest
// another type. management_event is keyword in the integration's fields.yml (read_only is boolean).
set(
  'keyword',
  'aws.cloudtrail.management_event',
  'aws.cloudtrail.user_identity.session_context.mfa_authenticated',
  'aws.cloudtrail.event_version',
  'aws.cloudtrail.recipient_account_id',
  'aws.cloudtrail.user_identity.session_context.session_issuer.account_id',
  'cloud.account.id',
  'event.action',
  'event.provider',
  'event.outcome',
  'event.id',
  'user.id',
  'user.name',
  'source.address',
  'tls.version',
);
set('object', 'source.geo.location');

/** Multi-field name -> the field whose value it indexes. */
export const MULTI_FIELD_PARENT: ReadonlyMap<string, string> = new Map(
  Object.keys(T)
    .filter((f) => f.endsWith('.text') && T[f] === 'text')
    .map((f) => [f, f.slice(0, -'.text'.length)] as const),
);

/** Fields mapped as `flattened`: a query on one matches any leaf below it, as a keyword. */
export const FLATTENED_ROOTS: readonly string[] = [
  'aws.cloudtrail.flattened.additional_eventdata',
  'aws.cloudtrail.flattened.request_parameters',
  'aws.cloudtrail.flattened.response_elements',
  'aws.cloudtrail.flattened.service_event_details',
  'aws.cloudtrail.flattened.digest',
  'aws.cloudtrail.flattened.insight_details',
  'aws.s3.metadata',
];

/** The flattened root that `field` is or lies under, if any. */
export function flattenedRootOf(field: string): string | undefined {
  for (const root of FLATTENED_ROOTS) {
    if (field === root || (field.length > root.length && field.startsWith(root) && field[root.length] === '.')) return root;
  }
  return undefined;
}

/** The declared mapping type, or undefined when the field is not declared. */
export function declaredType(field: string): FieldType | undefined {
  const t = T[field];
  if (t !== undefined) return t;
  return flattenedRootOf(field) !== undefined ? 'flattened' : undefined;
}
