// The files being scanned are evidence: the CLI must never write to them or beside them, a scanned
// folder must not be able to change what is run (the CLI's side of "untrusted workspaces"), and a
// file that changes while it is being read must end in a result or a clear error, never a crash
// or a hang.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { StreamingScan } from '../../../src/core/scan';
import { hostileFiles } from '../../fixtures/hostile/generate';
import { assertNoUnsafe, assertSpansInside, runCli, seedAndEverything, tempDir } from './helpers';

interface Entry {
  kind: 'file' | 'dir' | 'link';
  sha256?: string;
  size?: number;
  mtimeMs: number;
  mode: number;
}

/** Every entry under `dir` (hidden ones too, links not followed): content hash, size, mtime, mode. */
function snapshot(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    for (const name of fs.readdirSync(abs)) {
      const r = path.join(rel, name);
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) out.set(r, { kind: 'link', mtimeMs: st.mtimeMs, mode: st.mode });
      else if (st.isDirectory()) {
        out.set(r, { kind: 'dir', mtimeMs: st.mtimeMs, mode: st.mode });
        walk(r);
      } else {
        const sha256 = createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex');
        out.set(r, { kind: 'file', sha256, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode });
      }
    }
  };
  walk('.');
  return out;
}

/** A record per line, `n` of them, each about 600 bytes; every tenth one matches the seed rule. */
function lines(n: number, from = 0): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    out +=
      JSON.stringify({
        eventVersion: '1.09',
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/u${i}`, accountId: '111122223333', userName: `u${i}` },
        eventTime: '2026-11-04T09:13:27Z',
        eventSource: 'ec2.amazonaws.com',
        eventName: i % 10 === 0 ? 'CreateTrafficMirrorSession' : 'DescribeInstances',
        awsRegion: 'us-east-1',
        sourceIPAddress: '198.51.100.7',
        userAgent: 'aws-cli/2.15.0',
        requestParameters: { filterSet: { items: [{ name: 'tag:Name', valueSet: { items: [{ value: `web-${i}` }] } }] } },
        eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      }) + '\n';
  }
  return out;
}

describe('robustness: the file system', function () {
  this.timeout(60000);

  describe('nothing written', () => {
    let dir: string;
    let initial: Map<string, Entry>;

    before(() => {
      dir = tempDir('cth-evidence-');
      for (const [name, text] of Object.entries(hostileFiles())) fs.writeFileSync(path.join(dir, name), text);
      fs.mkdirSync(path.join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1'), { recursive: true });
      const nested = path.join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1');
      fs.writeFileSync(path.join(nested, 'trail.json.gz'), zlib.gzipSync(JSON.stringify({ Records: lines(20).trim().split('\n').map((l) => JSON.parse(l) as unknown) })));
      fs.writeFileSync(path.join(nested, 'truncated.json.gz'), zlib.gzipSync(lines(5)).subarray(0, 100));
      fs.writeFileSync(path.join(nested, 'broken.jsonl'), lines(3) + '{"eventVersion": NaN\n' + lines(2, 3).slice(0, -40));
      fs.writeFileSync(path.join(dir, 'binary.json'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]));
      fs.writeFileSync(path.join(dir, 'empty.json'), '');
      fs.writeFileSync(path.join(dir, '.hidden.json'), lines(1));
      fs.symlinkSync('hostile-envelope.json', path.join(dir, 'link.json'));
      // Make every mtime distinctly old, so a rewrite of the same bytes would still show.
      const old = new Date('2020-01-02T03:04:05Z');
      for (const [rel] of snapshot(dir)) if (!fs.lstatSync(path.join(dir, rel)).isSymbolicLink()) fs.utimesSync(path.join(dir, rel), old, old);
      fs.utimesSync(dir, old, old);
      initial = snapshot(dir);
    });

    it('scanning a folder in every format, and listing rules from it, changes no byte, no mtime and adds no file', async () => {
      const elsewhere = tempDir('cth-report-');
      const runs: string[][] = [];
      for (const format of ['text', 'json', 'sarif', 'csv']) {
        runs.push(['scan', '.', '--format', format]);
        runs.push(['scan', '.', '--format', format, '--output', path.join(elsewhere, `report.${format}`)]);
      }
      runs.push(['scan', 'hostile-lines.jsonl', 'AWSLogs/111122223333/CloudTrail/us-east-1/trail.json.gz', 'link.json', '--query', 'event.dataset:aws.cloudtrail']);
      runs.push(['rules', '--rules', '.']);
      for (const argv of runs) {
        const r = await runCli(argv, dir); // the evidence folder is the working folder too
        assert.ok([0, 1, 2].includes(r.code), `${argv.join(' ')}: exit ${r.code}`);
        assertNoUnsafe(r.stderr, 'stderr');
      }
      const after = snapshot(dir);
      assert.deepEqual([...after.keys()].sort(), [...initial.keys()].sort(), 'files appeared or disappeared');
      for (const [rel, entry] of initial) assert.deepEqual(after.get(rel), entry, `${rel} changed`);
      assert.equal(fs.statSync(dir).mtimeMs, new Date('2020-01-02T03:04:05Z').getTime(), 'the folder itself was written to');
      assert.deepEqual(fs.readdirSync(elsewhere).sort(), ['report.csv', 'report.json', 'report.sarif', 'report.text']);
    });

    it('a scanned folder cannot add rules: TOML files among the logs are neither loaded nor scanned', async () => {
      const logs = tempDir('cth-untrusted-');
      fs.writeFileSync(path.join(logs, 'trail.jsonl'), lines(10));
      fs.mkdirSync(path.join(logs, 'rules'));
      // a rule that would flag every record, planted next to the evidence
      const planted = [
        '[metadata]',
        'creation_date = "2026/01/01"',
        '[rule]',
        'name = "Planted rule"',
        'rule_id = "planted-0000"',
        'description = "Flags everything."',
        'type = "query"',
        'language = "kuery"',
        'severity = "critical"',
        'risk_score = 99',
        "query = 'event.dataset:aws.cloudtrail'",
      ].join('\n');
      fs.writeFileSync(path.join(logs, 'rules', 'planted.toml'), planted);
      fs.writeFileSync(path.join(logs, 'planted.toml'), planted);
      const r = await runCli(['scan', '.', '--format', 'json'], logs);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as { findings: { rule: { id: string } }[]; summary: { files: number } };
      assert.equal(out.summary.files, 1);
      assert.deepEqual([...new Set(out.findings.map((f) => f.rule.id))], ['c1812764-0788-470f-8e74-eb4a14d47573']);
      assert.equal(out.findings.length, 1);
    });
  });

  describe('a file that changes while it is being scanned', () => {
    const RS = seedAndEverything();

    /** Streams `file` through the engine in 64 KiB reads, calling `meddle` after the first read. */
    function streamScan(file: string, meddle: () => void): Promise<{ result: ReturnType<StreamingScan['end']>; size: number }> {
      return new Promise((resolve, reject) => {
        const scan = new StreamingScan(RS);
        let size = 0;
        let first = true;
        fs.createReadStream(file, { highWaterMark: 64 * 1024 })
          .on('data', (chunk) => {
            const bytes = chunk as Buffer;
            size += bytes.length;
            scan.push(bytes);
            if (first) {
              first = false;
              meddle();
            }
          })
          .on('error', reject)
          .on('end', () => resolve({ result: scan.end(), size }));
      });
    }

    it('truncated after the first read: the records read are found, the cut is reported where the bytes end', async () => {
      const file = path.join(tempDir('cth-live-'), 'trail.jsonl');
      fs.writeFileSync(file, lines(2000));
      const { result, size } = await streamScan(file, () => fs.truncateSync(file, 100_000));
      assert.ok(size >= 64 * 1024 && size <= 100_000, `${size} bytes read`);
      assertSpansInside(result, size, 'truncated');
      const complete = lines(2000).slice(0, size).split('\n').length - 1; // whole lines in what was read
      assert.ok(result.findings.filter((f) => f.rule.ruleId === 'hunt-everything').length >= complete);
      if (lines(2000).slice(0, size).endsWith('\n')) assert.deepEqual(result.problems, []);
      else assert.ok(result.problems.some((p) => p.span.start === size && /end of file/.test(p.message)), JSON.stringify(result.problems));
    });

    it('appended to after the first read: the new records are scanned too', async () => {
      const file = path.join(tempDir('cth-live-'), 'trail.jsonl');
      fs.writeFileSync(file, lines(500));
      const { result, size } = await streamScan(file, () => fs.appendFileSync(file, lines(500, 500)));
      assert.equal(size, Buffer.byteLength(lines(500) + lines(500, 500)));
      assert.equal(result.recordCount, 1000);
      assert.deepEqual(result.problems, []);
    });

    it('rewritten with other content mid-read: a result with every problem positioned, no crash', async () => {
      const file = path.join(tempDir('cth-live-'), 'trail.jsonl');
      fs.writeFileSync(file, lines(1000));
      const { result, size } = await streamScan(file, () => fs.writeFileSync(file, Buffer.concat([Buffer.from('\u0000garbage{"x":'), Buffer.alloc(200_000, 0x7b)])));
      assertSpansInside(result, size, 'rewritten');
      assert.ok(result.recordCount >= 100, `${result.recordCount} records from the first read`);
    });

    for (const [what, change] of [
      ['appended to', (file: string, i: number) => fs.appendFileSync(file, lines(50, 100_000 + i * 50))],
      ['truncated and regrown', (file: string, i: number) => (i % 2 === 0 ? fs.truncateSync(file, (i * 7919) % 3_000_000) : fs.appendFileSync(file, lines(200, i * 200)))],
      ['replaced by a rename', (file: string, i: number) => {
        const next = `${file}.${i}`;
        fs.writeFileSync(next, i % 2 === 0 ? lines(100) : '{"Records":[' + lines(3).trim().split('\n').join(',') + ',{"trunc');
        fs.renameSync(next, file);
      }],
    ] as const) {
      it(`the CLI, while the file is ${what} every few milliseconds: a result or a clear error, no hang`, async () => {
        const dir = tempDir('cth-live-');
        const file = path.join(dir, 'trail.jsonl');
        fs.writeFileSync(file, lines(5000)); // about 3 MB
        let i = 0;
        let stop = false;
        const meddler = (async () => {
          while (!stop) {
            change(file, i++);
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
        const run = runCli(['scan', 'trail.jsonl', '--format', 'json'], dir);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the scan did not finish in 30 s')), 30000);
        });
        try {
          const r = await Promise.race([run, timeout]);
          assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}: ${r.stderr}`);
          assertNoUnsafe(r.stderr, 'stderr');
          if (r.code === 2) assert.match(r.stderr, /trail\.jsonl/, 'an error that names the file');
          if (r.stdout !== '') {
            const out = JSON.parse(r.stdout) as { problems: { line: number; column: number; message: string }[]; findings: { line: number }[] };
            for (const p of out.problems) assert.ok(p.line >= 1 && p.column >= 1 && p.message.length > 0);
            for (const f of out.findings) assert.ok(f.line >= 1);
          }
        } finally {
          clearTimeout(timer);
          stop = true;
          await meddler;
        }
      });
    }
  });
});
