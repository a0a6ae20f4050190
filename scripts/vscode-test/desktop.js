// Runs the same mocha suites (out/test/integration/index.js) in the desktop VS Code through
// @vscode/test-electron, for contributors whose machines can reach the VS Code download (or who
// point CTH_VSCODE_EXECUTABLE at an installed build). Not used offline: see scripts/test-integration.sh.
//   npm run test:desktop                       # latest stable, downloaded into .vscode-test/
//   CTH_VSCODE_VERSION=1.90.0 npm run test:desktop   # the minimum engine version
//   CTH_VSCODE_EXECUTABLE=/usr/share/code/code npm run test:desktop
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runTests } = require('@vscode/test-electron');

const root = path.resolve(__dirname, '../..');

async function main() {
  const testsPath = path.join(root, 'out/test/integration/index.js');
  if (!fs.existsSync(testsPath)) throw new Error('out/test/integration/index.js is missing: run npm run compile-tests');
  if (!fs.existsSync(path.join(root, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run npm run build');

  // The suites write settings and generated files into the workspace: give them a copy.
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cth-desktop-'));
  fs.cpSync(path.join(root, 'test/fixtures/integration'), workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.CTH_VSCODE_VERSION || 'stable',
      vscodeExecutablePath: process.env.CTH_VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath: root,
      extensionTestsPath: testsPath,
      extensionTestsEnv: process.env.CTH_TEST_GREP ? { CTH_TEST_GREP: process.env.CTH_TEST_GREP } : undefined,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`test:desktop failed: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
