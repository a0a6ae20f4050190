import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

// A small TextMate tokenizer (match, begin/end, captures, contentName, includes across grammars),
// enough to check what scopes the KQL grammars give. JavaScript regexes stand in for Oniguruma:
// the grammars avoid the constructs where the two differ (e.g. inline (?i:) flags).

interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
  patterns?: Rule[];
  include?: string;
}
interface Grammar extends Rule {
  scopeName: string;
  repository: Record<string, Rule>;
}

const root = path.join(__dirname, '../../../../syntaxes');
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as Grammar;
const kuery = load('kuery.tmLanguage.json');
const injection = load('kuery-in-toml.tmLanguage.json');
const grammars = new Map([kuery, injection].map((g) => [g.scopeName, g]));

function expand(rules: Rule[], grammar: Grammar): { rule: Rule; grammar: Grammar }[] {
  const out: { rule: Rule; grammar: Grammar }[] = [];
  for (const r of rules) {
    if (r.include?.startsWith('#')) {
      const target = grammar.repository[r.include.slice(1)];
      assert.ok(target, `missing repository entry ${r.include}`);
      out.push(...(target.patterns && !target.match && !target.begin ? expand(target.patterns, grammar) : [{ rule: target, grammar }]));
    } else if (r.include) {
      const g = grammars.get(r.include);
      assert.ok(g, `unknown grammar ${r.include}`);
      out.push(...expand(g.patterns ?? [], g));
    } else out.push({ rule: r, grammar });
  }
  return out;
}

interface Token {
  text: string;
  scopes: string[];
}

interface Frame {
  rule: Rule;
  grammar: Grammar;
  scopes: string[];
  end: RegExp;
}

function tokenize(lines: string[], grammar: Grammar): Token[] {
  const tokens: Token[] = [];
  const stack: Frame[] = [];
  const emit = (text: string, scopes: string[]) => {
    if (text) tokens.push({ text, scopes });
  };
  const emitCaptures = (m: RegExpExecArray, caps: Rule['captures'], scopes: string[]) => {
    const indices = m.indices!;
    let pos = m.index;
    const groups = Object.keys(caps ?? {}).map(Number).filter((n) => n > 0 && indices[n]).sort((a, b) => indices[a]![0] - indices[b]![0]);
    if (caps?.['0']) scopes = [...scopes, caps['0'].name];
    for (const n of groups) {
      const [s, e] = indices[n]!;
      emit(m.input.slice(pos, s), scopes);
      emit(m.input.slice(s, e), [...scopes, caps![String(n)].name]);
      pos = e;
    }
    emit(m.input.slice(pos, m.index + m[0].length), scopes);
  };
  for (const line of lines) {
    let pos = 0;
    while (pos <= line.length) {
      const top = stack[stack.length - 1];
      const baseScopes = top ? [...top.scopes, ...(top.rule.contentName ? [top.rule.contentName] : [])] : [grammar.scopeName];
      const candidates = expand(top ? top.rule.patterns ?? [] : grammar.patterns ?? [], top ? top.grammar : grammar);
      let best: { m: RegExpExecArray; rule?: Rule; grammar?: Grammar } | undefined;
      if (top) {
        top.end.lastIndex = pos;
        const m = top.end.exec(line);
        if (m) best = { m };
      }
      for (const c of candidates) {
        const re = new RegExp(c.rule.match ?? c.rule.begin!, 'gd');
        re.lastIndex = pos;
        const m = re.exec(line);
        if (m && (!best || m.index < best.m.index)) best = { m, rule: c.rule, grammar: c.grammar };
      }
      if (!best || (best.m[0] === '' && best.m.index >= line.length && !best.rule)) {
        if (best && !best.rule && top) {
          stack.pop();
          emit(line.slice(pos), baseScopes);
          pos = line.length + 1;
          continue;
        }
        emit(line.slice(pos), baseScopes);
        break;
      }
      const { m } = best;
      emit(line.slice(pos, m.index), baseScopes);
      if (!best.rule) {
        // end of the innermost begin/end
        stack.pop();
        emitCaptures(m, top!.rule.endCaptures, top!.scopes);
      } else if (best.rule.match) {
        const scopes = best.rule.name ? [...baseScopes, best.rule.name] : baseScopes;
        emitCaptures(m, best.rule.captures, scopes);
      } else {
        const scopes = best.rule.name ? [...baseScopes, best.rule.name] : baseScopes;
        emitCaptures(m, best.rule.beginCaptures, scopes);
        stack.push({ rule: best.rule, grammar: best.grammar!, scopes, end: new RegExp(best.rule.end!, 'gd') });
      }
      pos = m.index + m[0].length;
      if (m[0] === '') pos++;
    }
  }
  return tokens;
}

/** "text" -> last scope of each non-blank token. */
function scopesOf(line: string, grammar = kuery): [string, string][] {
  return tokenize([line], grammar)
    .filter((t) => t.text.trim() !== '')
    .map((t) => [t.text.trim(), t.scopes[t.scopes.length - 1]]);
}

describe('extension/grammar (syntaxes/)', () => {
  it('compiles every regex of both grammars', () => {
    for (const g of grammars.values()) {
      const visit = (r: Rule) => {
        for (const key of ['match', 'begin', 'end'] as const) if (r[key]) assert.doesNotThrow(() => new RegExp(r[key]!), `${g.scopeName}: ${r[key]}`);
        (r.patterns ?? []).forEach(visit);
      };
      visit(g);
      Object.values(g.repository).forEach(visit);
    }
  });

  it('highlights the fields, keywords, operators and values of a query', () => {
    assert.deepEqual(scopesOf('event.dataset:aws.cloudtrail and event.action:(CreateWidget or Delete*) and not event.outcome:failure'), [
      ['event.dataset', 'support.type.property-name.kuery'],
      [':', 'punctuation.separator.key-value.kuery'],
      ['aws.cloudtrail', 'string.unquoted.kuery'],
      ['and', 'keyword.operator.logical.kuery'],
      ['event.action', 'support.type.property-name.kuery'],
      [':', 'punctuation.separator.key-value.kuery'],
      ['(', 'punctuation.section.parens.begin.kuery'],
      ['CreateWidget', 'string.unquoted.kuery'],
      ['or', 'keyword.operator.logical.kuery'],
      ['Delete', 'string.unquoted.kuery'],
      ['*', 'keyword.operator.wildcard.kuery'],
      [')', 'punctuation.section.parens.end.kuery'],
      ['and', 'keyword.operator.logical.kuery'],
      ['not', 'keyword.operator.logical.kuery'],
      ['event.outcome', 'support.type.property-name.kuery'],
      [':', 'punctuation.separator.key-value.kuery'],
      ['failure', 'string.unquoted.kuery'],
    ]);
  });

  it('treats keywords case-insensitively but not inside words', () => {
    assert.deepEqual(scopesOf('a:android OR b:NOTE'), [
      ['a', 'support.type.property-name.kuery'],
      [':', 'punctuation.separator.key-value.kuery'],
      ['android', 'string.unquoted.kuery'],
      ['OR', 'keyword.operator.logical.kuery'],
      ['b', 'support.type.property-name.kuery'],
      [':', 'punctuation.separator.key-value.kuery'],
      ['NOTE', 'string.unquoted.kuery'],
    ]);
  });

  it('highlights quoted strings with escapes, escapes outside quotes, ranges, numbers, booleans and nested queries', () => {
    const tokens = scopesOf('user_agent.original:"a \\"b\\" *" and path:C\\:\\\\x and bytes >= 10 and ok:true and items:{ name:x* }');
    const find = (text: string) => tokens.find(([t]) => t === text)?.[1];
    assert.equal(find('"'), 'punctuation.definition.string.begin.kuery');
    assert.equal(find('\\"'), 'constant.character.escape.kuery');
    assert.equal(find('\\:'), 'constant.character.escape.kuery');
    assert.equal(find('\\\\'), 'constant.character.escape.kuery');
    assert.equal(find('bytes'), 'support.type.property-name.kuery');
    assert.equal(find('>='), 'keyword.operator.comparison.kuery');
    assert.equal(find('10'), 'constant.numeric.kuery');
    assert.equal(find('true'), 'constant.language.boolean.kuery');
    assert.equal(find('{'), 'punctuation.section.braces.begin.kuery');
    assert.equal(find('name'), 'support.type.property-name.kuery');
    assert.equal(find('}'), 'punctuation.section.braces.end.kuery');
    // the * inside quotes is part of the string
    assert.ok(tokenize(['f:"a*"'], kuery).some((t) => t.text.includes('*') && t.scopes.includes('string.quoted.double.kuery')));
  });

  it('injects KQL into query = """...""" and query = "..." of TOML rules', () => {
    const host: Grammar = {
      scopeName: 'source.toml',
      repository: {},
      patterns: [{ include: 'kuery.injection.toml' }],
    };
    grammars.set('source.toml', host);
    const tokens = tokenize(['[rule]', 'query = """', 'event.action:CreateWidget and', 'event.outcome:success', '"""', 'name = "x"'], host);
    const kql = tokens.filter((t) => t.scopes.includes('meta.embedded.block.kuery'));
    assert.ok(kql.some((t) => t.text === 'event.action' && t.scopes.includes('support.type.property-name.kuery')));
    assert.ok(kql.some((t) => t.text === 'and' && t.scopes.includes('keyword.operator.logical.kuery')));
    assert.ok(!tokens.some((t) => t.text.includes('name') && t.scopes.includes('meta.embedded.block.kuery')), 'ends at """');
    const single = tokenize(['query = "event.action:\\"A B\\" or x:y"'], host);
    assert.ok(single.some((t) => t.text === 'or' && t.scopes.includes('keyword.operator.logical.kuery')));
    assert.ok(single.some((t) => t.text === '\\"' && t.scopes.includes('constant.character.escape.kuery')));
  });
});
