// What a measuring child process prints (one JSON line on stdout) for the parent to tabulate.

export interface WorkerResult {
  /** Time of the work itself, measured inside the child: first read to final count. */
  seconds: number;
  matches: number;
  records: number;
  /** process.resourceUsage().maxRSS of the child, in KB, taken right after the work. */
  maxRssKB: number;
  /** Anything the parent should print next to the row (problems, offset checks). */
  notes?: string[];
}
