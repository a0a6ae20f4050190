// Rules and queries from outside: a rules folder or a --query is text someone else wrote. Broken,
// huge or deliberately deep input must end in a clear error that says where (file:line:column, or
// the query's column), never in a stack overflow, a hang or a silent skip; and wildcard matching
// must stay linear in the size of the value.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { documentView } from '../../../src/core/ecs';
import { evaluateKql, KqlSyntaxError, parseKql, WildcardPattern } from '../../../src/core/kql';
import { parseRuleFile, RuleError } from '../../../src/core/rules';
import { prepareRules, scanBytes } from '../../../src/core/scan';
import { huntRule } from '../../../src/core/rules';
import { terminalSafe } from '../../../src/core/report';
import { assertNoUnsafe, enc, runCli, tempDir } from './helpers';

/** A valid query rule; `extra` lines are appended to the [rule] table, `query` replaces the query. */
function ruleToml(opts: { id?: string; name?: string; query?: string; type?: string; extra?: string[]; omit?: string[] } = {}): string {
  const fields: [string, string][] = [
    ['name', `"${opts.name ?? 'Robustness test rule'}"`],
    ['rule_id', `"${opts.id ?? 'robust-0000-0000-0000-000000000001'}"`],
    ['description', '"A rule written for the robustness tests."'],
    ['type', `"${opts.type ?? 'query'}"`],
    ['language', '"kuery"'],
    ['severity', '"medium"'],
    ['risk_score', '47'],
    ['index', '["logs-aws.cloudtrail-*"]'],
  ];
  const lines = ['[metadata]', 'creation_date = "2026/01/01"', '', '[rule]'];
  for (const [k, v] of fields) if (!opts.omit?.includes(k)) lines.push(`${k} = ${v}`);
  lines.push(...(opts.extra ?? []));
  lines.push(`query = '''`, opts.query ?? 'event.dataset:aws.cloudtrail and event.action:CreateTrafficMirrorSession', `'''`, '');
  return lines.join('\n');
}

/** Line (1-based) of the first line of `text` that starts with `prefix`. */
function lineOf(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${prefix}`);
  return i + 1;
}

interface Case {
  file: string;
  text: string | Uint8Array;
  /** Expected line and column; column undefined: any column >= 1. line 0: the file as a whole. */
  line: number;
  column?: number;
  message: RegExp;
}

const DEEP = 10_000;
const MB = 1 << 20;

function brokenRules(): Case[] {
  const cases: Case[] = [];
  const add = (file: string, text: string | Uint8Array, line: number, message: RegExp, column?: number) => cases.push({ file, text, line, column, message });

  let t = ruleToml().replace('name = "Robustness test rule"', 'name = "unterminated');
  add('invalid_toml.toml', t, lineOf(t, 'name = '), /invalid TOML/);
  t = ruleToml().replace('[rule]', '[rule');
  add('stray_bracket.toml', t, lineOf(t, '[rule'), /invalid TOML/);
  t = ruleToml({ omit: ['rule_id'] });
  add('missing_rule_id.toml', t, lineOf(t, '[rule]'), /missing required key rule\.rule_id/);
  t = ruleToml({ omit: ['severity'] });
  add('missing_severity.toml', t, lineOf(t, '[rule]'), /missing required key rule\.severity/);
  t = ruleToml().replace('risk_score = 47', 'risk_score = "high"');
  add('wrong_type.toml', t, lineOf(t, 'risk_score'), /risk_score must be an integer/, 1);
  t = ruleToml().replace('severity = "medium"', 'severity = "catastrophic"');
  add('bad_severity.toml', t, lineOf(t, 'severity'), /severity must be one of/, 1);
  t = ruleToml({ omit: ['language'] });
  add('no_language.toml', t, lineOf(t, '[rule]'), /language/);
  // queries: the position is the query's own character, mapped into the file
  t = ruleToml({ query: 'event.action:(CreateTrafficMirrorSession or' });
  // (a multi-line TOML string keeps the query's last line break: the end of the query is the start of the closing line)
  add('query_unclosed.toml', t, lineOf(t, "'''"), /query is not valid KQL/, 1);
  t = ruleToml({ query: 'event.action:X and\n  event.outcome:)' });
  add('query_line_two.toml', t, lineOf(t, "query = '''") + 2, /query is not valid KQL: Expected/, 17);
  t = ruleToml({ query: '('.repeat(DEEP) + 'a:b' + ')'.repeat(DEEP) });
  add('query_10000_parens.toml', t, lineOf(t, "query = '''") + 1, /too deeply nested/, 101);
  t = ruleToml({ query: 'not '.repeat(DEEP) + 'a:b' });
  add('query_10000_nots.toml', t, lineOf(t, "query = '''") + 1, /query is not valid KQL/, 5);
  t = ruleToml({ query: 'a:{'.repeat(DEEP) + 'b:c' + '}'.repeat(DEEP) });
  add('query_10000_nested.toml', t, lineOf(t, "query = '''") + 1, /too deeply nested/, 303);
  t = ruleToml({ query: 'event.action:(' + 'x or '.repeat(MB / 5) });
  add('query_1mb_unclosed.toml', t, lineOf(t, "'''"), /query is not valid KQL/, 1);
  // TOML that is deep or strange
  t = ruleToml({ extra: ['x = ' + '['.repeat(100_000) + ']'.repeat(100_000)] });
  add('toml_deep_arrays.toml', t, lineOf(t, 'x = '), /invalid TOML/);
  t = ruleToml({ extra: ['x = ' + '{a='.repeat(100_000) + '1' + '}'.repeat(100_000)] });
  add('toml_deep_tables.toml', t, lineOf(t, 'x = '), /invalid TOML/);
  t = ruleToml({ extra: ['note = "a\u0000b"'] });
  add('toml_nul.toml', t, lineOf(t, 'note = '), /invalid TOML/);
  t = ruleToml({ extra: ['note = "\u001b[31m"'] });
  add('toml_escape_char.toml', t, lineOf(t, 'note = '), /invalid TOML/);
  t = ruleToml().replace('[rule]', '[rule]\n[rule]');
  add('toml_duplicate_table.toml', t, lineOf(t, '[rule]') + 1, /invalid TOML/);
  // files the loader refuses as a whole: named, with line 0
  add('not_utf8.toml', new Uint8Array([...enc(ruleToml().slice(0, 60)), 0xff, 0xfe, ...enc(ruleToml().slice(60))]), 0, /not valid UTF-8/);
  add('huge.toml', ruleToml({ extra: [`note = "${'n'.repeat(5 * MB)}"`] }), 0, /more than the \d+ a rule file may have/);
  add('png.toml', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), 0, /not valid UTF-8|invalid TOML/);
  return cases;
}

describe('robustness: rules and queries from outside', function () {
  this.timeout(60000);

  describe('a rules folder full of broken files', () => {
    const cases = brokenRules();
    let dir: string;
    let run: { code: number; stdout: string; stderr: string };

    before(async () => {
      dir = tempDir('cth-rules-');
      const rules = path.join(dir, 'rules');
      fs.mkdirSync(rules);
      for (const c of cases) fs.writeFileSync(path.join(rules, c.file), c.text);
      // good rules beside them: one that matches, one huge (1 MB query) and one of an unknown type
      fs.writeFileSync(path.join(rules, 'good.toml'), ruleToml({ id: 'good-1' }));
      const huge = Array.from({ length: 60_000 }, (_, i) => `event.action:Nope${i}`).join(' or ') + ' or event.action:CreateTrafficMirrorTarget';
      fs.writeFileSync(path.join(rules, 'good_1mb_query.toml'), ruleToml({ id: 'good-2', name: 'Huge query', query: huge }));
      fs.writeFileSync(path.join(rules, 'unknown_type.toml'), ruleToml({ id: 'good-3', name: 'Quantum rule', type: 'quantum' }));
      fs.writeFileSync(
        path.join(dir, 'log.jsonl'),
        ['CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget'].map((n) => JSON.stringify({ eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: n, awsRegion: 'us-east-1' })).join('\n') + '\n',
      );
      run = await runCli(['scan', 'log.jsonl', '--no-bundled-rules', '--rules', 'rules', '--format', 'json'], dir);
    });

    it('parseRuleFile: each broken file is a RuleError at the right line and column (no other exception)', () => {
      for (const c of cases) {
        if (typeof c.text !== 'string' || c.line === 0) continue; // bytes and sizes are the loader's to refuse
        let error: unknown;
        try {
          parseRuleFile(c.text, c.file);
        } catch (e) {
          error = e;
        }
        assert.ok(error instanceof RuleError, `${c.file}: ${String(error)}`);
        assert.equal(error.file, c.file);
        assert.match(error.message, c.message, c.file);
        assert.equal(error.line, c.line, `${c.file}: ${error.message}`);
        if (c.column !== undefined) assert.equal(error.column, c.column, `${c.file}: ${error.message}`);
        else assert.ok(error.column >= 1, `${c.file}: column ${error.column}`);
      }
    });

    it('the CLI names every broken file with line:column, exits 2, and still runs the good rules', () => {
      assert.equal(run.code, 2, run.stderr);
      assertNoUnsafe(run.stderr, 'stderr');
      const lines = run.stderr.split('\n');
      for (const c of cases) {
        const where = path.join('rules', c.file) + (c.line > 0 ? `:${c.line}:${c.column ?? ''}` : ':');
        const line = lines.find((l) => l.includes(`error: ${where}`));
        assert.ok(line, `no error for ${where} in:\n${run.stderr.slice(0, 3000)}`);
        assert.match(line, c.message);
        // a 1 MB file or query is not echoed back whole
        assert.ok(line.length < 1000, `${c.file}: an error line of ${line.length} characters`);
      }
      const out = JSON.parse(run.stdout) as { findings: { rule: { id: string } }[]; notEvaluated: { ruleId: string; reason: string }[] };
      assert.deepEqual(out.findings.map((f) => f.rule.id).sort(), ['good-1', 'good-2']);
      assert.deepEqual(out.notEvaluated.map((n) => n.ruleId), ['good-3']);
      assert.match(out.notEvaluated[0].reason, /"quantum"/);
    });
  });

  describe('--query from the command line', () => {
    let dir: string;
    before(() => {
      dir = tempDir('cth-query-');
      fs.writeFileSync(path.join(dir, 'log.json'), JSON.stringify({ Records: [{ eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'CreateTrafficMirrorSession', userAgent: 'x'.repeat(MB) }] }));
    });

    const huge = 'event.action:(' + 'x or '.repeat(MB / 5);
    const cases: [string, string, number, number, RegExp][] = [
      ['10,000 parentheses', '('.repeat(DEEP) + 'a:b' + ')'.repeat(DEEP), 1, 101, /too deeply nested/],
      ['10,000 NOTs', 'not '.repeat(DEEP) + 'a:b', 1, 5, /Expected/],
      ['10,000 value-list parentheses', 'a:' + '('.repeat(DEEP) + 'b' + ')'.repeat(DEEP), 1, 103, /too deeply nested/],
      ['10,000 nested field queries', 'a:{'.repeat(DEEP) + 'b:c' + '}'.repeat(DEEP), 1, 303, /too deeply nested/],
      ['1 MB, broken at its end', huge, 1, huge.length + 1, /but end of input found/],
      ['broken on its second line, after a CR', 'a:b and\r c:d and\n  e:)', 2, 5, /Expected/],
      ['control characters and bidi overrides', 'a:"\u001b[31m" and b:\u202e)', 1, 18, /Expected/],
    ];
    for (const [what, query, line, column, message] of cases) {
      it(`${what}: exit 2 with the line and column, a caret under it, and nothing scanned`, async () => {
        const r = await runCli(['scan', 'log.json', '--query', query], dir);
        assert.equal(r.code, 2, r.stderr.slice(0, 500));
        assert.equal(r.stdout, '');
        assertNoUnsafe(r.stderr, 'stderr');
        const [first, shown, caret] = r.stderr.split('\n');
        assert.match(first, new RegExp(`^cloudtrail-hunter: error: --query: line ${line}, column ${column}: `));
        assert.match(first, message);
        assert.ok(shown.length < 200 && caret.length < 200, 'the query line is shown around the error, not whole');
        // the caret is under the character the column names, as printed (or just past the line's end)
        const text = query.split('\n')[line - 1];
        const under = shown.slice(caret.indexOf('^'));
        if (column - 1 < text.length) assert.ok(under.startsWith(terminalSafe(text[column - 1])), `${shown}\n${caret}`);
        else assert.equal(under, '', `${shown}\n${caret}`);
      });
    }

    it('a valid 1 MB query runs, over a record with a 1 MB value', async () => {
      const query = Array.from({ length: 50_000 }, (_, i) => `user_agent.original:y${i}*`).join(' or ') + ' or user_agent.original:*x*x*x*x*x*x*';
      assert.ok(query.length > MB);
      const r = await runCli(['scan', 'log.json', '--no-bundled-rules', '--query', query, '--format', 'json'], dir);
      assert.equal(r.code, 1, r.stderr.slice(0, 500));
      assert.equal((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length, 1);
    });
  });

  describe('parseKql on deep and huge input', () => {
    it('refuses deep nesting with a KqlSyntaxError at the first level too deep, whatever the kind of group', () => {
      for (const n of [101, 1000, DEEP, 100_000]) {
        // [text, where the 101st group opens]
        const shapes: [string, number][] = [
          ['('.repeat(n) + 'a:b' + ')'.repeat(n), 100],
          ['a:' + '('.repeat(n) + 'b' + ')'.repeat(n), 102],
          ['a:{'.repeat(n) + 'b:c' + '}'.repeat(n), 302],
          ['not ('.repeat(n) + 'a:b' + ')'.repeat(n), 504],
        ];
        for (const [q, offset] of shapes) {
          assert.throws(
            () => parseKql(q),
            (e: unknown) => e instanceof KqlSyntaxError && /too deeply nested/.test(e.message) && e.offset === offset && e.column === offset + 1,
            `${q.slice(0, 12)}... x ${n}`,
          );
        }
      }
    });

    it('accepts 100 levels, the limit, and evaluates them', () => {
      const q = parseKql('('.repeat(100) + 'event.action:X' + ')'.repeat(100));
      assert.equal(evaluateKql(q, documentView({ event: { action: 'X' } })), true);
    });

    it('parses a 1 MB query of 100,000 terms in time linear in its length', () => {
      const query = (n: number) => Array.from({ length: n }, (_, i) => `f${i}:v${i}`).join(' or ');
      assertLinear(
        (n) => {
          const q = query(n);
          return () => parseKql(q);
        },
        12_500,
        'parseKql of an OR chain',
      );
      const q = parseKql(query(100_000));
      assert.equal(q.type === 'or' && q.children.length, 100_000);
    });
  });

  describe('wildcards built to explode', () => {
    const patterns = ['*a*a*a*a*a*a*b', '*'.repeat(100), '*'.repeat(100) + 'b', 'a*'.repeat(50) + 'b', '*' + 'a'.repeat(1000) + 'b*', '*b' + 'a'.repeat(1000) + '*'];
    for (const text of patterns) {
      it(`${JSON.stringify(text.length > 40 ? text.slice(0, 37) + '...' : text)} against values of 256 KiB and 1 MiB: linear`, () => {
        const pattern = WildcardPattern.fromText(text);
        assertLinear(
          (n) => {
            const value = 'a'.repeat(n);
            return () => pattern.test(value);
          },
          256 * 1024,
          text,
        );
        // and the answers are right
        assert.equal(pattern.test('a'.repeat(MB)), /^\**$/.test(text));
      });
    }

    it('a query of thousands of values over records of 1 MiB: time linear in query plus record, not their product', () => {
      // 4x the query and 4x the record: a literal-by-literal search of every record would take 16x
      assertLinear(
        (n) => {
          const rs = prepareRules([huntRule(Array.from({ length: n / 64 }, (_, i) => `event.action:Create${i}`).join(' or '))]);
          const bytes = enc(JSON.stringify({ Records: [{ eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'Describe', userAgent: 'a'.repeat(n) }] }));
          return () => assert.equal(scanBytes(bytes, rs).findings.length, 0);
        },
        64 * 1024,
        'scan with a large query',
        3,
      );
    });

    it('through a whole scan: a wildcard hunt over records with 1 MiB values stays linear in the file', () => {
      const rs = prepareRules([huntRule('user_agent.original:*a*a*a*a*a*a*b or user.name:' + '*'.repeat(100) + 'b')]);
      const file = (n: number) =>
        enc(JSON.stringify({ Records: [0, 1, 2, 3].map((i) => ({ eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: `E${i}`, userAgent: 'a'.repeat(n), userIdentity: { userName: 'a'.repeat(n) } })) }));
      assertLinear(
        (n) => {
          const bytes = file(n);
          return () => assert.equal(scanBytes(bytes, rs).findings.length, 0);
        },
        256 * 1024,
        'scan',
      );
    });
  });
});

/**
 * Time for size n and 4n (best of `runs`) must grow about 4x, not 16x: the factor allowed is
 * generous (10) for a shared machine, and a failing pair is measured again before it counts.
 */
function assertLinear(make: (n: number) => () => unknown, n: number, what: string, runs = 3): void {
  const best = (f: () => unknown): number => {
    let min = Infinity;
    for (let k = 0; k < runs; k++) {
      const t0 = process.hrtime.bigint();
      f();
      min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return min;
  };
  const small = make(n);
  const large = make(4 * n);
  let ratio = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const a = best(small);
    const b = best(large);
    // below a millisecond the clock and the JIT dominate: count it as a millisecond
    ratio = Math.max(b, 1) / Math.max(a, 1);
    if (ratio < 10) return;
  }
  assert.fail(`${what}: 4x the input took ${ratio.toFixed(1)}x the time (quadratic would be 16x)`);
}
