// Shared by the integration suites: where the fixtures are, how to wait for the extension's
// asynchronous work (debounced scans), and independent ways to find the expected positions
// (jsonc-parser over the document text, never the engine under test).
import assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'cloudtrail-hunter.cloudtrail-hunter';
export const SOURCE = 'CloudTrail Hunter';
export const RULE_ID = 'c1812764-0788-470f-8e74-eb4a14d47573';
export const RULE_NAME = 'AWS EC2 Full Network Packet Capture Detected';
export const CONFIG = 'cloudtrailHunter';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; fails with `what` and the last value seen. */
type Falsy = undefined | null | false | 0 | '';

export async function waitFor<T>(
  what: string,
  probe: () => T | Falsy | Promise<T | Falsy>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | Falsy = undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `error ${String(lastError)}` : `last value ${describe(last)}`;
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
    }
    await sleep(everyMs);
  }
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 300) ?? String(v);
  } catch {
    return String(v);
  }
}

export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this extension host`);
  await ext.activate();
  return ext;
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open (test/fixtures/integration)');
  return folder.uri;
}

export function fixture(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

/** Writes a file into the (temporary copy of the) fixture workspace and returns its uri. */
export async function writeWorkspaceFile(relative: string, text: string): Promise<vscode.Uri> {
  const uri = fixture(relative);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

export async function open(relativeOrUri: string | vscode.Uri): Promise<vscode.TextEditor> {
  const uri = typeof relativeOrUri === 'string' ? fixture(relativeOrUri) : relativeOrUri;
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Diagnostics of this rule (bundled seed rule) on `uri`. */
export function findings(uri: vscode.Uri, ruleId = RULE_ID): vscode.Diagnostic[] {
  return ours(uri).filter((d) => codeValue(d) === ruleId);
}

export function codeValue(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
}

/** Waits until the extension has published exactly `count` findings of the rule for `uri`. */
export function waitForFindings(uri: vscode.Uri, count: number, ruleId = RULE_ID, timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  return waitFor(`${count} finding(s) of ${ruleId} on ${uri.path.split('/').pop()}`, () => {
    const found = findings(uri, ruleId);
    return found.length === count ? found : undefined;
  }, timeoutMs);
}

/** Runs the scan command on the active editor and waits for it to be done. */
export async function scanActive(): Promise<ScanCommandResult> {
  return (await vscode.commands.executeCommand('cloudtrailHunter.scan')) as ScanCommandResult;
}

/** What cloudtrailHunter.scan returns: counts, or the lists themselves. */
export interface ScanCommandResult {
  findings: number | unknown[];
  problems: number | unknown[];
}

/** The number of findings or problems in a scan result, whichever form the command returns. */
export function count(value: number | unknown[] | undefined): number {
  if (Array.isArray(value)) return value.length;
  assert.equal(typeof value, 'number', `expected a count or a list, got ${JSON.stringify(value)}`);
  return value as number;
}

// ---------------------------------------------------------------------------------------------
// Settings: every test that changes one resets it, so that suites stay independent.

const touched = new Set<string>();

export async function setSetting(key: string, value: unknown): Promise<void> {
  touched.add(key);
  await vscode.workspace.getConfiguration(CONFIG).update(key, value, vscode.ConfigurationTarget.Workspace);
}

export async function resetSettings(): Promise<void> {
  for (const key of touched) {
    await vscode.workspace.getConfiguration(CONFIG).update(key, undefined, vscode.ConfigurationTarget.Workspace);
  }
  touched.clear();
}

/** The JSON schema the extension contributes for one of its settings. */
export function settingSchema(ext: vscode.Extension<unknown>, key: string): Record<string, unknown> | undefined {
  const configuration = (ext.packageJSON as { contributes?: { configuration?: unknown } }).contributes?.configuration;
  const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  for (const section of sections as { properties?: Record<string, Record<string, unknown>> }[]) {
    const schema = section.properties?.[`${CONFIG}.${key}`];
    if (schema) return schema;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Independent position finding: jsonc-parser over the text the editor holds.

export interface RecordLocation {
  node: jsonc.Node;
  range: vscode.Range;
}

/** Records of a {"Records": [...]} document, with their ranges. */
export function recordsOf(doc: vscode.TextDocument): RecordLocation[] {
  const root = jsonc.parseTree(doc.getText());
  const records = root && jsonc.findNodeAtLocation(root, ['Records']);
  assert.ok(records?.children, `${doc.uri.path} has no Records array`);
  return records.children.map((node) => ({ node, range: nodeRange(doc, node) }));
}

export function nodeRange(doc: vscode.TextDocument, node: jsonc.Node): vscode.Range {
  return new vscode.Range(doc.positionAt(node.offset), doc.positionAt(node.offset + node.length));
}

/** The range of the value at `path` inside record `index` (a string value's range includes its quotes). */
export function valueRange(doc: vscode.TextDocument, index: number, path: jsonc.JSONPath): vscode.Range {
  const node = jsonc.findNodeAtLocation(recordsOf(doc)[index].node, path);
  assert.ok(node, `record ${index} has no ${path.join('.')}`);
  return nodeRange(doc, node);
}

/** A position inside record `index`: on the first character of the value at `path`. */
export function positionIn(doc: vscode.TextDocument, index: number, path: jsonc.JSONPath): vscode.Position {
  return valueRange(doc, index, path).start.translate(0, 1);
}

// ---------------------------------------------------------------------------------------------
// Hovers and tabs

export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position)) as vscode.Hover[];
  return (hovers ?? []).flatMap((h) =>
    h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')),
  );
}

/**
 * Our hover cards, as a reader sees their text (Markdown backslash escapes removed): other
 * providers (the JSON language features) may answer too.
 */
export async function ourHovers(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  return (await hoverText(uri, position))
    .map(unescapeMarkdown)
    .filter((t) => t.includes(RULE_NAME) || t.includes(SOURCE) || t.includes(RULE_ID));
}

/** Drops CommonMark backslash escapes (a backslash before ASCII punctuation), as rendering does. */
export function unescapeMarkdown(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

export function webviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
}

export async function closeAllEditors(): Promise<void> {
  // Nothing may stay dirty, or closing would ask to save.
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && !doc.isUntitled) await doc.save();
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** A minimal CloudTrail record, compact, for generated files. */
export function record(eventName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLECAROL0001',
      arn: 'arn:aws:iam::111122223333:user/carol',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLECAROL0001',
      userName: 'carol',
    },
    eventTime: '2024-05-15T08:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'eu-central-1',
    sourceIPAddress: '198.51.100.200',
    userAgent: 'aws-sdk-go-v2/1.25.0',
    requestParameters: { CreateTrafficMirrorSessionRequest: { SessionNumber: 7 } },
    responseElements: null,
    eventID: 'c0ffee00-0000-4000-8000-000000000000',
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  };
}
