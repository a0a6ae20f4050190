// Runs the mocha suites (out/test/integration/index.js) inside the real Node extension host of the
// VS Code server. The workbench calls window.codeAutomationExit(code) when the suite finishes;
// that code becomes ours. The extension host's console arrives through window.codeAutomationLog.
// usage: node run-extension-tests.js <serverUrl> <extensionPath> <testsIndexJs> <workspaceFolder> [timeoutSec]
'use strict';
const path = require('node:path');
const util = require('node:util');
const { launchBrowser, workbenchUrl } = require('./browser');

const [serverUrl, extensionPath, testsPath, folder, timeoutSec = '600'] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node run-extension-tests.js <serverUrl> <extensionPath> <testsIndexJs> <workspaceFolder> [timeoutSec]');
  process.exit(64);
}
const verbose = !!process.env.VERBOSE;
// Workbench chatter that says nothing about our extension (offline gallery, auth, sockets).
const noise = new RegExp([
  'No signed-in session resolved', 'AccountPolicyGate', 'ChatModelSelection', 'Failed to load resource', 'ERR_NAME_NOT_RESOLVED',
  'ENOTFOUND', 'marketplace', 'open-vsx', 'authentication provider', '^\\[AgentHost', '^\\[Service Worker\\]',
  'connection token', '^Creating a socket', 'reconnection-grace-time', 'builtin extensions cache',
].join('|'), 'i');

(async () => {
  // Variables for the extension host process: the grep, and anything the suites read.
  const environment = {};
  for (const name of ['CTH_TEST_GREP']) if (process.env[name]) environment[name] = process.env[name];
  const target = workbenchUrl(serverUrl, { folder, extensionPath, testsPath, environment });

  const browser = await launchBrowser();
  let finished = false;
  let page;
  const finish = async (code, why) => {
    if (finished) return;
    finished = true;
    console.log(`[runner] ${why}; exit code ${code}`);
    // A hung suite is easier to understand with a picture of the workbench it hung in.
    if (code === 2 && page && process.env.CTH_SCREENSHOTS) {
      const file = path.join(process.env.CTH_SCREENSHOTS, 'extension-host-timeout.png');
      await page.screenshot({ path: file }).then(() => console.log(`[runner] screenshot: ${file}`), () => undefined);
    }
    try { await browser.close(); } catch { /* already gone */ }
    process.exit(code);
  };
  const timer = setTimeout(() => finish(2, `TIMEOUT after ${timeoutSec}s`), Number(timeoutSec) * 1000);
  browser.on('disconnected', () => finish(3, 'the browser went away'));

  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => console.error('[page error]', String(e)));
  page.on('crash', () => finish(3, 'the workbench page crashed'));
  if (verbose) page.on('console', (m) => console.log('[browser console]', m.text()));
  await page.exposeFunction('codeAutomationLog', (_type, args) => {
    const line = util.format(...(args || []));
    if (verbose || !noise.test(line)) console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', async (code) => {
    clearTimeout(timer);
    await finish(code, 'the extension host finished the tests');
  });
  console.log('[runner] opening the workbench');
  await page.goto(target);
})().catch((e) => {
  console.error('[runner] fatal', e);
  process.exit(3);
});
