import assert from 'node:assert/strict';
import { DEFAULT_SEVERITY_LEVELS, levelFor, parseLevel, readSeveritySettings } from '../../../src/extension/severity';

describe('extension/severity', () => {
  it('maps rule severities to the documented defaults', () => {
    const { settings, warnings } = readSeveritySettings(undefined, undefined);
    assert.deepEqual(warnings, []);
    assert.equal(levelFor({ ruleId: 'a', severity: 'low' }, settings), 'information');
    assert.equal(levelFor({ ruleId: 'a', severity: 'medium' }, settings), 'warning');
    assert.equal(levelFor({ ruleId: 'a', severity: 'high' }, settings), 'error');
    assert.equal(levelFor({ ruleId: 'a', severity: 'critical' }, settings), 'error');
    assert.deepEqual(settings.levels, DEFAULT_SEVERITY_LEVELS);
  });

  it('applies configured levels and per-rule overrides, override first', () => {
    const { settings } = readSeveritySettings({ medium: 'Error', low: 'hint' }, { 'rule-1': 'information' });
    assert.equal(levelFor({ ruleId: 'rule-2', severity: 'medium' }, settings), 'error');
    assert.equal(levelFor({ ruleId: 'rule-2', severity: 'low' }, settings), 'hint');
    assert.equal(levelFor({ ruleId: 'rule-1', severity: 'medium' }, settings), 'information');
    assert.equal(levelFor({ ruleId: 'rule-2', severity: 'high' }, settings), 'error');
  });

  it('ignores bad entries with a message naming the setting, keeping the defaults', () => {
    const { settings, warnings } = readSeveritySettings({ medium: 'loud', extreme: 'error' }, { r: 7, s: 'warn' });
    assert.equal(settings.levels.medium, 'warning');
    assert.equal(settings.overrides.get('s'), 'warning');
    assert.equal(settings.overrides.has('r'), false);
    assert.equal(warnings.length, 3);
    assert.ok(warnings.some((w) => w.includes('severityLevels.medium')));
    assert.ok(warnings.some((w) => w.includes('"extreme"')));
    assert.ok(warnings.some((w) => w.includes('severityOverrides["r"]')));
  });

  it('tolerates settings of the wrong type', () => {
    for (const bad of [null, 'error', 42, ['error']]) {
      const { settings } = readSeveritySettings(bad, bad);
      assert.deepEqual(settings.levels, DEFAULT_SEVERITY_LEVELS);
      assert.equal(settings.overrides.size, 0);
    }
  });

  it('parses level names case-insensitively, with short aliases', () => {
    assert.equal(parseLevel(' Warning '), 'warning');
    assert.equal(parseLevel('info'), 'information');
    assert.equal(parseLevel('fatal'), undefined);
    assert.equal(parseLevel(undefined), undefined);
  });
});
