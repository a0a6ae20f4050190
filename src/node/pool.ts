// Scans many files on worker threads (two files at a time per worker, as many workers as cores, at
// most 8), and returns the results in the order of the input whatever order they finish in.
// Small runs (one file, one core, or a few MB in all) are scanned on the calling thread: starting
// a worker costs about as much as scanning ten megabytes.
//
// Workers receive the rules once (plain data) and compile them themselves. A file that cannot be
// read, or whose scan throws, is that file's error; a worker that dies is replaced, and the file
// that killed it is that file's error (when it held two, each is tried again alone to tell which).
// Findings travel with the index of their rule instead of the rule, and are re-linked to the
// caller's Rule objects, so reports see exactly what an in-thread scan gives.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PositionTable } from '../core/input/streamPositions';
import { prepareRules, type RuleSet } from '../core/scan';
import type { FileShape, Finding, Problem, Rule } from '../core/types';
import { coreCount } from './cores';
import { FileReadError, scanFile, type FileScan, type ScanFileOptions } from './scanFile';

export const WORKER_KIND = 'cloudtrail-hunter/scan-files';
export const MAX_WORKERS = 8;
/** Files a worker holds at once (see feed). */
const FILES_PER_WORKER = 2;
/** Inputs smaller than this in all are scanned on the calling thread. */
export const DEFAULT_INLINE_BELOW = 8 << 20;
/** Gzip files count this many times their size when deciding (CloudTrail compresses ~10x). */
const GZIP_RATIO = 8;

export interface PoolOptions extends ScanFileOptions {
  /** Worker threads (default: the cores this process may use, at most 8). 1 or less scans on this thread. */
  workers?: number;
  /** The worker script; default fileScanWorker.js beside this module (dist/ when bundled, out/src/node/ under tsc). */
  workerPath?: string;
  /** Scan on the calling thread when the files total fewer bytes than this (default 8 MiB; .gz counted 8x). */
  inlineBelow?: number;
  /** Called as each file is done, in completion order (for progress); `index` is its place in `files`. */
  onOutcome?: (outcome: FileOutcome, index: number) => void;
  /** Stops the run: files not yet scanned get the error "scan cancelled". */
  signal?: AbortSignal;
}

interface OutcomeBase {
  file: string;
  /** The worker thread's threadId, or 0 when scanned on the calling thread. */
  thread: number;
}
export type FileOutcome = (OutcomeBase & { scan: FileScan; error?: undefined }) | (OutcomeBase & { error: string; scan?: undefined });

export const CANCELLED = 'scan cancelled';

export function defaultPoolSize(): number {
  const n = coreCount();
  return Math.min(MAX_WORKERS, Math.max(1, n));
}

export function defaultWorkerPath(): string {
  return path.join(__dirname, 'fileScanWorker.js');
}

/** What a file's failure says: a read error as it is, anything else as an internal error. */
export function outcomeError(e: unknown): string {
  if (e instanceof FileReadError) return e.message;
  if ((e as Error)?.name === 'AbortError') return CANCELLED;
  return `internal error while scanning: ${(e as Error)?.message ?? String(e)}`;
}

async function scanHere(file: string, ruleSet: RuleSet, options: ScanFileOptions & { signal?: AbortSignal }): Promise<FileOutcome> {
  if (options.signal?.aborted) return { file, thread: 0, error: CANCELLED };
  try {
    return { file, thread: 0, scan: await scanFile(file, ruleSet, options) };
  } catch (e) {
    return { file, thread: 0, error: outcomeError(e) };
  }
}

/** Roughly how many bytes there are to scan; stops counting once past `enough`. */
async function estimatedBytes(files: readonly string[], cwd: string, enough: number): Promise<number> {
  let total = 0;
  for (const file of files) {
    try {
      const st = await fs.promises.stat(path.resolve(cwd, file));
      total += /\.gz$/i.test(file) ? st.size * GZIP_RATIO : st.size;
    } catch {
      // unreadable: its error comes from the scan
    }
    if (total >= enough) break;
  }
  return total;
}

// ------------------------------------------------------------------------------------------------
// Messages

export interface WorkerSetup {
  kind: typeof WORKER_KIND;
  rules: Rule[];
  options: ScanFileOptions;
}

export interface ScanRequestMessage {
  id: number;
  file: string;
}

export type EncodedFinding = Omit<Finding, 'rule'> & { rule: number };

export interface EncodedScan {
  file: string;
  compressed: boolean;
  size: number;
  shape: FileShape;
  recordCount: number;
  findings: EncodedFinding[];
  problems: Problem[];
  positions: number[];
  digests: [number, string][];
}

export type WorkerMessage = { type: 'ready' } | { type: 'done'; id: number; scan: EncodedScan } | { type: 'failed'; id: number; error: string };

/** A scan made with `rules` as plain data: findings name their rule by its index in `rules`. */
export function encodeScan(scan: FileScan, rules: readonly Rule[]): EncodedScan {
  const index = new Map(rules.map((r, i) => [r, i]));
  const { result } = scan;
  return {
    file: scan.file,
    compressed: scan.compressed,
    size: scan.size,
    shape: result.shape,
    recordCount: result.recordCount,
    findings: result.findings.map((f) => {
      const i = index.get(f.rule);
      if (i === undefined) throw new Error(`finding for a rule the worker was not given (${f.rule.ruleId})`);
      return { ...f, rule: i };
    }),
    problems: result.problems,
    positions: scan.positions.toArray(),
    digests: [...scan.digests],
  };
}

export function decodeScan(e: EncodedScan, ruleSet: RuleSet): FileScan {
  return {
    file: e.file,
    compressed: e.compressed,
    size: e.size,
    result: {
      shape: e.shape,
      recordCount: e.recordCount,
      findings: e.findings.map((f) => {
        const compiled = ruleSet.rules[f.rule];
        if (!compiled) throw new Error(`the worker reported a finding for unknown rule #${f.rule}`);
        return { ...f, rule: compiled.rule };
      }),
      problems: e.problems,
      notEvaluated: ruleSet.notEvaluated,
    },
    positions: PositionTable.fromArray(e.positions, e.size),
    digests: new Map(e.digests),
  };
}

// ------------------------------------------------------------------------------------------------
// The pool

/**
 * Scans `files` (paths resolved against options.cwd) with `ruleSet`; outcome i belongs to files[i].
 * Never rejects for a file's sake: unreadable files, corrupt gzip and crashed workers are outcomes.
 */
export async function scanFiles(files: readonly string[], ruleSet: RuleSet, options: PoolOptions = {}): Promise<FileOutcome[]> {
  const { workers: wanted, workerPath: givenPath, inlineBelow = DEFAULT_INLINE_BELOW, onOutcome, signal, ...scanOptions } = options;
  const size = Math.min(Math.floor(wanted ?? defaultPoolSize()), MAX_WORKERS, files.length);
  const workerPath = givenPath ?? defaultWorkerPath();
  const inline =
    size <= 1 ||
    // a missing worker script (a broken install) must not stop the scan
    !fs.existsSync(workerPath) ||
    (inlineBelow > 0 && (await estimatedBytes(files, scanOptions.cwd ?? process.cwd(), inlineBelow)) < inlineBelow);
  if (inline) {
    const out: FileOutcome[] = [];
    for (const [i, file] of files.entries()) {
      const outcome = await scanHere(file, ruleSet, { ...scanOptions, signal });
      out.push(outcome);
      onOutcome?.(outcome, i);
    }
    return out;
  }
  return new Pool(files, ruleSet, scanOptions, workerPath, size, onOutcome, signal).run();
}

interface Slot {
  worker: Worker;
  /** worker.threadId, kept: it reads -1 once the thread is gone. */
  thread: number;
  ready: boolean;
  /** Indexes into files of the files sent to it and not answered yet. */
  current: Set<number>;
  /** Scanning a file alone, to see whether that file is what killed a worker. */
  solo: boolean;
  gone: boolean;
}

class Pool {
  private readonly outcomes: (FileOutcome | undefined)[];
  private next = 0;
  private done = 0;
  private readonly slots = new Set<Slot>();
  /** Files that were in flight together on a worker that died: each is scanned again alone. */
  private readonly suspects: number[] = [];
  /** Workers that failed before they could take work: the pool is not usable here. */
  private broken = false;
  private finish!: () => void;
  /** Set once the work is over: the workers' exits that follow are expected. */
  private closing = false;
  private readonly setup: WorkerSetup;

  constructor(
    private readonly files: readonly string[],
    private readonly ruleSet: RuleSet,
    private readonly options: ScanFileOptions,
    private readonly workerPath: string,
    private readonly size: number,
    private readonly onOutcome?: (outcome: FileOutcome, index: number) => void,
    private readonly signal?: AbortSignal,
  ) {
    this.outcomes = new Array(files.length).fill(undefined);
    // ScanOptions' hooks are functions, which cannot be sent to a thread: workers run without them
    const { onFinding: _onFinding, onProblem: _onProblem, ...scan } = options.scan ?? {};
    this.setup = { kind: WORKER_KIND, rules: ruleSet.rules.map((r) => r.rule), options: { ...options, scan } };
  }

  async run(): Promise<FileOutcome[]> {
    const finished = new Promise<void>((resolve) => (this.finish = resolve));
    const cancel = (): void => {
      // workers stop now, mid-file; what they were scanning is cancelled with the rest
      this.closing = true;
      for (let i = 0; i < this.files.length; i++) this.settle(i, { file: this.files[i], thread: 0, error: CANCELLED });
      this.finish();
    };
    if (this.signal?.aborted) cancel();
    else {
      this.signal?.addEventListener('abort', cancel, { once: true });
      for (let i = 0; i < this.size; i++) this.spawn();
    }
    await finished;
    this.signal?.removeEventListener('abort', cancel);
    this.closing = true;
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    if (this.broken) {
      // the workers could not run (e.g. the rules cannot be sent to a thread): scan the rest here
      for (let i = 0; i < this.files.length; i++) {
        if (!this.outcomes[i]) this.settle(i, await scanHere(this.files[i], this.ruleSet, { ...this.options, signal: this.signal }));
      }
    }
    return this.outcomes as FileOutcome[];
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = new Worker(this.workerPath, { workerData: this.setup });
    } catch {
      this.markBroken(); // e.g. rule objects that cannot be cloned
      return;
    }
    const slot: Slot = { worker, thread: worker.threadId, ready: false, current: new Set(), solo: false, gone: false };
    this.slots.add(slot);
    worker.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
    worker.on('error', (e) => this.onGone(slot, `the scan worker failed: ${e?.message ?? String(e)}`));
    worker.on('exit', (code) => this.onGone(slot, `the scan worker stopped unexpectedly (exit code ${code})`));
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    if (m.type === 'ready') {
      slot.ready = true;
      this.feed(slot);
      return;
    }
    const i = m.id;
    if (!slot.current.delete(i)) return;
    slot.solo = false;
    const file = this.files[i];
    const thread = slot.thread;
    if (m.type === 'done') {
      try {
        this.settle(i, { file, thread, scan: decodeScan(m.scan, this.ruleSet) });
      } catch (e) {
        this.settle(i, { file, thread, error: outcomeError(e) });
      }
    } else {
      this.settle(i, { file, thread, error: m.error });
    }
    this.feed(slot);
  }

  private onGone(slot: Slot, why: string): void {
    if (slot.gone || this.closing) return;
    slot.gone = true;
    this.slots.delete(slot);
    void slot.worker.terminate();
    if (!slot.ready) {
      this.markBroken();
      return;
    }
    // A worker died while scanning (out of memory, a crash): a file it held alone is the cause and
    // fails; of two, either may be, so each is tried again alone before anything is blamed.
    if (slot.current.size === 1) for (const i of slot.current) this.settle(i, { file: this.files[i], thread: slot.thread, error: why });
    else this.suspects.push(...slot.current);
    slot.current.clear();
    if ((this.next < this.files.length || this.suspects.length > 0) && !this.broken) this.spawn();
    this.checkFinished();
  }

  private markBroken(): void {
    this.broken = true;
    this.checkFinished();
  }

  private feed(slot: Slot): void {
    if (this.broken || this.closing || slot.solo) return this.checkFinished();
    if (this.suspects.length > 0) {
      if (slot.current.size > 0) return;
      slot.solo = true;
      this.send(slot, this.suspects.shift()!);
      return;
    }
    if (this.next >= this.files.length) return this.checkFinished();
    // Two files per worker: it reads one while it scans the other, and never waits for this thread
    // to send the next (small files made each worker idle a fifth of the time).
    while (slot.current.size < FILES_PER_WORKER && this.next < this.files.length) this.send(slot, this.next++);
  }

  private send(slot: Slot, i: number): void {
    slot.current.add(i);
    const message: ScanRequestMessage = { id: i, file: this.files[i] };
    slot.worker.postMessage(message);
  }

  private settle(i: number, outcome: FileOutcome): void {
    if (this.outcomes[i]) return;
    this.outcomes[i] = outcome;
    this.done++;
    this.onOutcome?.(outcome, i);
    this.checkFinished();
  }

  private checkFinished(): void {
    const busy = this.suspects.length > 0 || [...this.slots].some((s) => s.current.size > 0);
    if (this.done === this.files.length || (this.broken && !busy) || (this.slots.size === 0 && !busy)) this.finish();
  }
}

/** Prepares rules received by a worker: the same order as the caller's compiled rules. */
export function workerRuleSet(setup: WorkerSetup): RuleSet {
  return prepareRules(setup.rules);
}
