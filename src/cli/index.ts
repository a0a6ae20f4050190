// Entry point of the `cloudtrail-hunter` command (bundled to dist/cli.js). The work is in main.ts;
// this file only connects it to the real process.

import { sizeThreadPoolForBatch } from '../node/threadPool';
import { tuneTieringForBatch } from '../node/tiering';
import { main } from './main';

export { main, queryErrorText, EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, packageVersion, type CliIo, type OutputStream } from './main';
export { parseArgs, HELP, UsageError, type ParsedArgs, type ScanArgs, type RulesArgs } from './args';

if (require.main === module) {
  sizeThreadPoolForBatch();
  tuneTieringForBatch();
  // A reader that closes the pipe early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`cloudtrail-hunter: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
