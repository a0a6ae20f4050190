import assert from 'node:assert/strict';
import { parseKql, type KqlField, type KqlQuery, type KqlValue } from '../../../src/core/kql';

// A compact rendering of the tree: (and a b), (not a), field=value, field<value, path{...}.
// Values: "text" unquoted string, q"text" quoted, w[a|b] wildcard pieces, true/false/null literals.
function field(f: KqlField | null): string {
  if (f === null) return '_';
  return f.wildcard ? `w[${f.wildcard.parts.join('|')}]` : JSON.stringify(f.name);
}

function value(v: KqlValue): string {
  if (v.wildcard) return `w[${v.wildcard.parts.join('|')}]`;
  if (typeof v.value === 'string') return (v.quoted ? 'q' : '') + JSON.stringify(v.value);
  return String(v.value);
}

const OPS = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

function show(q: KqlQuery): string {
  switch (q.type) {
    case 'all':
      return 'ALL';
    case 'and':
    case 'or':
      return `(${q.type} ${q.children.map(show).join(' ')})`;
    case 'not':
      return `(not ${show(q.child)})`;
    case 'is':
      return `${field(q.field)}=${value(q.value)}`;
    case 'exists':
      return `${field(q.field)}=*`;
    case 'range':
      return `${field(q.field)}${OPS[q.op]}${value(q.value)}`;
    case 'nested':
      return `${field(q.path)}{${show(q.query)}}`;
  }
}

const p = (query: string): string => show(parseKql(query));

describe('kql parser', () => {
  describe('the seed rule', () => {
    it('parses the EC2 packet capture query into and/or of field terms', () => {
      const q =
        'event.dataset:aws.cloudtrail and event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or ' +
        'CreateTrafficMirrorFilterRule or CreateTrafficMirrorSession or CreateTrafficMirrorTarget) and event.outcome:success';
      assert.equal(
        p(q),
        '(and "event.dataset"="aws.cloudtrail" "event.provider"="ec2.amazonaws.com" ' +
          '(or "event.action"="CreateTrafficMirrorFilter" "event.action"="CreateTrafficMirrorFilterRule" ' +
          '"event.action"="CreateTrafficMirrorSession" "event.action"="CreateTrafficMirrorTarget") "event.outcome"="success")',
      );
    });
  });

  describe('boolean structure', () => {
    it('gives not precedence over and, and and over or', () => {
      assert.equal(p('a:1 or b:2 and not c:3'), '(or "a"="1" (and "b"="2" (not "c"="3")))');
      assert.equal(p('not a:1 and b:2 or c:3'), '(or (and (not "a"="1") "b"="2") "c"="3")');
    });

    it('groups with parentheses', () => {
      assert.equal(p('(a:1 or b:2) and c:3'), '(and (or "a"="1" "b"="2") "c"="3")');
      assert.equal(p('not (a:1 or b:2)'), '(not (or "a"="1" "b"="2"))');
      assert.equal(p('( ( a:1 ) )'), '"a"="1"');
    });

    it('reads keywords in any case', () => {
      assert.equal(p('a:1 AND b:2 Or NOT c:3'), '(or (and "a"="1" "b"="2") (not "c"="3"))');
      assert.equal(p('a:1 aNd b:2'), '(and "a"="1" "b"="2")');
    });

    it('keeps chains flat', () => {
      assert.equal(p('a or b or c'), '(or _="a" _="b" _="c")');
      assert.equal(p('a and b and c'), '(and _="a" _="b" _="c")');
    });

    it('matches everything for an empty or blank query', () => {
      assert.equal(p(''), 'ALL');
      assert.equal(p('  \n\t '), 'ALL');
    });

    it('accepts spaces, tabs, newlines and no-break spaces between terms', () => {
      assert.equal(p(' a:1\n\tand\u00a0b:2 \r\n'), '(and "a"="1" "b"="2")');
    });
  });

  describe('field:value', () => {
    it('parses field:value with optional spaces around the colon', () => {
      assert.equal(p('a:b'), '"a"="b"');
      assert.equal(p('a : b'), '"a"="b"');
      assert.equal(p('a:   b  '), '"a"="b"');
    });

    it('distributes value lists over the field', () => {
      assert.equal(p('f:(a or b)'), '(or "f"="a" "f"="b")');
      assert.equal(p('f:(a and not b)'), '(and "f"="a" (not "f"="b"))');
      assert.equal(p('f:(a or (b and c))'), '(or "f"="a" (and "f"="b" "f"="c"))');
      // NOT inside a value needs the parentheses: the grammar has no `field:not value`.
      assert.throws(() => parseKql('f:not a'), /Expected "\(", "\{", value, whitespace but "n" found/);
      assert.equal(p('f:( a )'), '"f"="a"');
    });

    it('reads quoted values with their escapes', () => {
      assert.equal(p('f:"quoted phrase"'), '"f"=q"quoted phrase"');
      assert.equal(p('f:"a \\"b\\" \\\\ c"'), '"f"=q"a \\"b\\" \\\\ c"');
      assert.equal(p('f:"tab\\tcr\\rnl\\n"'), '"f"=q"tab\\tcr\\rnl\\n"');
      assert.equal(p('f:"\\u0041\\u00e9"'), '"f"=q"Aé"');
      // Other backslashes are ordinary characters inside quotes, and * is literal there.
      assert.equal(p('f:"a\\*b\\:c"'), '"f"=q"a\\\\*b\\\\:c"');
      assert.equal(p('f:"*"'), '"f"=q"*"');
      assert.equal(p('f:"multi\nline"'), '"f"=q"multi\\nline"');
      assert.equal(p('f:""'), '"f"=q""');
    });

    it('keeps an unquoted literal running across spaces until a keyword', () => {
      assert.equal(p('user.name:John Smith'), '"user.name"="John Smith"');
      assert.equal(p('f:a b or c d'), '(or "f"="a b" _="c d")');
      assert.equal(p('f:a   b'), '"f"="a   b"');
    });

    it('follows the grammar where a keyword lacks a following space', () => {
      // "or"/"and" need whitespace on both sides to be keywords; "not" needs it after.
      assert.equal(p('f:a or'), '"f"="a or"');
      assert.equal(p('f:(a and)'), '"f"="a and"');
      assert.equal(p('not'), '_="not"');
      assert.equal(p('f:nota'), '"f"="nota"');
      assert.equal(p('f:oregon'), '"f"="oregon"');
      assert.equal(p('f:a ornament'), '"f"="a ornament"');
      assert.equal(p('and b'), '_="and b"');
    });

    it('turns unquoted true, false and null into typed literals, quoted ones stay strings', () => {
      assert.equal(p('f:true'), '"f"=true');
      assert.equal(p('f:false'), '"f"=false');
      assert.equal(p('f:null'), '"f"=null');
      assert.equal(p('f:"true"'), '"f"=q"true"');
      assert.equal(p('f:True'), '"f"="True"');
    });

    it('unescapes backslash sequences in unquoted literals', () => {
      assert.equal(p('f:a\\:b'), '"f"="a:b"');
      assert.equal(p('f:\\(x\\)'), '"f"="(x)"');
      assert.equal(p('f:\\<\\>\\"\\{\\}\\\\'), '"f"="<>\\"{}\\\\"');
      assert.equal(p('f:a\\*b'), '"f"="a*b"');
      assert.equal(p('f:a\\tb'), '"f"="a\\tb"');
      assert.equal(p('f:\\u0041'), '"f"="A"');
      assert.equal(p('f:\\and or \\OR'), '(or "f"="and" _="OR")');
      assert.equal(p('f:x \\or y'), '"f"="x or y"');
      assert.equal(p('f:\\NOT y'), '"f"="NOT y"');
      // \n is a newline before it can be an escaped "not" (and a leading one is trimmed).
      assert.equal(p('f:a\\not'), '"f"="a\\not"');
      assert.equal(p('f:\\not'), '"f"="ot"');
    });

    it('parses field:* as exists and other stars as wildcards', () => {
      assert.equal(p('f:*'), '"f"=*');
      assert.equal(p('f:ab*'), '"f"=w[ab|]');
      assert.equal(p('f:*ab'), '"f"=w[|ab]');
      assert.equal(p('f:a*b*c'), '"f"=w[a|b|c]');
      assert.equal(p('f:**'), '"f"=w[||]');
      assert.equal(p('f:a b*  '), '"f"=w[a b|]');
      assert.equal(p('f:"a*"'), '"f"=q"a*"');
    });

    it('accepts quoted field names and keeps their stars literal', () => {
      assert.equal(p('"event.action":x'), '"event.action"="x"');
      assert.equal(p('"a*":x'), '"a*"="x"');
    });

    it('accepts wildcards in field names', () => {
      assert.equal(p('event.*:x'), 'w[event.|]="x"');
      assert.equal(p('*:*'), 'w[|]=*');
      assert.equal(p('*.action:x'), 'w[|.action]="x"');
    });

    it('treats an unquoted null field as a search of every field, as Kibana does', () => {
      assert.equal(p('null:x'), '_="x"');
    });

    it('parses a bare value as a search of every field', () => {
      assert.equal(p('CreateTrafficMirrorSession'), '_="CreateTrafficMirrorSession"');
      assert.equal(p('"two words"'), '_=q"two words"');
      assert.equal(p('Create*'), '_=w[Create|]');
    });
  });

  describe('ranges', () => {
    it('parses the four operators with or without spaces', () => {
      assert.equal(p('n<5'), '"n"<"5"');
      assert.equal(p('n <= 5'), '"n"<="5"');
      assert.equal(p('n>5'), '"n">"5"');
      assert.equal(p('n >=5'), '"n">="5"');
      assert.equal(p('@timestamp >= "2024-01-01"'), '"@timestamp">=q"2024-01-01"');
      assert.equal(p('d > now-1d'), '"d">"now-1d"');
    });

    it('combines ranges with other terms', () => {
      assert.equal(p('n > 1 and n < 10'), '(and "n">"1" "n"<"10")');
    });
  });

  describe('nested', () => {
    it('parses path:{ subquery }', () => {
      assert.equal(p('items:{ name:a and qty > 2 }'), '"items"{(and "name"="a" "qty">"2")}');
      assert.equal(p('a:{b:{c:1}}'), '"a"{"b"{"c"="1"}}');
      assert.equal(p('not items : { x:1 }'), '(not "items"{"x"="1"})');
    });
  });

  describe('positions', () => {
    it('records the offsets of fields, values and terms', () => {
      const q = parseKql('  event.action : "x y"  or n > 5');
      assert.equal(q.type, 'or');
      if (q.type !== 'or') return;
      const [is, range] = q.children;
      assert.equal(is.type, 'is');
      if (is.type !== 'is' || range.type !== 'range') return;
      assert.deepEqual([is.start, is.end], [2, 22]);
      assert.deepEqual([is.field!.start, is.field!.end], [2, 15]); // the unquoted name runs up to the colon
      assert.deepEqual([is.value.start, is.value.end], [17, 22]);
      assert.deepEqual([range.start, range.end], [27, 32]);
    });

    it('gives each value of a list its own span', () => {
      const q = parseKql('f:(ab or cd)');
      assert.equal(q.type, 'or');
      if (q.type !== 'or') return;
      assert.deepEqual(
        q.children.map((c) => [c.start, c.end]),
        [
          [3, 5],
          [9, 11],
        ],
      );
    });
  });

  describe('size', function () {
    this.timeout(20_000); // large inputs on shared machines; the time asserts below are the real limits
    it('parses a 1 MB query in linear time', () => {
      const term = 'event.action:CreateTrafficMirrorSession or ';
      const big = term.repeat(Math.ceil(1_000_000 / term.length)) + 'x:1';
      const t0 = Date.now();
      const q = parseKql(big);
      assert.equal(q.type, 'or');
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`); // loose: machines are shared
    });

    it('parses a 1 MB unquoted literal and a 1 MB quoted string', () => {
      const word = 'abcdefgh '.repeat(120_000);
      const t0 = Date.now();
      const q1 = parseKql(`f:${word}`);
      const q2 = parseKql(`f:"${word}"`);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(q1.type === 'is' && q1.value.value, word.trim());
      assert.equal(q2.type === 'is' && q2.value.value, word);
    });

    it('parses 100 levels of parentheses', () => {
      const q = parseKql('('.repeat(100) + 'a:1' + ')'.repeat(100));
      assert.equal(show(q), '"a"="1"');
      const v = parseKql('f:' + '('.repeat(99) + 'a' + ')'.repeat(99));
      assert.equal(show(v), '"f"="a"');
    });
  });
});
