// Runs the UI suite (out/test/integration/ui/*.ui.js) in plain Node with mocha: playwright drives
// the workbench of the running VS Code server. Reads CTH_SERVER_URL, CTH_WORKSPACE,
// CTH_EXTENSION_PATH, CTH_SCREENSHOTS (set by scripts/test-integration.sh).
// Ends with the line "ui: N passed, M failed"; exit code 1 when anything failed.
// usage: node run-ui-tests.js <folder with *.ui.js>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const dir = path.resolve(process.argv[2] || path.join(__dirname, '../../out/test/integration/ui'));
for (const name of ['CTH_SERVER_URL', 'CTH_WORKSPACE', 'CTH_EXTENSION_PATH', 'CTH_SCREENSHOTS']) {
  if (!process.env[name]) {
    console.error(`run-ui-tests: ${name} is not set (run scripts/test-integration.sh)`);
    console.log('ui: 0 passed, 1 failed');
    process.exit(1);
  }
}
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ui.js')).sort() : [];
if (files.length === 0) {
  console.error(`run-ui-tests: no *.ui.js in ${dir} (run npm run compile-tests)`);
  console.log('ui: 0 passed, 1 failed');
  process.exit(1);
}
const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, slow: 10_000, grep: process.env.CTH_TEST_GREP || undefined });
for (const f of files) mocha.addFile(path.join(dir, f));
const runner = mocha.run((failures) => {
  console.log(`ui: ${runner.stats.passes} passed, ${failures} failed`);
  // playwright may keep handles open after a failure; the counts are out, so leave now.
  process.exit(failures > 0 ? 1 : 0);
});
