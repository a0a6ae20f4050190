import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PreparedRules, scanDocumentText } from '../../../src/extension/engine';
import { WorkerEngine } from '../../../src/extension/engineClient';
import { resolveFindings } from '../../../src/extension/scanView';
import { testRule } from './helpers';

// Records written for these tests: an S3 envelope, pretty-printed, with non-ASCII text before the
// match so byte offsets and UTF-16 positions differ.
function record(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ünïcødé-😀', accessKeyId: 'AKIAEXAMPLEKEY000001', userName: 'ünïcødé' },
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'widgets.amazonaws.com',
    eventName: name,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: '<img src=x onerror=alert(1)>',
    requestParameters: { note: 'ümlaut 😀' },
    ...extra,
  };
}

const text = JSON.stringify({ Records: [record('ListWidgets'), record('CreateWidget'), record('CreateWidget', { errorCode: 'AccessDenied' }), record('CreateWidget')] }, null, 2);

function positionOf(needle: string, occurrence: number): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('extension/engine', () => {
  const rule = testRule({ query: 'event.dataset:aws.cloudtrail and event.action:CreateWidget and event.outcome:success' });

  it('scans a document and maps the matched value to UTF-16 positions', () => {
    const view = scanDocumentText(text, new PreparedRules([rule]));
    assert.equal(view.shape, 's3-envelope');
    assert.equal(view.recordCount, 4);
    const findings = resolveFindings(view, [rule]);
    assert.deepEqual(
      findings.map((f) => f.recordIndex),
      [1, 3],
    );
    // The underline is the eventName value, quotes included.
    assert.deepEqual(findings[0].matched.start, positionOf('"CreateWidget"', 0));
    assert.deepEqual(findings[1].matched.start, positionOf('"CreateWidget"', 2));
    const end = findings[0].matched.end;
    assert.equal(end.character - findings[0].matched.start.character, '"CreateWidget"'.length);
    assert.equal(findings[0].fields['user_agent.original'], '<img src=x onerror=alert(1)>');
  });

  it('reports broken JSON and still scans the good records', () => {
    const broken = text.slice(0, text.lastIndexOf('"CreateWidget"') + 20);
    const view = scanDocumentText(broken, new PreparedRules([rule]));
    assert.ok(view.problems.some((p) => p.code === 'json-syntax'));
    assert.deepEqual(
      view.findings.map((f) => f.recordIndex),
      [1],
    );
  });

  describe('WorkerEngine', function () {
    this.timeout(20000);
    const script = path.join(__dirname, '../../../src/extension/scanWorker.js');
    const messages: string[] = [];
    const log = { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(m), error: (m: string) => messages.push(m) };

    it('scans on a worker thread with the rules it was given', async () => {
      const engine = new WorkerEngine(script, log as never);
      try {
        engine.setRules([rule]);
        const first = await engine.scan(text);
        assert.deepEqual(
          first.view.findings.map((f) => f.recordIndex),
          [1, 3],
        );
        assert.equal(first.rules[0], rule, 'results come back with the caller’s rule objects');
        const other = testRule({ ruleId: 'list', query: 'event.action:ListWidgets' });
        engine.setRules([other]);
        const second = await engine.scan(text);
        assert.deepEqual(
          resolveFindings(second.view, second.rules).map((f) => [f.rule.ruleId, f.recordIndex]),
          [['list', 0]],
        );
      } finally {
        engine.dispose();
      }
    });

    it('fails with a WorkerFailure when the worker script is missing', async () => {
      const engine = new WorkerEngine(path.join(__dirname, 'no-such-worker.js'), log as never);
      await assert.rejects(engine.scan(text), (e: Error) => e.constructor.name === 'WorkerFailure' && /not found/.test(e.message));
    });
  });
});
