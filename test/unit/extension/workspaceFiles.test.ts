import assert from 'node:assert/strict';
import {
  byPath,
  checkGlob,
  DEFAULT_EXCLUDE,
  DEFAULT_INCLUDE,
  isEvidence,
  isRange,
  progressMessage,
  shellQuote,
  summaryMessage,
  type WorkspaceScanSummary,
} from '../../../src/extension/workspaceFiles';

const summary = (over: Partial<WorkspaceScanSummary> = {}): WorkspaceScanSummary => ({
  files: 1000,
  scanned: 1000,
  filesWithFindings: 3,
  findings: 12,
  problems: 0,
  failed: 0,
  cancelled: false,
  ms: 4210,
  ...over,
});

describe('extension/workspaceFiles', () => {
  describe('checkGlob', () => {
    it('takes a usable glob as written (trimmed)', () => {
      assert.deepEqual(checkGlob('  logs/**/*.json.gz ', DEFAULT_INCLUDE, 'include', false), { glob: 'logs/**/*.json.gz' });
      assert.deepEqual(checkGlob('**/{a,b}/**', DEFAULT_EXCLUDE, 'exclude', true), { glob: '**/{a,b}/**' });
    });

    it('falls back to the default, with a reason, for values that cannot be a glob', () => {
      for (const bad of [42, ['**/*.json'], { a: 1 }, true]) {
        const r = checkGlob(bad, DEFAULT_INCLUDE, 'cloudtrailHunter.workspaceScan.include', false);
        assert.equal(r.glob, DEFAULT_INCLUDE);
        assert.match(r.warning ?? '', /cloudtrailHunter\.workspaceScan\.include must be a glob pattern/);
      }
      assert.match(checkGlob('**/{a,b/**', DEFAULT_INCLUDE, 'include', false).warning ?? '', /unbalanced braces/);
      assert.match(checkGlob('a}{', DEFAULT_INCLUDE, 'include', false).warning ?? '', /unbalanced braces/);
      assert.match(checkGlob('a\n**', DEFAULT_INCLUDE, 'include', false).warning ?? '', /line break/);
      assert.match(checkGlob('*'.repeat(3000), DEFAULT_INCLUDE, 'include', false).warning ?? '', /longer than/);
    });

    it('uses the default when unset, and lets only the exclude be empty', () => {
      assert.deepEqual(checkGlob(undefined, DEFAULT_INCLUDE, 'include', false), { glob: DEFAULT_INCLUDE });
      assert.deepEqual(checkGlob(null, DEFAULT_EXCLUDE, 'exclude', true), { glob: DEFAULT_EXCLUDE });
      assert.deepEqual(checkGlob('  ', DEFAULT_EXCLUDE, 'exclude', true), { glob: '' });
      const include = checkGlob('', DEFAULT_INCLUDE, 'include', false);
      assert.equal(include.glob, DEFAULT_INCLUDE);
      assert.match(include.warning ?? '', /empty/);
    });
  });

  it('orders files by path, code unit by code unit', () => {
    const paths = ['/w/b.json', '/w/a/z.json', '/w/A.json', '/w/a.json'];
    assert.deepEqual(
      paths.map((path) => ({ path })).sort(byPath).map((p) => p.path),
      ['/w/A.json', '/w/a.json', '/w/a/z.json', '/w/b.json'],
    );
  });

  it('keeps files with records, CloudTrail containers, and broken archives; leaves other JSON alone', () => {
    assert.equal(isEvidence({ shape: 'json-lines', recordCount: 3, problems: [] }, false), true);
    assert.equal(isEvidence({ shape: 's3-envelope', recordCount: 0, problems: [] }, false), true, 'an empty delivery file is still CloudTrail');
    assert.equal(isEvidence({ shape: 'unknown', recordCount: 0, problems: [] }, false), false, 'package.json and the like');
    assert.equal(isEvidence({ shape: 'unknown', recordCount: 0, problems: [{}] }, false), false, 'settings.json with comments is not ours to flag');
    assert.equal(isEvidence({ shape: 'digest', recordCount: 0, problems: [{}] }, false), false, 'digest files are not events');
    assert.equal(isEvidence({ shape: 'unknown', recordCount: 0, problems: [{}] }, true), true, 'a compressed log that breaks is worth a word');
  });

  it('counts files in the progress message, with thousands separators', () => {
    assert.equal(progressMessage(12, 1000, 0), 'Scanning 12/1,000 files');
    assert.equal(progressMessage(1, 1, 1), 'Scanning 1/1 file · 1 finding');
    assert.equal(progressMessage(1500, 20000, 3), 'Scanning 1,500/20,000 files · 3 findings');
  });

  it('sums a scan up: findings, files, problems, time', () => {
    assert.equal(summaryMessage(summary()), '12 findings in 3 files (1,000 files scanned) in 4.2 s.');
    assert.equal(summaryMessage(summary({ findings: 1, filesWithFindings: 1, files: 1, problems: 2, ms: 65_400 })), '1 finding in 1 file (1 file scanned, 2 problems reading files) in 65 s.');
    assert.equal(
      summaryMessage(summary({ cancelled: true, scanned: 12, findings: 2, filesWithFindings: 1, ms: 800 })),
      'workspace scan cancelled after 12 of 1,000 files: 2 findings in 1 file (0.8 s).',
    );
    assert.match(summaryMessage(summary({ files: 0 })), /no files in the workspace match cloudtrailHunter\.workspaceScan\.include/);
  });

  it('accepts only well-formed ranges from command arguments', () => {
    assert.equal(isRange({ start: { line: 0, character: 3 }, end: { line: 2, character: 0 } }), true);
    for (const bad of [undefined, null, 'x', {}, { start: { line: 0, character: 0 } }, { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, { start: { line: 0.5, character: 0 }, end: { line: 1, character: 0 } }, { start: { line: '1', character: 0 }, end: { line: 1, character: 0 } }]) {
      assert.equal(isRange(bad), false, JSON.stringify(bad));
    }
  });

  it('quotes a path for a POSIX shell so a file name cannot become a command', () => {
    assert.equal(shellQuote('/logs/a b.json'), "'/logs/a b.json'");
    assert.equal(shellQuote("/logs/it's $(rm -rf ~).json"), "'/logs/it'\\''s $(rm -rf ~).json'");
  });
});
