// Typing in a log file: debounced re-scans follow the edits; closing the file clears its findings.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  findings,
  fixture,
  open,
  ours,
  record,
  recordsOf,
  waitFor,
  waitForFindings,
  writeWorkspaceFile,
} from './helpers';

describe('editing', () => {
  before(() => activateExtension());
  after(() => closeAllEditors());

  it('a new traffic-mirror record gets a diagnostic; a failed one loses it', async () => {
    const original = await vscode.workspace.fs.readFile(fixture('trail/traffic-mirror.json'));
    const uri = await writeWorkspaceFile('generated/edit.json', new TextDecoder().decode(original));
    const editor = await open(uri);
    const doc = editor.document;
    await waitForFindings(uri, 4);

    // Append a record after the last one, the way a person pastes one in.
    const last = recordsOf(doc).at(-1)!;
    const added = record('CreateTrafficMirrorTarget', { eventID: 'e0000000-0000-4000-8000-00000000edit' });
    const insert = new vscode.WorkspaceEdit();
    insert.insert(uri, last.range.end, `,\n    ${JSON.stringify(added)}`);
    assert.ok(await vscode.workspace.applyEdit(insert));
    const after = await waitForFindings(uri, 5);
    const newRecord = recordsOf(doc)[6].range;
    const onNew = after.filter((d) => newRecord.contains(d.range));
    assert.equal(onNew.length, 1, 'the new record should carry one diagnostic');
    assert.equal(doc.getText(onNew[0].range), '"CreateTrafficMirrorTarget"');

    // Make it a failed call: event.outcome becomes failure, the rule no longer matches.
    const fail = new vscode.WorkspaceEdit();
    fail.insert(uri, newRecord.start.translate(0, 1), '"errorCode":"Client.UnauthorizedOperation",');
    assert.ok(await vscode.workspace.applyEdit(fail));
    const remaining = await waitForFindings(uri, 4);
    const lastRecord = recordsOf(doc)[6].range;
    assert.equal(remaining.filter((d) => lastRecord.contains(d.range)).length, 0);

    // Diagnostics follow lines that moved: insert a blank line at the top.
    const shift = new vscode.WorkspaceEdit();
    shift.insert(uri, new vscode.Position(0, 0), '\n');
    assert.ok(await vscode.workspace.applyEdit(shift));
    await waitFor('diagnostics on the moved eventName values', () => {
      const f = findings(uri);
      return f.length === 4 && f.every((d) => /^"CreateTrafficMirror\w+"$/.test(doc.getText(d.range)));
    });
    await doc.save();
  });

  it('closing the file clears its diagnostics', async function () {
    this.timeout(45_000);
    const uri = await writeWorkspaceFile('generated/close.json', `{"Records":[${JSON.stringify(record('CreateTrafficMirrorSession'))}]}\n`);
    // Opened the way a person opens it. A document opened through workspace.openTextDocument is
    // held by the extension host for minutes after its editor closes (no close event until then);
    // one opened by the workbench is disposed, and onDidCloseTextDocument fires, when its editor closes.
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitForFindings(uri, 1);
    let closedAt = 0;
    const sub = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.toString() === uri.toString()) closedAt = Date.now();
    });
    try {
      const t0 = Date.now();
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor('onDidCloseTextDocument for the closed file', () => closedAt > 0, 15_000);
      console.log(`      (onDidCloseTextDocument ${closedAt - t0} ms after closing the editor)`);
      await waitFor('diagnostics to clear after close', () => ours(uri).length === 0, 10_000);
    } finally {
      sub.dispose();
    }
  });

  it('deleting the file clears its diagnostics', async () => {
    const uri = await writeWorkspaceFile('generated/delete.json', `{"Records":[${JSON.stringify(record('CreateTrafficMirrorFilter'))}]}\n`);
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitForFindings(uri, 1);
    await vscode.workspace.fs.delete(uri);
    await waitFor('diagnostics to clear after delete', () => ours(uri).length === 0, 10_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
