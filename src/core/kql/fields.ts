// Static facts about a parsed query: the fields it reads (to map only those), and the literal
// strings a record's raw text must contain, and the exact values its fields must hold, for the
// query to be able to match (prefilters).

import type { KqlQuery } from './ast';

/**
 * Every field name the query reads, in order of first use, without duplicates. Names inside
 * `path:{...}` are given in full (path.sub), the path itself included; wildcard names are given as
 * written (`event.*`); a bare value, which reads every field, adds `*`.
 */
export function queryFields(q: KqlQuery): string[] {
  const out = new Set<string>();
  const walk = (node: KqlQuery, prefix: string): void => {
    switch (node.type) {
      case 'all':
        return;
      case 'and':
      case 'or':
        for (const c of node.children) walk(c, prefix);
        return;
      case 'not':
        walk(node.child, prefix);
        return;
      case 'is':
        out.add(node.field ? prefix + node.field.name : '*');
        return;
      case 'exists':
      case 'range':
        out.add(prefix + node.field.name);
        return;
      case 'nested':
        out.add(prefix + node.path.name);
        walk(node.query, `${prefix}${node.path.name}.`);
        return;
    }
  };
  walk(q, '');
  return [...out];
}

/** OR of AND-clauses. [[]] is "no requirement". */
type Dnf<T> = T[][];

/** Beyond this many clauses, an AND keeps fewer of its terms (weaker, still sound). */
const MAX_CLAUSES = 256;

/**
 * For each way the query can be true, what must all hold (leaf() says what one field:value needs,
 * undefined: nothing certain). Undefined when some way of matching needs nothing.
 */
function requirements<T>(q: KqlQuery, leaf: (field: string, node: Extract<KqlQuery, { type: 'is' }>) => T[] | undefined): Dnf<T> | undefined {
  const none: Dnf<T> = [[]];
  const walk = (node: KqlQuery, prefix: string): Dnf<T> => {
    switch (node.type) {
      case 'is': {
        if (!node.field || node.field.wildcard) return none;
        const needs = leaf(prefix + node.field.name, node);
        return needs && needs.length > 0 ? [needs] : none;
      }
      case 'or': {
        const out: Dnf<T> = [];
        for (const c of node.children) {
          const d = walk(c, prefix);
          if (d.some((clause) => clause.length === 0)) return none;
          out.push(...d);
        }
        return out;
      }
      case 'and': {
        const parts = node.children.map((c) => walk(c, prefix)).filter((d) => !d.some((cl) => cl.length === 0));
        parts.sort((a, b) => a.length - b.length);
        let acc: Dnf<T> = none;
        for (const d of parts) {
          if (acc.length * d.length > MAX_CLAUSES) continue; // dropping a conjunct only weakens the test
          const next: Dnf<T> = [];
          for (const left of acc) for (const right of d) next.push([...left, ...right]);
          acc = next;
        }
        return acc;
      }
      case 'nested':
        return walk(node.query, `${prefix}${node.path.name}.`);
      default:
        // all, exists, range, not: nothing certain
        return none;
    }
  };
  const dnf = walk(q, '');
  return dnf.some((clause) => clause.length === 0) ? undefined : dnf;
}

/**
 * For each way the query can be true, the strings that must all occur in the record's raw text:
 * a record containing none of the clauses in full cannot match. Undefined when some way of
 * matching needs no literal at all (no sound prefilter exists).
 *
 * `verbatim(field)` must return true only for fields whose match implies that the exact query
 * string occurs in the raw record: keyword fields copied unchanged from the record (for CloudTrail,
 * `event.action` from `eventName`), not derived ones (`event.outcome`) and not text fields. The
 * raw text is JSON: callers must keep records that contain any backslash escape.
 */
export function requiredLiterals(q: KqlQuery, verbatim: (field: string) => boolean): string[][] | undefined {
  const dnf = requirements<string>(q, (field, { value }) => {
    if (!verbatim(field)) return undefined;
    if (value.wildcard) return value.wildcard.parts.filter((p) => p.length > 0);
    // true/false/null and the empty string promise nothing about the text.
    return typeof value.value === 'string' && value.value !== '' ? [value.value] : undefined;
  });
  return dnf?.map((clause) => [...new Set(clause)]);
}

/**
 * For each way the query can be true, the exact keyword values that fields must hold, for the
 * fields `exact(field)` accepts: `field:value` with a plain (not wildcard) string value. Undefined
 * when some way of matching needs none of them.
 */
export function requiredValues(q: KqlQuery, exact: (field: string) => boolean): { field: string; value: string }[][] | undefined {
  return requirements(q, (field, { value }) => (exact(field) && !value.wildcard && typeof value.value === 'string' ? [{ field, value: value.value }] : undefined));
}
