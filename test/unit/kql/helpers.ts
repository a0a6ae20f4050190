// A small FieldSource for the KQL tests: a nested object read by dotted name, plus a type map.

import type { FieldSource, FieldType } from '../../../src/core/types';
import { evaluateKql, parseKql } from '../../../src/core/kql';

function valuesAt(node: unknown, path: string[], out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const el of node) valuesAt(el, path, out);
    return;
  }
  if (path.length === 0) {
    out.push(node);
    return;
  }
  if (typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  // Dotted keys ("a.b": 1) and nested objects ({a: {b: 1}}) both count.
  for (let i = 1; i <= path.length; i++) {
    const key = path.slice(0, i).join('.');
    if (Object.prototype.hasOwnProperty.call(obj, key)) valuesAt(obj[key], path.slice(i), out);
  }
}

function leaves(node: unknown, name: string, out: Set<string>): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) node.forEach((el) => leaves(el, name, out));
  else if (typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) leaves(v, name ? `${name}.${k}` : k, out);
  } else out.add(name);
}

export function docOf(source: Record<string, unknown>, types: Record<string, FieldType> = {}): FieldSource {
  return {
    get: (field) => {
      const out: unknown[] = [];
      valuesAt(source, field.split('.'), out);
      return out;
    },
    fields: () => {
      const out = new Set<string>();
      leaves(source, '', out);
      return out;
    },
    typeOf: (field) => types[field] ?? 'keyword',
  };
}

/** Parses and evaluates in one go. */
export function matches(query: string, source: Record<string, unknown>, types: Record<string, FieldType> = {}): boolean {
  return evaluateKql(parseKql(query), docOf(source, types));
}

/** The fields reported as matched, or undefined when the document does not match. */
export function matchedFields(
  query: string,
  source: Record<string, unknown>,
  types: Record<string, FieldType> = {},
): string[] | undefined {
  const out: string[] = [];
  return evaluateKql(parseKql(query), docOf(source, types), out) ? out : undefined;
}
