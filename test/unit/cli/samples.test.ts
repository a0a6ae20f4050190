// The planted counts of samples/ (see samples/README.md), checked through the real CLI path:
// file walking, gunzip, the engine and the JSON report.

import assert from 'node:assert/strict';
import { run } from './helpers';

const S3 = 'samples/s3/AWSLogs/111122223333/CloudTrail';
const SEED_RULE = 'c1812764-0788-470f-8e74-eb4a14d47573';
const ACTIONS = ['CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget'];

interface Planted {
  file: string;
  records: number;
  matches: number;
  /** eventIDs of failed traffic-mirroring calls that must not match. */
  mustNotMatch: string[];
}

const PLANTED: Planted[] = [
  { file: `${S3}/us-east-1/2026/11/04/111122223333_CloudTrail_us-east-1_20261104T0915Z_a1b2c3.json`, records: 12, matches: 4, mustNotMatch: ['1ed82386-4fac-48fe-a29f-dc7d1ddbd0e6'] },
  { file: `${S3}/eu-west-1/2026/11/04/111122223333_CloudTrail_eu-west-1_20261104T1005Z_d4e5f6.json.gz`, records: 5, matches: 2, mustNotMatch: [] },
  { file: 'samples/pretty-envelope.json', records: 7, matches: 2, mustNotMatch: ['45bc4b5a-de47-4d09-a6fd-b895fea88155'] },
  { file: 'samples/export.jsonl', records: 7, matches: 3, mustNotMatch: ['27be2b55-6b90-4eb6-a6dc-a4889b0c745c'] },
  { file: 'samples/lookup-events.json', records: 4, matches: 2, mustNotMatch: ['01394966-4ddd-47f0-a09e-db6ddf55846e'] },
  { file: 'samples/digest.json', records: 0, matches: 0, mustNotMatch: [] },
];

interface JsonFinding {
  rule: { id: string };
  file: string;
  line: number;
  column: number;
  record: { eventId?: string };
  fields: Record<string, unknown>;
}

describe('samples/ (planted findings)', () => {
  for (const p of PLANTED) {
    it(`${p.file.replace(/^.*\//, '')}: exactly ${p.matches} findings in ${p.records} records`, async () => {
      const r = await run(['scan', p.file, '--format', 'json']);
      assert.equal(r.stderr, '');
      assert.equal(r.code, p.matches > 0 ? 1 : 0);
      const out = JSON.parse(r.stdout);
      assert.equal(out.summary.records, p.records);
      assert.equal(out.summary.findings, p.matches);
      const findings = out.findings as JsonFinding[];
      for (const f of findings) {
        assert.equal(f.rule.id, SEED_RULE);
        assert.ok(ACTIONS.includes(String(f.fields['event.action'])), String(f.fields['event.action']));
        assert.equal(f.fields['event.outcome'], 'success');
        assert.ok(f.line >= 1 && f.column >= 1);
      }
      const matched = new Set(findings.map((f) => f.record.eventId));
      assert.equal(matched.size, p.matches, 'each finding is a different record');
      for (const id of p.mustNotMatch) assert.ok(!matched.has(id), `failed call ${id} must not match`);
    });
  }

  it('the successful call written with "errorCode": "" matches', async () => {
    const out = JSON.parse((await run(['scan', PLANTED[0].file, '--format', 'json'])).stdout);
    assert.ok((out.findings as JsonFinding[]).some((f) => f.record.eventId === '33e5b95f-6508-43a9-a76c-f05c77aea237'));
  });

  it('the digest file is reported as not events', async () => {
    const out = JSON.parse((await run(['scan', 'samples/digest.json', '--format', 'json'])).stdout);
    assert.equal(out.problems.length, 1);
    assert.equal(out.problems[0].code, 'not-events');
  });

  it('the whole folder: 13 findings in 6 files', async () => {
    const r = await run(['scan', 'samples']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\n13 findings in 6 files \(35 records scanned, 1 problem\)\n$/);
  });
});
