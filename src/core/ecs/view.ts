// The document as KQL reads it: values by dotted field name, whether the document stores them nested
// ({"event":{"action":..}}), dotted ({"event.action":..}) or mixed, through arrays of objects. Values
// are what Elasticsearch would index for the field's mapping type: an `ip` field keeps only addresses
// the ip type accepts, numbers and booleans are coerced the way the mapping coerces them, and a
// `flattened` field yields its leaves as keywords (a query on the root matches any leaf).

import type { FieldSource, FieldType } from '../types';
import { declaredType, FLATTENED_ROOTS, flattenedRootOf, MULTI_FIELD_PARENT } from './fieldTypes';
import { isIpAddress } from './ip';

type Obj = Record<string, unknown>;

const MAX_DEPTH = 256; // field paths and flattened objects deeper than this are not followed

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Pushes the value, or every element of an array value (arrays of arrays too); skips null. */
function pushFlat(v: unknown, out: unknown[], depth: number): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    if (depth > MAX_DEPTH) return;
    for (const item of v) pushFlat(item, out, depth + 1);
  } else {
    out.push(v);
  }
}

/**
 * Every value stored at segs[i..] below `node`. At each object, a key may hold one segment or
 * several joined by dots; all readings are followed, as Elasticsearch indexes them all into one field.
 */
function collect(node: unknown, segs: readonly string[], i: number, out: unknown[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (i === segs.length) {
    pushFlat(node, out, depth);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) collect(item, segs, i, out, depth + 1);
    return;
  }
  if (!isObj(node)) return;
  let key = segs[i];
  for (let j = i; j < segs.length; j++) {
    if (j > i) key += '.' + segs[j];
    if (hasOwn(node, key)) collect(node[key], segs, j + 1, out, depth + 1);
  }
}

/** The first key path (array indexes as decimal strings) holding a non-null value for segs[i..]. */
function findPath(
  node: unknown,
  segs: readonly string[],
  i: number,
  path: string[],
  depth: number,
  skip: (v: unknown) => boolean,
): string[] | undefined {
  if (depth > MAX_DEPTH || node === null || node === undefined) return undefined;
  if (i === segs.length) {
    const probe: unknown[] = [];
    pushFlat(node, probe, depth);
    return probe.some((v) => !skip(v)) ? path : undefined;
  }
  if (Array.isArray(node)) {
    for (let k = 0; k < node.length; k++) {
      path.push(String(k));
      const found = findPath(node[k], segs, i, path, depth + 1, skip);
      if (found) return found;
      path.pop();
    }
    return undefined;
  }
  if (!isObj(node)) return undefined;
  let key = segs[i];
  for (let j = i; j < segs.length; j++) {
    if (j > i) key += '.' + segs[j];
    if (hasOwn(node, key)) {
      path.push(key);
      const found = findPath(node[key], segs, j + 1, path, depth + 1, skip);
      if (found) return found;
      path.pop();
    }
  }
  return undefined;
}

/** Every primitive leaf below a value (objects and arrays opened). */
function leaves(v: unknown, out: unknown[], depth: number): void {
  if (v === null || v === undefined || depth > MAX_DEPTH) return;
  if (Array.isArray(v)) {
    for (const item of v) leaves(item, out, depth + 1);
  } else if (isObj(v)) {
    for (const k of Object.keys(v)) leaves(v[k], out, depth + 1);
  } else {
    out.push(v);
  }
}

/**
 * For a raw ECS document: the key path under which `field` is stored, e.g. ['event','action'],
 * ['event.action'] or ['event','action.x'], with array indexes where the field runs through an
 * array of objects. Undefined when the document has no value for it.
 */
export function ecsPathOf(field: string, doc: Record<string, unknown>): string[] | undefined {
  return fieldPath(doc, field, () => false);
}

/** ecsPathOf, passing over values `skip` rejects (e.g. what the pipeline's scrub removes). */
export function fieldPath(doc: Record<string, unknown>, field: string, skip: (v: unknown) => boolean): string[] | undefined {
  if (typeof field !== 'string' || !isObj(doc)) return undefined;
  const found = findPath(doc, field.split('.'), 0, [], 0, skip);
  if (found) return found;
  const parent = MULTI_FIELD_PARENT.get(field);
  return parent !== undefined ? findPath(doc, parent.split('.'), 0, [], 0, skip) : undefined;
}

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function flattenedKeyword(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Values as Elasticsearch indexes them for `type`; malformed values are left out (ignore_malformed). */
function coerce(values: unknown[], type: FieldType, flattenedRoot: boolean): unknown[] {
  const out: unknown[] = [];
  switch (type) {
    case 'ip':
      for (const v of values) if (typeof v === 'string' && isIpAddress(v)) out.push(v);
      return out;
    case 'long':
      for (const v of values) {
        const n = asNumber(v);
        if (n !== undefined) out.push(Math.trunc(n));
      }
      return out;
    case 'double':
      for (const v of values) {
        const n = asNumber(v);
        if (n !== undefined) out.push(n);
      }
      return out;
    case 'boolean':
      for (const v of values) {
        if (typeof v === 'boolean') out.push(v);
        else if (v === 'true') out.push(true);
        else if (v === 'false' || v === '') out.push(false);
      }
      return out;
    case 'flattened': {
      const prim: unknown[] = [];
      if (flattenedRoot) for (const v of values) leaves(v, prim, 0);
      else for (const v of values) if (!isObj(v)) prim.push(v); // a sub-key holding an object has no value of its own
      for (const v of prim) {
        const s = flattenedKeyword(v);
        if (s !== undefined) out.push(s);
      }
      return out;
    }
    default:
      return values;
  }
}

function inferredType(values: unknown[]): FieldType {
  for (const v of values) {
    if (isObj(v)) return 'object';
    if (typeof v === 'boolean') return 'boolean';
    if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'double';
    if (typeof v === 'string') return 'keyword';
  }
  return 'keyword';
}

class DocumentView implements FieldSource {
  private readonly raw = new Map<string, unknown[]>();
  private readonly values = new Map<string, unknown[]>();
  private readonly types = new Map<string, FieldType>();
  private names: string[] | undefined;

  constructor(private readonly doc: Record<string, unknown>) {}

  private rawOf(field: string): unknown[] {
    let r = this.raw.get(field);
    if (!r) {
      r = [];
      collect(this.doc, field.split('.'), 0, r, 0);
      if (r.length === 0) {
        // A multi-field (x.text) indexes its parent's value.
        const parent = MULTI_FIELD_PARENT.get(field);
        if (parent !== undefined) collect(this.doc, parent.split('.'), 0, r, 0);
      }
      this.raw.set(field, r);
    }
    return r;
  }

  get(field: string): unknown[] {
    let v = this.values.get(field);
    if (!v) {
      const type = this.typeOf(field);
      v = coerce(this.rawOf(field), type, type === 'flattened' && FLATTENED_ROOTS.includes(field));
      this.values.set(field, v);
    }
    return v;
  }

  typeOf(field: string): FieldType {
    let t = this.types.get(field);
    if (!t) {
      t = declaredType(field) ?? inferredType(this.rawOf(field));
      this.types.set(field, t);
    }
    return t;
  }

  fields(): Iterable<string> {
    if (!this.names) {
      const names = new Set<string>();
      walkNames(this.doc, '', names, 0);
      this.names = [...names];
    }
    return this.names;
  }
}

/** Leaf field names in dotted form; a flattened field is one name (its root), as in the mapping. */
function walkNames(node: unknown, prefix: string, names: Set<string>, depth: number): void {
  if (node === null || node === undefined || depth > MAX_DEPTH) return;
  if (Array.isArray(node)) {
    for (const item of node) walkNames(item, prefix, names, depth + 1);
    return;
  }
  if (isObj(node)) {
    for (const k of Object.keys(node)) {
      const name = prefix === '' ? k : prefix + '.' + k;
      const root = flattenedRootOf(name);
      if (root !== undefined) {
        const probe: unknown[] = [];
        leaves(node[k], probe, depth + 1);
        if (probe.length > 0) names.add(root);
      } else {
        walkNames(node[k], name, names, depth + 1);
      }
    }
    return;
  }
  if (prefix !== '') names.add(prefix);
}

/** The FieldSource KQL evaluates: for mapped CloudTrail documents and raw ECS documents alike. */
export function documentView(doc: Record<string, unknown>): FieldSource {
  return new DocumentView(isObj(doc) ? doc : {});
}
