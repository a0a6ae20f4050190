import assert from 'node:assert/strict';
import { KqlSyntaxError, MAX_DEPTH, parseKql } from '../../../src/core/kql';

function errorOf(query: string): KqlSyntaxError {
  try {
    parseKql(query);
  } catch (e) {
    assert.ok(e instanceof KqlSyntaxError, `not a KqlSyntaxError: ${String(e)}`);
    return e;
  }
  assert.fail(`parsed without error: ${JSON.stringify(query)}`);
}

describe('kql syntax errors', () => {
  describe("Kibana's messages and positions", () => {
    // The same cases Kibana's kuery_syntax_error tests pin down, with its exact wording.
    const cases: [string, string, number][] = [
      ['response:', 'Expected "(", "{", value, whitespace but end of input found.', 9],
      ['response:200 or ', 'Expected "(", NOT, field name, value but end of input found.', 16],
      ['response:(200 or )', 'Expected "(", NOT, value but ")" found.', 17],
      ['response:200 and not ', 'Expected "(", field name, value but end of input found.', 21],
      ['response:(200 and not )', 'Expected "(", value but ")" found.', 22],
      ['foo:"ba ', 'Expected "(", "{", value, whitespace but """ found.', 4],
      ['foo:"ba "r"', 'Expected AND, OR, end of input but "r" found.', 9],
      ['foo:ba:r', 'Expected AND, OR, end of input but ":" found.', 6],
      ['foo > ', 'Expected literal, whitespace but end of input found.', 6],
      ['< 1000', 'Expected "(", NOT, end of input, field name, value, whitespace but "<" found.', 0],
    ];
    for (const [query, message, offset] of cases) {
      it(`${JSON.stringify(query)} -> ${message}`, () => {
        const e = errorOf(query);
        assert.equal(e.shortMessage, message);
        assert.equal(e.offset, offset);
        assert.equal(e.line, 1);
        assert.equal(e.column, offset + 1);
        assert.equal(e.message, `${message.slice(0, -1)} (line 1, column ${offset + 1}).`);
        assert.equal(e.name, 'KqlSyntaxError');
        assert.ok(e instanceof Error);
      });
    }
  });

  it('lists what was expected without quotes, sorted as Kibana sorts them', () => {
    const e = errorOf('a:1 or }');
    assert.deepEqual(e.expected, ['(', 'NOT', 'field name', 'value']);
    assert.equal(e.found, '}');
    assert.equal(e.shortMessage, 'Expected "(", NOT, field name, value but "}" found.');
    assert.equal(e.column, 8);
  });

  it('reports an unterminated quote at its opening quote', () => {
    const e = errorOf('event.action:"CreateTrafficMirrorSession');
    assert.equal(e.column, 14);
    assert.equal(e.found, '"');
    assert.ok(e.expected.includes('value'));
    const bare = errorOf('"abc');
    assert.equal(bare.column, 1);
    // An escaped closing quote does not close the string.
    assert.equal(errorOf('f:"abc\\"').column, 3);
  });

  it('reports unbalanced parentheses and braces', () => {
    const open = errorOf('(a:1 or b:2');
    assert.equal(open.offset, 11);
    assert.deepEqual(open.expected, [')', 'AND', 'OR']);
    assert.equal(open.found, null);
    assert.match(open.message, /but end of input found \(line 1, column 12\)/);

    const close = errorOf('a:1)');
    assert.equal(close.column, 4);
    assert.deepEqual(close.expected, ['AND', 'OR', 'end of input']);

    const list = errorOf('f:(a or b');
    assert.deepEqual(list.expected, [')', 'AND', 'OR']);

    const brace = errorOf('items:{ x:1 ');
    assert.equal(brace.column, 13);
    assert.deepEqual(brace.expected, ['}', 'AND', 'OR']);

    assert.equal(errorOf('()').column, 2);
  });

  it('reports a dangling and/or/not', () => {
    assert.deepEqual(errorOf('a:1 and ').expected, ['(', 'NOT', 'field name', 'value']);
    assert.equal(errorOf('(a:1) and').column, 7);
    assert.equal(errorOf('a:1 or (b:2 and )').column, 17);
    assert.deepEqual(errorOf('not ').expected, ['(', 'field name', 'value']);
  });

  it('reports field: with nothing after it, and field with nothing before a colon', () => {
    const e = errorOf('event.action:   ');
    assert.equal(e.column, 17);
    assert.deepEqual(e.expected, ['(', '{', 'value', 'whitespace']);
    assert.equal(errorOf(':x').column, 1);
  });

  it('refuses what the grammar refuses', () => {
    // `not` needs whitespace after it and cannot follow a value without a conjunction.
    assert.equal(errorOf('not(a:1)').column, 4);
    assert.equal(errorOf('a:1 not b:2').column, 5);
    assert.equal(errorOf('not not a').column, 5);
    // `not ` ends an unquoted literal even inside a word: quote such values.
    assert.equal(errorOf('message:cannot be').column, 12);
    assert.doesNotThrow(() => parseKql('message:"cannot be"'));
    // A lone backslash ends a literal; special characters must be escaped.
    assert.equal(errorOf('a:b\\x').column, 4);
    assert.equal(errorOf('a:b<c').column, 4);
    assert.equal(errorOf('a:b{').column, 4);
    assert.equal(errorOf('a:b * c:d').column, 8); // the literal runs on to the second colon
  });

  it('counts lines and columns in multi-line queries', () => {
    const e = errorOf('event.provider:ec2.amazonaws.com\nand event.action:(A or B\n  or )');
    assert.equal(e.line, 3);
    assert.equal(e.column, 6);
    assert.equal(e.found, ')');
    assert.match(e.message, /\(line 3, column 6\)\.$/);
    const crlf = errorOf('a:1\r\n  and :');
    assert.equal(crlf.line, 2);
    assert.equal(crlf.column, 7);
  });

  it('shows control characters escaped in the message', () => {
    const e = errorOf('(a:1)\u0007');
    assert.equal(e.found, '\u0007');
    assert.equal(e.shortMessage, 'Expected AND, OR, end of input but "\\u0007" found.');
    assert.equal(errorOf('a:(b\t').found, null);
  });

  describe('hostile queries', function () {
    this.timeout(20_000); // large inputs on shared machines; the time asserts below are the real limits
    it(`refuses more than ${MAX_DEPTH} nested parentheses with "query too deeply nested"`, () => {
      const q = '('.repeat(MAX_DEPTH + 1) + 'a:1' + ')'.repeat(MAX_DEPTH + 1);
      const e = errorOf(q);
      assert.match(e.message, /query too deeply nested/);
      assert.equal(e.column, MAX_DEPTH + 1);
    });

    it('refuses deep value lists and nested braces the same way, without a stack overflow', () => {
      assert.match(errorOf('f:' + '('.repeat(5000) + 'a').message, /too deeply nested/);
      assert.match(errorOf('a:{'.repeat(5000)).message, /too deeply nested/);
      assert.match(errorOf('not ('.repeat(100_000)).message, /too deeply nested/);
    });

    it('fails in linear time on long unbalanced or broken input', () => {
      // Bounds are loose on purpose (shared, loaded machines); exponential backtracking would take hours.
      const t0 = Date.now();
      errorOf('a:1 or '.repeat(30_000) + '(');
      errorOf('(' + 'a:1 or '.repeat(30_000));
      errorOf('x:"' + 'y'.repeat(1_000_000));
      errorOf('x:' + 'y '.repeat(500_000) + ':');
      errorOf('('.repeat(MAX_DEPTH) + 'a:1 or b:2 and '.repeat(5000) + 'c:3');
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    });
  });
});
