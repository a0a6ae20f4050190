// Restricted Mode: the workspace (test/fixtures/integration/untrusted) is opened with workspace trust
// enabled and stays untrusted. Its .vscode/settings.json tries to add a rule folder, disable the
// bundled rule and lower its severity to a hint; none of that may take effect, the bundled rule must
// still scan (opening evidence someone handed you is the point), and the user must be told.
import assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import { activateExtension, CONFIG, findings, fixture, ours, RULE_ID, scanActive, count, open, waitForFindings, sleep } from '../helpers';

const EXTRA_RULE_ID = '9d3e7f10-2a4b-4c5d-8e6f-7a8b9c0d1e2f';
const EVIDENCE = 'evidence.json';
const RESTRICTED = ['ruleFolders', 'disabledRules', 'severityOverrides'];

interface Api {
  scanWorkspace(options?: unknown): Promise<{ files: number; findings: number; failed: number } | undefined>;
  trustNotice?: () => string | undefined;
}

describe('untrusted workspace (Restricted Mode)', function () {
  let api: Api;

  before(async function () {
    // Everything below is meaningless in a trusted workspace: stop with a clear reason.
    assert.equal(
      vscode.workspace.isTrusted,
      false,
      'the workspace is trusted: the untrusted stage must start the server without --disable-workspace-trust and must not trust the folder',
    );
    api = (await activateExtension()).exports as Api;
  });

  it('is untrusted, and the fixture really asks for all three restricted settings', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    // Read the file itself: VS Code hides these workspace values from the configuration API here.
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(fixture('.vscode/settings.json')));
    const errors: jsonc.ParseError[] = [];
    const settings = jsonc.parse(text, errors) as Record<string, unknown>;
    assert.deepEqual(errors, [], 'fixture .vscode/settings.json does not parse');
    assert.deepEqual(settings[`${CONFIG}.ruleFolders`], ['rules-extra']);
    assert.deepEqual(settings[`${CONFIG}.disabledRules`], [RULE_ID]);
    assert.deepEqual(settings[`${CONFIG}.severityOverrides`], { [RULE_ID]: 'hint' });
    // None of them reaches the extension through the configuration API.
    const config = vscode.workspace.getConfiguration(CONFIG);
    assert.deepEqual(config.get('ruleFolders'), []);
    assert.deepEqual(config.get('disabledRules'), []);
    assert.deepEqual(config.get('severityOverrides'), {});
  });

  it('declares limited support and the restricted settings in package.json', () => {
    const ext = vscode.extensions.getExtension('cloudtrail-hunter.cloudtrail-hunter');
    const declared = (ext?.packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } } })
      .capabilities?.untrustedWorkspaces;
    assert.equal(declared?.supported, 'limited');
    for (const key of RESTRICTED) assert.ok(declared?.restrictedConfigurations?.includes(`${CONFIG}.${key}`), `${CONFIG}.${key} is not a restrictedConfiguration`);
  });

  it('still reports the bundled rule on opened evidence, at its own severity, and nothing from the workspace rule folder', async () => {
    const uri = fixture(EVIDENCE);
    await open(uri);
    // Only the first record (successful CreateTrafficMirrorSession) matches the bundled rule.
    const [d] = await waitForFindings(uri, 1, RULE_ID);
    assert.equal(d.range.start.line, 13, `finding at ${d.range.start.line + 1}:${d.range.start.character + 1}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning, 'severityOverrides from the untrusted workspace lowered the severity');
    // A scan that finished with the bundled finding also ran every other loaded rule.
    const result = await scanActive();
    assert.equal(count(result.findings), 1, `scan command result ${JSON.stringify(result)}`);
    await sleep(300);
    assert.deepEqual(findings(uri, EXTRA_RULE_ID), [], 'a rule from the untrusted workspace rule folder reported a finding');
    assert.deepEqual(
      ours(uri).map((x) => x.code && typeof x.code === 'object' ? x.code.value : x.code),
      [RULE_ID],
      ours(uri).map((x) => x.message).join(' | '),
    );
  });

  it('scans the workspace with the bundled rule only', async () => {
    const summary = await api.scanWorkspace();
    assert.ok(summary, 'scanWorkspace returned nothing');
    assert.equal(summary.failed, 0);
    assert.equal(summary.findings, 1, JSON.stringify(summary));
    assert.deepEqual(findings(fixture(EVIDENCE), EXTRA_RULE_ID), []);
  });

  it('tells the user which workspace settings are ignored', () => {
    assert.equal(typeof api.trustNotice, 'function', 'the extension API has no trustNotice()');
    const notice = api.trustNotice!();
    assert.ok(notice, 'no notice in an untrusted workspace');
    assert.match(notice, /not trusted/);
    assert.match(notice, /bundled rules only/);
    for (const key of RESTRICTED) assert.ok(notice.includes(`${CONFIG}.${key}`), `the notice does not mention ${CONFIG}.${key}: ${notice}`);
  });
});
