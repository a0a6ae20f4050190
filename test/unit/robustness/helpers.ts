// Shared helpers of the robustness suite (not a test file itself).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { parseRuleToml, huntRule } from '../../../src/core/rules';
import { prepareRules, scanBytes, scanText, StreamingScan, type RuleSet, type ScanOptions } from '../../../src/core/scan';
import type { Rule, ScanResult } from '../../../src/core/types';
import { prng } from './fuzz';

/** The repository root, found from this file (out/test/unit/robustness when compiled). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'rules', 'aws_ec2_full_network_packet_capture_detected.toml'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();

export const HOSTILE_DIR = path.join(ROOT, 'test', 'fixtures', 'hostile');

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

// ------------------------------------------------------------------------------------------------
// Rules

export function seedRule(): Rule {
  const file = path.join(ROOT, 'rules', 'aws_ec2_full_network_packet_capture_detected.toml');
  return parseRuleToml(fs.readFileSync(file, 'utf8'), 'bundled:aws_ec2_full_network_packet_capture_detected.toml');
}

/** The seed rule and a hunt that matches every CloudTrail record (so every record reaches the reports). */
export function seedAndEverything(): RuleSet {
  const all = huntRule('event.dataset:aws.cloudtrail');
  all.ruleId = 'hunt-everything';
  return prepareRules([seedRule(), all]);
}

// ------------------------------------------------------------------------------------------------
// Temporary folders, removed after the run

const made: string[] = [];

export function tempDir(prefix = 'cth-robust-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

after(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------------
// The CLI, in-process

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

// ------------------------------------------------------------------------------------------------
// Characters that must never reach a terminal raw

/** ESC and every C0 control but LF; DEL; C1; bidi controls; marks and zero-width characters. */
export const UNSAFE_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Where the first unsafe character is, for a readable failure. */
export function firstUnsafe(text: string, re: RegExp = UNSAFE_BUT_LF): string | undefined {
  const m = re.exec(text);
  if (!m) return undefined;
  return `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 40))}`;
}

export function assertNoUnsafe(text: string, what: string, re: RegExp = UNSAFE_BUT_LF): void {
  const found = firstUnsafe(text, re);
  assert.equal(found, undefined, `${what}: raw unsafe character ${found}`);
}

// ------------------------------------------------------------------------------------------------
// The three ways into the engine must agree

/** Everything a face can see of a result, in a form deepEqual compares (rules by id). */
export function observable(r: ScanResult): unknown {
  return {
    shape: r.shape,
    recordCount: r.recordCount,
    findings: r.findings.map((f) => ({
      rule: f.rule.ruleId,
      recordIndex: f.recordIndex,
      record: f.record,
      matched: f.matched,
      matchedField: f.matchedField,
      fields: f.fields,
      related: f.related,
    })),
    problems: r.problems,
  };
}

/** Random chunk boundaries (seeded), including empty and one-byte chunks. */
export function randomChunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  const rnd = prng(seed);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const r = rnd();
    const size = r < 0.1 ? 0 : r < 0.3 ? 1 : r < 0.8 ? 1 + Math.floor(rnd() * 64) : 1 + Math.floor(rnd() * 8192);
    // copies: a scanner that kept a reference to a chunk would see it overwritten below
    const chunk = bytes.slice(at, at + size);
    out.push(chunk);
    at += size;
  }
  return out;
}

/** StreamingScan over random chunks; about half of them read in parts of random sizes (pushPart). */
export function scanStreaming(bytes: Uint8Array, ruleSet: RuleSet, seed: number, options?: ScanOptions): ScanResult {
  const s = new StreamingScan(ruleSet, options);
  const rnd = prng(seed ^ 0x5bd1e995);
  for (const chunk of randomChunks(bytes, seed)) {
    if (rnd() < 0.5) s.push(chunk);
    else for (let at = 0; at < chunk.length; ) at = s.pushPart(chunk, at, at + Math.floor(rnd() * rnd() * 2048));
    chunk.fill(0x20);
  }
  return s.end();
}

/** True when the bytes are UTF-8 that survives a round trip through a JS string (scanText applies). */
export function isExactUtf8(bytes: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    const back = enc(text);
    return back.length === bytes.length && back.every((b, i) => b === bytes[i]);
  } catch {
    return false;
  }
}

/**
 * Scans the bytes whole, as a stream of random chunks, and (when they are exact UTF-8) as text; all
 * must give the same observable result. Returns the whole-bytes result.
 */
export function scanAllWays(bytes: Uint8Array, ruleSet: RuleSet, seed: number): ScanResult {
  const whole = scanBytes(bytes, ruleSet);
  const expected = observable(whole);
  assert.deepEqual(observable(scanStreaming(bytes, ruleSet, seed)), expected, 'StreamingScan in random chunks differs from scanBytes');
  if (isExactUtf8(bytes)) {
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    assert.deepEqual(observable(scanText(text, ruleSet)), expected, 'scanText differs from scanBytes');
  }
  // The WebAssembly fast path only reads faster: without it the state machine reads every record.
  assert.deepEqual(observable(scanBytes(bytes, ruleSet, { fastPath: false })), expected, 'the fast path changed the result');
  // The prefilter may only skip work: the findings and the problems are the same without it.
  const unfiltered = scanBytes(bytes, ruleSet, { prefilter: false });
  const strip = (r: ScanResult) => {
    const o = observable(r) as { findings: unknown; problems: unknown };
    return { findings: o.findings, problems: o.problems };
  };
  assert.deepEqual(strip(unfiltered), strip(whole), 'the prefilter changed findings or problems');
  return whole;
}

/** Every span of a result lies inside the file, and every problem has one. */
export function assertSpansInside(r: ScanResult, size: number, what: string): void {
  const inside = (s: { start: number; end: number }, label: string) => {
    assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end), `${what}: ${label} span is not integral: ${JSON.stringify(s)}`);
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= size, `${what}: ${label} span ${JSON.stringify(s)} is outside the file (${size} bytes)`);
  };
  for (const p of r.problems) {
    inside(p.span, `problem "${p.message}"`);
    assert.ok(p.message.length > 0, `${what}: a problem without a message`);
  }
  for (const f of r.findings) {
    inside(f.record, 'record');
    inside(f.matched, 'matched');
    assert.ok(f.matched.start >= f.record.start && f.matched.end <= f.record.end, `${what}: matched span outside its record`);
  }
}
