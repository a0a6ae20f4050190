// Messages between the extension host and the scan worker. Plain data only (structured clone).

import type { Rule } from '../core/types';
import type { ScanView } from './scanView';

export type ToWorker =
  | { type: 'rules'; version: number; rules: Rule[] }
  | { type: 'scan'; id: number; rulesVersion: number; text: string };

export type FromWorker =
  | { type: 'result'; id: number; rulesVersion: number; view: ScanView }
  | { type: 'error'; id: number; message: string };
