import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as parseToml } from 'smol-toml';
import { decodeTomlString, findLocation, lineColumnAt, locateTomlKeys } from '../../../src/core/rules/tomlPositions';

/** 1-based line/column of where `path` was located. */
function where(text: string, path: string[]) {
  const loc = findLocation(locateTomlKeys(text), path);
  assert.ok(loc, `no location for ${path.join('.')}`);
  return lineColumnAt(text, loc.offset);
}

describe('rules/tomlPositions', () => {
  describe('lineColumnAt', () => {
    it('counts lines and columns from 1, CRLF as one break', () => {
      const text = 'ab\r\ncd\nef';
      assert.deepEqual(lineColumnAt(text, 0), { line: 1, column: 1 });
      assert.deepEqual(lineColumnAt(text, 4), { line: 2, column: 1 });
      assert.deepEqual(lineColumnAt(text, 5), { line: 2, column: 2 });
      assert.deepEqual(lineColumnAt(text, 8), { line: 3, column: 2 });
    });
  });

  describe('locateTomlKeys', () => {
    it('finds keys, headers and array elements', () => {
      const text = ['[metadata]', 'a = 1', '', '[rule]', '  name = "x"  # comment', 'tags = [', '  "one",', '  "two",', ']'].join('\n');
      assert.deepEqual(where(text, ['metadata']), { line: 1, column: 1 });
      assert.deepEqual(where(text, ['metadata', 'a']), { line: 2, column: 1 });
      assert.deepEqual(where(text, ['rule']), { line: 4, column: 1 });
      assert.deepEqual(where(text, ['rule', 'name']), { line: 5, column: 3 });
      assert.deepEqual(where(text, ['rule', 'tags', '1']), { line: 8, column: 3 });
    });

    it('does not mistake the inside of multi-line strings for keys or headers', () => {
      const text = [
        '[rule]',
        'note = """',
        '[rule]',
        'name = "fake"',
        '"""',
        "other = '''",
        'severity = "fake"',
        "'''",
        'fp = [',
        '  """',
        '  risk_score = 1',
        '  """,',
        ']',
        'name = "real"',
        'severity = "low"',
        'risk_score = 5',
      ].join('\n');
      assert.deepEqual(where(text, ['rule']), { line: 1, column: 1 });
      assert.deepEqual(where(text, ['rule', 'name']), { line: 14, column: 1 });
      assert.deepEqual(where(text, ['rule', 'severity']), { line: 15, column: 1 });
      assert.deepEqual(where(text, ['rule', 'risk_score']), { line: 16, column: 1 });
      assert.equal(locateTomlKeys(text).filter((l) => l.path.length === 1).length, 1);
    });

    it('numbers arrays of tables, also nested ones', () => {
      const text = [
        '[[rule.threat]]', // 1
        'framework = "A"', // 2
        '[[rule.threat.technique]]', // 3
        'id = "T1"', // 4
        '[[rule.threat.technique]]', // 5
        'id = "T2"', // 6
        '[rule.threat.tactic]', // 7
        'id = "TA1"', // 8
        '[[rule.threat]]', // 9
        'framework = "B"', // 10
        '[[rule.threat.technique]]', // 11
        'id = "T3"', // 12
      ].join('\n');
      assert.deepEqual(where(text, ['rule', 'threat', '0', 'technique', '1', 'id']), { line: 6, column: 1 });
      assert.deepEqual(where(text, ['rule', 'threat', '0', 'tactic', 'id']), { line: 8, column: 1 });
      assert.deepEqual(where(text, ['rule', 'threat', '1']), { line: 9, column: 1 });
      assert.deepEqual(where(text, ['rule', 'threat', '1', 'technique', '0', 'id']), { line: 12, column: 1 });
      // a key that is missing points at the table it belongs in
      assert.deepEqual(where(text, ['rule', 'threat', '1', 'technique', '0', 'name']), { line: 11, column: 1 });
      // a table only defined implicitly points at the first thing under it
      assert.deepEqual(where(text, ['rule', 'name']), { line: 1, column: 1 });
    });

    it('handles quoted and dotted keys and inline tables', () => {
      const text = ['[rule]', '"quoted key" = 1', 'a.b . c = 2', 'threat = [ {framework = "F", tactic = { id = "x" }}, {framework = "G"} ]'].join('\n');
      assert.deepEqual(where(text, ['rule', 'quoted key']), { line: 2, column: 1 });
      assert.deepEqual(where(text, ['rule', 'a', 'b', 'c']), { line: 3, column: 1 });
      assert.deepEqual(where(text, ['rule', 'threat', '0', 'tactic', 'id']), { line: 4, column: 41 });
      assert.deepEqual(where(text, ['rule', 'threat', '1', 'framework']), { line: 4, column: 55 });
    });

    it('gives the offset where each value starts', () => {
      const text = "[rule]\nquery = '''\nx'''\n";
      const loc = findLocation(locateTomlKeys(text), ['rule', 'query']);
      assert.equal(loc?.valueOffset, text.indexOf("'''"));
    });
  });

  describe('decodeTomlString', () => {
    it('decodes basic strings and maps escapes back to their backslash', () => {
      const text = 'k = "a\\"b\\u00e9c"';
      const d = decodeTomlString(text, 4);
      assert.ok(d);
      assert.equal(d.value, 'a"béc');
      assert.equal(text[d.sources[1]], '\\');
      assert.equal(text[d.sources[2]], 'b');
      assert.equal(text.slice(d.sources[3], d.sources[3] + 2), '\\u');
      assert.equal(d.sources[5], text.length - 1);
      assert.equal(d.end, text.length);
    });

    it('drops the first newline of multi-line strings and honours line-ending backslashes', () => {
      const text = 'k = """\nab \\\n    cd"""';
      const d = decodeTomlString(text, 4);
      assert.ok(d);
      assert.equal(d.value, 'ab cd');
      assert.equal(text[d.sources[3]], 'c');
    });

    it('keeps up to two quotes before the closing delimiter', () => {
      const d = decodeTomlString("'''x'''''", 0);
      assert.equal(d?.value, "x''");
      assert.equal(d?.end, 9);
    });

    it('keeps literal strings as written', () => {
      const d = decodeTomlString("'''\r\na\\nb\r\n'''", 0);
      assert.equal(d?.value, 'a\\nb\r\n');
    });

    it('refuses what is not a complete string', () => {
      assert.equal(decodeTomlString('"abc', 0), undefined);
      assert.equal(decodeTomlString('"a\nb"', 0), undefined);
      assert.equal(decodeTomlString('"bad \\q escape"', 0), undefined);
      assert.equal(decodeTomlString('abc', 0), undefined);
    });

    it('agrees with smol-toml on arbitrary basic strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
          const literal = JSON.stringify(s);
          let expected: unknown;
          try {
            expected = parseToml(`k = ${literal}`).k;
          } catch {
            return; // JSON allows a few characters TOML does not (DEL); nothing to compare
          }
          const d = decodeTomlString(`k = ${literal}`, 4);
          assert.ok(d);
          assert.equal(d.value, expected);
          assert.equal(d.sources.length, d.value.length + 1);
          for (let i = 1; i < d.sources.length; i++) assert.ok(d.sources[i] >= d.sources[i - 1]);
        }),
        { numRuns: 300 },
      );
    });

    it('agrees with smol-toml on multi-line literal strings', () => {
      const unit = fc.constantFrom('a', ' ', '\n', "'", '"', '\\', 'é', '\t');
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
          const text = `k = '''${s}'''`;
          let expected: unknown;
          try {
            expected = parseToml(text).k;
          } catch {
            return; // three quotes in a row end the string early: not a valid document
          }
          assert.equal(decodeTomlString(text, 4)?.value, expected);
        }),
        { numRuns: 300 },
      );
    });
  });
});
