// CloudTrail -> ECS, and the document view KQL reads. Pure: no 'vscode', no Node-only API.

import { FLATTENED_SOURCES, isObj, mapCloudTrail, type Provenance } from './cloudtrail';
import { MULTI_FIELD_PARENT } from './fieldTypes';
import { isScrubbed } from './java';
import { ecsPathOf as ecsPathOfDoc, fieldPath } from './view';

export { documentView } from './view';
export { isIpAddress, parseIpAddress } from './ip';
export { javaMapString } from './java';
export { esIsoDate } from './dates';
export type { Provenance } from './cloudtrail';

/**
 * The document Elastic's AWS integration (aws.cloudtrail data stream) would index for this record:
 * a nested ECS object ({event:{action,...}, aws:{cloudtrail:{...}}, '@timestamp': ...}). Never throws.
 * Unchanged sub-objects of the record (e.g. under aws.cloudtrail.flattened) are shared, not copied:
 * treat the result as read-only. `prov`, when given, receives where each field came from, for
 * cloudTrailPathOf.
 */
export function cloudTrailToEcs(record: Record<string, unknown>, prov?: Provenance): Record<string, unknown> {
  try {
    return mapCloudTrail(record, prov);
  } catch {
    // Only a pathological record (e.g. nesting deep enough to exhaust the stack) gets here; it still
    // gets the constant fields so a scan carries on, and no field has a place it came from.
    prov?.clear();
    return mapCloudTrail({});
  }
}

/** Raw keys behind each resources sub-field; the first wins, as the script's rename overwrites. */
const RESOURCE_KEYS: Record<string, readonly string[]> = { arn: ['ARN', 'arn'], account_id: ['accountId', 'account_id'], type: ['type'] };

/**
 * Where an ECS field's value came from in the raw CloudTrail record, as a key path (array indexes as
 * decimal strings): event.action -> ['eventName'], source.ip -> ['sourceIPAddress'], user.name ->
 * the userName that was used, aws.cloudtrail.flattened.request_parameters.x.y ->
 * ['requestParameters','x','y'], event.outcome -> ['errorCode'] / ['errorMessage'] /
 * ['responseElements','ConsoleLogin']. Undefined for constants, for values derived from several
 * places (related.user) or from absence (a successful outcome), and for fields the record lacks.
 * `mapped`: the provenance cloudTrailToEcs gave for this record, if it was mapped already.
 */
export function cloudTrailPathOf(ecsField: string, record: Record<string, unknown>, mapped?: Provenance): string[] | undefined {
  if (typeof ecsField !== 'string' || !isObj(record)) return undefined;
  let prov = mapped;
  if (!prov) {
    prov = new Map();
    try {
      mapCloudTrail(record, prov);
    } catch {
      return undefined;
    }
  }
  const field = MULTI_FIELD_PARENT.get(ecsField) ?? ecsField;
  const exact = prov.get(field);
  if (exact) return [...exact];

  for (const [name, rawKey] of [...FLATTENED_SOURCES, ['insight_details', 'insightDetails'] as const]) {
    const root = 'aws.cloudtrail.flattened.' + name;
    if (!field.startsWith(root + '.') || !prov.has(root)) continue;
    const sub = record[rawKey];
    const inner = isObj(sub) ? fieldPath(sub, field.slice(root.length + 1), (v) => isScrubbed(v)) : undefined;
    return inner ? [rawKey, ...inner] : undefined;
  }

  const res = 'aws.cloudtrail.resources.';
  if (field.startsWith(res) && prov.has('aws.cloudtrail.resources') && Array.isArray(record.resources)) {
    const rawKeys = Object.prototype.hasOwnProperty.call(RESOURCE_KEYS, field.slice(res.length))
      ? RESOURCE_KEYS[field.slice(res.length)]
      : undefined;
    if (rawKeys === undefined) return undefined;
    const list = record.resources;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (!isObj(r)) continue;
      for (const k of rawKeys) if (Object.prototype.hasOwnProperty.call(r, k) && !isScrubbed(r[k])) return ['resources', String(i), k];
    }
  }
  return undefined;
}

/**
 * For a raw ECS document (from Elasticsearch): the key path under which `field` is stored
 * (['event','action'], ['event.action'], ['event','action.x'], ...), for underlining.
 */
export function ecsPathOf(field: string, doc: Record<string, unknown>): string[] | undefined {
  return ecsPathOfDoc(field, doc);
}
