import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { PositionMapper } from '../../../src/core/input/positions';
import { digest, reportOffsets } from '../../../src/core/report';
import { prepareRules, scanBytes, type RuleSet } from '../../../src/core/scan';
import type { Rule, ScanResult } from '../../../src/core/types';
import type { FileScan } from '../../../src/node/scanFile';

/** Splits bytes into consecutive chunks whose sizes cycle through `sizes` (each at least 1). */
export function chunksOf(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let k = 0;
  for (let at = 0; at < bytes.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length] ?? 1);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Chunk size patterns: small, so boundaries land everywhere. */
export function pieces(): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 6 });
}

export function rule(ruleId: string, query: string, extra: Partial<Rule> = {}): Rule {
  return {
    ruleId,
    name: `Rule ${ruleId}`,
    description: 'test rule',
    type: 'query',
    language: 'kuery',
    query,
    index: ['logs-aws.cloudtrail-*'],
    severity: 'medium',
    riskScore: 47,
    from: 'now-6m',
    interval: '5m',
    maxSignals: 100,
    falsePositives: [],
    references: [],
    tags: [],
    author: ['tests'],
    threat: [],
    investigationFields: [],
    exceptionsList: [],
    metadata: {},
    source: `test:${ruleId}`,
    ...extra,
  };
}

/** The traffic-mirroring hunt, and a second rule so findings name different rules. */
export const RULES: Rule[] = [
  rule(
    'mirror',
    'event.dataset:aws.cloudtrail and event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or CreateTrafficMirrorFilterRule or CreateTrafficMirrorSession or CreateTrafficMirrorTarget) and event.outcome:success',
  ),
  rule('console', 'event.action:ConsoleLogin and source.ip:*'),
];

export function ruleSet(): RuleSet {
  return prepareRules(RULES);
}

let serial = 0;
/** A CloudTrail record of our own making. */
export function record(eventName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  serial++;
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/tester', accessKeyId: 'AKIATESTKEY', userName: 'tester' },
    eventTime: `2026-01-02T03:04:${String(serial % 60).padStart(2, '0')}Z`,
    eventSource: eventName === 'ConsoleLogin' ? 'signin.amazonaws.com' : 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.50',
    userAgent: 'aws-cli/2.17 é中𝄞',
    eventID: `e-${serial}`,
    ...extra,
  };
}

const made: string[] = [];
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cth-scale-'));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Findings with the rule by id, so results of different threads compare by value. */
export function comparable(result: ScanResult): unknown {
  return {
    shape: result.shape,
    recordCount: result.recordCount,
    findings: result.findings.map((f) => ({ ...f, rule: f.rule.ruleId })),
    problems: result.problems,
  };
}

/** A streamed scan must equal scanBytes over the same content: results, positions, digests. */
export function assertSameAsWhole(scan: FileScan, content: Uint8Array, set: RuleSet, label = scan.file): void {
  const whole = scanBytes(content, set);
  assert.deepEqual(comparable(scan.result), comparable(whole), label);
  assert.equal(scan.size, content.length, `${label}: size`);
  const mapper = new PositionMapper(content);
  for (const o of reportOffsets(whole)) assert.deepEqual(scan.positions.positionAt(o), mapper.positionAt(o), `${label}: offset ${o}`);
  for (const f of whole.findings) {
    assert.equal(scan.digests.get(f.recordIndex), digest(content.subarray(f.record.start, f.record.end)), `${label}: digest of record ${f.recordIndex}`);
  }
}
