// `npm run bench`: the "Hunting at scale" benchmark. Generates (or reuses) synthetic CloudTrail
// files, measures the engine and its peers on each file in the same run, checks every tool's match
// count against the count the generator planted, prints a table and the targets, and writes
// the same as Markdown to bench/results.md. Targets are reported, not asserted; a wrong match count
// or a failing tool makes the exit code 1.

import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataMeta, ensureData, FILE_SHAPES, Shape } from './generate';
import { ensureJq, Measurement, rssMethod, runJq, runNodeWorker, runZcat, warmCache } from './measure';
import { PLANT_KINDS } from './records';

const USAGE = `usage: npm run bench -- [options]
  --sizes 10,100[,1000]   file sizes in MB (default 10,100; with --full 10,100,1000)
  --full                  also the 1 GB files (compact and JSON Lines only)
  --shapes LIST           compact,pretty,jsonl,gz (default all; 1 GB files are compact/jsonl only)
  --folder                also a folder of 1,000 compact files totalling --folder-mb (default 1000) MB
  --folder-mb N           size of that folder in MB
  --runs N                best of N runs per tool (default 3)
  --tools LIST            engine,jsonparse,jq,gunzip,zcat (default all; gunzip and zcat: gz only)
  --seed N                generator seed (default 1)
  --all-rules             scan with every bundled rule, not only the seed rule
  --no-prefilter          run the engine without its byte prefilter
  --generate-only         generate/cache the files, print their expected counts, measure nothing
  --out FILE              Markdown results (default bench/results.md)`;

interface Options {
  sizes: number[];
  shapes: Shape[];
  folderMB?: number;
  runs: number;
  tools: Set<string>;
  seed: number;
  allRules: boolean;
  prefilter: boolean;
  generateOnly: boolean;
  out: string;
  engineUnavailable?: string;
}

const ROOT = process.env.BENCH_ROOT ?? process.cwd();
const BUILD = process.env.BENCH_BUILD ?? __dirname;
const DATA = path.join(ROOT, 'bench', 'data');
const MB = 1_000_000;
/** Above this, a file's text no longer fits in one V8 string: JSON.parse of the whole file is impossible. */
const STRING_LIMIT_BYTES = 500 * MB;
/** The 1 GB files come in these shapes only. */
const LARGE_SHAPES: readonly Shape[] = ['compact', 'jsonl'];
const TOOLS: readonly string[] = ['engine', 'jsonparse', 'jq', 'gunzip', 'zcat'];
/** Tools that only decompress: measured on gz files, with no match count. */
const DECOMPRESS_ONLY = new Set(['gunzip', 'zcat']);
/** The gz target: the engine's time on a .gz file over zlib decompressing it alone. */
const GZ_TARGET = 1.3;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    sizes: [10, 100],
    shapes: [...FILE_SHAPES],
    runs: 3,
    tools: new Set(TOOLS),
    seed: 1,
    allRules: false,
    prefilter: true,
    generateOnly: false,
    out: path.join(ROOT, 'bench', 'results.md'),
  };
  let sizesGiven = false;
  let full = false;
  let folder = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    const positiveInt = (v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) fail(`${flag}: "${v}" is not a positive whole number`);
      return n;
    };
    switch (flag) {
      case '--sizes':
        o.sizes = value().split(',').map((s) => positiveInt(s.trim()));
        sizesGiven = true;
        break;
      case '--full':
        full = true;
        break;
      case '--shapes':
        o.shapes = value()
          .split(',')
          .map((s) => s.trim() as Shape)
          .filter((s) => {
            if (!FILE_SHAPES.includes(s)) fail(`unknown shape "${s}" (known: ${FILE_SHAPES.join(', ')})`);
            return true;
          });
        break;
      case '--folder':
        folder = true;
        break;
      case '--folder-mb':
        o.folderMB = positiveInt(value());
        folder = true;
        break;
      case '--runs':
        o.runs = positiveInt(value());
        break;
      case '--tools':
        o.tools = new Set(value().split(',').map((s) => s.trim()));
        for (const t of o.tools) if (!TOOLS.includes(t)) fail(`unknown tool "${t}"`);
        break;
      case '--seed':
        o.seed = positiveInt(value());
        break;
      case '--all-rules':
        o.allRules = true;
        break;
      case '--no-prefilter':
        o.prefilter = false;
        break;
      case '--generate-only':
        o.generateOnly = true;
        break;
      case '--out':
        o.out = path.resolve(value());
        break;
      case '--engine-unavailable': // set by bench/bench.mjs when the engine does not build
        o.engineUnavailable = value();
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        finished = true;
        process.exit(0);
      default:
        fail(`unknown option ${argv[i]}`);
    }
  }
  if (full && !sizesGiven) o.sizes = [10, 100, 1000];
  else if (full && !o.sizes.includes(1000)) o.sizes.push(1000);
  if (folder) o.folderMB ??= 1000;
  return o;
}

/** Set when main has run to its end; see the 'exit' handler at the bottom. */
let finished = false;

const log = (m: string): void => void process.stderr.write(`${m}\n`);

// --- measuring -----------------------------------------------------------------------------

interface Row {
  label: string;
  meta: DataMeta;
  tool: string;
  best?: Measurement;
  peakRssKB?: number;
  /** Why there is no number (n/a, error). */
  missing?: string;
  mismatch?: string;
  notes: string[];
}

interface FileResult {
  meta: DataMeta;
  rows: Map<string, Row>;
}

const TOOL_LABEL: Record<string, string> = {
  engine: 'engine (as the CLI scans)',
  jsonparse: 'JSON.parse + filter',
  jq: 'jq',
  gunzip: 'decompress only (zlib)',
  zcat: 'decompress only (zcat)',
};

function toolsFor(meta: DataMeta, o: Options): string[] {
  const out: string[] = [];
  for (const t of TOOLS) {
    if (!o.tools.has(t)) continue;
    if (DECOMPRESS_ONLY.has(t) && meta.shape !== 'gz') continue;
    out.push(t);
  }
  return out;
}

async function measureOnce(tool: string, meta: DataMeta, o: Options): Promise<Measurement> {
  switch (tool) {
    case 'engine': {
      const args = [meta.shape, meta.file];
      if (o.allRules) args.push('--all-rules');
      if (!o.prefilter) args.push('--no-prefilter');
      return runNodeWorker(tool, path.join(BUILD, 'worker-engine.js'), args);
    }
    case 'jsonparse':
      // A whole-file parse of a few hundred MB builds a multi-GB object graph: give it the room.
      return runNodeWorker(tool, path.join(BUILD, 'worker-baseline.js'), ['jsonparse', meta.shape, meta.file], ['--max-old-space-size=8192']);
    case 'gunzip':
      return runNodeWorker(tool, path.join(BUILD, 'worker-baseline.js'), ['gunzip', meta.shape, meta.file]);
    case 'jq':
      return runJq(meta.shape, meta.file, meta.files);
    case 'zcat':
      return runZcat(meta.file);
    default:
      throw new Error(`unknown tool ${tool}`);
  }
}

function fileLabel(meta: DataMeta): string {
  return path.basename(meta.file);
}

async function measureFile(meta: DataMeta, o: Options, jqAvailable: boolean): Promise<FileResult> {
  const rows = new Map<string, Row>();
  const tools = toolsFor(meta, o);
  for (const tool of tools) {
    const row: Row = { label: fileLabel(meta), meta, tool, notes: [] };
    if (tool === 'engine' && o.engineUnavailable) row.missing = `n/a (engine did not build: ${o.engineUnavailable})`;
    // a folder is parsed file by file: only one file must fit in a string
    if (tool === 'jsonparse' && meta.shape !== 'folder' && meta.rawBytes > STRING_LIMIT_BYTES) row.missing = 'n/a (string limit)';
    if (tool === 'jq' && !jqAvailable) row.missing = 'n/a (jq not installed)';
    rows.set(tool, row);
  }
  await warmCache(meta.files ?? [meta.file]);
  for (let run = 1; run <= o.runs; run++) {
    for (const tool of tools) {
      const row = rows.get(tool)!;
      if (row.missing) continue;
      log(`  run ${run}/${o.runs}: ${TOOL_LABEL[tool]} on ${row.label}`);
      let m: Measurement;
      try {
        m = await measureOnce(tool, meta, o);
      } catch (e) {
        row.missing = `error: ${(e as Error).message}`;
        row.best = undefined;
        log(`    ${row.missing}`);
        continue;
      }
      row.peakRssKB = Math.max(row.peakRssKB ?? 0, m.maxRssKB);
      if (!DECOMPRESS_ONLY.has(tool)) {
        if (m.matches !== meta.expected) row.mismatch = `MISMATCH: ${m.matches} matches, generator planted ${meta.expected}`;
        else if (m.records >= 0 && m.records !== meta.records) row.mismatch = `MISMATCH: ${m.records} records, generator wrote ${meta.records}`;
      }
      for (const n of m.notes ?? []) {
        if (n.startsWith('OFFSETS WRONG')) row.mismatch ??= 'MISMATCH: wrong offsets';
        if (!PER_RUN_NOTE.test(n) && !row.notes.includes(n)) row.notes.push(n);
      }
      if (!row.best || m.seconds < row.best.seconds) row.best = m;
    }
  }
  return { meta, rows };
}

// --- reporting -------------------------------------------------------------------------------

/** Notes that differ from run to run (like the engine's "cores busy"): only the best run's are shown. */
const PER_RUN_NOTE = /^cores busy /;

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function ratio(num: Row | undefined, den: Row | undefined): number | undefined {
  if (!num?.best || !den?.best || num.missing || den.missing) return undefined;
  return num.best.seconds / den.best.seconds;
}

const COLUMNS = ['file', 'size MB', 'tool', 'seconds', 'MB/s', 'records/s', 'peak RSS MB', 'matches', 'vs JSON.parse', 'vs jq', 'notes'];

function tableRows(results: FileResult[]): string[][] {
  const out: string[][] = [];
  for (const { meta, rows } of results) {
    const size = meta.shape === 'gz' ? `${fmt(meta.bytes / MB)} (${fmt(meta.rawBytes / MB)} raw)` : fmt(meta.bytes / MB);
    const jq = rows.get('jq');
    const jsonparse = rows.get('jsonparse');
    for (const row of rows.values()) {
      const notes: string[] = [];
      if (row.mismatch) notes.push(row.mismatch);
      if (row.tool === 'engine') {
        const dec = ratio(row, rows.get('gunzip'));
        if (dec !== undefined) notes.push(`engine/decompress ${fmt(dec, 2)}x`);
        const zcat = ratio(row, rows.get('zcat'));
        if (zcat !== undefined) notes.push(`engine/zcat ${fmt(zcat, 2)}x`);
      }
      notes.push(...(row.best?.notes ?? []).filter((n) => PER_RUN_NOTE.test(n)), ...row.notes);
      if (!row.best || row.missing) {
        // Short marker in the number column, the reason in the notes.
        const reason = row.missing ?? 'not measured';
        const short = /^n\/a \((string limit|jq not installed)\)$/.test(reason) ? reason : reason.startsWith('error') ? 'error' : 'n/a';
        if (short !== reason) notes.unshift(reason);
        out.push([row.label, size, TOOL_LABEL[row.tool], short, '', '', '', '', '', '', notes.join('; ')]);
        continue;
      }
      const s = row.best.seconds;
      const speedup = (other: Row | undefined): string => {
        const r = row.tool === 'engine' ? ratio(other, row) : undefined;
        return r === undefined ? '' : `${fmt(r, 2)}x`;
      };
      out.push([
        row.label,
        size,
        row.tool === 'jq' && row.best.tool !== 'jq' ? row.best.tool : TOOL_LABEL[row.tool],
        fmt(s, 3),
        fmt(meta.rawBytes / MB / s, 0),
        DECOMPRESS_ONLY.has(row.tool) ? '' : fmt(meta.records / s, 0),
        fmt((row.peakRssKB ?? 0) / 1024, 0),
        DECOMPRESS_ONLY.has(row.tool) ? '' : String(row.best.matches),
        speedup(jsonparse),
        speedup(jq),
        notes.join('; '),
      ]);
    }
  }
  return out;
}

function textTable(rows: string[][]): string {
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => (i === COLUMNS.length - 1 ? 0 : r[i].length))));
  const numeric = new Set([1, 3, 4, 5, 6, 7, 8, 9]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`)].join('\n');
}

interface Target {
  label: string;
  goal: string;
  value: string;
  verdict: 'PASS' | 'MISS' | 'not run';
}

function targets(results: FileResult[]): Target[] {
  const find = (sizeMB: number, shape: Shape): FileResult | undefined => results.find((r) => r.meta.sizeMB === sizeMB && r.meta.shape === shape);
  const out: Target[] = [];
  const check = (label: string, goal: string, value: number | undefined, ok: (v: number) => boolean, unit: string, hint: string): void => {
    out.push(value === undefined ? { label, goal, value: hint, verdict: 'not run' } : { label, goal, value: `${fmt(value, 2)}${unit}`, verdict: ok(value) ? 'PASS' : 'MISS' });
  };
  const c100 = find(100, 'compact');
  const e100 = c100?.rows.get('engine');
  check('100 MB compact', 'engine >= 2x JSON.parse+filter', ratio(c100?.rows.get('jsonparse'), e100), (v) => v >= 2, 'x', 'needs --sizes 100 --shapes compact');
  check('100 MB compact', 'engine >= 8x jq', ratio(c100?.rows.get('jq'), e100), (v) => v >= 8, 'x', 'needs --sizes 100 --shapes compact');
  const large = results.filter((r) => r.meta.sizeMB === 1000 && LARGE_SHAPES.includes(r.meta.shape));
  if (large.length === 0) {
    out.push({ label: '1 GB', goal: 'engine >= 250 MB/s', value: 'needs --full', verdict: 'not run' });
    out.push({ label: '1 GB', goal: 'engine peak RSS < 300 MB', value: 'needs --full', verdict: 'not run' });
  }
  for (const r of large) {
    const e = r.rows.get('engine');
    const ok = e?.best && !e.missing;
    check(`1 GB ${r.meta.shape}`, 'engine >= 250 MB/s', ok ? r.meta.rawBytes / MB / e.best!.seconds : undefined, (v) => v >= 250, ' MB/s', 'engine not measured');
    check(`1 GB ${r.meta.shape}`, 'engine peak RSS < 300 MB', ok ? (e.peakRssKB ?? 0) / 1024 : undefined, (v) => v < 300, ' MB', 'engine not measured');
  }
  const folder = results.find((r) => r.meta.shape === 'folder');
  const fe = folder?.rows.get('engine');
  const busy = fe?.best && !fe.missing ? /^cores busy ([\d.]+)/.exec((fe.best.notes ?? []).find((n) => n.startsWith('cores busy')) ?? '') : null;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  // "both cores busy": at least three quarters of the machine's cores' worth of CPU time
  check('1,000-file folder', `engine cores busy >= ${fmt(0.75 * cores, 2)} of ${cores}`, busy ? Number(busy[1]) : undefined, (v) => v >= 0.75 * cores, '', 'needs --folder');
  const g100 = find(100, 'gz');
  check('100 MB gz', `engine <= ${GZ_TARGET}x decompress time`, ratio(g100?.rows.get('engine'), g100?.rows.get('gunzip')), (v) => v <= GZ_TARGET, 'x', 'needs --sizes 100 --shapes gz');
  return out;
}

/**
 * What the gz target asks, from the same run: the .gz holds the compact file's text, so the engine's
 * time on the compact file is what scanning that text costs with no decompression at all.
 */
function gzFloor(results: FileResult[]): string | undefined {
  const compact = results.find((r) => r.meta.sizeMB === 100 && r.meta.shape === 'compact');
  const gz = results.find((r) => r.meta.sizeMB === 100 && r.meta.shape === 'gz');
  const floor = ratio(compact?.rows.get('engine'), gz?.rows.get('gunzip'));
  if (floor === undefined || compact?.meta.rawBytes !== gz?.meta.rawBytes) return undefined;
  return (
    `100 MB gz: scanning the same text from the uncompressed file, with no decompression at all, took ${fmt(floor, 2)}x ` +
    `the decompression time in this run; the gz target asks for the scan and the decompression together within ${GZ_TARGET}x.`
  );
}

function cpuModel(): string {
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function describeData(meta: DataMeta): string {
  const planted = PLANT_KINDS.filter((k) => meta.planted[k] > 0).map((k) => `${k} ${meta.planted[k]}`).join(', ');
  return `${fileLabel(meta)}: ${fmt(meta.bytes / MB)} MB, ${meta.records.toLocaleString('en-US')} records, expected matches ${meta.expected} (planted: ${planted})`;
}

// --- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const plan: { shape: Shape; sizeMB: number }[] = [];
  for (const sizeMB of o.sizes) {
    for (const shape of o.shapes) {
      if (sizeMB * MB > STRING_LIMIT_BYTES && !LARGE_SHAPES.includes(shape)) {
        log(`skipping ${shape} at ${sizeMB} MB: files that large are benchmarked as ${LARGE_SHAPES.join(' and ')} only`);
        continue;
      }
      plan.push({ shape, sizeMB });
    }
  }
  if (o.folderMB) plan.push({ shape: 'folder', sizeMB: o.folderMB });

  const metas: DataMeta[] = [];
  for (const p of plan) {
    const meta = await ensureData(DATA, p.shape, p.sizeMB, o.seed, log);
    metas.push(meta);
    log(describeData(meta));
  }
  if (o.generateOnly) {
    for (const m of metas) process.stdout.write(`${describeData(m)}\n`);
    return;
  }

  const jq = o.tools.has('jq') ? ensureJq(log) : undefined;
  // On a shared machine the load says how much the numbers can be trusted.
  const loadBefore = os.loadavg()[0];
  const results: FileResult[] = [];
  for (const meta of metas) {
    log(`measuring ${fileLabel(meta)} (best of ${o.runs})`);
    results.push(await measureFile(meta, o, jq !== undefined));
  }

  const rows = tableRows(results);
  const tgs = targets(results);
  const floor = gzFloor(results);
  const env = [
    `date ${new Date().toISOString()}`,
    `node ${process.version}`,
    jq ?? 'jq not installed',
    `${cpuModel()}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 1024 ** 3, 0)} GB RAM`,
    `load average (1 min) ${fmt(loadBefore, 2)} before, ${fmt(os.loadavg()[0], 2)} after`,
    `best of ${o.runs} run(s), seed ${o.seed}, ${o.allRules ? 'all bundled rules' : 'seed rule only'}${o.prefilter ? '' : ', prefilter off'}`,
    `peak RSS: node tools via process.resourceUsage().maxRSS in the child, jq via ${rssMethod()}`,
  ];
  const notes = [
    'Times: node tools are timed inside their child process from the first read to the final count (node start-up, ~40 ms, excluded); jq and zcat are timed from spawn to exit.',
    'MB/s and records/s are over the JSON text (for .gz: the decompressed bytes). "vs" columns: how many times faster the engine is.',
    'Seconds: the best of the runs; peak RSS: the highest of the runs.',
    'Every tool must report the match count the generator planted; otherwise the row says MISMATCH. The engine also re-reads every finding\'s byte span and checks it holds the matching record.',
  ];

  const targetRows = tgs.map((t) => [t.label, t.goal, t.value, t.verdict]);
  const mismatches = [...results.flatMap((r) => [...r.rows.values()])].filter((r) => r.mismatch || r.missing?.startsWith('error'));

  const text = [
    '',
    ...env.map((e) => `# ${e}`),
    '',
    ...metas.map(describeData),
    '',
    textTable(rows),
    '',
    'Targets (issue "Hunting at scale"; reported, not asserted):',
    ...targetRows.map((r) => `  ${r[3].padEnd(8)} ${r[0].padEnd(18)} ${r[1].padEnd(34)} ${r[2]}`),
    ...(floor ? [floor] : []),
    '',
    ...notes,
    mismatches.length > 0 ? `\n${mismatches.length} row(s) with MISMATCH or error: see the notes column.` : '\nAll measured match counts agree with the generator.',
    ...(o.engineUnavailable ? [`The engine was not measured: ${o.engineUnavailable}`] : []),
    '',
  ].join('\n');
  process.stdout.write(text);

  const md = [
    '# Benchmark: hunting at scale',
    '',
    `Generated by \`npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).filter((a) => !a.startsWith('--engine-unavailable')).join(' ') : ''}\`.`,
    '',
    ...env.map((e) => `- ${e}`),
    '',
    '## Data',
    '',
    ...metas.map((m) => `- ${describeData(m)}`),
    '',
    '## Results',
    '',
    markdownTable(COLUMNS, rows),
    '',
    '## Targets',
    '',
    markdownTable(['file', 'target', 'measured', 'verdict'], targetRows),
    '',
    ...(floor ? [floor, ''] : []),
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  writeFileSync(o.out, md);
  log(`wrote ${path.relative(process.cwd(), o.out) || o.out}`);
  if (mismatches.length > 0) process.exitCode = 1;
}

// A measurement that never settles would otherwise end the process quietly with status 0.
process.on('exit', (code) => {
  if (!finished && code === 0) {
    process.stderr.write('bench: stopped before finishing (a child process was lost?)\n');
    process.exitCode = 1;
  }
});

main().then(() => (finished = true)).catch((e: unknown) => {
  finished = true;
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
