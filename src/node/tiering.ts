// V8's tiering, set for a process that scans and exits (the CLI). V8 hands a function to its
// optimizing compiler once the function has run a set amount of bytecode, a default made for
// long-lived programs. In a scan, the engine's bulk work is WebAssembly, and most of its JavaScript
// runs only for the few hundred records that may match (their parse, mapping to ECS, underline and
// digest): compiling that code costs more CPU than it saves, and it is spent on a background
// thread, on the second core, which zlib needs when the file is a .json.gz. A budget 16 times the
// default leaves such code in V8's baseline tiers; what runs for every chunk is still optimized.
// Measured on the 100 MB bench file in fresh processes: a .json.gz scan about a quarter faster,
// the uncompressed file no slower (see the README's Benchmark section).
//
// The setting is process-wide, so it is only made in processes that are ours: the CLI, and the
// benchmark's engine worker, which measures the engine as the CLI runs it. Never in the extension
// host, whose process belongs to VS Code.

import { setFlagsFromString } from 'node:v8';

/** V8's default interrupt budget in Node 20 (V8 11.3): 66 KiB of bytecode between tiering checks. */
const V8_DEFAULT_INTERRUPT_BUDGET = 67584;
export const BATCH_INTERRUPT_BUDGET = 16 * V8_DEFAULT_INTERRUPT_BUDGET;

/**
 * Call before the engine runs. V8 reads the budget each time it resets a function's counter, so
 * the setting applies from then on; it changes when code is optimized, never what it computes.
 */
export function tuneTieringForBatch(): void {
  setFlagsFromString(`--interrupt-budget=${BATCH_INTERRUPT_BUDGET}`);
}
