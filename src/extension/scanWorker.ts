// Entry point of dist/scanWorker.js: runs engine scans on a worker thread so a large document or a
// workspace of logs does not freeze the extension host. Messages: see workerProtocol.ts.

import { parentPort } from 'node:worker_threads';
import { FileReadError } from '../node/scanFile';
import { PreparedRules, scanDocumentText } from './engine';
import { scanFilePath } from './fileScan';
import type { ToWorker, FromWorker } from './workerProtocol';

let prepared: PreparedRules | undefined;
let rulesVersion = -1;

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function errorText(e: unknown): string {
  // A file that cannot be read is the file's problem, not a crash: its message says it all.
  if (e instanceof FileReadError) return e.message;
  return (e as Error)?.stack ?? String(e);
}

async function scanFile(id: number, path: string, rules: PreparedRules, version: number): Promise<void> {
  try {
    const { view, file } = await scanFilePath(path, rules);
    post({ type: 'result', id, rulesVersion: version, view, file });
  } catch (e) {
    post({ type: 'error', id, message: errorText(e) });
  }
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'rules') {
    try {
      prepared = new PreparedRules(message.rules);
      rulesVersion = message.version;
    } catch (e) {
      prepared = undefined;
      rulesVersion = -1;
      post({ type: 'error', id: -1, message: `could not prepare rules: ${(e as Error).message}` });
    }
    return;
  }
  if (!prepared || rulesVersion !== message.rulesVersion) {
    post({ type: 'error', id: message.id, message: `rules version ${message.rulesVersion} not loaded in the worker` });
    return;
  }
  if (message.type === 'scanFile') {
    // Asynchronous: the file streams in while other messages are served.
    void scanFile(message.id, message.path, prepared, rulesVersion);
    return;
  }
  try {
    const view = scanDocumentText(message.text, prepared);
    post({ type: 'result', id: message.id, rulesVersion, view });
  } catch (e) {
    post({ type: 'error', id: message.id, message: errorText(e) });
  }
});
