// Messages between the extension host and the scan worker. Plain data only (structured clone).
// A scan is cancelled by terminating its worker: a file scan cannot be interrupted from inside.

import type { Rule } from '../core/types';
import type { FileInfo } from './fileScan';
import type { ScanView } from './scanView';

export type ToWorker =
  | { type: 'rules'; version: number; rules: Rule[] }
  | { type: 'scan'; id: number; rulesVersion: number; text: string }
  /** Read and scan a file on disk in the worker (gunzipped when its content is gzip). */
  | { type: 'scanFile'; id: number; rulesVersion: number; path: string };

export type FromWorker =
  | { type: 'result'; id: number; rulesVersion: number; view: ScanView; file?: FileInfo }
  | { type: 'error'; id: number; message: string };
