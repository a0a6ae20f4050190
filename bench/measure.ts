// Runs one measurement in a child process and returns its time, peak memory and answer.
// Node tools report their own time and process.resourceUsage().maxRSS; jq and zcat are timed from
// spawn to exit and their peak RSS comes from GNU time (%M) when installed, else from polling VmHWM
// in /proc/<pid>/status while they run.

import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { WorkerResult } from './protocol';
import { JQ_SELECT } from './reference';
import type { Shape } from './generate';

export interface Measurement extends WorkerResult {
  tool: string;
}

function collect(child: ChildProcess, what: string): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  if (child.stdout && !child.stdout.destroyed) child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`${what}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ') || 'no message'}`));
    });
  });
}

/** Runs a bench worker script with node and parses the JSON line it prints. */
export async function runNodeWorker(tool: string, script: string, args: string[], nodeFlags: string[] = []): Promise<Measurement> {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { stdout } = await collect(child, tool);
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return { tool, ...(JSON.parse(line) as WorkerResult) };
  } catch {
    throw new Error(`${tool}: unexpected output ${JSON.stringify(line.slice(0, 200))}`);
  }
}

// --- jq ----------------------------------------------------------------------------------------

export function jqVersion(): string | undefined {
  const r = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Makes sure jq is there: installs Debian's package when running as root with apt, else says how. */
export function ensureJq(log: (m: string) => void): string | undefined {
  const v = jqVersion();
  if (v) return v;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    log('jq not found: running apt-get install -y jq');
    const r = spawnSync('apt-get', ['install', '-y', 'jq'], { stdio: 'inherit' });
    if (r.status === 0) return jqVersion();
  }
  log('jq not found: install it (Debian/Ubuntu: sudo apt-get install jq) to get the jq column');
  return undefined;
}

let gnuTime: string | null | undefined;

/** The path of GNU time, if installed (its -f %M reports the peak RSS of the command). */
function findGnuTime(): string | null {
  if (gnuTime !== undefined) return gnuTime;
  gnuTime = null;
  // BENCH_NO_GNU_TIME=1 exercises the /proc fallback on machines that do have GNU time.
  if (process.env.BENCH_NO_GNU_TIME === '1') return gnuTime;
  for (const p of ['/usr/bin/time', '/bin/time']) {
    if (!existsSync(p)) continue;
    const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
    if (/GNU/.test(`${r.stdout}${r.stderr}`)) {
      gnuTime = p;
      break;
    }
  }
  return gnuTime;
}

export function rssMethod(): string {
  return findGnuTime() ? 'GNU time %M' : '/proc VmHWM polling';
}

/** jq's arguments: the program and the input files (stdin when the input is piped from zcat). */
function jqArgs(shape: Shape, file: string, folderFiles?: string[]): string[] {
  switch (shape) {
    case 'jsonl':
      return ['-n', `[inputs | ${JQ_SELECT}] | length`, file];
    case 'gz':
      return [`[.Records[] | ${JQ_SELECT}] | length`];
    case 'folder':
      return ['-n', `[inputs | .Records[] | ${JQ_SELECT}] | length`, ...(folderFiles ?? [])];
    default:
      return [`[.Records[] | ${JQ_SELECT}] | length`, file];
  }
}

/** Polls the peak resident set of a running process (kB) until it exits. */
function pollVmHwm(pid: number): { stop(): number } {
  let peak = 0;
  const read = (): void => {
    try {
      const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // the process is gone: keep the last reading
    }
  };
  const timer = setInterval(read, 5);
  read();
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * Runs a command to its exit and measures it: wall time from spawn to exit, and its peak RSS (GNU
 * time's %M when installed, else polling). `started` is when timing began, for a command fed by
 * another one spawned just before (zcat | jq).
 */
async function runMeasured(
  what: string,
  command: string,
  args: string[],
  stdin: ChildProcess['stdout'] | 'ignore',
  started = performance.now(),
): Promise<{ seconds: number; stdout: string; maxRssKB: number }> {
  const time = findGnuTime();
  const tmp = mkdtempSync(path.join(tmpdir(), 'ct-bench-'));
  const rssFile = path.join(tmp, 'rss');
  try {
    const child = time
      ? spawn(time, ['-f', '%M', '-o', rssFile, command, ...args], { stdio: [stdin ?? 'ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { stdio: [stdin ?? 'ignore', 'pipe', 'pipe'] });
    const poll = time || child.pid === undefined ? undefined : pollVmHwm(child.pid);
    const out = await collect(child, what);
    const seconds = (performance.now() - started) / 1000;
    const polled = poll?.stop();
    const maxRssKB = time ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : (polled ?? 0);
    return { seconds, stdout: out.stdout, maxRssKB };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `jq` (or `zcat | jq` for gz) with the same selection; the time is wall time from spawn to exit. */
export async function runJq(shape: Shape, file: string, folderFiles?: string[]): Promise<Measurement> {
  const t0 = performance.now();
  const zcat = shape === 'gz' ? spawn('zcat', ['--', file], { stdio: ['ignore', 'pipe', 'pipe'] }) : undefined;
  const zcatDone = zcat ? collect(zcat, 'zcat') : Promise.resolve(undefined);
  const jq = runMeasured('jq', 'jq', jqArgs(shape, file, folderFiles), zcat?.stdout ?? 'ignore', t0);
  // jq holds its own copy of the pipe now; the parent must neither read nor keep its end.
  zcat?.stdout?.destroy();
  const [{ seconds, stdout, maxRssKB }] = await Promise.all([jq, zcatDone]);
  const matches = Number(stdout.trim());
  if (!Number.isInteger(matches)) throw new Error(`jq printed ${JSON.stringify(stdout.slice(0, 200))}`);
  return { tool: shape === 'gz' ? 'zcat | jq' : 'jq', seconds, matches, records: -1, maxRssKB };
}

/** Debian's `zcat` decompressing to nothing: how long the everyday tool takes just to decompress. */
export async function runZcat(file: string): Promise<Measurement> {
  const { seconds, maxRssKB } = await runMeasured('zcat', 'sh', ['-c', 'exec zcat -- "$1" > /dev/null', 'zcat', file], 'ignore');
  return { tool: 'zcat', seconds, matches: 0, records: 0, maxRssKB };
}

/** Reads the file once so every tool starts from the same warm page cache. */
export async function warmCache(files: string[]): Promise<void> {
  const { createReadStream } = await import('node:fs');
  for (const f of files) {
    for await (const _chunk of createReadStream(f, { highWaterMark: 1 << 20 })) {
      // discard: only the page cache matters
    }
  }
}
