// FieldSources the evaluator builds for `path:{ subquery }`: one over a single object of an array
// (nested semantics), and one that reads the parent document under a prefix (when the document
// gives no objects for the path, as for a plain object field).

import type { FieldSource, FieldType } from '../types';

const hasOwn = Object.prototype.hasOwnProperty;

/** Values at a dotted path; keys may themselves contain dots ({"a.b": {"c": 1}} has a.b.c). */
function collect(node: unknown, segments: string[], i: number, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const el of node) collect(el, segments, i, out);
    return;
  }
  if (i === segments.length) {
    out.push(node);
    return;
  }
  if (typeof node !== 'object') return;
  let key = '';
  for (let j = i; j < segments.length; j++) {
    key = j === i ? segments[j] : `${key}.${segments[j]}`;
    // Own properties only: log keys such as "__proto__" or "constructor" are data, not prototype.
    if (hasOwn.call(node, key)) collect((node as Record<string, unknown>)[key], segments, j + 1, out);
  }
}

function leafNames(node: unknown, name: string, out: Set<string>): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const el of node) leafNames(el, name, out);
    return;
  }
  if (typeof node === 'object') {
    for (const key of Object.keys(node)) leafNames((node as Record<string, unknown>)[key], name === '' ? key : `${name}.${key}`, out);
    return;
  }
  if (name !== '') out.add(name);
}

/** One object of a nested array; field types come from the parent under `prefix`. */
export class ObjectSource implements FieldSource {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly parent: FieldSource,
    private readonly prefix: string,
  ) {}

  get(field: string): unknown[] {
    const out: unknown[] = [];
    collect(this.obj, field.split('.'), 0, out);
    return out;
  }

  fields(): Iterable<string> {
    const out = new Set<string>();
    leafNames(this.obj, '', out);
    return out;
  }

  typeOf(field: string): FieldType {
    return this.parent.typeOf(this.prefix + field);
  }
}

/** The parent document seen from under `prefix` (field names relative to it). */
export class PrefixedSource implements FieldSource {
  constructor(
    private readonly parent: FieldSource,
    private readonly prefix: string,
  ) {}

  get(field: string): unknown[] {
    return this.parent.get(this.prefix + field);
  }

  *fields(): Iterable<string> {
    for (const f of this.parent.fields()) if (f.startsWith(this.prefix) && f.length > this.prefix.length) yield f.slice(this.prefix.length);
  }

  typeOf(field: string): FieldType {
    return this.parent.typeOf(this.prefix + field);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
