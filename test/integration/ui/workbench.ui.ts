// The extension driven like a person would: Quick Open, the Problems panel, a hover, the command
// palette, the investigation guide webview; and hostile log values that must stay text in it.
// Runs in plain Node (scripts/vscode-test/run-ui-tests.js) against the VS Code server that
// scripts/test-integration.sh started. Screenshots: $CTH_SCREENSHOTS/NN-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';

const RULE_NAME = 'AWS EC2 Full Network Packet Capture Detected';
const HOSTILE_AGENT = `<img src=x onerror="document.title='PWNED'">`;
const HOSTILE_USER = '</script><script>window.__pwned=1</script>';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run scripts/test-integration.sh`);
  return v;
};

// The launcher shared with the extension-host runner (plain JS under scripts/).
const { launchBrowser, workbenchUrl } = require(path.resolve(__dirname, '../../../../scripts/vscode-test/browser.js')) as {
  launchBrowser(): Promise<Browser>;
  workbenchUrl(serverUrl: string, o: { folder: string; extensionPath: string }): string;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('workbench UI', function () {
  const shots = env('CTH_SCREENSHOTS');
  const workspace = env('CTH_WORKSPACE');
  let browser: Browser;
  let page: Page;
  let shot = 0;
  const dialogs: string[] = [];
  const screenshot = async (name: string) => {
    shot += 1;
    await page.screenshot({ path: path.join(shots, `${String(shot).padStart(2, '0')}-${name}.png`) });
  };

  before(async function () {
    this.timeout(120_000);
    fs.mkdirSync(shots, { recursive: true });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (e) => console.error('      [page error]', String(e).slice(0, 200)));
    // An alert() from log text would be script execution: record it, never wait on it.
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(workbenchUrl(env('CTH_SERVER_URL'), { folder: workspace, extensionPath: env('CTH_EXTENSION_PATH') }));
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
    await sleep(1_500); // let the extension host come up
    await screenshot('workbench');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const name = `failure-${(this.currentTest.title.replace(/\W+/g, '-')).slice(0, 40)}`;
      await screenshot(name).catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close();
  });

  it('opens a CloudTrail file with Quick Open', async () => {
    await quickOpen(page, 'capture.json');
    await screenshot('file-open');
  });

  it('lists the finding in the Problems panel', async () => {
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: RULE_NAME });
    await row.first().waitFor({ timeout: 30_000 });
    const text = await page.locator('.markers-panel').innerText();
    assert.ok(text.includes('CreateTrafficMirrorSession'), `Problems panel:\n${text}`);
    await screenshot('problems');
  });

  it('shows the hover card on the flagged line', async () => {
    await goToEventName(page, workspace, 'ui/capture.json', 'CreateTrafficMirrorSession');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    // The problem hover also names the rule; the card is the one with the ATT&CK technique.
    const hover = page.locator('.monaco-hover', { hasText: 'T1020' });
    await hover.first().waitFor({ timeout: 20_000 });
    const text = await hover.first().innerText();
    for (const expected of [RULE_NAME, '203.0.113.77']) assert.ok(text.includes(expected), `hover lacks ${expected}:\n${text}`);
    await screenshot('hover');
    await page.keyboard.press('Escape');
  });

  it('runs "CloudTrail Hunter: Scan for Detections" from the command palette', async () => {
    await runCommand(page, 'CloudTrail Hunter: Scan for Detections', () => screenshot('palette'));
    const text = await notification(page, /CloudTrail Hunter|finding|detection/i);
    assert.match(text, /finding|detection|match/i);
    await screenshot('scan-notification');
  });

  it('opens the investigation guide in a webview', async () => {
    await goToEventName(page, workspace, 'ui/capture.json', 'CreateTrafficMirrorSession');
    await runCommand(page, 'CloudTrail Hunter: Show Investigation Guide');
    await pickIfAsked(page, RULE_NAME);
    const frame = await frameWithText(page, 'Possible investigation steps');
    const text = await bodyText(frame);
    assert.ok(text.includes(RULE_NAME), 'the guide should name the rule');
    await frame.getByText('Possible investigation steps').first().scrollIntoViewIfNeeded().catch(() => undefined);
    await screenshot('guide');
  });

  it('shows hostile log values in the guide as text, without running them', async () => {
    await quickOpen(page, 'ui-hostile.json');
    await goToEventName(page, workspace, 'ui/ui-hostile.json', 'CreateTrafficMirrorSession');
    await runCommand(page, 'CloudTrail Hunter: Show Investigation Guide');
    await pickIfAsked(page, RULE_NAME);
    const frame = await frameWithText(page, HOSTILE_AGENT, 30_000);
    const text = await bodyText(frame);
    assert.ok(text.includes('Possible investigation steps'), 'the guide text should be there too');
    assert.ok(text.includes(HOSTILE_USER), `the user name should be shown literally:\n${text.slice(0, 2_000)}`);
    await sleep(500); // give an injected handler (img onerror) the time to fire, if there were one
    assert.equal(await frame.evaluate('typeof window.__pwned'), 'undefined', 'a script from the log ran');
    assert.equal(await frame.evaluate('document.querySelectorAll("img[onerror]").length'), 0, 'an <img onerror> from the log became an element');
    assert.equal(
      await frame.evaluate('Array.from(document.scripts).filter((s) => s.textContent.includes("__pwned")).length'),
      0,
      'a <script> from the log became an element',
    );
    for (const f of page.frames()) {
      const title = await f.evaluate('document.title').catch(() => '');
      assert.notEqual(title, 'PWNED', `frame ${f.url().slice(0, 80)} had its title changed`);
      assert.notEqual(await f.evaluate('window.__pwned').catch(() => undefined), 1);
    }
    assert.notEqual(await page.title(), 'PWNED');
    assert.deepEqual(dialogs, [], 'a dialog was opened by log text');
    await frame.getByText(HOSTILE_AGENT).first().scrollIntoViewIfNeeded().catch(() => undefined);
    await screenshot('hostile-guide');
  });
});

// ---------------------------------------------------------------------------------------------

async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 20_000 });
  await page.waitForSelector('.editor-instance .view-lines', { timeout: 20_000 });
}

/** Puts the cursor inside the eventName value of a record, with Go to Line (line:column). */
async function goToEventName(page: Page, workspace: string, file: string, eventName: string): Promise<void> {
  const lines = fs.readFileSync(path.join(workspace, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('"eventName"') && l.includes(`"${eventName}"`));
  assert.ok(line >= 0, `${file} has no ${eventName}`);
  const column = lines[line].indexOf(`"${eventName}"`) + 4;
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+1'); // focus the editor, wherever the focus was
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(`${line + 1}:${column}`);
  await sleep(300);
  await page.keyboard.press('Enter');
  await sleep(300);
}

async function runCommand(page: Page, title: string, beforeEnter?: () => Promise<void>): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title.split(': ').pop()! }).first().waitFor({ timeout: 20_000 });
  if (beforeEnter) await beforeEnter();
  await page.keyboard.press('Enter');
}

/** When a command asks which rule or finding (a quick pick), choose the one that says `text`. */
async function pickIfAsked(page: Page, text: string): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  if (await row.isVisible({ timeout: 1_500 }).catch(() => false)) await row.click();
}

/**
 * The text of a notification. In a workbench opened for extension development with the smoke-test
 * driver, a message may go straight to the notification center instead of a toast.
 */
async function notification(page: Page, pattern: RegExp): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: pattern });
  try {
    await toast.first().waitFor({ timeout: 5_000 });
    await sleep(600); // the fade-in, for the screenshot
    return await toast.first().innerText();
  } catch {
    await runCommand(page, 'Notifications: Show Notifications');
    const center = page.locator('.notifications-center .notification-list-item', { hasText: pattern });
    await center.first().waitFor({ timeout: 10_000 });
    await sleep(600);
    return center.first().innerText();
  }
}

async function bodyText(frame: Frame): Promise<string> {
  return String(await frame.evaluate('document.body ? document.body.innerText : ""'));
}

/** Webview content lives two iframes down; find the frame whose text shows `text`. */
async function frameWithText(page: Page, text: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const body = await bodyText(frame).catch(() => '');
      if (body.includes(text)) return frame;
    }
    if (Date.now() > deadline) assert.fail(`no webview frame shows "${text}" after ${timeoutMs} ms`);
    await sleep(250);
  }
}
