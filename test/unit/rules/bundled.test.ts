import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_RULE_FILES, evaluability, parseRuleToml } from '../../../src/core/rules';
import type { Rule } from '../../../src/core/types';
import { findPackageRoot, loadBundledRules } from '../../../src/node/ruleFiles';

const SEED_QUERY = [
  'event.dataset:aws.cloudtrail and event.provider:ec2.amazonaws.com and',
  'event.action:(CreateTrafficMirrorFilter or CreateTrafficMirrorFilterRule or CreateTrafficMirrorSession or CreateTrafficMirrorTarget) and',
  'event.outcome:success',
].join('\n');

describe('rules/bundled', () => {
  it('ships exactly the files BUNDLED_RULE_FILES lists', () => {
    const dir = path.join(findPackageRoot(), 'rules');
    const onDisk = fs.readdirSync(dir).filter((f) => f.endsWith('.toml')).sort();
    assert.deepEqual(onDisk, [...BUNDLED_RULE_FILES].sort());
  });

  it('finds the package root from the compiled folder', () => {
    const root = findPackageRoot();
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name, 'cloudtrail-hunter');
    assert.throws(() => findPackageRoot(path.parse(root).root), /cannot find the cloudtrail-hunter package/);
  });

  describe('AWS EC2 Full Network Packet Capture Detected (v207)', () => {
    let rules: Rule[] = [];
    let rule: Rule | undefined;
    before(() => {
      rules = loadBundledRules();
      rule = rules.find((r) => r.ruleId === 'c1812764-0788-470f-8e74-eb4a14d47573');
    });

    it('loads, from bundled:<file>, and can be evaluated', () => {
      assert.equal(rules.length, BUNDLED_RULE_FILES.length);
      assert.ok(rule);
      assert.equal(rule.source, 'bundled:aws_ec2_full_network_packet_capture_detected.toml');
      assert.equal(evaluability(rule), undefined);
    });

    it('has the identity, query and schedule of version 207', () => {
      assert.ok(rule);
      assert.equal(rule.name, 'AWS EC2 Full Network Packet Capture Detected');
      assert.equal(rule.version, 207);
      assert.equal(rule.type, 'query');
      assert.equal(rule.language, 'kuery');
      // verbatim: three lines, as published; the TOML layout adds only the final newline
      assert.equal(rule.query, SEED_QUERY + '\n');
      assert.equal(rule.severity, 'medium');
      assert.equal(rule.riskScore, 47);
      assert.deepEqual(rule.index, ['filebeat-*', 'logs-aws.cloudtrail-*']);
      assert.equal(rule.from, 'now-60m');
      assert.equal(rule.interval, '10m');
      assert.equal(rule.maxSignals, 100);
    });

    it('has the description, authors, license, tags and metadata', () => {
      assert.ok(rule);
      assert.equal(
        rule.description,
        'Identifies potential Traffic Mirroring in an Amazon Elastic Compute Cloud (EC2) instance. Traffic Mirroring is an Amazon VPC feature that you can use to copy network traffic from an Elastic network interface. This feature can potentially be abused to exfiltrate sensitive data from unencrypted internal traffic.',
      );
      assert.deepEqual(rule.author, ['Elastic', 'Austin Songer']);
      assert.equal(rule.license, 'Elastic License v2');
      assert.deepEqual(rule.tags, [
        'Domain: Cloud',
        'Data Source: AWS',
        'Data Source: Amazon Web Services',
        'Use Case: Network Security Monitoring',
        'Tactic: Exfiltration',
        'Tactic: Collection',
        'Resources: Investigation Guide',
      ]);
      assert.equal(rule.metadata.maturity, 'production');
      assert.deepEqual(rule.metadata.integration, ['aws']);
      assert.equal(rule.metadata.creation_date, '2021/05/05');
      assert.equal(typeof rule.metadata.updated_date, 'string');
      assert.equal(rule.falsePositives.length, 5);
      assert.ok(rule.falsePositives.every((fp) => fp.length > 40 && fp === fp.trim() && !fp.includes('\n')));
      assert.ok(rule.falsePositives[0].startsWith('Routine network monitoring activities may trigger the rule'));
      assert.ok(rule.references.every((u) => u.startsWith('https://')));
      assert.deepEqual(rule.exceptionsList, []);
      assert.ok(rule.investigationFields.includes('event.action'));
      assert.ok(rule.investigationFields.every((f) => !f.startsWith('aws.')), 'only standard ECS fields');
    });

    it('maps to Exfiltration/T1020 and Collection/T1074', () => {
      assert.ok(rule);
      assert.deepEqual(rule.threat, [
        {
          framework: 'MITRE ATT&CK',
          tactic: { id: 'TA0010', name: 'Exfiltration', reference: 'https://attack.mitre.org/tactics/TA0010/' },
          technique: [{ id: 'T1020', name: 'Automated Exfiltration', reference: 'https://attack.mitre.org/techniques/T1020/' }],
        },
        {
          framework: 'MITRE ATT&CK',
          tactic: { id: 'TA0009', name: 'Collection', reference: 'https://attack.mitre.org/tactics/TA0009/' },
          technique: [{ id: 'T1074', name: 'Data Staged', reference: 'https://attack.mitre.org/techniques/T1074/' }],
        },
      ]);
    });

    it('carries the whole investigation guide as Markdown, sections in order', () => {
      assert.ok(rule?.note);
      const headings = rule.note.split('\n').filter((l) => l.startsWith('#'));
      assert.deepEqual(headings, [
        '## Triage and analysis',
        '### Investigating AWS EC2 Full Network Packet Capture Detected',
        '### Possible investigation steps',
        '### False positive analysis',
        '### Response and remediation',
      ]);
      const bullets = (heading: string) => {
        const after = rule!.note!.split(heading + '\n\n')[1];
        return after.split('\n\n')[0].split('\n').filter((l) => l.startsWith('- ')).length;
      };
      assert.equal(bullets('### Possible investigation steps'), 6);
      assert.equal(bullets('### False positive analysis'), 5);
      assert.equal(bullets('### Response and remediation'), 7);
      assert.match(rule.note, /Traffic Mirroring in AWS EC2 allows copying of network traffic/);
      assert.match(rule.note, /Consider using AWS GuardDuty or similar services/);
      assert.doesNotMatch(rule.note, /TBC/);
    });

    it('has the setup line', () => {
      assert.match(
        rule?.setup ?? '',
        /The AWS Fleet integration, Filebeat module, or similarly structured data is required to be compatible with this rule\./,
      );
    });

    it('parses the same with parseRuleToml directly', () => {
      const file = path.join(findPackageRoot(), 'rules', BUNDLED_RULE_FILES[0]);
      const direct = parseRuleToml(fs.readFileSync(file, 'utf8'), file);
      assert.deepEqual({ ...direct, source: '' }, { ...rule, source: '' });
    });
  });
});
