import assert from 'node:assert/strict';
import { KqlSyntaxError, parseKql } from '../../../src/core/kql';
import { parseRuleFile, parseRuleToml, ruleKeyPosition, RuleError } from '../../../src/core/rules';

const FILE = 'test-rules/sample.toml';

const BASE = [
  '[metadata]', // 1
  'creation_date = "2024/01/01"', // 2
  '', // 3
  '[rule]', // 4
  'author = ["Tester"]', // 5
  'description = "A rule written for the tests."', // 6
  'index = ["logs-*"]', // 7
  'language = "kuery"', // 8
  'name = "Test rule"', // 9
  'risk_score = 50', // 10
  'rule_id = "test-0001"', // 11
  'severity = "high"', // 12
  'type = "query"', // 13
  'query = "event.action:CreateUser"', // 14
];

/** BASE with the line of `key` replaced (or removed when `line` is null), and extra lines appended. */
function variant(changes: Record<string, string | null>, extra: string[] = []): string {
  const lines = BASE.flatMap((l) => {
    const key = l.split(' = ')[0];
    if (!(key in changes)) return [l];
    const to = changes[key];
    return to === null ? [] : [to];
  });
  return [...lines, ...extra].join('\n');
}

/** Runs parseRuleToml and returns the RuleError it must throw. */
function errorOf(text: string): RuleError {
  try {
    parseRuleToml(text, FILE);
  } catch (e) {
    assert.ok(e instanceof RuleError, `expected a RuleError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the rule to be rejected');
}

function expectError(text: string, line: number, column: number, message: RegExp): void {
  const e = errorOf(text);
  assert.equal(e.file, FILE);
  assert.match(e.message, message);
  assert.deepEqual({ line: e.line, column: e.column }, { line, column }, e.message);
}

describe('rules/parseRuleToml', () => {
  describe('a valid rule', () => {
    it('maps keys to the Rule model, with Elastic defaults', () => {
      const rule = parseRuleToml(BASE.join('\n'), FILE);
      assert.equal(rule.ruleId, 'test-0001');
      assert.equal(rule.name, 'Test rule');
      assert.equal(rule.description, 'A rule written for the tests.');
      assert.equal(rule.type, 'query');
      assert.equal(rule.language, 'kuery');
      assert.equal(rule.query, 'event.action:CreateUser');
      assert.deepEqual(rule.index, ['logs-*']);
      assert.equal(rule.severity, 'high');
      assert.equal(rule.riskScore, 50);
      assert.equal(rule.from, 'now-6m');
      assert.equal(rule.interval, '5m');
      assert.equal(rule.maxSignals, 100);
      assert.equal(rule.version, undefined);
      assert.equal(rule.note, undefined);
      assert.equal(rule.setup, undefined);
      assert.equal(rule.license, undefined);
      assert.deepEqual(rule.author, ['Tester']);
      assert.deepEqual(rule.falsePositives, []);
      assert.deepEqual(rule.references, []);
      assert.deepEqual(rule.tags, []);
      assert.deepEqual(rule.threat, []);
      assert.deepEqual(rule.investigationFields, []);
      assert.deepEqual(rule.exceptionsList, []);
      assert.deepEqual(rule.metadata, { creation_date: '2024/01/01' });
      assert.equal(rule.source, FILE);
    });

    it('reads the optional keys', () => {
      const rule = parseRuleToml(
        BASE.join('\n') +
          `
from = "now-20m"
interval = "7m"
max_signals = 9
version = 3
note = """## Guide
Look."""
setup = "Install it."
license = "MIT"
references = ["https://example.com/a"]
tags = ["One", "Two"]
false_positives = [
    """
    An administrator may do this
      on purpose.
    """,
]

[[rule.exceptions_list]]
id = "ex-1"
list_id = "trusted"

[rule.investigation_fields]
field_names = ["user.name", "source.ip"]
`,
        FILE,
      );
      assert.equal(rule.from, 'now-20m');
      assert.equal(rule.interval, '7m');
      assert.equal(rule.maxSignals, 9);
      assert.equal(rule.version, 3);
      assert.equal(rule.note, '## Guide\nLook.');
      assert.equal(rule.setup, 'Install it.');
      assert.equal(rule.license, 'MIT');
      assert.deepEqual(rule.references, ['https://example.com/a']);
      assert.deepEqual(rule.tags, ['One', 'Two']);
      assert.deepEqual(rule.falsePositives, ['An administrator may do this\n  on purpose.']);
      assert.deepEqual(rule.exceptionsList, [{ id: 'ex-1', list_id: 'trusted' }]);
      assert.deepEqual(rule.investigationFields, ['user.name', 'source.ip']);
    });

    it('takes the version from [metadata] when [rule] has none', () => {
      const rule = parseRuleToml(variant({ creation_date: 'version = 12' }), FILE);
      assert.equal(rule.version, 12);
    });

    it('turns TOML dates in [metadata] into strings', () => {
      const rule = parseRuleToml(variant({ creation_date: 'creation_date = 2024-02-03' }), FILE);
      assert.equal(typeof rule.metadata.creation_date, 'string');
      assert.match(String(rule.metadata.creation_date), /^2024-02-03/);
      assert.doesNotThrow(() => JSON.stringify(rule));
    });

    it('loads a file with a byte-order mark and CRLF line ends', () => {
      const rule = parseRuleToml('\uFEFF' + BASE.join('\r\n'), FILE);
      assert.equal(rule.name, 'Test rule');
      const e = errorOf('\uFEFF' + variant({ severity: 'severity = "urgent"' }).replace(/\n/g, '\r\n'));
      assert.deepEqual([e.line, e.column], [12, 1]);
    });

    it('keeps keys like __proto__ as data', () => {
      const rule = parseRuleToml(variant({ creation_date: '"__proto__" = { polluted = true }' }), FILE);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getPrototypeOf(rule.metadata), Object.prototype);
    });

    it('keeps Kibana query filters on the loaded rule', () => {
      const rule = parseRuleToml(BASE.join('\n') + '\n[[rule.filters]]\n[rule.filters.meta]\nnegate = true\n', FILE);
      assert.deepEqual(rule.filters, [{ meta: { negate: true } }]);
    });
  });

  describe('TOML syntax errors', () => {
    it('report the line and column the TOML parser stopped at', () => {
      expectError(variant({ name: 'name = "Test rule' }), 9, 18, /^invalid TOML: /);
      expectError(variant({ risk_score: 'risk_score = = 5' }), 10, 14, /^invalid TOML: /);
      expectError(variant({}, ['name = "again"']), 15, 1, /^invalid TOML: /);
      expectError('[metadata]\n\n[rule\nname = "x"\n', 3, 6, /^invalid TOML: /);
    });

    it('keep the message to one line', () => {
      const e = errorOf(variant({ name: 'name = "Test rule' }));
      assert.ok(!e.message.includes('\n'), e.message);
      assert.equal(String(e), `${FILE}:9:18: ${e.message}`);
    });
  });

  describe('validation errors name the file and the line of the key', () => {
    it('missing [rule] table', () => {
      const e = errorOf('[metadata]\ncreation_date = "2024/01/01"\n');
      assert.deepEqual([e.file, e.line, e.column], [FILE, 0, 0]);
      assert.match(e.message, /no \[rule\] table/);
      assert.equal(parseRuleFile('[project]\nname = "x"\n', FILE), undefined, 'not a rule at all');
      assert.throws(() => parseRuleToml('[project]\nname = "x"\n', FILE), /no \[rule\] table/);
      expectError('rule = "text"\n', 1, 1, /rule must be a table/);
    });

    it('missing required keys point at [rule]', () => {
      for (const key of ['name', 'rule_id', 'type', 'description', 'severity', 'risk_score', 'language', 'query']) {
        expectError(variant({ [key]: null }), 4, 1, new RegExp(`missing required key rule\\.${key}`));
      }
    });

    it('empty strings', () => {
      expectError(variant({ description: 'description = "  "' }), 6, 1, /rule\.description must not be empty/);
    });

    it('wrong types', () => {
      expectError(variant({ name: 'name = 5' }), 9, 1, /rule\.name must be a string, not number 5/);
      expectError(variant({ index: 'index = "logs-*"' }), 7, 1, /rule\.index must be an array of strings/);
      expectError(variant({ index: 'index = ["logs-*", 7]' }), 7, 20, /rule\.index\[1\] must be a string/);
      expectError(variant({}, ['tags = "Domain: Cloud"']), 15, 1, /rule\.tags must be an array of strings/);
      expectError(variant({}, ['threat = "T1020"']), 15, 1, /rule\.threat must be an array of tables/);
      expectError(variant({}, ['threat = ["T1020"]']), 15, 11, /rule\.threat\[0\] must be a table/);
      expectError(variant({}, ['max_signals = 0']), 15, 1, /rule\.max_signals must be an integer of at least 1/);
      expectError(variant({}, ['from = 60']), 15, 1, /rule\.from must be a string/);
      expectError(variant({}, ['exceptions_list = "none"']), 15, 1, /rule\.exceptions_list must be an array/);
      expectError(variant({}, ['investigation_fields = ["user.name"]']), 15, 1, /rule\.investigation_fields must be a table/);
      expectError(variant({}, ['[rule.investigation_fields]', 'field_names = "user.name"']), 16, 1, /field_names must be an array of strings/);
    });

    it('risk_score must be an integer from 0 to 100', () => {
      for (const v of ['101', '-1', '4.5', '"47"', 'true']) {
        expectError(variant({ risk_score: `risk_score = ${v}` }), 10, 1, /rule\.risk_score must be an integer from 0 to 100/);
      }
      assert.equal(parseRuleToml(variant({ risk_score: 'risk_score = 0' }), FILE).riskScore, 0);
      assert.equal(parseRuleToml(variant({ risk_score: 'risk_score = 100' }), FILE).riskScore, 100);
    });

    it('severity must be low, medium, high or critical', () => {
      expectError(variant({ severity: 'severity = "urgent"' }), 12, 1, /severity must be one of low, medium, high, critical, not "urgent"/);
      expectError(variant({ severity: 'severity = "High"' }), 12, 1, /severity must be one of/);
    });

    it('language must fit the type', () => {
      expectError(variant({ language: 'language = "sql"' }), 8, 1, /language must be one of kuery, lucene, eql, esql/);
      expectError(variant({ type: 'type = "eql"' }), 8, 1, /type "eql" needs language "eql"/);
      expectError(variant({ language: 'language = "eql"' }), 8, 1, /type "query" needs language "kuery" or "lucene"/);
    });

    it('threat entries are checked key by key', () => {
      const threat = [
        '[[rule.threat]]', // 15
        'framework = "MITRE ATT&CK"', // 16
        '[rule.threat.tactic]', // 17
        'id = "TA0001"', // 18
        'name = "Initial Access"', // 19
        '[[rule.threat]]', // 20
        'framework = "MITRE ATT&CK"', // 21
        '[[rule.threat.technique]]', // 22
        'id = "T1078"', // 23
        'name = "Valid Accounts"', // 24
        '[[rule.threat.technique]]', // 25
        'id = "T1190"', // 26
      ];
      expectError(variant({}, threat), 20, 1, /missing required table rule\.threat\[1\]\.tactic/);
      const withTactic = [...threat, '[rule.threat.tactic]', 'id = "TA0001"', 'name = "Initial Access"'];
      expectError(variant({}, withTactic), 25, 1, /missing required key rule\.threat\[1\]\.technique\[1\]\.name/);
      const badId = withTactic.map((l, i) => (i === 11 ? 'id = 1190' : l));
      expectError(variant({}, badId), 26, 1, /rule\.threat\[1\]\.technique\[1\]\.id must be a string/);
      const noFramework = ['threat = [{ tactic = { id = "TA0001", name = "Initial Access" } }]'];
      expectError(variant({}, noFramework), 15, 11, /missing required key rule\.threat\[0\]\.framework/);
    });

    it('subtechniques are checked too', () => {
      const rule = parseRuleToml(
        variant({}, [
          '[[rule.threat]]',
          'framework = "MITRE ATT&CK"',
          '[[rule.threat.technique]]',
          'id = "T1078"',
          'name = "Valid Accounts"',
          '[[rule.threat.technique.subtechnique]]',
          'id = "T1078.004"',
          'name = "Cloud Accounts"',
          '[rule.threat.tactic]',
          'id = "TA0001"',
          'name = "Initial Access"',
        ]),
        FILE,
      );
      assert.deepEqual(rule.threat[0].technique[0].subtechnique, [{ id: 'T1078.004', name: 'Cloud Accounts' }]);
      assert.deepEqual(rule.threat[0].tactic, { id: 'TA0001', name: 'Initial Access' });
    });

    it('ruleKeyPosition finds a key of [rule]', () => {
      assert.deepEqual(ruleKeyPosition(BASE.join('\n'), 'rule_id'), { line: 11, column: 1 });
    });
  });

  describe('KQL syntax errors map into the TOML file', () => {
    /** Where parseKql says the error is, within the query. */
    function kqlError(query: string): KqlSyntaxError {
      try {
        parseKql(query);
      } catch (e) {
        assert.ok(e instanceof KqlSyntaxError);
        return e;
      }
      assert.fail(`expected ${JSON.stringify(query)} not to parse`);
    }

    it('in a multi-line literal query', () => {
      const query = 'event.provider:iam.amazonaws.com and\n  event.action:)\n';
      const inner = kqlError(query);
      assert.equal(inner.line, 2, 'the only error in this query is on its second line');
      const text = variant({ query: null }, ["query = '''", query + "'''"]); // query starts on line 15
      const e = errorOf(text);
      assert.match(e.message, /^query is not valid KQL: /);
      assert.equal(e.line, 14 + inner.line);
      assert.equal(e.column, inner.column);
      assert.equal(text.split('\n')[e.line - 1].slice(e.column - 1, e.column), ')');
    });

    it('on the first line of a one-line query', () => {
      const query = 'event.action:CreateUser and (event.outcome:success';
      const inner = kqlError(query);
      const e = errorOf(variant({ query: `query = '${query}'` }));
      assert.equal(e.line, 14);
      assert.equal(e.column, "query = '".length + inner.column);
    });

    it('through escapes in a basic string', () => {
      const text = variant({ query: 'query = "event.action:\\"CreateUser\\" and \\u0065vent.outcome:)"' });
      const query = 'event.action:"CreateUser" and event.outcome:)';
      const inner = kqlError(query);
      assert.equal(query[inner.column - 1], ')');
      const e = errorOf(text);
      assert.equal(e.line, 14);
      assert.equal(text.split('\n')[13][e.column - 1], ')');
    });

    it('with CRLF line ends', () => {
      const query = 'event.provider:iam.amazonaws.com and\r\n  event.action:)\r\n';
      const text = variant({ query: null }, ["query = '''", query + "'''"]).replace(/(?<!\r)\n/g, '\r\n');
      const e = errorOf(text);
      assert.equal(e.line, 16);
      assert.equal(text.split('\r\n')[15][e.column - 1], ')');
    });

    it('are not checked for lucene, eql or esql queries', () => {
      const lucene = parseRuleToml(variant({ language: 'language = "lucene"', query: 'query = "event.action:(CreateUser"' }), FILE);
      assert.equal(lucene.language, 'lucene');
      const eql = parseRuleToml(variant({ type: 'type = "eql"', language: null, query: 'query = "any where true"' }), FILE);
      assert.equal(eql.language, 'eql', 'an eql rule defaults to language eql');
    });
  });
});
