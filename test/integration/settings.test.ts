// Settings change what the extension does, and a re-scan applies them.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  count,
  findings,
  fixture,
  open,
  record,
  resetSettings,
  RULE_ID,
  scanActive,
  setSetting,
  settingSchema,
  sleep,
  waitFor,
  waitForFindings,
  writeWorkspaceFile,
} from './helpers';

const CUSTOM_RULE_ID = '5b0c6a8e-1f2d-4c3b-9a7e-0d1e2f3a4b5c';
const CUSTOM_RULE_NAME = 'Test Rule: S3 Bucket Policy Replaced';

function envelope(records: Record<string, unknown>[]): string {
  return `{"Records":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

describe('settings', () => {
  let ext: vscode.Extension<unknown>;
  before(async () => {
    ext = await activateExtension();
  });
  afterEach(async () => {
    await resetSettings();
    // Re-scan what is open so that a later test never sees diagnostics made under another setting.
    if (vscode.window.activeTextEditor) await scanActive();
  });
  after(() => closeAllEditors());

  it('autoScan: false waits for the scan command', async () => {
    await setSetting('autoScan', false);
    const uri = await writeWorkspaceFile('generated/autoscan-off.json', envelope([record('CreateTrafficMirrorTarget')]));
    await open(uri);
    await sleep(1_500);
    assert.equal(findings(uri).length, 0, 'scanned although autoScan is false');
    const result = await scanActive();
    assert.equal(count(result.findings), 1);
    await waitForFindings(uri, 1);
  });

  it('debounceMs: an edit is scanned only after the pause', async () => {
    await setSetting('debounceMs', 2_000);
    const uri = await writeWorkspaceFile('generated/debounce.json', envelope([record('CreateTrafficMirrorTarget')]));
    const editor = await open(uri);
    await waitForFindings(uri, 1);
    const end = editor.document.getText().lastIndexOf('\n]}');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, editor.document.positionAt(end), `,\n${JSON.stringify(record('CreateTrafficMirrorFilter'))}`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const t0 = Date.now();
    await sleep(700);
    assert.equal(findings(uri).length, 1, 'scanned before the debounce delay');
    await waitForFindings(uri, 2, RULE_ID, 15_000);
    assert.ok(Date.now() - t0 >= 1_800, `scanned after ${Date.now() - t0} ms, debounce is 2000 ms`);
    await editor.document.save();
  });

  it('maxFileSizeMB: a file over the limit is not scanned automatically', async function () {
    this.timeout(60_000);
    const filler = 'x'.repeat(1_000);
    const records = [record('CreateTrafficMirrorTarget')];
    for (let i = 0; i < 1_300; i++) records.push(record('DescribeInstances', { requestParameters: { note: filler } }));
    const uri = await writeWorkspaceFile('generated/big.json', envelope(records));
    const size = (await vscode.workspace.fs.stat(uri)).size;
    assert.ok(size > 1.2 * 1024 * 1024, `fixture is only ${size} bytes`);
    await setSetting('maxFileSizeMB', 1);
    await open(uri);
    await sleep(2_000);
    assert.equal(findings(uri).length, 0, 'a 1.3 MB file was scanned with maxFileSizeMB = 1');
    await resetSettings();
    await scanActive();
    await waitForFindings(uri, 1);
  });

  it('ruleFolders: rules from a folder are evaluated', async () => {
    const uri = fixture('trail/s3-policy.json');
    await open(uri);
    const before = await scanActive();
    assert.equal(count(before.findings), 0, 'no bundled rule matches PutBucketPolicy');
    await setSetting('ruleFolders', [fixture('rules-extra').fsPath]);
    const after = await waitFor('the folder rule to load', async () => {
      const r = await scanActive();
      return count(r.findings) > 0 ? r : undefined;
    });
    assert.equal(count(after.findings), 1);
    const [d] = await waitForFindings(uri, 1, CUSTOM_RULE_ID);
    assert.ok(d.message.includes(CUSTOM_RULE_NAME), d.message);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error, 'a high-severity rule is an Error by default');
  });

  it('disabledRules: a disabled rule stops reporting', async () => {
    const uri = fixture('trail/traffic-mirror.json');
    await open(uri);
    await waitForFindings(uri, 4);
    await setSetting('disabledRules', [RULE_ID]);
    const result = await scanActive();
    assert.equal(count(result.findings), 0);
    await waitFor('findings to clear', () => findings(uri).length === 0);
    await resetSettings();
    await scanActive();
    await waitForFindings(uri, 4);
  });

  it('severityOverrides: one rule can be raised to Error', async () => {
    const uri = fixture('trail/traffic-mirror.json');
    await open(uri);
    await setSetting('severityOverrides', { [RULE_ID]: 'error' });
    await scanActive();
    await waitFor('Error severity', () => {
      const f = findings(uri);
      return f.length === 4 && f.every((d) => d.severity === vscode.DiagnosticSeverity.Error);
    });
  });

  it('severityLevels: a rule severity maps to a diagnostic severity', async () => {
    const schema = settingSchema(ext, 'severityLevels');
    assert.ok(schema, 'severityLevels is not contributed');
    const uri = fixture('trail/traffic-mirror.json');
    await open(uri);
    await setSetting('severityLevels', { medium: 'information' });
    await scanActive();
    await waitFor('Information severity', () => {
      const f = findings(uri);
      return f.length === 4 && f.every((d) => d.severity === vscode.DiagnosticSeverity.Information);
    });
    // An override for the rule wins over the level of its severity.
    await setSetting('severityOverrides', { [RULE_ID]: 'hint' });
    await scanActive();
    await waitFor('Hint severity', () => {
      const f = findings(uri);
      return f.length === 4 && f.every((d) => d.severity === vscode.DiagnosticSeverity.Hint);
    });
  });

  it('a setting change re-scans open files without a command', async () => {
    const uri = fixture('trail/traffic-mirror.json');
    await open(uri);
    await waitForFindings(uri, 4);
    await setSetting('disabledRules', [RULE_ID]);
    await waitFor('findings to clear without a scan command', () => findings(uri).length === 0);
  });
});
