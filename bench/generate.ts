// Writes synthetic CloudTrail files in the shapes the engine reads, streaming to disk (a 1 GB file
// never exists in memory), and caches them in bench/data keyed by every parameter that changes
// their bytes. A sidecar .meta.json holds what the generator knows: record count and the exact
// number of records the seed rule must match. The sidecar is written last, so an interrupted
// generation is simply regenerated next time.

import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PLANT_KINDS, PlantKind, plantMatches, RecordGenerator, recordText } from './records';

/** Bump when the generator's output changes, so stale cached files are not reused. */
export const GENERATOR_VERSION = 1;

export type Shape = 'compact' | 'pretty' | 'jsonl' | 'gz' | 'folder';
export const FILE_SHAPES: readonly Shape[] = ['compact', 'pretty', 'jsonl', 'gz'];

export interface DataMeta {
  generator: number;
  seed: number;
  shape: Shape;
  sizeMB: number;
  /** The path measured: a file, or a folder for shape 'folder'. */
  file: string;
  /** Bytes on disk. */
  bytes: number;
  /** Bytes of JSON text (differs from `bytes` only for gz). */
  rawBytes: number;
  records: number;
  /** Records the seed rule must match. */
  expected: number;
  planted: Record<PlantKind, number>;
  /** For folders: the files, in order. */
  files?: string[];
}

const MB = 1_000_000;

function baseName(seed: number, sizeMB: number): string {
  return `ct-g${GENERATOR_VERSION}-s${seed}-${sizeMB}mb`;
}

const EXTENSIONS: Record<Shape, string> = {
  compact: '.json',
  pretty: '.pretty.json',
  jsonl: '.jsonl',
  gz: '.json.gz',
  folder: '-folder',
};

function readCached(metaPath: string): DataMeta | undefined {
  if (!existsSync(metaPath)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as DataMeta;
    if (meta.generator !== GENERATOR_VERSION || !existsSync(meta.file)) return undefined;
    if (meta.shape !== 'folder' && statSync(meta.file).size !== meta.bytes) return undefined;
    return meta;
  } catch {
    return undefined;
  }
}

function emptyPlanted(): Record<PlantKind, number> {
  return Object.fromEntries(PLANT_KINDS.map((k) => [k, 0])) as Record<PlantKind, number>;
}

/** Streams records into `file` until it holds at least `targetBytes`. */
export async function writeLogFile(file: string, shape: 'compact' | 'pretty' | 'jsonl', seed: number, targetBytes: number): Promise<Omit<DataMeta, 'sizeMB'>> {
  const gen = new RecordGenerator(seed);
  const planted = emptyPlanted();
  const tmp = `${file}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  let pending: string[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let records = 0;
  let expected = 0;

  const emit = async (s: string): Promise<void> => {
    const n = Buffer.byteLength(s);
    pending.push(s);
    pendingBytes += n;
    bytes += n;
    // Write in ~1 MB batches and honour back-pressure: memory stays flat whatever the size.
    if (pendingBytes >= MB) {
      const ok = out.write(pending.join(''));
      pending = [];
      pendingBytes = 0;
      if (!ok) await once(out, 'drain');
    }
  };

  const head = shape === 'compact' ? '{"Records":[' : shape === 'pretty' ? '{\n  "Records": [\n' : '';
  const tail = shape === 'compact' ? ']}' : shape === 'pretty' ? '\n  ]\n}\n' : '';
  const separator = shape === 'compact' ? ',' : shape === 'pretty' ? ',\n' : '';
  try {
    await emit(head);
    while (bytes + Buffer.byteLength(tail) < targetBytes || records === 0) {
      const g = gen.next();
      const text = shape === 'pretty' ? `    ${recordText(g, true, '    ')}` : recordText(g, false, '');
      await emit(records === 0 ? text : separator + text);
      if (shape === 'jsonl') await emit('\n');
      records++;
      if (g.plant) {
        planted[g.plant]++;
        if (plantMatches(g.plant)) expected++;
      }
    }
    await emit(tail);
    out.end(pending.join(''));
    await once(out, 'finish');
    renameSync(tmp, file);
  } catch (e) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${tmp}: ${(e as Error).message}`);
  }
  return { generator: GENERATOR_VERSION, seed, shape, file, bytes, rawBytes: bytes, records, expected, planted };
}

async function gzipFile(src: string, dest: string): Promise<void> {
  const tmp = `${dest}.tmp-${process.pid}`;
  await pipeline(createReadStream(src), createGzip(), createWriteStream(tmp));
  renameSync(tmp, dest);
}

export type Progress = (message: string) => void;

/** Returns the cached data set for (shape, size, seed), generating it first when missing. */
export async function ensureData(dataDir: string, shape: Shape, sizeMB: number, seed: number, progress: Progress): Promise<DataMeta> {
  mkdirSync(dataDir, { recursive: true });
  const base = path.join(dataDir, baseName(seed, sizeMB));
  const target = path.join(dataDir, baseName(seed, sizeMB) + EXTENSIONS[shape]);
  const metaPath = `${target}.meta.json`;
  const cached = readCached(metaPath);
  if (cached) return cached;

  let meta: DataMeta;
  if (shape === 'gz') {
    const compact = await ensureData(dataDir, 'compact', sizeMB, seed, progress);
    progress(`gzip ${path.basename(compact.file)} -> ${path.basename(target)}`);
    await gzipFile(compact.file, target);
    meta = { ...compact, shape: 'gz', file: target, bytes: statSync(target).size };
  } else if (shape === 'folder') {
    meta = await writeFolder(`${base}${EXTENSIONS.folder}`, seed, sizeMB, progress);
  } else {
    progress(`generating ${path.basename(target)} (${sizeMB} MB, seed ${seed})`);
    const t0 = performance.now();
    meta = { ...(await writeLogFile(target, shape, seed, sizeMB * MB)), sizeMB };
    progress(`  ${meta.records} records, ${meta.expected} expected matches, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  writeFileSync(metaPath, JSON.stringify(meta, null, 2));
  return meta;
}

/** 1,000 compact S3-style files that together hold `sizeMB` (the shape of a synced trail bucket). */
async function writeFolder(dir: string, seed: number, sizeMB: number, progress: Progress): Promise<DataMeta> {
  const count = 1000;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  progress(`generating ${path.basename(dir)} (${count} files, ${sizeMB} MB in all, seed ${seed})`);
  const planted = emptyPlanted();
  let bytes = 0;
  let records = 0;
  let expected = 0;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `111122223333_CloudTrail_us-east-1_20240501T${String(i).padStart(4, '0')}Z_${i}.json`;
    // Each file gets its own seed so files differ, derived from the run's seed so they are reproducible.
    const m = await writeLogFile(path.join(tmp, name), 'compact', (seed * 1009 + i + 1) >>> 0, (sizeMB * MB) / count);
    bytes += m.bytes;
    records += m.records;
    expected += m.expected;
    for (const k of PLANT_KINDS) planted[k] += m.planted[k];
    names.push(name);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  progress(`  ${records} records, ${expected} expected matches`);
  return {
    generator: GENERATOR_VERSION,
    seed,
    shape: 'folder',
    sizeMB,
    file: dir,
    bytes,
    rawBytes: bytes,
    records,
    expected,
    planted,
    files: names.map((n) => path.join(dir, n)),
  };
}
