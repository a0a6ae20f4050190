// A byte-level test that rules out records no rule can match, before they are parsed.
//
// Soundness: a literal is required only for a keyword field whose ECS value is a verbatim copy of a
// raw CloudTrail value (so its UTF-8 bytes appear in the record unless JSON escapes were used), and
// records containing any backslash are always kept. ECS documents store every keyword value
// verbatim, so the same literals hold for them.

import { declaredType } from '../ecs/fieldTypes';
import { requiredLiterals, KqlQuery } from '../kql';
import type { Prefilter } from '../types';

// ECS fields that the CloudTrail mapping copies unchanged from one raw field (or one of two raw
// fields, like cloud.account.id): a value that matches them is written in the record as it is.
const VERBATIM_FROM_CLOUDTRAIL = new Set([
  'event.action',
  'event.provider',
  'event.id',
  'cloud.region',
  'cloud.account.id',
  'source.address',
  'user_agent.original',
  'user.id',
  'user.name',
  'aws.cloudtrail.user_identity.type',
  'aws.cloudtrail.user_identity.arn',
  'aws.cloudtrail.user_identity.access_key_id',
  'aws.cloudtrail.user_identity.invoked_by',
  'aws.cloudtrail.error_code',
  'aws.cloudtrail.event_type',
  'aws.cloudtrail.event_category',
  'aws.cloudtrail.request_id',
  'aws.cloudtrail.recipient_account_id',
]);

function verbatim(field: string): boolean {
  return VERBATIM_FROM_CLOUDTRAIL.has(field) && (declaredType(field) ?? 'keyword') === 'keyword';
}

/**
 * A prefilter for a set of queries: a record is kept when, for some query, every literal of one of
 * its alternatives occurs in the record. Undefined when some query promises no literal at all.
 */
export function prefilterFor(queries: readonly KqlQuery[]): Prefilter | undefined {
  if (queries.length === 0) return undefined;
  const alternatives: Uint8Array[][] = [];
  const encoder = new TextEncoder();
  for (const q of queries) {
    const dnf = requiredLiterals(q, verbatim);
    if (!dnf || dnf.length === 0 || dnf.some((clause) => clause.length === 0)) return undefined;
    for (const clause of dnf) alternatives.push(clause.map((lit) => encoder.encode(lit)));
  }
  return (bytes, start, end, hasBackslash) => {
    if (hasBackslash) return true;
    // A view bounded at the record, so a search never runs on into the rest of the buffer.
    const record = bytes.subarray(start, end);
    return alternatives.some((clause) => clause.every((lit) => contains(record, lit)));
  };
}

/** Whether `needle` occurs in `bytes`. Uses the native single-byte search to jump ahead. */
export function contains(bytes: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const first = needle[0];
  const last = bytes.length - n;
  let i = 0;
  while (i <= last) {
    i = bytes.indexOf(first, i);
    if (i < 0 || i > last) return false;
    let j = 1;
    while (j < n && bytes[i + j] === needle[j]) j++;
    if (j === n) return true;
    i++;
  }
  return false;
}
