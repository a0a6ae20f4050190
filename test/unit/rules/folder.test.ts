import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRuleFolder, findPackageRoot } from '../../../src/node/ruleFiles';

const FOLDER = path.join(findPackageRoot(), 'test/fixtures/rules/folder');
const rel = (file: string) => path.relative(FOLDER, file).split(path.sep).join('/');

describe('rules/loadRuleFolder', () => {
  const { rules, errors } = loadRuleFolder(FOLDER);

  it('loads every rule of nested folders, sorted by path', () => {
    assert.deepEqual(
      rules.map((r) => rel(r.source)),
      [
        'iam_user_created.toml',
        's3/bucket_policy_changed.toml',
        's3/nested/deep/console_login_far_away.toml',
        'types/eql_sequence.toml',
        'types/esql_many_denied.toml',
        'types/lucene_query.toml',
        'types/ml_rare_call.toml',
        'types/new_terms_first_region.toml',
        'types/threshold_failed_logins.toml',
      ],
    );
    assert.equal(rules[0].name, 'Test IAM User Created');
    assert.equal(rules[0].from, 'now-9m');
  });

  it('reports broken files with file, line and column, and still loads the others', () => {
    const byFile = new Map(errors.map((e) => [rel(e.file), e]));
    assert.deepEqual([...byFile.keys()].sort(), [
      'broken/bad_severity.toml',
      'broken/metadata_only.toml',
      'broken/stray_bracket.toml',
      'zz_copies/copy_of_iam_user_created.toml',
    ]);
    const severity = byFile.get('broken/bad_severity.toml')!;
    assert.deepEqual([severity.line, severity.column], [10, 1]);
    assert.match(severity.message, /severity/);
    const syntax = byFile.get('broken/stray_bracket.toml')!;
    assert.equal(syntax.line, 4);
    assert.match(syntax.message, /^invalid TOML/);
    assert.equal(byFile.get('broken/metadata_only.toml')!.line, 0);
  });

  it('reports a duplicate rule_id naming both files, and keeps the first', () => {
    const dup = errors.find((e) => e.file.endsWith('copy_of_iam_user_created.toml'))!;
    assert.match(dup.message, /duplicate rule_id "11111111-aaaa-4bbb-8ccc-000000000001"/);
    assert.ok(dup.message.includes(path.join(FOLDER, 'iam_user_created.toml')), dup.message);
    assert.deepEqual([dup.line, dup.column], [9, 1]);
    assert.equal(rules.filter((r) => r.ruleId === '11111111-aaaa-4bbb-8ccc-000000000001').length, 1);
    assert.equal(rules[0].name, 'Test IAM User Created');
  });

  it('skips hidden folders, non-TOML files and TOML files that are not rules', () => {
    const all = [...rules.map((r) => r.source), ...errors.map((e) => e.file)].map(rel);
    assert.ok(!all.some((f) => f.startsWith('.hidden/') || f === 'pyproject.toml' || f === 'README.md'), all.join(', '));
  });

  it('loads a single file given instead of a folder', () => {
    const one = loadRuleFolder(path.join(FOLDER, 'types/eql_sequence.toml'));
    assert.deepEqual(one.rules.map((r) => r.type), ['eql']);
    assert.deepEqual(one.errors, []);
  });

  it('reports a folder that does not exist', () => {
    const missing = path.join(FOLDER, 'no-such-folder');
    const result = loadRuleFolder(missing);
    assert.deepEqual(result.rules, []);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].file, missing);
    assert.equal(result.errors[0].line, 0);
    assert.match(result.errors[0].message, /cannot read folder: ENOENT/);
  });

  describe('on disk edge cases', () => {
    let tmp = '';
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cth-rules-'));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('survives a symlink loop and reads a linked folder once', () => {
      const inner = path.join(tmp, 'loop', 'inner');
      fs.mkdirSync(inner, { recursive: true });
      fs.copyFileSync(path.join(FOLDER, 'iam_user_created.toml'), path.join(inner, 'rule.toml'));
      fs.symlinkSync(path.join(tmp, 'loop'), path.join(inner, 'back'), 'dir');
      const result = loadRuleFolder(path.join(tmp, 'loop'));
      assert.equal(result.rules.length, 1);
      assert.deepEqual(result.errors, []);
    });

    it('reports files that are not UTF-8 text', () => {
      const dir = path.join(tmp, 'binary');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'rule.toml'), Buffer.from([0x5b, 0x72, 0xff, 0xfe, 0x00]));
      const result = loadRuleFolder(dir);
      assert.equal(result.errors.length, 1);
      assert.match(result.errors[0].message, /not valid UTF-8/);
    });
  });
});
