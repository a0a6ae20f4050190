import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KqlSyntaxError } from '../../../src/core/kql';
import { evaluability, huntRule, parseRuleToml } from '../../../src/core/rules';
import type { Rule } from '../../../src/core/types';
import { findPackageRoot } from '../../../src/node/ruleFiles';

function fixture(rel: string): Rule {
  const file = path.join(findPackageRoot(), 'test/fixtures/rules/folder', rel);
  return parseRuleToml(fs.readFileSync(file, 'utf8'), file);
}

/** A kuery rule with the given query (built directly: evaluability works on the model). */
function kuery(query: string): Rule {
  return { ...huntRule('event.action:x'), ruleId: 'r', name: 'r', query };
}

describe('rules/evaluability', () => {
  it('runs kuery query rules', () => {
    assert.equal(evaluability(fixture('iam_user_created.toml')), undefined);
    assert.equal(evaluability(fixture('s3/bucket_policy_changed.toml')), undefined);
  });

  it('loads the other rule types and says why they are not evaluated', () => {
    const cases: [string, string, RegExp][] = [
      ['types/eql_sequence.toml', 'eql', /^EQL rules are not evaluated yet/],
      ['types/esql_many_denied.toml', 'esql', /^ES\|QL rules are not evaluated yet/],
      ['types/threshold_failed_logins.toml', 'threshold', /threshold.*needs aggregation over a time window/],
      ['types/new_terms_first_region.toml', 'new_terms', /new_terms.*needs history/],
      ['types/ml_rare_call.toml', 'machine_learning', /machine_learning.*needs an ML job/],
      ['types/lucene_query.toml', 'query', /lucene queries are not supported/],
    ];
    for (const [file, type, reason] of cases) {
      const rule = fixture(file);
      assert.equal(rule.type, type);
      assert.match(evaluability(rule) ?? '', reason, file);
    }
    assert.equal(fixture('types/ml_rare_call.toml').query, undefined);
    assert.match(evaluability({ ...kuery('a:b'), type: 'saved_query' }) ?? '', /type "saved_query" are not evaluated/);
  });

  it('refuses kuery rules that read GeoIP or ASN fields', () => {
    const rule = fixture('s3/nested/deep/console_login_far_away.toml');
    assert.match(evaluability(rule) ?? '', /source\.geo\.country_iso_code.*needs GeoIP\/ASN enrichment \(MaxMind data\) that is not available offline/);
    for (const field of ['source.as.organization.name', 'destination.geo.city_name', 'client.as.number', 'host.geo.location']) {
      assert.match(evaluability(kuery(`event.action:GetObject and ${field}:*`)) ?? '', /GeoIP\/ASN enrichment/, field);
    }
    for (const field of ['source.ip', 'aws.cloudtrail.flattened.request_parameters.as', 'geo.name', 'user.name']) {
      assert.equal(evaluability(kuery(`${field}:x`)), undefined, field);
    }
  });

  it('refuses query rules that carry Kibana filters', () => {
    const text = fs.readFileSync(path.join(findPackageRoot(), 'test/fixtures/rules/folder/iam_user_created.toml'), 'utf8');
    const rule = parseRuleToml(text + '\n[[rule.filters]]\n[rule.filters.query.exists]\nfield = "user.name"\n', 'f.toml');
    assert.match(evaluability(rule) ?? '', /filters/);
  });

  describe('huntRule', () => {
    it('builds a synthetic kuery rule', () => {
      const rule = huntRule('event.action:(StopLogging or DeleteTrail)');
      assert.equal(rule.ruleId, 'hunt-query');
      assert.equal(rule.name, 'Hunt query');
      assert.equal(rule.severity, 'medium');
      assert.equal(rule.riskScore, 0);
      assert.equal(rule.type, 'query');
      assert.equal(rule.language, 'kuery');
      assert.equal(rule.source, 'query');
      assert.equal(rule.query, 'event.action:(StopLogging or DeleteTrail)');
      assert.equal(evaluability(rule), undefined);
    });

    it('throws KqlSyntaxError for a bad query', () => {
      assert.throws(() => huntRule('event.action:(StopLogging or'), (e: unknown) => e instanceof KqlSyntaxError);
    });
  });
});
