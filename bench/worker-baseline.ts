// Child process for the peers measured against the engine: `JSON.parse` + filter, and gunzip alone.
// Each measurement runs in a fresh process so that its peak RSS is its own.
//   node worker-baseline.js jsonparse|gunzip <shape> <file-or-folder>
// Prints one JSON line: { seconds, matches, records, maxRssKB }.

import { createReadStream, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { WorkerResult } from './protocol';
import { referenceMatch } from './reference';

function countRecords(text: string, shape: string, where: string): { records: number; matches: number } {
  let records = 0;
  let matches = 0;
  if (shape === 'jsonl') {
    let start = 0;
    let line = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      line++;
      if (end > start) {
        let rec: unknown;
        try {
          rec = JSON.parse(text.slice(start, end));
        } catch (e) {
          throw new Error(`${where}:${line}: ${(e as Error).message}`);
        }
        records++;
        if (referenceMatch(rec)) matches++;
      }
      start = end + 1;
    }
    return { records, matches };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  const list = (doc as { Records?: unknown }).Records;
  if (!Array.isArray(list)) throw new Error(`${where}: no "Records" array`);
  for (const rec of list) {
    records++;
    if (referenceMatch(rec)) matches++;
  }
  return { records, matches };
}

async function main(): Promise<void> {
  const [tool, shape, target] = process.argv.slice(2);
  if (!tool || !shape || !target) throw new Error('usage: worker-baseline <jsonparse|gunzip> <shape> <path>');
  let result: Omit<WorkerResult, 'maxRssKB'>;
  const t0 = performance.now();
  if (tool === 'jsonparse') {
    const files = shape === 'folder' ? readdirSync(target).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(target, f)) : [target];
    let records = 0;
    let matches = 0;
    for (const file of files) {
      let bytes = readFileSync(file);
      if (shape === 'gz') bytes = gunzipSync(bytes);
      const r = countRecords(bytes.toString('utf8'), shape, file);
      records += r.records;
      matches += r.matches;
    }
    result = { seconds: (performance.now() - t0) / 1000, records, matches };
  } else if (tool === 'gunzip') {
    await pipeline(createReadStream(target, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 1 << 18 }), createWriteStream('/dev/null'));
    result = { seconds: (performance.now() - t0) / 1000, records: 0, matches: 0 };
  } else {
    throw new Error(`unknown tool ${tool}`);
  }
  const out: WorkerResult = { ...result, maxRssKB: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
