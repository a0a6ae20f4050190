// Hand-made scan results for the report tests: a file's text, its records, and findings on them,
// without running the engine (the reports must be testable on their own).

import type { Finding, Position, Rule, ScanResult, Span } from '../../../src/core/types';
import { fileResultFrom, type FileResult, type PositionLookup, type ScanReport } from '../../../src/core/report';

export function rule(overrides: Partial<Rule> = {}): Rule {
  return {
    ruleId: '0f6d1a52-7d4e-4b8e-9a61-5f3c2b1a0e99',
    name: 'Test Mirror Rule',
    description: 'Finds traffic mirror sessions in tests.',
    type: 'query',
    language: 'kuery',
    query: 'event.action:CreateTrafficMirrorSession and event.outcome:success',
    index: ['logs-aws.cloudtrail-*'],
    severity: 'medium',
    riskScore: 47,
    from: 'now-60m',
    interval: '10m',
    maxSignals: 100,
    note: '## Triage\n\nCheck **who** created the session.',
    falsePositives: [],
    references: [],
    tags: ['Domain: Cloud', 'Tactic: Exfiltration'],
    author: ['Tester'],
    threat: [],
    investigationFields: [],
    exceptionsList: [],
    metadata: {},
    source: '/rules/test_mirror.toml',
    version: 3,
    ...overrides,
  };
}

/** Byte offset -> line/UTF-16 character over a string's UTF-8 encoding (what PositionMapper does). */
export class TextPositions implements PositionLookup {
  private readonly starts: { byte: number; line: number; character: number }[] = [];

  constructor(text: string) {
    let byte = 0;
    let line = 0;
    let character = 0;
    for (const ch of text) {
      this.starts.push({ byte, line, character });
      byte += new TextEncoder().encode(ch).length;
      if (ch === '\n') {
        line++;
        character = 0;
      } else {
        character += ch.length;
      }
    }
    this.starts.push({ byte, line, character });
  }

  positionAt(offset: number): Position {
    const hit = this.starts.find((s) => s.byte === offset);
    if (!hit) throw new Error(`offset ${offset} is not on a character boundary`);
    return { line: hit.line, character: hit.character };
  }
}

/** Byte span of the first occurrence of `needle` in `text` at or after byte `from`. */
export function spanOf(text: string, needle: string, from = 0): Span {
  const bytes = new TextEncoder().encode(text);
  const n = new TextEncoder().encode(needle);
  outer: for (let i = from; i + n.length <= bytes.length; i++) {
    for (let j = 0; j < n.length; j++) if (bytes[i + j] !== n[j]) continue outer;
    return { start: i, end: i + n.length };
  }
  throw new Error(`${needle} not found`);
}

export interface MadeFile {
  text: string;
  bytes: Uint8Array;
  result: ScanResult;
  file: FileResult;
}

/**
 * A JSON Lines file of the given records; every record whose eventName starts with CreateTrafficMirror
 * (and has no errorCode) is a finding of `r`, its eventName value underlined.
 */
export function makeFile(name: string, records: Record<string, unknown>[], r: Rule = rule(), extra: Partial<ScanResult> = {}): MadeFile {
  const lines = records.map((rec) => JSON.stringify(rec));
  const text = lines.join('\n') + '\n';
  const bytes = new TextEncoder().encode(text);
  const findings: Finding[] = [];
  let offset = 0;
  lines.forEach((line, index) => {
    const record = { start: offset, end: offset + new TextEncoder().encode(line).length };
    const rec = records[index];
    if (String(rec.eventName).startsWith('CreateTrafficMirror') && !rec.errorCode) {
      const matched = spanOf(text, JSON.stringify(rec.eventName), record.start);
      findings.push({
        rule: r,
        recordIndex: index,
        record,
        matched,
        matchedField: 'event.action',
        fields: ecsFields(rec),
        related: [],
      });
    }
    offset = record.end + 1;
  });
  const result: ScanResult = { shape: 'json-lines', recordCount: records.length, findings, problems: [], notEvaluated: [], ...extra };
  return { text, bytes, result, file: fileResultFrom(name, bytes, result, new TextPositions(text)) };
}

/** The investigation fields of a CloudTrail record, the few the reports read. */
export function ecsFields(rec: Record<string, unknown>): Record<string, unknown> {
  const id = (rec.userIdentity ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    '@timestamp': rec.eventTime,
    'event.action': rec.eventName,
    'event.provider': rec.eventSource,
    'event.outcome': rec.errorCode ? 'failure' : 'success',
    'aws.cloudtrail.user_identity.arn': id.arn,
    'aws.cloudtrail.user_identity.type': id.type,
    'aws.cloudtrail.user_identity.access_key_id': id.accessKeyId,
    'user.name': id.userName,
    'source.address': rec.sourceIPAddress,
    'user_agent.original': rec.userAgent,
    'cloud.account.id': id.accountId,
    'cloud.region': rec.awsRegion,
  };
  if (typeof rec.sourceIPAddress === 'string' && /^[0-9.:a-f]+$/i.test(rec.sourceIPAddress)) out['source.ip'] = rec.sourceIPAddress;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

let counter = 0;
export function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::111122223333:user/alice.ops',
      accountId: '111122223333',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'alice.ops',
    },
    eventTime: `2026-11-04T09:1${counter % 10}:00Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.17.42',
    requestParameters: null,
    responseElements: null,
    eventID: `00000000-0000-4000-a000-${String(counter).padStart(12, '0')}`,
    recipientAccountId: '111122223333',
    ...overrides,
  };
}

export function report(files: FileResult[], overrides: Partial<ScanReport> = {}): ScanReport {
  const rules = [...new Map(files.flatMap((f) => f.result.findings.map((x) => [x.rule.ruleId, x.rule] as const))).values()];
  return { tool: { name: 'CloudTrail Hunter', version: '0.1.0' }, rules: rules.length > 0 ? rules : [rule()], notEvaluated: [], files, errors: [], ...overrides };
}

/** ESC, CSI, OSC, BEL, bidi overrides and isolates, C1 controls: none may appear raw in text output. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
