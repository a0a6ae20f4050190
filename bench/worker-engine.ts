// Child process that measures the engine as the CLI runs it: a file through scanFile (the CLI's
// reader: two read buffers that take turns, or zlib for gzip, with exact line/column positions and
// record digests resolved), a folder through scanFiles (the CLI's worker pool: one thread per core).
// After the timed part, it checks that every finding's byte offsets really point at a matching
// record and that its positions were resolved, so speed is never bought with sloppy spans.
//   node worker-engine.js <shape> <file-or-folder> [--all-rules] [--no-prefilter]
// Prints one JSON line: WorkerResult.

import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { prepareRules, type RuleSet } from '../src/core/scan';
import { reportOffsets } from '../src/core/report/model';
import { scanFiles } from '../src/node/pool';
import { loadBundledRules } from '../src/node/ruleFiles';
import { scanFile, type FileScan } from '../src/node/scanFile';
import { sizeThreadPoolForBatch } from '../src/node/threadPool';
import { tuneTieringForBatch } from '../src/node/tiering';
import type { WorkerResult } from './protocol';
import { referenceMatch, SEED_RULE_ID } from './reference';

/** Offsets of gz findings are checked against the decompressed text only up to this size. */
const MAX_GZ_VERIFY = 600_000_000;

/** Scans the files as the CLI does: one on this thread, several on the worker pool. */
async function scanAll(files: string[], ruleSet: RuleSet, prefilter: boolean): Promise<FileScan[]> {
  const options = { scan: { prefilter } };
  if (files.length === 1) return [await scanFile(files[0], ruleSet, options)];
  // the pool's worker script is bundled next to this one (bench/bench.mjs)
  const outcomes = await scanFiles(files, ruleSet, { ...options, workerPath: path.join(__dirname, 'fileScanWorker.js') });
  return outcomes.map((o) => {
    if (o.error !== undefined) throw new Error(`${o.file}: ${o.error}`);
    return o.scan;
  });
}

/** Reads `[start, end)` of the file's JSON text. */
type ByteReader = (start: number, end: number) => Buffer;

function fileReader(file: string, gz: boolean): { read: ByteReader; close(): void } | undefined {
  if (gz) {
    const raw = readFileSync(file);
    // Decompressing a huge file just to check offsets would dwarf the run: skip it then.
    const bytes = gunzipSync(raw, { maxOutputLength: MAX_GZ_VERIFY + 1 });
    return { read: (s, e) => bytes.subarray(s, e), close: () => undefined };
  }
  const fd = openSync(file, 'r');
  return {
    read: (s, e) => {
      const buf = Buffer.alloc(Math.max(0, e - s));
      readSync(fd, buf, 0, buf.length, s);
      return buf;
    },
    close: () => closeSync(fd),
  };
}

/**
 * Counts findings whose record span parses to a matching record, whose underline holds the action,
 * and whose offsets all have a resolved position.
 */
function verifyOffsets(file: string, gz: boolean, scan: FileScan): { checked: number; bad: string[] } {
  const { result, positions } = scan;
  const bad: string[] = [];
  const unresolved = reportOffsets(result).filter((o) => !positions.has(o));
  if (unresolved.length > 0) bad.push(`${path.basename(file)}: ${unresolved.length} offset(s) without a line/column position, e.g. byte ${unresolved[0]}`);
  let reader: ReturnType<typeof fileReader>;
  try {
    reader = fileReader(file, gz);
  } catch (e) {
    return { checked: 0, bad: [`offsets not checked: ${(e as Error).message}`] };
  }
  if (!reader) return { checked: 0, bad };
  let checked = 0;
  try {
    for (const f of result.findings) {
      if (f.rule.ruleId !== SEED_RULE_ID) continue;
      checked++;
      const where = `${path.basename(file)} record #${f.recordIndex} bytes ${f.record.start}-${f.record.end}`;
      let rec: unknown;
      try {
        rec = JSON.parse(reader.read(f.record.start, f.record.end).toString('utf8'));
      } catch {
        bad.push(`${where}: span is not one JSON record`);
        continue;
      }
      if (!referenceMatch(rec)) {
        bad.push(`${where}: span holds a record the rule does not match`);
        continue;
      }
      if (f.matchedField === 'event.action') {
        let v: unknown;
        try {
          v = JSON.parse(reader.read(f.matched.start, f.matched.end).toString('utf8'));
        } catch {
          v = undefined;
        }
        if (v !== (rec as { eventName: string }).eventName) bad.push(`${where}: underline ${f.matched.start}-${f.matched.end} is not the eventName value`);
      }
    }
  } finally {
    reader.close();
  }
  return { checked, bad };
}

async function main(): Promise<void> {
  // as the CLI's entry does
  sizeThreadPoolForBatch();
  tuneTieringForBatch();
  const args = process.argv.slice(2);
  const [shape, target] = args.filter((a) => !a.startsWith('--'));
  if (!shape || !target) throw new Error('usage: worker-engine <shape> <path> [--all-rules] [--no-prefilter]');
  const allRules = args.includes('--all-rules');
  const prefilter = !args.includes('--no-prefilter');
  const gz = shape === 'gz';

  const loaded = loadBundledRules();
  const rules = allRules ? loaded : loaded.filter((r) => r.ruleId === SEED_RULE_ID);
  if (!rules.some((r) => r.ruleId === SEED_RULE_ID)) throw new Error(`the bundled rules do not include the seed rule ${SEED_RULE_ID}`);
  const ruleSet = prepareRules(rules);
  const skipped = ruleSet.notEvaluated.find((n) => n.rule.ruleId === SEED_RULE_ID);
  if (skipped) throw new Error(`the seed rule is not evaluated: ${skipped.reason}`);

  const files = shape === 'folder' ? readdirSync(target).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(target, f)) : [target];

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const scans = await scanAll(files, ruleSet, prefilter);
  const seconds = (performance.now() - t0) / 1000;
  // user + system time of every thread of this process, over the wall time: ~2 = both cores busy
  const cpu = process.cpuUsage(cpu0);
  const coresBusy = (cpu.user + cpu.system) / 1e6 / seconds;
  const maxRssKB = process.resourceUsage().maxRSS;
  const results = scans.map((s) => s.result);

  let records = 0;
  let matches = 0;
  let problems = 0;
  const notes: string[] = [`cores busy ${coresBusy.toFixed(2)}`];
  for (const r of results) {
    records += r.recordCount;
    matches += r.findings.filter((f) => f.rule.ruleId === SEED_RULE_ID).length;
    problems += r.problems.length;
    for (const p of r.problems.slice(0, 3)) notes.push(`problem ${p.code} at byte ${p.span.start}: ${p.message}`);
  }
  if (problems > 0) notes.unshift(`${problems} problem(s) reported on generated (valid) input`);
  const shapes = new Set(results.map((r) => r.shape));
  const expectedShape = shape === 'jsonl' ? 'json-lines' : 's3-envelope';
  if (shapes.size !== 1 || !shapes.has(expectedShape)) notes.push(`detected shape ${[...shapes].join(', ')}, expected ${expectedShape}`);

  let checked = 0;
  const bad: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const v = verifyOffsets(files[i], gz, scans[i]);
    checked += v.checked;
    bad.push(...v.bad);
  }
  if (bad.length > 0) notes.push(`OFFSETS WRONG for ${bad.length} finding(s): ${bad.slice(0, 3).join('; ')}`);
  else notes.push(`offsets verified for ${checked} finding(s)`);

  const out: WorkerResult = { seconds, matches, records, maxRssKB, notes };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
