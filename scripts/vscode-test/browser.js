// Shared by the runners: headless Debian chromium through playwright-core, and the workbench URL
// that loads our extension from a folder (the server must run with --enable-smoke-test-driver).
'use strict';
const path = require('node:path');
const { chromium } = require('playwright-core');

// Root in a container needs --no-sandbox; the rest keeps chromium off the network and quiet.
const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-default-apps',
];

function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: CHROME_ARGS });
}

/**
 * The workbench URL for `folder`, with the extension under development (and optionally a test
 * entry point) in the `payload` parameter, the way VS Code's own browser integration tests do it.
 */
function workbenchUrl(serverUrl, { folder, extensionPath, testsPath, environment }) {
  const u = new URL(serverUrl);
  const remote = (p) => `vscode-remote://${u.host}${path.resolve(p)}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)], ['skipWelcome', 'true']];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  if (environment && Object.keys(environment).length > 0) payload.push(['extensionEnvironment', JSON.stringify(environment)]);
  return `${u.origin}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

module.exports = { launchBrowser, workbenchUrl };
