// The mocha entry point the extension host loads (extensionTestsPath): runs every *.test.js next
// to this file, inside the real VS Code, and ends with one line the scripts count:
// "integration: N passed, M failed".
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 30_000,
    // A slow machine should not turn into failures: only report what is really slow.
    slow: 5_000,
    grep: process.env.CTH_TEST_GREP || undefined,
  });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passes = runner.stats?.passes ?? 0;
        console.log(`integration: ${passes} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.log('integration: 0 passed, 1 failed');
      reject(err);
    }
  });
}
