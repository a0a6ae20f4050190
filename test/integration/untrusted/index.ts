// The mocha entry point of the "untrusted" stage: the suites next to this file, run in a workspace
// that VS Code opened with workspace trust enabled and never trusted. Kept apart from ../index.ts
// because these suites only make sense in Restricted Mode. Ends with the line the script counts:
// "untrusted: N passed, M failed".
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 30_000, slow: 5_000, grep: process.env.CTH_TEST_GREP || undefined });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        console.log(`untrusted: ${runner.stats?.passes ?? 0} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} untrusted-workspace test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.log('untrusted: 0 passed, 1 failed');
      reject(err);
    }
  });
}
