// Entry point of dist/scanWorker.js: runs engine scans on a worker thread so a large document
// does not freeze the extension host. Messages: see workerProtocol.ts.

import { parentPort } from 'node:worker_threads';
import { PreparedRules, scanDocumentText } from './engine';
import type { ToWorker, FromWorker } from './workerProtocol';

let prepared: PreparedRules | undefined;
let rulesVersion = -1;

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
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
  if (message.type === 'scan') {
    if (!prepared || rulesVersion !== message.rulesVersion) {
      post({ type: 'error', id: message.id, message: `rules version ${message.rulesVersion} not loaded in the worker` });
      return;
    }
    try {
      const view = scanDocumentText(message.text, prepared);
      post({ type: 'result', id: message.id, rulesVersion, view });
    } catch (e) {
      post({ type: 'error', id: message.id, message: (e as Error)?.stack ?? String(e) });
    }
  }
});
