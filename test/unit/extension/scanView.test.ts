import assert from 'node:assert/strict';
import type { Finding, ScanResult, Span } from '../../../src/core/types';
import { findingsAt, resolveFindings, toScanView, type SpanMapper } from '../../../src/extension/scanView';
import { testRule } from './helpers';

// A mapper for a file of fixed 100-byte lines of ASCII: byte offset -> line/character.
const mapper: SpanMapper = {
  rangeOf(span: Span) {
    return {
      start: { line: Math.floor(span.start / 100), character: span.start % 100 },
      end: { line: Math.floor(span.end / 100), character: span.end % 100 },
    };
  },
};

function finding(rule: ReturnType<typeof testRule>, line: number): Finding {
  return {
    rule,
    recordIndex: line,
    record: { start: line * 100, end: line * 100 + 90 },
    matched: { start: line * 100 + 20, end: line * 100 + 35 },
    matchedField: 'event.action',
    fields: { 'event.action': 'CreateWidget' },
    related: [{ recordIndex: line + 1, record: { start: (line + 1) * 100 + 20, end: (line + 1) * 100 + 35 }, reason: 'same access key AKIAEXAMPLE' }],
  };
}

describe('extension/scanView', () => {
  const a = testRule({ ruleId: 'a' });
  const b = testRule({ ruleId: 'b', name: 'Other' });
  const eql = testRule({ ruleId: 'c', type: 'eql' });

  function result(): ScanResult {
    return {
      shape: 'json-lines',
      recordCount: 10,
      findings: [finding(a, 5), finding(b, 5), finding(a, 2), finding(a, 8)],
      problems: [{ code: 'json-syntax', severity: 'error', message: 'Unexpected end', span: { start: 950, end: 950 } }],
      notEvaluated: [{ rule: eql, reason: 'EQL rules are not evaluated yet' }],
    };
  }

  it('turns spans into ranges and rules into indexes, in file order', () => {
    const view = toScanView(result(), [a, b, eql], mapper, 12);
    assert.equal(view.shape, 'json-lines');
    assert.equal(view.recordCount, 10);
    assert.equal(view.ms, 12);
    assert.deepEqual(
      view.findings.map((f) => [f.recordIndex, f.ruleIndex]),
      [
        [2, 0],
        [5, 0],
        [5, 1],
        [8, 0],
      ],
    );
    assert.deepEqual(view.findings[0].matched, { start: { line: 2, character: 20 }, end: { line: 2, character: 35 } });
    assert.deepEqual(view.findings[0].related[0].range.start, { line: 3, character: 20 });
    assert.deepEqual(view.problems[0].range.start, { line: 9, character: 50 });
    assert.deepEqual(view.notEvaluated, [{ ruleIndex: 2, reason: 'EQL rules are not evaluated yet' }]);
  });

  it('survives a structured clone and resolves rules again', () => {
    const view = structuredClone(toScanView(result(), [a, b, eql], mapper, 1));
    const findings = resolveFindings(view, [a, b, eql]);
    assert.equal(findings.length, 4);
    assert.equal(findings[2].rule, b);
  });

  it('finds every rule’s finding for a position inside a record, and none between records', () => {
    const findings = resolveFindings(toScanView(result(), [a, b], mapper, 1), [a, b]);
    assert.deepEqual(
      findingsAt(findings, { line: 5, character: 40 }).map((f) => f.rule.ruleId),
      ['a', 'b'],
    );
    assert.deepEqual(
      findingsAt(findings, { line: 2, character: 0 }).map((f) => f.recordIndex),
      [2],
    );
    assert.deepEqual(findingsAt(findings, { line: 5, character: 95 }), []);
    assert.deepEqual(findingsAt(findings, { line: 0, character: 0 }), []);
    assert.deepEqual(findingsAt(findings, { line: 99, character: 0 }), []);
    assert.deepEqual(findingsAt([], { line: 1, character: 1 }), []);
  });
});
