import assert from 'node:assert/strict';
import { prepareRules, scanText, scanBytes, StreamingScan, RuleSet } from '../../../src/core/scan';
import { prefilterFor, contains, recordGateFor } from '../../../src/core/scan/prefilter';
import { loadBundledRules } from '../../../src/node/ruleFiles';
import { huntRule } from '../../../src/core/rules';
import fc from 'fast-check';
import { cloudTrailToEcs, documentView } from '../../../src/core/ecs';
import { evaluateKql, parseKql } from '../../../src/core/kql';
import type { ScanResult } from '../../../src/core/types';

const SEED_ID = 'c1812764-0788-470f-8e74-eb4a14d47573';

function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEPRINCIPAL',
      arn: 'arn:aws:iam::111122223333:user/mallory',
      accountId: '111122223333',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'mallory',
    },
    eventTime: '2026-11-04T09:15:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTrafficMirrorSession',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { networkInterfaceId: 'eni-0123456789abcdef0', sessionNumber: 1 },
    responseElements: { trafficMirrorSession: { trafficMirrorSessionId: 'tms-0abc' } },
    requestID: 'req-1',
    eventID: 'evt-1',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    ...over,
  };
}

const envelope = (...records: unknown[]) => JSON.stringify({ Records: records });
const textAt = (text: string, span: { start: number; end: number }) =>
  Buffer.from(text, 'utf8').subarray(span.start, span.end).toString('utf8');

describe('scan with the bundled rule', () => {
  let rules: RuleSet;
  before(() => {
    rules = prepareRules(loadBundledRules());
  });

  const findings = (text: string, prefilter = true): ScanResult => scanText(text, rules, { prefilter });

  it('loads and compiles the seed rule', () => {
    assert.equal(rules.rules.length, 1);
    assert.equal(rules.rules[0].rule.ruleId, SEED_ID);
    assert.ok(rules.prefilter, 'the seed query yields a sound prefilter');
  });

  for (const action of ['CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget']) {
    it(`matches a successful ${action} and underlines its eventName value`, () => {
      const text = envelope(record({ eventName: action }));
      const r = findings(text);
      assert.equal(r.findings.length, 1);
      const f = r.findings[0];
      assert.equal(f.rule.ruleId, SEED_ID);
      assert.equal(f.matchedField, 'event.action');
      assert.equal(textAt(text, f.matched), JSON.stringify(action));
      assert.equal(f.fields['event.action'], action);
      assert.equal(f.fields['source.ip'], '203.0.113.10');
      assert.equal(f.fields['aws.cloudtrail.user_identity.access_key_id'], 'AKIAIOSFODNN7EXAMPLE');
      assert.equal(f.fields['@timestamp'], '2026-11-04T09:15:00.000Z');
    });
  }

  it('does not match failed calls: errorCode, or errorMessage alone', () => {
    const r = findings(
      envelope(
        record({ errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized' }),
        record({ errorMessage: 'denied' }),
        record({ errorCode: '200' }),
      ),
    );
    assert.equal(r.recordCount, 3);
    assert.equal(r.findings.length, 0);
  });

  it('matches "errorCode": "" (empty strings are scrubbed, so the call succeeded)', () => {
    assert.equal(findings(envelope(record({ errorCode: '', errorMessage: null }))).findings.length, 1);
  });

  it('does not match another eventSource or another case of the eventName', () => {
    const r = findings(
      envelope(
        record({ eventSource: 's3.amazonaws.com' }),
        record({ eventName: 'createtrafficmirrorsession' }),
        record({ eventName: 'CreateTrafficMirrorSessions' }),
      ),
    );
    assert.equal(r.findings.length, 0);
  });

  it('matches an eventName written with \\u escapes, with or without the prefilter', () => {
    const text = envelope(record()).replace('"CreateTrafficMirrorSession"', '"Create\\u0054rafficMirror\\u0053ession"');
    for (const prefilter of [true, false]) {
      const r = findings(text, prefilter);
      assert.equal(r.findings.length, 1, `prefilter ${prefilter}`);
      assert.equal(textAt(text, r.findings[0].matched), '"Create\\u0054rafficMirror\\u0053ession"');
    }
  });

  it('matches an eventName written with \\u escapes inside a CloudTrailEvent string, in every shape, with or without the prefilter', () => {
    // the record inside the string spells the name with an escape: \\u0043 in the file, \u0043 in the inner JSON, C in the value
    const inner = JSON.stringify(record({ eventName: 'CreateTrafficMirrorSession' })).replace('"CreateTrafficMirrorSession"', '"\\u0043reateTrafficMirrorSession"');
    const element = { EventId: 'evt-1', CloudTrailEvent: inner };
    const shapes = {
      'lookup-events': JSON.stringify({ Events: [element] }),
      'an array of events': JSON.stringify([element]),
      'JSON Lines of events': JSON.stringify(element) + '\n' + JSON.stringify(element),
      'the backslash itself escaped as \\u005c': JSON.stringify({ Events: [element] }).replace('\\\\u0043', '\\u005cu0043'),
      'the key spelt with an escape': JSON.stringify([element]).replace('"CloudTrailEvent"', '"CloudTrail\\u0045vent"'),
    };
    for (const [shape, text] of Object.entries(shapes)) {
      for (const prefilter of [true, false]) {
        for (const fastPath of [true, false]) {
          const r = scanText(text, rules, { prefilter, fastPath });
          assert.ok(r.findings.length >= 1, `${shape}, prefilter ${prefilter}, fast path ${fastPath}`);
        }
      }
    }
  });

  it('points into the CloudTrailEvent string of lookup-events output', () => {
    const inner = JSON.stringify(record({ eventName: 'CreateTrafficMirrorTarget' }));
    const text = JSON.stringify({ Events: [{ EventId: 'evt-1', EventName: 'CreateTrafficMirrorTarget', CloudTrailEvent: inner }] }, null, 2);
    const r = findings(text);
    assert.equal(r.shape, 'lookup-events');
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    const literal = JSON.stringify(inner);
    const literalStart = Buffer.byteLength(text.slice(0, text.indexOf(literal)));
    assert.ok(f.matched.start > literalStart && f.matched.end < literalStart + Buffer.byteLength(literal));
    assert.match(textAt(text, f.matched), /CreateTrafficMirrorTarget/);
  });

  it('evaluates ECS documents as they are (nested, dotted, under _source)', () => {
    const nested = { '@timestamp': '2026-11-04T09:15:00Z', event: { dataset: 'aws.cloudtrail', provider: 'ec2.amazonaws.com', action: 'CreateTrafficMirrorFilter', outcome: 'success' } };
    const dotted = { 'event.dataset': 'aws.cloudtrail', 'event.provider': 'ec2.amazonaws.com', 'event.action': 'CreateTrafficMirrorTarget', 'event.outcome': 'success' };
    const failed = { 'event.dataset': 'aws.cloudtrail', 'event.provider': 'ec2.amazonaws.com', 'event.action': 'CreateTrafficMirrorTarget', 'event.outcome': 'failure' };
    const text = [nested, { _index: 'logs-aws.cloudtrail-default', _source: dotted }, failed].map((d) => JSON.stringify(d)).join('\n');
    const r = findings(text);
    assert.equal(r.findings.length, 2);
    assert.deepEqual(r.findings.map((f) => textAt(text, f.matched)), ['"CreateTrafficMirrorFilter"', '"CreateTrafficMirrorTarget"']);
  });

  it('keeps the good records of a truncated file and reports where it broke', () => {
    const full = envelope(record({ eventID: 'a' }), record({ eventID: 'b' }), record({ eventID: 'c' }));
    const cut = full.slice(0, full.lastIndexOf('"eventID":"c"'));
    const r = findings(cut);
    assert.equal(r.findings.length, 2);
    assert.equal(r.problems.filter((p) => p.code === 'json-syntax').length, 1);
  });

  it('links findings by the same access key or principal', () => {
    const r = findings(envelope(record({ eventID: 'a' }), record({ eventName: 'DescribeInstances' }), record({ eventID: 'b', eventName: 'CreateTrafficMirrorTarget' })));
    assert.equal(r.findings.length, 2);
    assert.deepEqual(r.findings[0].related.map((x) => x.recordIndex), [2]);
    assert.match(r.findings[0].related[0].reason, /AKIAIOSFODNN7EXAMPLE/);
  });

  it('gives the same findings in one piece and in chunks of every size', () => {
    const text = envelope(record({ eventID: 'é-1' }), record({ eventName: 'RunInstances' }), record({ eventID: '𝄞', eventName: 'CreateTrafficMirrorFilter' }));
    const bytes = Buffer.from(text, 'utf8');
    const whole = scanBytes(bytes, rules);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const s = new StreamingScan(rules);
      for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
      const chunked = s.end();
      assert.deepEqual(chunked.findings.map((f) => [f.record, f.matched]), whole.findings.map((f) => [f.record, f.matched]), `chunk ${size}`);
    }
  });
});

describe('scan with hunt queries', () => {
  it('runs an ad-hoc KQL query over any field', () => {
    const rules = prepareRules([huntRule('source.ip:203.0.113.0/24 and not user.name:mallory')]);
    const text = envelope(record(), record({ userIdentity: { type: 'IAMUser', userName: 'bob', arn: 'arn:aws:iam::111122223333:user/bob' } }));
    const r = scanText(text, rules);
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].recordIndex, 1);
  });

  it('reports rules that cannot run instead of reporting no match', () => {
    const [seed] = loadBundledRules();
    const rules = prepareRules([{ ...seed, type: 'eql', language: 'eql' }]);
    const r = scanText(envelope(record()), rules);
    assert.equal(r.findings.length, 0);
    assert.equal(r.notEvaluated.length, 1);
    assert.match(r.notEvaluated[0].reason, /EQL/i);
  });
});

describe('prefilter', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('finds literals only inside the given bytes', () => {
    assert.ok(contains(enc('abcabd'), 'abd'));
    assert.ok(!contains(enc('abcab'), 'abd'));
    assert.ok(contains(enc('x'), ''));
    assert.ok(contains(enc('zzCreateTrafficMirrorTarget"'), 'TrafficMirrorTarget'));
    assert.ok(!contains(enc('CreateTrafficMirrorTarge'), 'CreateTrafficMirrorTarget'));
    assert.ok(contains(enc('«café»'), 'é»'));
  });

  it('keeps records that could match, drops the rest, keeps anything escaped', () => {
    const pf = prefilterFor([parseKql('event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorTarget or RunInstances) and event.outcome:success')]);
    assert.ok(pf);
    const test = (s: string, backslash = s.includes('\\')) => pf(enc(s), 0, enc(s).length, backslash);
    assert.ok(test('{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}'));
    assert.ok(!test('{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}'));
    assert.ok(!test('{"eventSource":"s3.amazonaws.com","eventName":"RunInstances"}'));
    assert.ok(test('{"eventSource":"ec2.amazonaws.com","eventName":"Run\\u0049nstances"}'));
    // Escapes that cannot write an ASCII letter do not keep a record the literals rule out.
    assert.ok(!test('{"eventSource":"ec2.amazonaws.com","eventName":"Describe","note":"caf\\u00e9 \\"q\\""}'));
    // An escaped backslash may, in an element of lookup-events output: inside its CloudTrailEvent
    // string, \\u0052 is an R. Elsewhere it is a backslash and a u.
    assert.ok(!test('{"eventSource":"ec2.amazonaws.com","eventName":"Describe","note":"\\\\u0052"}'));
    assert.ok(test('{"CloudTrailEvent":"{\\"eventSource\\":\\"ec2.amazonaws.com\\",\\"eventName\\":\\"\\\\u0052unInstances\\"}"}'));
    assert.ok(test('{"CloudTrailEvent":"{\\"eventSource\\":\\"ec2.amazonaws.com\\",\\"eventName\\":\\"\\u005Cu0052unInstances\\"}"}'));
    // the key itself may be spelt with an escape
    assert.ok(test('{"CloudTrail\\u0045vent":"{\\"eventSource\\":\\"ec2.amazonaws.com\\",\\"eventName\\":\\"\\\\u0052unInstances\\"}"}'));
    assert.ok(test('{"eventSource":"ec2.amazonaws.com","eventName":"\\u0052unInstances","note":"caf\\u00e9"}'));
    // an escaped backslash without the key, beside escapes that write none of its characters
    assert.ok(!test('{"eventSource":"ec2.amazonaws.com","eventName":"Describe","path":"C:\\\\tmp","note":"caf\\u00e9 \\u0026"}'));
    // an ASCII escape of no literal's character cannot spell a literal (& is in none of them)
    assert.ok(!test('{"eventSource":"ec2.amazonaws.com","eventName":"Describe","note":"a \\u0026 b"}'));
  });

  it('rules out records without the prefix every alternative shares, and only those', () => {
    const keep = (queries: string[], record: string) => {
      const pf = prefilterFor(queries.map((q) => parseKql(q)));
      assert.ok(pf);
      const b = enc(record);
      return pf(b, 0, b.length, record.includes('\\'));
    };
    const mirror = 'event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorFilter or CreateTrafficMirrorSession)';
    assert.ok(keep([mirror], '{"eventSource":"ec2.amazonaws.com","eventName":"CreateTrafficMirrorSession"}'));
    assert.ok(keep([mirror], '{"eventSource":"ec2.amazonaws.com","eventName":"CreateTrafficMirrorFilter"}'));
    assert.ok(!keep([mirror], '{"eventSource":"ec2.amazonaws.com","eventName":"CreateTrafficMirrorTarget"}'));
    assert.ok(!keep([mirror], '{"eventSource":"ec2.amazonaws.com","eventName":"CreateTrafficMirro"}'));
    // another query's alternatives share nothing with these: its records are kept
    assert.ok(keep([mirror, 'event.action:RunInstances'], '{"eventName":"RunInstances"}'));
    // a prefix cut inside a surrogate pair keeps the whole characters before it only
    assert.ok(keep(['event.action:(abcd\u{1F600}x or abcd\u{1F601}y)'], '{"eventName":"abcd\u{1F601}y"}'));
    assert.ok(!keep(['event.action:(abcd\u{1F600}x or abcd\u{1F601}y)'], '{"eventName":"abce\u{1F601}y"}'));
  });

  it('rules out parsed records whose eventName or eventSource holds another string, and only those', () => {
    const gate = recordGateFor([parseKql('event.provider:ec2.amazonaws.com and event.action:(CreateTrafficMirrorTarget or RunInstances)')]);
    assert.ok(gate);
    assert.ok(gate({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }));
    assert.ok(gate({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateTrafficMirrorTarget', x: 'anything' }));
    // another value, or none (missing, or "" which the pipeline scrubs): the field cannot match
    assert.ok(!gate({ eventSource: 'ec2.amazonaws.com', eventName: 'GetObject', key: 'runbooks/RunInstances.md' }));
    assert.ok(!gate({ eventSource: 's3.amazonaws.com', eventName: 'RunInstances' }));
    assert.ok(!gate({ eventSource: 'ec2.amazonaws.com' }));
    assert.ok(!gate({ eventSource: 'ec2.amazonaws.com', eventName: '' }));
    // exact: keyword values are case-sensitive
    assert.ok(!gate({ eventSource: 'ec2.amazonaws.com', eventName: 'runinstances' }));
    // not a string: the mapping renders it, the evaluator decides
    for (const odd of [['RunInstances'], 42, null, true, { a: 1 }]) assert.ok(gate({ eventSource: 'ec2.amazonaws.com', eventName: odd }), JSON.stringify(odd));
    // an inherited property is not the record's
    assert.ok(!gate(Object.create({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }) as Record<string, unknown>));
    // several queries: a record any of them could match is kept
    const two = recordGateFor([parseKql('event.action:A'), parseKql('event.provider:p and event.action:B')]);
    assert.ok(two?.({ eventName: 'A' }) && two({ eventName: 'B', eventSource: 'p' }) && !two({ eventName: 'B', eventSource: 'q' }));
    // a query that needs no exact value of these fields: no gate
    assert.equal(recordGateFor([parseKql('event.action:A'), parseKql('user.name:root')]), undefined);
  });

  it('rules out parsed records by event.outcome only where the error fields decide it', () => {
    const gate = recordGateFor([parseKql('event.action:(RunInstances or ConsoleLogin) and event.outcome:success')]);
    assert.ok(gate);
    assert.ok(gate({ eventName: 'RunInstances' }));
    assert.ok(gate({ eventName: 'RunInstances', errorCode: '', errorMessage: null }));
    assert.ok(!gate({ eventName: 'RunInstances', errorCode: 'AccessDenied' }));
    assert.ok(!gate({ eventName: 'RunInstances', errorMessage: 'You are not authorized' }));
    // a ConsoleLogin's outcome is its reported result, whatever the error fields say
    assert.ok(gate({ eventName: 'ConsoleLogin', errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Success' } }));
    const failed = recordGateFor([parseKql('event.outcome:failure')]);
    assert.ok(failed?.({ eventName: 'X', errorCode: 'Throttling' }) && !failed({ eventName: 'X' }));
  });

  it('never rules out a record the mapping and the query would match (generated records)', () => {
    const queries = [
      'event.action:(RunInstances or ConsoleLogin) and event.outcome:success',
      'event.provider:ec2.amazonaws.com and event.outcome:failure',
      'event.outcome:(success or unknown) or event.action:ConsoleLogin',
    ].map((q) => parseKql(q));
    const odd = fc.constantFrom<unknown>(undefined, null, '', 'AccessDenied', 'x', 0, 1, true, false, {}, { a: '' }, { a: 'x' }, [], [''], ['x'], [null]);
    const raw = fc.record({
      eventName: fc.constantFrom<unknown>(undefined, 'RunInstances', 'ConsoleLogin', 'GetObject', '', ['ConsoleLogin']),
      eventSource: fc.constantFrom<unknown>(undefined, 'ec2.amazonaws.com', 'signin.amazonaws.com'),
      errorCode: odd,
      errorMessage: odd,
      responseElements: fc.constantFrom<unknown>(undefined, null, {}, { ConsoleLogin: 'Success' }, { ConsoleLogin: 'Failure' }, { ConsoleLogin: 7 }),
      eventVersion: fc.constantFrom<unknown>(undefined, '1.09'),
    });
    let ruledOut = 0;
    for (const q of queries) {
      const gate = recordGateFor([q]);
      assert.ok(gate);
      fc.assert(
        fc.property(raw, (fields) => {
          const rec: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(fields)) if (v !== undefined) rec[k] = v;
          if (gate(rec)) return;
          ruledOut++;
          assert.equal(evaluateKql(q, documentView(cloudTrailToEcs(rec)), []), false, JSON.stringify(rec));
        }),
        { numRuns: 1500 },
      );
    }
    assert.ok(ruledOut > 1000, `only ${ruledOut} records ruled out: the property tested little`);
  });

  it('keeps every record with a \\u escape when a literal is not ASCII', () => {
    const pf = prefilterFor([parseKql('event.action:Café')]);
    assert.ok(pf);
    const b = enc('{"eventName":"Caf\\u00e9"}');
    assert.ok(pf(b, 0, b.length, true));
  });

  it('gives no prefilter when a query promises no literal (negation, derived fields, text)', () => {
    assert.equal(prefilterFor([parseKql('not event.action:RunInstances')]), undefined);
    assert.equal(prefilterFor([parseKql('event.outcome:success')]), undefined);
    assert.equal(prefilterFor([parseKql('event.action:RunInstances'), parseKql('source.ip:10.0.0.0/8')]), undefined);
  });
});
