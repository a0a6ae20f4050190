// Property-test settings shared by the robustness suite.
//
// `npm run test:unit` runs every property with a fixed seed and a small number of runs, so the suite
// is repeatable and quick. `npm run fuzz` runs the same properties with FUZZ_FACTOR times as many
// runs and a fresh random seed, printed first so a failure can be replayed. Either can be forced:
//   FUZZ_SEED=123 FUZZ_RUNS=5000 npm run fuzz     (FUZZ_RUNS replaces every property's count)

import type { Parameters } from 'fast-check';

/** The seed of `npm run test:unit`: any fixed value, so every run checks the same cases. */
export const FIXED_SEED = 0x0c1812;
const FUZZ_FACTOR = 40;

/** npm sets npm_lifecycle_event to the script being run: `npm run fuzz` means fuzzing. */
export const FUZZING = process.env.npm_lifecycle_event === 'fuzz' || process.env.FUZZ === '1';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, not ${JSON.stringify(raw)}`);
  return n;
}

export const SEED: number = envInt('FUZZ_SEED') ?? (FUZZING ? (Math.random() * 0x7fffffff) | 0 : FIXED_SEED);
const RUNS_OVERRIDE = envInt('FUZZ_RUNS');

if (FUZZING || process.env.FUZZ_SEED !== undefined || RUNS_OVERRIDE !== undefined) {
  // Printed before any test: the one thing needed to replay a failure found by a random run.
  const count = RUNS_OVERRIDE !== undefined ? `FUZZ_RUNS=${RUNS_OVERRIDE} runs per property` : `${FUZZING ? FUZZ_FACTOR : 1}x the runs of test:unit`;
  console.log(`robustness properties: FUZZ_SEED=${SEED}, ${count}`);
}

/** Runs of one property: `base` under test:unit, FUZZ_FACTOR times more when fuzzing. */
export function runs(base: number): number {
  return RUNS_OVERRIDE ?? (FUZZING ? base * FUZZ_FACTOR : base);
}

/** fast-check parameters for a property; every property of the suite gets the same seed. */
export function params<T>(base: number, extra: Parameters<T> = {}): Parameters<T> {
  return { seed: SEED, numRuns: runs(base), endOnFailure: true, ...extra };
}

/** Mocha timeout for a property test: generous, and unlimited while fuzzing. */
export function timeoutFor(baseMs: number): number {
  return FUZZING || RUNS_OVERRIDE !== undefined ? 0 : baseMs;
}

/**
 * A small seeded generator (mulberry32) for test data that is random but the same on every run with
 * the same seed: chunk boundaries, random bytes.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
