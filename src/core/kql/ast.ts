// The KQL syntax tree. It mirrors Kibana's node functions (is, range, exists, nested, and, or,
// not) after `field:(a or b)` lists have been distributed over the field, so the evaluator never
// sees a value list. Offsets (`start`, `end`, end exclusive) are UTF-16 indexes into the query.

import type { WildcardPattern } from './wildcard';
import type { ValueInfo } from './values';

/** An unquoted `true`/`false`/`null` keeps its type, as in Kibana; everything else is a string. */
export type KqlScalar = string | boolean | null;

export interface KqlSpan {
  start: number;
  end: number;
}

export interface KqlField extends KqlSpan {
  /** The field name with wildcards shown as `*` (e.g. `event.*`). */
  name: string;
  /** Set when the unquoted name had an unescaped `*`: it then selects every document field it matches. */
  wildcard: WildcardPattern | null;
}

export interface KqlValue extends KqlSpan {
  /** The value: a string, or the unquoted keywords true/false/null. For a wildcard, its text with `*`. */
  value: KqlScalar;
  quoted: boolean;
  /** Set for an unquoted value with an unescaped `*`. */
  wildcard: WildcardPattern | null;
  /** The value read as a number, IP, date, boolean and text tokens (each computed on first use). */
  info: ValueInfo;
}

export type RangeOperator = 'lt' | 'lte' | 'gt' | 'gte';

/** The empty query: matches every document. */
export interface KqlMatchAll extends KqlSpan {
  type: 'all';
}

export interface KqlOr extends KqlSpan {
  type: 'or';
  children: KqlQuery[];
}

export interface KqlAnd extends KqlSpan {
  type: 'and';
  children: KqlQuery[];
}

export interface KqlNot extends KqlSpan {
  type: 'not';
  child: KqlQuery;
}

/** `field:value`, or a bare `value` (field null: any field of the document). */
export interface KqlIs extends KqlSpan {
  type: 'is';
  field: KqlField | null;
  value: KqlValue;
}

/** `field:*` — the field has a non-null value. */
export interface KqlExists extends KqlSpan {
  type: 'exists';
  field: KqlField;
}

export interface KqlRange extends KqlSpan {
  type: 'range';
  field: KqlField;
  op: RangeOperator;
  value: KqlValue;
}

/** `path:{ subquery }` — one object under `path` satisfies the whole subquery (field names relative to path). */
export interface KqlNested extends KqlSpan {
  type: 'nested';
  path: KqlField;
  query: KqlQuery;
}

export type KqlQuery = KqlMatchAll | KqlOr | KqlAnd | KqlNot | KqlIs | KqlExists | KqlRange | KqlNested;
