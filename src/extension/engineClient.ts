// Runs scans for the extension host: on a worker thread (dist/scanWorker.js) when one can be
// started, so a 50 MB document does not freeze the editor; in-process otherwise. Results come back
// with the rule list they were computed with, so a rule reload in between cannot mismatch them.

import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import type { Rule } from '../core/types';
import { PreparedRules, scanDocumentText } from './engine';
import type { ScanView } from './scanView';
import type { FromWorker, ToWorker } from './workerProtocol';
import type { Log } from './log';

export interface EngineResult {
  view: ScanView;
  rules: readonly Rule[];
}

export interface ScanEngine {
  readonly kind: 'worker' | 'in-process';
  setRules(rules: readonly Rule[]): void;
  scan(text: string): Promise<EngineResult>;
  dispose(): void;
}

/** Scans on the extension host's own thread. Used when no worker can run. */
export class InProcessEngine implements ScanEngine {
  readonly kind = 'in-process';
  private prepared: PreparedRules | undefined;
  private rules: readonly Rule[] = [];

  setRules(rules: readonly Rule[]): void {
    this.rules = rules;
    this.prepared = undefined;
  }

  scan(text: string): Promise<EngineResult> {
    return new Promise((resolve, reject) => {
      // Yield once so callers see the same asynchronous behaviour as with the worker.
      setImmediate(() => {
        try {
          this.prepared ??= new PreparedRules(this.rules);
          resolve({ view: scanDocumentText(text, this.prepared), rules: this.prepared.rules });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  dispose(): void {
    this.prepared = undefined;
  }
}

/** A worker that died or could not start (as opposed to an engine error on one input). */
export class WorkerFailure extends Error {}

interface Pending {
  resolve(result: EngineResult): void;
  reject(error: Error): void;
  rules: readonly Rule[];
  timer: NodeJS.Timeout;
}

/** Scans on one worker thread; restarts it when it dies or a scan overruns its time. */
export class WorkerEngine implements ScanEngine {
  readonly kind = 'worker';
  private worker: Worker | undefined;
  private rules: readonly Rule[] = [];
  private rulesVersion = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly script: string, private readonly log: Log) {}

  setRules(rules: readonly Rule[]): void {
    this.rules = rules;
    this.rulesVersion++;
    if (this.worker) this.post({ type: 'rules', version: this.rulesVersion, rules: [...rules] });
  }

  scan(text: string): Promise<EngineResult> {
    return new Promise<EngineResult>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (e) {
        reject(e instanceof WorkerFailure ? e : new WorkerFailure(String(e)));
        return;
      }
      const id = this.nextId++;
      // A watchdog: an engine that never returns (a bug on hostile input) must not hold the file hostage.
      const limitMs = 60_000 + Math.ceil(text.length / 1_000_000) * 4_000;
      const timer = setTimeout(() => {
        this.log.error(`scan ${id} took longer than ${limitMs / 1000} s; restarting the scan worker`);
        this.restart(new WorkerFailure('the scan worker was restarted'), id, new Error(`the scan took longer than ${limitMs / 1000} s and was stopped`));
      }, limitMs);
      this.pending.set(id, { resolve, reject, rules: this.rules, timer });
      try {
        this.post({ type: 'scan', id, rulesVersion: this.rulesVersion, text }, worker);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new WorkerFailure(`could not send the document to the scan worker: ${String(e)}`));
      }
    });
  }

  dispose(): void {
    this.restart(new WorkerFailure('the extension is shutting down'));
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
    if (m.type === 'result') p.resolve({ view: m.view, rules: p.rules });
    else p.reject(new Error(m.message));
  }

  /** Stops the worker (if any) and fails every scan waiting on it; the next scan starts a new one. */
  private restart(reason: Error, culprit?: number, culpritReason?: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      // The scan that overran gets a plain error (retrying it in-process would hang the host);
      // the others were only caught up in the restart.
      p.reject(id === culprit && culpritReason ? culpritReason : reason);
      this.pending.delete(id);
    }
  }
}

/**
 * The worker, with the in-process engine as fallback once the worker has failed to start or died
 * three times: a broken worker must not leave the user without scans.
 */
export class FallbackEngine implements ScanEngine {
  private failures = 0;
  private readonly inProcess = new InProcessEngine();

  constructor(private worker: WorkerEngine | undefined, private readonly log: Log) {}

  get kind(): 'worker' | 'in-process' {
    return this.worker ? 'worker' : 'in-process';
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
      this.failures++;
      if (this.failures >= 3 && this.worker) {
        this.log.warn(`scan worker unavailable (${e.message}); scanning on the extension host from now on`);
        this.worker.dispose();
        this.worker = undefined;
      } else {
        this.log.warn(`${e.message}; scanning this document on the extension host`);
      }
      return this.inProcess.scan(text);
    }
  }

  dispose(): void {
    this.worker?.dispose();
    this.inProcess.dispose();
  }
}
