// Property tests over the three places where outside text is read: the record finder (any bytes),
// the CloudTrail -> ECS mapping and the document view (any JSON value), and the KQL parser (any
// string). Seeds and run counts come from fuzz.ts: fixed under `npm run test:unit`, random and 40x
// as many under `npm run fuzz`.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cloudTrailPathOf, cloudTrailToEcs, documentView, ecsPathOf } from '../../../src/core/ecs';
import { findRecords } from '../../../src/core/input';
import { evaluateKql, KqlSyntaxError, parseKql, queryFields, requiredLiterals, type KqlQuery, type KqlValue } from '../../../src/core/kql';
import { huntRule } from '../../../src/core/rules';
import { prepareRules } from '../../../src/core/scan';
import type { ScanResult } from '../../../src/core/types';
import { params, timeoutFor } from './fuzz';
import { assertSpansInside, dec, enc, scanAllWays, seedRule } from './helpers';

const RULES = prepareRules([{ ...huntRule('event.dataset:aws.cloudtrail'), ruleId: 'all' }, seedRule()]);

function ids(r: ScanResult): Set<string> {
  return new Set(r.findings.filter((f) => f.rule.ruleId === 'all').map((f) => String(f.fields['event.id'])));
}

// ------------------------------------------------------------------------------------------------
// Generators

/** Short strings of any code units, lone surrogates and controls included. */
const anyText = fc.string({ unit: 'binary', maxLength: 12 });
/** Keys that have tripped up JavaScript code before. */
const trickyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b', '.', '..', '', ' ', 'eventName', '@timestamp', 'event.action', 'Records', '_source', 'CloudTrailEvent');
const key = fc.oneof(anyText, trickyKey);
const scalar = fc.oneof(anyText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constantFrom('', '0', 'true', '198.51.100.7', '2026-11-04T09:13:27Z', 'TLSv1.3'));
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', maxDepth: 5 }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
})).v;

/** A CloudTrail-shaped record whose every field may hold any JSON value, plus arbitrary extra keys. */
const cloudTrailish: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      eventVersion: fc.oneof(fc.constant('1.09'), jsonValue),
      eventSource: fc.oneof(fc.constant('ec2.amazonaws.com'), jsonValue),
      eventName: fc.oneof(fc.constantFrom('CreateTrafficMirrorSession', 'ConsoleLogin', 'AssumeRole'), jsonValue),
      eventTime: fc.oneof(fc.constant('2026-11-04T09:13:27Z'), jsonValue),
      userIdentity: fc.oneof(fc.record({ type: fc.oneof(fc.constantFrom('IAMUser', 'AssumedRole'), jsonValue), arn: jsonValue, userName: jsonValue, sessionContext: jsonValue }), jsonValue),
      sourceIPAddress: fc.oneof(fc.constantFrom('198.51.100.7', '2001:db8::1', 'AWS Internal'), jsonValue),
      errorCode: jsonValue,
      errorMessage: jsonValue,
      requestParameters: jsonValue,
      responseElements: jsonValue,
      additionalEventData: jsonValue,
      resources: jsonValue,
      tlsDetails: jsonValue,
      recipientAccountId: jsonValue,
    },
    { requiredKeys: [] },
  )
  .chain((r) => fc.dictionary(key, jsonValue, { maxKeys: 3 }).map((extra) => Object.assign(JSON.parse(JSON.stringify(extra)) as Record<string, unknown>, r)));

/** JSON text of a value through JSON.parse, as the record finder hands values over (own __proto__ keys and all). */
const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// ------------------------------------------------------------------------------------------------

describe('robustness: properties', function () {
  this.timeout(timeoutFor(30000));

  describe('record finder and scan, on any bytes', () => {
    /** Bytes that look a little like JSON, so the scanner gets past its first byte. */
    const soup = fc
      .array(fc.oneof(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', '\n', ' ', 'true', 'null', '-1.5e3', '"eventName"', '"eventSource"', '"Records"', '"CloudTrailEvent"', '/*', '*/', '//', 'NaN', '\u00e9', '\ud834\udd1e', '\u0000'), anyText), { maxLength: 80 })
      .map((parts) => enc(parts.join('')));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), soup);

    it('never throws; every span is inside the file; whole, chunked and text scans agree; each record is the JSON at its span', () => {
      let seed = 0;
      fc.assert(
        fc.property(bytes, (b) => {
          const r = scanAllWays(b, RULES, seed++);
          assertSpansInside(r, b.length, 'scan');
          const found = findRecords(b);
          let last = -1;
          for (const rec of found.records) {
            assert.ok(rec.span.start >= last, 'records out of order or overlapping');
            last = rec.span.end;
            const raw = JSON.parse(dec(b.subarray(rec.span.start, rec.span.end))) as unknown;
            const parsed = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
            const value = (parsed as { _source?: unknown })._source ?? parsed;
            assert.deepEqual(rec.value, value);
          }
        }),
        params(300),
      );
    });

    // Content for records: anything, except nested objects that would pass for records themselves
    // (eventName with eventSource, @timestamp, event.*, CloudTrailEvent). Next to damage, the
    // finder cannot tell such an object from the record that holds it (a known limit of recovery).
    const MARKERS = new Set(['@timestamp', 'event', 'event.action', 'event.dataset', 'eventName', 'eventSource', 'eventVersion', 'CloudTrailEvent', 'EventId', '_source']);
    const contentKey = key.filter((k) => !MARKERS.has(k));
    const content: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small', maxDepth: 4 }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(contentKey, tie('v'), { maxKeys: 3 })),
    })).v;
    /** A record with a unique id and arbitrary extra content. */
    const record = (id: number) =>
      fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !MARKERS.has(k)), content, { maxKeys: 3 }).map((extra) =>
        viaJson({ ...extra, eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'CreateTrafficMirrorSession', eventID: `rec-${id}` }),
      );
    /** A line of damage: any text, or a piece cut out of a record (a partial write). */
    const garbage = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
      fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => {
        const text = JSON.stringify({ eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'X', eventID: 'victim', p: { q: [1, { r: 's' }] } });
        const from = a % text.length;
        return text.slice(from, from + 1 + (b % (text.length - from - 1 || 1)));
      }),
      fc.constantFrom('{"x":1,{,{,{,{,{', '[[[[[[', '{{{{', '"', '}]}', ',', '/* never closed', '{"eventName":', '\u0000\u0000'),
    );

    for (const shape of ['JSON Lines', 'array', 'envelope'] as const) {
      it(`${shape} with damaged lines between records: every intact record is found, nothing else is`, () => {
        fc.assert(
          fc.property(
            fc.array(fc.oneof({ weight: 2, arbitrary: fc.constant('record' as const) }, { weight: 1, arbitrary: garbage }), { minLength: 1, maxLength: 12 }),
            fc.array(record(0), { minLength: 12, maxLength: 12 }),
            (plan, records) => {
              const lines: string[] = [];
              const intact: string[] = [];
              plan.forEach((item, i) => {
                if (item === 'record') {
                  const r = { ...records[i], eventID: `rec-${i}` };
                  lines.push(JSON.stringify(r));
                  intact.push(`rec-${i}`);
                } else lines.push(item);
              });
              const isRecord = plan.map((item) => item === 'record');
              const joiner = shape === 'JSON Lines' ? '\n' : ',\n';
              const closing = shape === 'JSON Lines' ? '' : shape === 'array' ? '\n]' : '\n]}';
              const text = shape === 'JSON Lines' ? lines.join('\n') + '\n' : shape === 'array' ? `[\n${lines.join(',\n')}\n]` : `{"Records":[\n${lines.join(',\n')}\n]}`;
              const b = enc(text);
              const r = scanAllWays(b, RULES, intact.length);
              assertSpansInside(r, b.length, shape);
              const found = ids(r);
              plan.forEach((item, i) => {
                // A record that the damage around it wraps into valid JSON (`{"eventName":` before
                // it, `}` after) is a member value there, not a record: no finder could tell.
                if (item === 'record' && !nestedInValidJson(lines, isRecord, i, joiner, closing)) {
                  assert.ok(found.has(`rec-${i}`), `rec-${i} lost in ${JSON.stringify(text)}`);
                }
              });
              for (const id of found) assert.ok(intact.includes(id), `${id} found but not intact in ${JSON.stringify(text)}`);
            },
          ),
          params(150),
        );
      });
    }

    it('generated files of every shape, compact or pretty, with or without a BOM: no problem, every record, same in every path', () => {
      fc.assert(
        fc.property(
          fc.array(record(0), { minLength: 1, maxLength: 5 }),
          fc.constantFrom('envelope', 'array', 'lines', 'lookup', 'hits', 'single'),
          fc.boolean(),
          fc.boolean(),
          (recs, shape, pretty, bom) => {
            const rs = recs.map((r, i) => ({ ...r, eventID: `rec-${i}` }));
            const indent = pretty ? 2 : undefined;
            const text =
              shape === 'envelope'
                ? JSON.stringify({ Records: rs }, null, indent)
                : shape === 'array'
                  ? JSON.stringify(rs, null, indent)
                  : shape === 'lines'
                    ? rs.map((r) => JSON.stringify(r)).join('\n')
                    : shape === 'lookup'
                      ? JSON.stringify({ Events: rs.map((r, i) => ({ EventId: String(i), CloudTrailEvent: JSON.stringify(r) })) }, null, indent)
                      : shape === 'hits'
                        ? JSON.stringify({ hits: { hits: rs.map((r) => ({ _source: r })) } }, null, indent)
                        : JSON.stringify(rs[0], null, indent);
            const b = enc((bom ? '\ufeff' : '') + text);
            const r = scanAllWays(b, RULES, rs.length);
            assert.deepEqual(r.problems, []);
            const expected = shape === 'single' ? ['rec-0'] : rs.map((x) => String(x.eventID));
            assert.deepEqual([...ids(r)].sort(), expected.sort());
          },
        ),
        params(150),
      );
    });
  });

  describe('CloudTrail -> ECS and the document view, on any JSON value', () => {
    const queries = [
      'event.dataset:aws.cloudtrail and event.action:CreateTrafficMirrorSession and event.outcome:success',
      '*',
      'a.b:*',
      '__proto__:*',
      'constructor.prototype:*',
      'source.ip:198.51.100.0/24',
      'event.action:Create*',
      '@timestamp >= "2026-01-01"',
      'aws.cloudtrail.flattened.request_parameters:*',
      'aws.cloudtrail.flattened.request_parameters.a:{ b:c }',
      'not user.name:x',
      'related.user:*x* or user_agent.original:"a b"',
      'tls.version < 1.3',
      'x',
    ].map((q) => parseKql(q));

    function exercise(doc: Record<string, unknown>, raw: Record<string, unknown> | undefined): void {
      const view = documentView(doc);
      const names = [...view.fields()];
      for (const name of [...names, 'event.action', 'user.name', '__proto__', 'constructor', 'a.b', '', '.']) {
        assert.ok(Array.isArray(view.get(name)));
        assert.equal(typeof view.typeOf(name), 'string');
        if (raw) {
          const path = cloudTrailPathOf(name, raw);
          if (path) {
            // a path the finder's locate() can follow: through own properties to a value that is there
            let node: unknown = raw;
            for (const step of path) {
              assert.ok(node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, step), `${name}: path ${JSON.stringify(path)} breaks at ${step}`);
              node = (node as Record<string, unknown>)[step];
            }
          }
        } else ecsPathOf(name, doc);
      }
      const matched: string[] = [];
      for (const q of queries) assert.equal(typeof evaluateKql(q, view, matched), 'boolean');
    }

    it('never throws, keeps the constant fields, follows only paths that exist, and evaluates any query', () => {
      fc.assert(
        fc.property(fc.oneof(cloudTrailish, jsonValue), (value) => {
          const input = viaJson(value);
          const record = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : ({ v: input } as Record<string, unknown>);
          const doc = cloudTrailToEcs(record);
          assert.equal((doc.event as Record<string, unknown>).dataset, 'aws.cloudtrail');
          exercise(doc, record);
          exercise(record, undefined); // the same value read as an ECS document
        }),
        params(300),
      );
      // nothing leaked onto Object.prototype through a "__proto__" key
      assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).filter((k) => !['constructor', '__defineGetter__', '__defineSetter__', 'hasOwnProperty', '__lookupGetter__', '__lookupSetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf', '__proto__', 'toLocaleString'].includes(k)), []);
    });

    it('100,000 levels of nesting in any field: no stack overflow in the mapping, the view or the evaluator', () => {
      let deepArray: unknown = 'leaf';
      let deepObject: unknown = 'leaf';
      for (let i = 0; i < 100_000; i++) {
        deepArray = [deepArray];
        deepObject = { a: deepObject };
      }
      for (const deep of [deepArray, deepObject]) {
        const record = { eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: deep, userIdentity: deep, requestParameters: { x: deep }, responseElements: deep, resources: [deep], extra: deep };
        const doc = cloudTrailToEcs(record);
        exercise(doc, record);
        exercise(record as Record<string, unknown>, undefined);
        exercise({ event: { action: deep }, aws: { cloudtrail: { flattened: { request_parameters: deep } } }, 'a.b': deep }, undefined);
      }
    });
  });

  describe('KQL parser, on any string', () => {
    const token = fc.constantFrom('(', ')', '{', '}', ':', '"', '\\', '*', '<', '<=', '>', '>=', ' ', '\t', '\n', '\u00a0', ' or ', ' and ', 'not ', ' OR ', 'NoT ', 'a', 'event.action', 'b c', 'null', 'true', '\\u0041', '\\or', '10.0.0.0/8', 'é', '\ud83d\ude00', '\ud800');
    const queryText = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.oneof(token, fc.string({ maxLength: 3 })), { maxLength: 30 }).map((t) => t.join('')));
    const doc = documentView(cloudTrailToEcs({ eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'CreateTrafficMirrorSession', sourceIPAddress: '10.1.2.3', requestParameters: { a: { b: 'c' } } }));

    it('throws only KqlSyntaxError, positioned inside the query; what parses can be evaluated and analysed', () => {
      fc.assert(
        fc.property(queryText, (q) => {
          let ast: KqlQuery;
          try {
            ast = parseKql(q);
          } catch (e) {
            assert.ok(e instanceof KqlSyntaxError, `${JSON.stringify(q)} threw ${String(e)}`);
            assert.ok(e.offset >= 0 && e.offset <= q.length, `offset ${e.offset} outside ${JSON.stringify(q)}`);
            const before = q.slice(0, e.offset);
            assert.equal(e.line, before.split('\n').length);
            assert.equal(e.column, e.offset - (before.lastIndexOf('\n') + 1) + 1);
            assert.ok(e.message.length > 0 && e.message.length < 1000);
            return;
          }
          assert.equal(typeof evaluateKql(ast, doc), 'boolean');
          queryFields(ast);
          requiredLiterals(ast, () => true);
        }),
        params(2000),
      );
    });

    it('round trip: printing a parsed query and parsing it again gives the same tree', () => {
      fc.assert(
        fc.property(queryText, (q) => {
          let ast: KqlQuery;
          try {
            ast = parseKql(q);
          } catch {
            return; // only what parses
          }
          const printed = printKql(ast);
          let again: KqlQuery;
          try {
            again = parseKql(printed);
          } catch (e) {
            assert.fail(`${JSON.stringify(q)} printed as ${JSON.stringify(printed)} does not parse: ${(e as Error).message}`);
          }
          assert.deepEqual(shapeOf(again), shapeOf(ast), `${JSON.stringify(q)} -> ${JSON.stringify(printed)}`);
        }),
        params(2000),
      );
    });
  });
});

/**
 * Whether the damaged lines nearest to record line i wrap it into one valid JSON value: an opening
 * `{` or `[` in the damaged line before it, the records between joined as in the file, and a
 * closing `}` or `]` in the damaged line after it (or in the file's own closing text).
 */
function nestedInValidJson(lines: string[], isRecord: boolean[], i: number, joiner: string, closing: string): boolean {
  let g1 = i - 1;
  while (g1 >= 0 && isRecord[g1]) g1--;
  let g2 = i + 1;
  while (g2 < lines.length && isRecord[g2]) g2++;
  if (g1 < 0) return false; // nothing before it can open a value around it
  const before = lines[g1];
  const after = g2 < lines.length ? lines[g2] : closing;
  const middle = lines.slice(g1 + 1, g2).join(joiner);
  for (let a = 0; a < before.length; a++) {
    if (before[a] !== '{' && before[a] !== '[') continue;
    for (let b = 0; b < after.length; b++) {
      if (after[b] !== '}' && after[b] !== ']') continue;
      const sep = g2 < lines.length ? joiner : '';
      try {
        JSON.parse(before.slice(a) + joiner + middle + sep + after.slice(0, b + 1));
        return true;
      } catch {
        // not one value: try the next pair
      }
    }
  }
  return false;
}

// ------------------------------------------------------------------------------------------------
// A KQL printer, written for the round trip: the tree to text that Kibana's grammar reads back.

const SPECIAL = /[\\():<>"*{}]/;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\u00a0';

/** An unquoted literal's text: specials and line breaks escaped, keywords that would end it escaped. */
function unquoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (SPECIAL.test(c)) out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c === '\n') out += '\\n';
    else {
      // "not " anywhere, and " or " / " and " after a space, would end the literal: escape the word
      // (at the end of the text too: what is printed after the literal may start with a space)
      const rest = text.slice(i);
      const word = /^(not|or|and)(?=[ \t\r\n\u00a0]|$)/i.exec(rest)?.[1];
      if (word && (word.toLowerCase() === 'not' || isSpace(text[i - 1]))) {
        // `\\not` would read as an escaped line break (\\n) and "ot": write the n as \\u006e
        out += word[0] === 'n' ? `\\u006e${word.slice(1)}` : `\\${word}`;
        i += word.length - 1;
      } else out += c;
    }
  }
  return out;
}

function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function literal(v: { value: string | boolean | null; quoted: boolean; wildcard: { parts: readonly string[] } | null }): string {
  if (v.wildcard) return v.wildcard.parts.map(unquoted).join('*');
  if (v.quoted) return quoted(String(v.value));
  if (v.value === '') return '\\t'; // an escaped tab, trimmed away: the empty unquoted value
  return unquoted(String(v.value)); // null, true and false print as their keyword
}

function fieldText(f: { name: string; wildcard: { parts: readonly string[] } | null }): string {
  if (f.wildcard) return f.wildcard.parts.map(unquoted).join('*');
  // `null` unquoted would mean "no field"; names with edge whitespace need quotes to keep it
  return f.name === 'null' || f.name !== f.name.trim() || f.name === '' ? quoted(f.name) : unquoted(f.name);
}

function printKql(q: KqlQuery): string {
  const group = (c: KqlQuery, when: KqlQuery['type'][]) => (when.includes(c.type) ? `(${printKql(c)})` : printKql(c));
  switch (q.type) {
    case 'all':
      return '';
    case 'or':
      return q.children.map((c) => group(c, ['or'])).join(' or ');
    case 'and':
      return q.children.map((c) => group(c, ['or', 'and'])).join(' and ');
    case 'not':
      return `not ${group(q.child, ['or', 'and', 'not'])}`;
    case 'is':
      return q.field ? `${fieldText(q.field)}:${literal(q.value)}` : literal(q.value);
    case 'exists':
      return `${fieldText(q.field)}:*`;
    case 'range':
      return `${fieldText(q.field)} ${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[q.op]} ${literal(q.value)}`;
    case 'nested':
      return `${fieldText(q.path)}:{ ${printKql(q.query)} }`;
  }
}

/** The tree without positions and cached analysis: what the query means. */
function shapeOf(q: KqlQuery): unknown {
  const v = (x: KqlValue) => ({ value: x.value, quoted: x.quoted, wildcard: x.wildcard?.parts ?? null });
  const f = (x: { name: string; wildcard: { parts: readonly string[] } | null } | null) => (x ? { name: x.name, wildcard: x.wildcard?.parts ?? null } : null);
  switch (q.type) {
    case 'all':
      return { type: 'all' };
    case 'or':
    case 'and':
      return { type: q.type, children: q.children.map(shapeOf) };
    case 'not':
      return { type: 'not', child: shapeOf(q.child) };
    case 'is':
      return { type: 'is', field: f(q.field), value: v(q.value) };
    case 'exists':
      return { type: 'exists', field: f(q.field) };
    case 'range':
      return { type: 'range', field: f(q.field), op: q.op, value: v(q.value) };
    case 'nested':
      return { type: 'nested', path: f(q.path), query: shapeOf(q.query) };
  }
}
