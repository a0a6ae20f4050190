// What a parsed candidate object is (CloudTrail record, ECS document, or neither), and the
// FoundRecord objects handed to sinks, with their lazy `locate`.

import type { FoundRecord, RecordFormat, Span } from '../types';
import { StringText, decodedToRawBytes, findPath, utf8Length } from './locate';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * CloudTrail when the record names its API call (eventName) and where it came from (eventSource
 * or eventVersion): hand-written and exported records sometimes lack one of the latter two.
 * An eventName of another type (5, null, an object) is still a record, a damaged one: the mapping
 * indexes it as Elastic would, and it must be counted and evaluated with or without the prefilter
 * (which cannot see types) rather than vanish.
 */
export function isCloudTrail(v: Json): boolean {
  return Object.prototype.hasOwnProperty.call(v, 'eventName') && (typeof v.eventSource === 'string' || typeof v.eventVersion === 'string');
}

/** A field name in dotted form, as ECS documents exported flat use ("event.action", "cloud.region"). */
const DOTTED = /^[A-Za-z_@][\w@-]*(\.[\w@-]+)+$/;

/** ECS: an `event` object, `@timestamp`, or any dotted key ("event.action", "cloud.region", ...). */
export function isEcs(v: Json): boolean {
  if (isObject(v.event) || '@timestamp' in v) return true;
  for (const k in v) if (DOTTED.test(k)) return true;
  return false;
}

/** Whether some member of `v` is an array holding an object that passes the strict record test. */
export function holdsRecords(v: Json): boolean {
  for (const k in v) {
    const x = v[k];
    if (Array.isArray(x) && x.some((e) => isObject(e) && looksLikeRecordStrict(e))) return true;
  }
  return false;
}

export function classify(v: Json): RecordFormat | undefined {
  if (isCloudTrail(v)) return 'cloudtrail';
  if (isEcs(v)) return 'ecs';
  return undefined;
}

/**
 * A stricter test for objects found while resynchronising after a syntax error, where a nested
 * object of the broken record could otherwise pass for a record (a dotted key alone is not enough).
 */
export function looksLikeRecordStrict(v: Json): boolean {
  const doc = isObject(v._source) ? v._source : v;
  if (isCloudTrail(doc) || isObject(doc.event) || typeof doc['@timestamp'] === 'string') return true;
  if (typeof doc['event.action'] === 'string' || typeof doc['event.dataset'] === 'string') return true;
  return typeof v.CloudTrailEvent === 'string' && typeof v.EventId === 'string';
}

const NO_PREFIX: readonly string[] = [];
export const SOURCE_PREFIX: readonly string[] = ['_source'];

/**
 * A record whose text is the record itself, or an Elasticsearch hit wrapping it in `_source`
 * (then span is the hit, value the `_source`, and locate() paths are relative to `_source`).
 */
export class TextRecord implements FoundRecord {
  constructor(
    readonly index: number,
    readonly span: Span,
    readonly value: Json,
    readonly format: RecordFormat,
    /** The element's text as decoded from the file; span.start is its first byte. */
    private readonly text: string,
    private readonly prefix: readonly string[] = NO_PREFIX,
  ) {}

  locate(path: readonly string[]): Span | undefined {
    const found = findPath(new StringText(this.text), 0, this.prefix.length ? [...this.prefix, ...path] : path);
    if (!found) return undefined;
    const start = this.span.start + utf8Length(this.text, 0, found[0]);
    return { start, end: start + utf8Length(this.text, found[0], found[1]) };
  }
}

/**
 * A record held in a lookup-events CloudTrailEvent string. Spans point into the string literal
 * as written: a decoded string value `"X"` maps to `\"X\"` (escaped quotes included), so a span
 * always lies strictly inside the literal's own quotes.
 */
export class EmbeddedRecord implements FoundRecord {
  constructor(
    readonly index: number,
    /** The CloudTrailEvent string literal, quotes included. */
    readonly span: Span,
    readonly value: Json,
    readonly format: RecordFormat,
    /** The literal as written in the file (escapes intact), quotes included. */
    private readonly raw: string,
    /** The literal's decoded value: the record's JSON text. */
    private readonly inner: string,
  ) {}

  locate(path: readonly string[]): Span | undefined {
    const found = findPath(new StringText(this.inner), 0, path);
    if (!found) return undefined;
    const [a, b] = decodedToRawBytes(this.raw, found);
    return { start: this.span.start + a, end: this.span.start + b };
  }
}
