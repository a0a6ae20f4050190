// The commands, called the way other extensions and keybindings call them.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  count,
  open,
  ours,
  recordsOf,
  RULE_ID,
  RULE_NAME,
  scanActive,
  waitFor,
  waitForFindings,
  webviewTabs,
} from './helpers';

describe('commands', () => {
  before(() => activateExtension());
  after(() => closeAllEditors());

  it('cloudtrailHunter.scan returns the findings and problems of the active editor', async () => {
    const editor = await open('trail/traffic-mirror.json');
    const result = await scanActive();
    assert.ok(result && 'findings' in result && 'problems' in result, `scan returned ${JSON.stringify(result)?.slice(0, 200)}`);
    assert.equal(count(result.findings), 4);
    assert.equal(count(result.problems), 0);
    await waitForFindings(editor.document.uri, 4);
  });

  it('cloudtrailHunter.scan reports the problems of a broken file', async () => {
    await open('trail/broken.json');
    const result = await scanActive();
    assert.ok(count(result.problems) >= 1, 'the broken JSON should be a problem');
    assert.ok(count(result.findings) >= 1, 'the good records should still be scanned');
  });

  it('cloudtrailHunter.clear removes the diagnostics, and a scan brings them back', async () => {
    const doc = (await open('trail/traffic-mirror.json')).document;
    await waitForFindings(doc.uri, 4);
    await vscode.commands.executeCommand('cloudtrailHunter.clear');
    await waitFor('no diagnostics after clear', () => ours(doc.uri).length === 0);
    await scanActive();
    await waitForFindings(doc.uri, 4);
  });

  it('cloudtrailHunter.revealRecord selects the record and shows it', async () => {
    const doc = (await open('trail/traffic-mirror.json')).document;
    // Start somewhere else, so that the command has to move the editor.
    await open('trail/events.jsonl');
    await vscode.commands.executeCommand('cloudtrailHunter.revealRecord', { uri: doc.uri, recordIndex: 4 });
    const editor = await waitFor('the record in the active editor', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.toString() === doc.uri.toString() ? e : undefined;
    });
    const record = recordsOf(doc)[4].range;
    assert.ok(record.contains(editor.selection.active), `cursor ${editor.selection.active.line} is not in record 4 (${record.start.line}-${record.end.line})`);
    // The renderer scrolls after the command returns; visibleRanges follow a moment later.
    await waitFor('record 4 to be scrolled into view', () => editor.visibleRanges.some((r) => r.intersection(record)));
  });

  it('cloudtrailHunter.showGuide opens one guide panel and reuses it', async () => {
    const doc = (await open('trail/traffic-mirror.json')).document;
    await waitForFindings(doc.uri, 4);
    await vscode.commands.executeCommand('cloudtrailHunter.showGuide', { ruleId: RULE_ID });
    const [tab] = await waitFor('a webview tab', () => (webviewTabs().length > 0 ? webviewTabs() : undefined));
    assert.ok(tab.label.includes(RULE_NAME) || /guide/i.test(tab.label), `webview tab label: ${tab.label}`);

    await vscode.commands.executeCommand('cloudtrailHunter.showGuide', { uri: doc.uri, recordIndex: 2 });
    await vscode.commands.executeCommand('cloudtrailHunter.showGuide', { ruleId: RULE_ID });
    assert.equal(webviewTabs().length, 1, `panels: ${webviewTabs().map((t) => t.label).join(', ')}`);
    await vscode.window.tabGroups.close(webviewTabs());
  });

  it('cloudtrailHunter.showGuide with an unknown rule id opens nothing', async () => {
    // Telling the user (a message, or a rejected command) is fine; an empty panel is not.
    await Promise.resolve(vscode.commands.executeCommand('cloudtrailHunter.showGuide', { ruleId: 'no-such-rule' })).catch(() => undefined);
    assert.equal(webviewTabs().length, 0, 'no panel for an unknown rule');
  });
});
