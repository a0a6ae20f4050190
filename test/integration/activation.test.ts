// The extension loads in a real VS Code and declares what users reach it through.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, CONFIG, EXTENSION_ID, settingSchema } from './helpers';

const COMMANDS = [
  'cloudtrailHunter.scan',
  'cloudtrailHunter.showGuide',
  'cloudtrailHunter.clear',
  'cloudtrailHunter.revealRecord',
  'cloudtrailHunter.scanWorkspace',
  'cloudtrailHunter.openDecompressed',
  'cloudtrailHunter.openFinding',
];
const SETTINGS = [
  'autoScan',
  'debounceMs',
  'maxFileSizeMB',
  'ruleFolders',
  'disabledRules',
  'severityLevels',
  'severityOverrides',
  'workspaceScan.include',
  'workspaceScan.exclude',
];

describe('activation', () => {
  it('runs in a real VS Code extension host', () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    console.log(`  (VS Code ${vscode.version}, ${vscode.env.appName}, remote ${vscode.env.remoteName ?? 'none'})`);
  });

  it(`activates ${EXTENSION_ID}`, async () => {
    const ext = await activateExtension();
    assert.equal(ext.isActive, true);
  });

  it('registers its commands', async () => {
    await activateExtension();
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMANDS) assert.ok(all.has(id), `command ${id} is not registered`);
  });

  it('gives every contributed command a category', async () => {
    const ext = await activateExtension();
    const commands = (ext.packageJSON.contributes?.commands ?? []) as { command: string; title: string; category?: string }[];
    for (const id of COMMANDS) assert.ok(commands.some((c) => c.command === id), `${id} is not in contributes.commands`);
    for (const c of commands) assert.equal(c.category, 'CloudTrail Hunter', `${c.command} has category ${c.category}`);
    const titles = commands.map((c) => `${c.category}: ${c.title}`);
    assert.ok(titles.includes('CloudTrail Hunter: Scan for Detections'), titles.join(' | '));
    assert.ok(titles.includes('CloudTrail Hunter: Show Investigation Guide'), titles.join(' | '));
    assert.ok(titles.includes('CloudTrail Hunter: Scan Workspace for Detections'), titles.join(' | '));
  });

  it('contributes the CloudTrail Findings view with refresh and clear in its title', async () => {
    const ext = await activateExtension();
    const contributes = ext.packageJSON.contributes ?? {};
    const views = Object.values(contributes.views ?? {}).flat() as { id: string; name: string }[];
    assert.ok(views.some((v) => v.id === 'cloudtrailHunter.findings' && v.name === 'CloudTrail Findings'), JSON.stringify(views));
    const title = (contributes.menus?.['view/title'] ?? []) as { command: string; when: string }[];
    for (const command of ['cloudtrailHunter.scanWorkspace', 'cloudtrailHunter.clear']) {
      assert.ok(title.some((m) => m.command === command && m.when.includes('cloudtrailHunter.findings')), `${command} is not in the view's title`);
    }
    // The view can be shown (the command exists once the view is registered).
    await vscode.commands.executeCommand('cloudtrailHunter.findings.focus');
  });

  it('contributes its settings', async () => {
    const ext = await activateExtension();
    for (const key of SETTINGS) assert.ok(settingSchema(ext, key), `setting ${CONFIG}.${key} is not contributed`);
    assert.equal(vscode.workspace.getConfiguration(CONFIG).get('autoScan'), true, 'autoScan should be on by default');
    assert.equal(vscode.workspace.getConfiguration(CONFIG).get('workspaceScan.include'), '**/*.{json,jsonl,ndjson,json.gz}');
    assert.equal(vscode.workspace.getConfiguration(CONFIG).get('workspaceScan.exclude'), '**/{node_modules,.git}/**');
  });
});
