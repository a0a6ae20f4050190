// Test helpers for the extension's pure modules: a rule written for the tests.

import type { Rule } from '../../../src/core/types';

export function testRule(overrides: Partial<Rule> = {}): Rule {
  return {
    ruleId: '00000000-test-rule-0000-000000000001',
    name: 'Test Rule: Suspicious Widget Creation',
    description: 'Flags CreateWidget calls for the unit tests.',
    type: 'query',
    language: 'kuery',
    query: 'event.dataset:aws.cloudtrail and event.action:CreateWidget and event.outcome:success',
    index: ['logs-aws.cloudtrail-*'],
    severity: 'medium',
    riskScore: 47,
    from: 'now-60m',
    interval: '10m',
    maxSignals: 100,
    note: '## Triage\n\nCheck who created the widget.',
    falsePositives: ['Widget admins'],
    references: ['https://example.com/widgets'],
    tags: ['Domain: Cloud', 'Data Source: AWS'],
    author: ['Test Author'],
    license: 'MIT',
    version: 3,
    threat: [
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0010', name: 'Exfiltration', reference: 'https://attack.mitre.org/tactics/TA0010/' },
        technique: [
          {
            id: 'T1020',
            name: 'Automated Exfiltration',
            reference: 'https://attack.mitre.org/techniques/T1020/',
            subtechnique: [{ id: 'T1020.001', name: 'Traffic Duplication', reference: 'https://attack.mitre.org/techniques/T1020/001/' }],
          },
        ],
      },
    ],
    investigationFields: [],
    exceptionsList: [],
    metadata: {},
    source: 'bundled:test_rule.toml',
    ...overrides,
  };
}

/** Payloads a CloudTrail field can carry (userAgent, requestParameters, ... are caller-controlled). */
export const HOSTILE_VALUES = [
  '[x](command:workbench.action.terminal.new)',
  '![i](https://evil/x.png)',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  'https://evil.example',
  'www.evil.example/path',
  'mallory@evil.example',
  '`code` ``double`` and a stray `',
  'a | b | c',
  '<script>alert(1)</script>',
  '&lt;img src=x&gt;',
  '[ref]: https://evil.example\n[click][ref]',
  '<https://evil.example>',
  '**bold** _em_ # heading\n- list\n> quote',
  '\u202Egnp.exe',
  'line1\nline2\r\nline3\u2028line4',
];
