// libuv's thread pool, sized for a process that scans and exits (the CLI). zlib inflates a .json.gz
// on it, one call per MiB of output, each started from the scanning thread. Linux tends to wake a
// pool thread on the CPU of the thread that woke it; with libuv's default four threads taking
// turns, a call often landed on the scanning thread's CPU and waited there for the scheduler (2 to
// 3 ms each time) while the other CPU sat idle. `perf sched` on a 2-vCPU machine counted 30 to 56
// ms of such waits per 100 MB with four threads, about 10 with one: a single thread keeps its own
// CPU. A folder of .gz files has one inflate in flight per file being scanned, and zlib takes about
// half of a .gz scan's CPU, hence one thread per two cores.
//
// libuv reads the variable once, when the pool starts (at the first file read), so this runs first.
// A UV_THREADPOOL_SIZE the user set is kept. Never called in the extension host: that process and
// its pool belong to VS Code.

import { coreCount } from './cores';

/** The pool size for a scanning process on a machine with this many cores. */
export function batchThreadPoolSize(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

export function sizeThreadPoolForBatch(env: NodeJS.ProcessEnv = process.env, cores = coreCount()): void {
  if (env.UV_THREADPOOL_SIZE === undefined || env.UV_THREADPOOL_SIZE === '') env.UV_THREADPOOL_SIZE = String(batchThreadPoolSize(cores));
}
