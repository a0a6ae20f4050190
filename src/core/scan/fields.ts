// The fields a responder needs to triage a CloudTrail finding, in the order every face shows them.
// A rule's own `investigation_fields` are shown after these.

export interface InvestigationField {
  field: string; // ECS name
  label: string; // what a person reads
}

export const INVESTIGATION_FIELDS: readonly InvestigationField[] = [
  { field: '@timestamp', label: 'Time' },
  { field: 'event.action', label: 'Action' },
  { field: 'event.provider', label: 'Service' },
  { field: 'event.outcome', label: 'Outcome' },
  { field: 'aws.cloudtrail.user_identity.arn', label: 'Principal ARN' },
  { field: 'aws.cloudtrail.user_identity.type', label: 'Principal type' },
  { field: 'aws.cloudtrail.user_identity.access_key_id', label: 'Access key' },
  { field: 'user.name', label: 'User name' },
  { field: 'source.ip', label: 'Source IP' },
  { field: 'source.address', label: 'Source address' },
  { field: 'user_agent.original', label: 'User agent' },
  { field: 'cloud.account.id', label: 'Account' },
  { field: 'cloud.region', label: 'Region' },
  { field: 'aws.cloudtrail.request_parameters', label: 'Request parameters' },
  { field: 'aws.cloudtrail.response_elements', label: 'Response elements' },
  { field: 'event.id', label: 'Event ID' },
];

export function fieldLabel(field: string): string {
  return INVESTIGATION_FIELDS.find((f) => f.field === field)?.label ?? field;
}
