// Runs scans for the extension host: on worker threads (dist/scanWorker.js) when they can be
// started, so a 50 MB document or a workspace of logs does not freeze the editor; in-process
// otherwise. Results come back with the rule list they were computed with, so a rule reload in
// between cannot mismatch them.

import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import type { Rule } from '../core/types';
import { PreparedRules, scanDocumentText } from './engine';
import { scanFilePath, type FileInfo } from './fileScan';
import type { ScanView } from './scanView';
import type { FromWorker, ToWorker } from './workerProtocol';
import type { Log } from './log';

/** A scan stopped by its caller's AbortSignal. */
export class ScanAborted extends Error {
  constructor() {
    super('the scan was cancelled');
    this.name = 'ScanAborted';
  }
}

export interface EngineResult {
  view: ScanView;
  rules: readonly Rule[];
}

export interface FileEngineResult extends EngineResult {
  file: FileInfo;
}

export interface FileScanOptions {
  /** Aborting stops the scan at once (its worker is restarted); the promise rejects with ScanAborted. */
  signal?: AbortSignal;
  /** The file's size on disk, for the watchdog's time limit. */
  sizeHint?: number;
}

export interface ScanEngine {
  readonly kind: 'worker' | 'in-process';
  /** How many scans can usefully run at the same time. */
  readonly parallelism: number;
  setRules(rules: readonly Rule[]): void;
  scan(text: string): Promise<EngineResult>;
  /** Reads and scans a file on disk (gzip content is decompressed); it is streamed, never held whole by the host. */
  scanFile(path: string, options?: FileScanOptions): Promise<FileEngineResult>;
  dispose(): void;
}

/** The watchdog's limit for a scan of `bytes` bytes (a gzip file may hold ten times its size). */
function timeLimitMs(bytes: number, compressedFactor = 1): number {
  return 60_000 + Math.ceil((bytes * compressedFactor) / 1_000_000) * 4_000;
}

/** Scans on the extension host's own thread. Used when no worker can run. */
export class InProcessEngine implements ScanEngine {
  readonly kind = 'in-process';
  readonly parallelism = 1;
  private prepared: PreparedRules | undefined;
  private rules: readonly Rule[] = [];

  setRules(rules: readonly Rule[]): void {
    this.rules = rules;
    this.prepared = undefined;
  }

  private ruleSet(): PreparedRules {
    return (this.prepared ??= new PreparedRules(this.rules));
  }

  scan(text: string): Promise<EngineResult> {
    return new Promise((resolve, reject) => {
      // Yield once so callers see the same asynchronous behaviour as with the worker.
      setImmediate(() => {
        try {
          const prepared = this.ruleSet();
          resolve({ view: scanDocumentText(text, prepared), rules: prepared.rules });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  async scanFile(path: string, options: FileScanOptions = {}): Promise<FileEngineResult> {
    if (options.signal?.aborted) throw new ScanAborted();
    const prepared = this.ruleSet();
    // Streamed chunk by chunk with I/O in between, so even here the host keeps answering. A scan
    // on this thread cannot be interrupted: a cancelled one finishes and its result is dropped.
    const { view, file } = await scanFilePath(path, prepared);
    if (options.signal?.aborted) throw new ScanAborted();
    return { view, file, rules: prepared.rules };
  }

  dispose(): void {
    this.prepared = undefined;
  }
}

/** A worker that died or could not start (as opposed to an engine error on one input). */
export class WorkerFailure extends Error {}

/** The worker was stopped on purpose (to cancel another scan): the scans caught up in it may simply run again. */
export class WorkerRestarted extends WorkerFailure {}

interface Pending {
  resolve(result: FileEngineResult | EngineResult): void;
  reject(error: Error): void;
  rules: readonly Rule[];
  timer: NodeJS.Timeout;
  /** Removes the abort listener. */
  release(): void;
}

/** Scans on one worker thread; restarts it when it dies or a scan overruns its time. */
export class WorkerEngine implements ScanEngine {
  readonly kind = 'worker';
  readonly parallelism = 1;
  private worker: Worker | undefined;
  private rules: readonly Rule[] = [];
  private rulesVersion = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly script: string, private readonly log: Log) {}

  /** Scans waiting on this worker. */
  get load(): number {
    return this.pending.size;
  }

  /** True while a worker thread is running (it starts on the first scan). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  setRules(rules: readonly Rule[]): void {
    this.rules = rules;
    this.rulesVersion++;
    if (this.worker) this.post({ type: 'rules', version: this.rulesVersion, rules: [...rules] });
  }

  scan(text: string): Promise<EngineResult> {
    return this.request((id, rulesVersion) => ({ type: 'scan', id, rulesVersion, text }), timeLimitMs(text.length), 'the document');
  }

  scanFile(path: string, options: FileScanOptions = {}): Promise<FileEngineResult> {
    const limit = timeLimitMs(options.sizeHint ?? 0, /\.gz$/i.test(path) ? 10 : 1);
    return this.request((id, rulesVersion) => ({ type: 'scanFile', id, rulesVersion, path }), limit, path, options.signal) as Promise<FileEngineResult>;
  }

  dispose(): void {
    this.restart(new WorkerFailure('the extension is shutting down'));
  }

  private request(build: (id: number, rulesVersion: number) => ToWorker, limitMs: number, what: string, signal?: AbortSignal): Promise<EngineResult> {
    return new Promise<EngineResult>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new ScanAborted());
        return;
      }
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (e) {
        reject(e instanceof WorkerFailure ? e : new WorkerFailure(String(e)));
        return;
      }
      const id = this.nextId++;
      // A watchdog: an engine that never returns (a bug on hostile input) must not hold the file hostage.
      const timer = setTimeout(() => {
        this.log.error(`scan ${id} took longer than ${limitMs / 1000} s; restarting the scan worker`);
        this.restart(new WorkerFailure('the scan worker was restarted'), id, new Error(`the scan took longer than ${limitMs / 1000} s and was stopped`));
      }, limitMs);
      // A scan in the worker cannot be interrupted from inside: stopping the thread stops it at once.
      const onAbort = () => {
        if (this.pending.has(id) && this.worker === worker) this.restart(new WorkerRestarted('the scan worker was restarted to cancel a scan'), id, new ScanAborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const release = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve, reject, rules: this.rules, timer, release });
      try {
        this.post(build(id, this.rulesVersion), worker);
      } catch (e) {
        clearTimeout(timer);
        release();
        this.pending.delete(id);
        reject(new WorkerFailure(`could not send ${what} to the scan worker: ${String(e)}`));
      }
    });
  }

  private post(message: ToWorker, worker = this.worker): void {
    worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    if (!fs.existsSync(this.script)) throw new WorkerFailure(`scan worker not found at ${this.script}`);
    const worker = new Worker(this.script);
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (e) => {
      this.log.error(`scan worker failed: ${e.stack ?? e.message}`);
      if (this.worker === worker) this.restart(new WorkerFailure(`the scan worker failed: ${e.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.restart(new WorkerFailure(`the scan worker exited with code ${code}`));
    });
    // Rule objects are plain data; a DataCloneError here means they are not, and is a WorkerFailure.
    try {
      worker.postMessage({ type: 'rules', version: this.rulesVersion, rules: [...this.rules] } satisfies ToWorker);
    } catch (e) {
      void worker.terminate();
      throw new WorkerFailure(`could not send the rules to the scan worker: ${String(e)}`);
    }
    this.worker = worker;
    return worker;
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'error' && m.id === -1) {
      this.log.error(`scan worker: ${m.message}`);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    p.release();
    if (m.type === 'result') p.resolve(m.file ? { view: m.view, rules: p.rules, file: m.file } : { view: m.view, rules: p.rules });
    else p.reject(new Error(m.message));
  }

  /** Stops the worker (if any) and fails every scan waiting on it; the next scan starts a new one. */
  private restart(reason: Error, culprit?: number, culpritReason?: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.release();
      // The scan that overran (or was cancelled) gets its own error (retrying an overrun in-process
      // would hang the host); the others were only caught up in the restart.
      p.reject(id === culprit && culpritReason ? culpritReason : reason);
      this.pending.delete(id);
    }
  }
}

/**
 * A few workers, each scan going to the least busy one. Threads start only when needed: document
 * scans one at a time keep to one thread; a workspace scan brings the others up.
 */
export class WorkerPool implements ScanEngine {
  readonly kind = 'worker';
  private readonly engines: WorkerEngine[];

  constructor(script: string, log: Log, readonly parallelism: number) {
    this.engines = Array.from({ length: Math.max(1, parallelism) }, () => new WorkerEngine(script, log));
  }

  setRules(rules: readonly Rule[]): void {
    for (const e of this.engines) e.setRules(rules);
  }

  /** The least busy worker; among equals, one whose thread already runs. */
  private pick(): WorkerEngine {
    let best = this.engines[0];
    for (const e of this.engines) {
      if (e.load < best.load || (e.load === best.load && e.started && !best.started)) best = e;
    }
    return best;
  }

  scan(text: string): Promise<EngineResult> {
    return this.pick().scan(text);
  }

  scanFile(path: string, options?: FileScanOptions): Promise<FileEngineResult> {
    return this.pick().scanFile(path, options);
  }

  dispose(): void {
    for (const e of this.engines) e.dispose();
  }
}

/**
 * The workers, with the in-process engine as fallback once they have failed to start or died
 * three times: a broken worker must not leave the user without scans.
 */
export class FallbackEngine implements ScanEngine {
  private failures = 0;
  private readonly inProcess = new InProcessEngine();

  constructor(private worker: ScanEngine | undefined, private readonly log: Log) {}

  get kind(): 'worker' | 'in-process' {
    return this.worker ? 'worker' : 'in-process';
  }

  get parallelism(): number {
    return this.worker?.parallelism ?? 1;
  }

  setRules(rules: readonly Rule[]): void {
    this.worker?.setRules(rules);
    this.inProcess.setRules(rules);
  }

  async scan(text: string): Promise<EngineResult> {
    const worker = this.worker;
    if (!worker) return this.inProcess.scan(text);
    try {
      return await worker.scan(text);
    } catch (e) {
      if (!(e instanceof WorkerFailure)) throw e;
      if (e instanceof WorkerRestarted) return this.scan(text);
      this.failed(e, 'scanning this document on the extension host');
      return this.inProcess.scan(text);
    }
  }

  async scanFile(path: string, options?: FileScanOptions): Promise<FileEngineResult> {
    // A file whose scan killed a worker gets one more try on a fresh worker before the host takes it.
    for (let attempt = 0; this.worker && attempt < 2; attempt++) {
      try {
        return await this.worker.scanFile(path, options);
      } catch (e) {
        if (!(e instanceof WorkerFailure)) throw e;
        if (e instanceof WorkerRestarted) {
          attempt--; // not this file's fault
          continue;
        }
        this.failed(e, attempt === 0 ? `trying ${path} again` : `scanning ${path} on the extension host`);
      }
    }
    return this.inProcess.scanFile(path, options);
  }

  private failed(e: WorkerFailure, next: string): void {
    this.failures++;
    if (this.failures >= 3 && this.worker) {
      this.log.warn(`scan worker unavailable (${e.message}); scanning on the extension host from now on`);
      this.worker.dispose();
      this.worker = undefined;
    } else {
      this.log.warn(`${e.message}; ${next}`);
    }
  }

  dispose(): void {
    this.worker?.dispose();
    this.inProcess.dispose();
  }
}
