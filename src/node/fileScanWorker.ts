// Entry point of a scan worker thread (dist/fileScanWorker.js; out/src/node/fileScanWorker.js
// under tsc). It compiles the rules it was given once, then scans the files it is sent with
// scanFile and posts each result back (see pool.ts for the messages).

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { RuleSet } from '../core/scan';
import { encodeScan, outcomeError, workerRuleSet, WORKER_KIND, type ScanRequestMessage, type WorkerMessage, type WorkerSetup } from './pool';
import { scanFile } from './scanFile';

function serve(port: NonNullable<typeof parentPort>, setup: WorkerSetup): void {
  const ruleSet: RuleSet = workerRuleSet(setup);
  const post = (m: WorkerMessage): void => port.postMessage(m);
  // The pool sends a worker two files at a time; they are scanned at once, so one file's reads
  // overlap the other's scanning (scanning is synchronous per chunk, reads are not).
  port.on('message', (m: ScanRequestMessage) => {
    void (async () => {
      try {
        const scan = await scanFile(m.file, ruleSet, setup.options);
        post({ type: 'done', id: m.id, scan: encodeScan(scan, setup.rules) });
      } catch (e) {
        post({ type: 'failed', id: m.id, error: outcomeError(e) });
      }
    })();
  });
  post({ type: 'ready' });
}

const setup = workerData as Partial<WorkerSetup> | undefined;
if (!isMainThread && parentPort && setup?.kind === WORKER_KIND) serve(parentPort, setup as WorkerSetup);
