import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, parseArgs, queryErrorText, UsageError } from '../../../src/cli';
import { FIXTURES, RAW_CONTROL, ROOT, run, tempDir } from './helpers';

const TREE = `${FIXTURES}/tree`;

describe('cli/main', () => {
  describe('exit codes', () => {
    it('0 when nothing matches', async () => {
      const r = await run(['scan', `${TREE}/nested/c.ndjson`]);
      assert.equal(r.code, EXIT_CLEAN, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^0 findings in 1 file \(1 record scanned, 0 problems\)\n$/);
    });

    it('1 when something matches', async () => {
      const r = await run(['scan', TREE]);
      assert.equal(r.code, EXIT_FINDINGS, r.stderr);
      assert.match(r.stdout, /2 findings in 3 files \(6 records scanned, 0 problems\)/);
    });

    it('2 for a path that cannot be read, after scanning the rest', async () => {
      const r = await run(['scan', 'no/such/file.json', TREE]);
      assert.equal(r.code, EXIT_ERROR);
      assert.match(r.stderr, /error: no\/such\/file\.json: no such file or folder/);
      assert.match(r.stdout, /2 findings in 3 files/);
    });

    it('2 for bad usage, with a message', async () => {
      for (const argv of [[], ['scan'], ['frobnicate'], ['scan', TREE, '--format', 'xml'], ['scan', TREE, '--bogus'], ['scan', TREE, '--rules']]) {
        const r = await run(argv);
        assert.equal(r.code, EXIT_ERROR, argv.join(' '));
        assert.match(r.stderr, /^cloudtrail-hunter: error: /, argv.join(' '));
      }
    });

    it('broken records inside a file are problems, not errors: the good records around them still count', async () => {
      const r = await run(['scan', `${FIXTURES}/broken.jsonl`, '--format', 'json']);
      assert.equal(r.code, EXIT_FINDINGS, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.findings.map((f: { line: number }) => f.line), [1, 3]);
      assert.equal(out.problems.length, 1);
      assert.equal(out.problems[0].line, 2);
      assert.equal(out.problems[0].code, 'json-syntax');
    });
  });

  describe('--query', () => {
    it('shows where a syntax error is: line, column and a caret under it; nothing is scanned', async () => {
      const r = await run(['scan', TREE, '--query', 'event.action:(CreateTrafficMirrorSession or']);
      assert.equal(r.code, EXIT_ERROR);
      assert.equal(r.stdout, '');
      const lines = r.stderr.split('\n');
      assert.match(lines[0], /^cloudtrail-hunter: error: --query: line 1, column 44: Expected/);
      assert.equal(lines[1], '  event.action:(CreateTrafficMirrorSession or');
      assert.equal(lines[2], `  ${' '.repeat(43)}^`); // just past the end: the input ended too soon
    });

    it('points into the right line of a multi-line query', async () => {
      const r = await run(['scan', TREE, '--query', 'event.action:X and\n  event.outcome:)']);
      assert.equal(r.code, EXIT_ERROR);
      const lines = r.stderr.split('\n');
      assert.match(lines[0], /line 2, column 17:/);
      assert.equal(lines[1], '    event.outcome:)');
      assert.equal(lines[2].indexOf('^'), lines[1].indexOf(')'));
    });

    it('puts the caret under the column even when escapes widen the line', () => {
      const text = queryErrorText('a:"\u001b" or )', { line: 1, column: 10, message: 'Expected value' });
      const [, shown, caret] = text.split('\n');
      assert.equal(shown, '  a:"\\u{1b}" or )');
      assert.equal(caret.indexOf('^'), shown.indexOf(')'));
      assert.ok(!RAW_CONTROL.test(text.replace(/\n/g, '')));
    });

    it('hunts with the query alone when bundled rules are switched off', async () => {
      const r = await run(['scan', TREE, '--no-bundled-rules', '--query', 'event.action:CreateTrafficMirrorTarget and event.outcome:failure', '--format', 'json']);
      assert.equal(r.code, EXIT_FINDINGS, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.findings.length, 1);
      assert.equal(out.findings[0].rule.id, 'hunt-query');
      assert.equal(out.findings[0].record.eventId, '20000000-0000-4000-a000-000000000004');
    });

    it('several queries are told apart', async () => {
      const r = await run(['scan', TREE, '--no-bundled-rules', '--query', 'event.action:CreateTrafficMirrorTarget', '--query', 'event.action:DescribeInstances', '--format', 'json']);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.summary.byRule, { 'hunt-query-1': 2, 'hunt-query-2': 1 });
    });
  });

  describe('--rules', () => {
    it('names the broken rule file with line and column, and still runs the good rules', async () => {
      const r = await run(['scan', TREE, '--rules', `${FIXTURES}/rules-broken`, '--format', 'json']);
      assert.equal(r.code, EXIT_ERROR);
      assert.match(r.stderr, new RegExp(`error: ${FIXTURES}/rules-broken/unclosed_string\\.toml:8:\\d+: `));
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.summary.byRule, { 'c1812764-0788-470f-8e74-eb4a14d47573': 2, '22222222-bbbb-4ccc-8ddd-000000000002': 1 });
    });

    it('adds a folder of rules to the bundled one', async () => {
      const r = await run(['scan', TREE, '--rules', `${FIXTURES}/rules-good`, '--format', 'json']);
      assert.equal(r.code, EXIT_FINDINGS, r.stderr);
      const out = JSON.parse(r.stdout);
      const denied = out.findings.filter((f: { rule: { id: string } }) => f.rule.id === '22222222-bbbb-4ccc-8ddd-000000000001');
      assert.equal(denied.length, 1);
      assert.equal(denied[0].fields['event.outcome'], 'failure');
      assert.equal(denied[0].line, 2);
    });

    it('a missing rules folder is an error', async () => {
      const r = await run(['scan', TREE, '--rules', 'no/rules/here']);
      assert.equal(r.code, EXIT_ERROR);
      assert.match(r.stderr, /error: no\/rules\/here: no such file or folder/);
    });

    it('with no rule at all there is nothing to do: an error', async () => {
      const r = await run(['scan', TREE, '--no-bundled-rules']);
      assert.equal(r.code, EXIT_ERROR);
      assert.match(r.stderr, /no rules to run/);
    });
  });

  describe('inputs', () => {
    it('scans .json.gz and reports a truncated one as a broken file, keeping its records before the cut', async () => {
      const dir = tempDir();
      const a = fs.readFileSync(path.join(ROOT, TREE, 'a.json'));
      fs.mkdirSync(path.join(dir, 'AWSLogs', 'us-east-1'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'AWSLogs', 'us-east-1', 'ok.json.gz'), zlib.gzipSync(a));
      // the matching record first, so that it is whole before the cut
      const records = JSON.parse(a.toString('utf8')).Records as { eventName: string }[];
      records.sort((x, y) => Number(y.eventName.startsWith('CreateTrafficMirror')) - Number(x.eventName.startsWith('CreateTrafficMirror')));
      const gz = zlib.gzipSync(JSON.stringify({ Records: records }));
      fs.writeFileSync(path.join(dir, 'AWSLogs', 'us-east-1', 'cut.json.gz'), gz.subarray(0, gz.length - 20));
      const r = await run(['scan', '.', '--format', 'json'], { cwd: dir });
      assert.equal(r.code, EXIT_FINDINGS, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.findings.map((f: { file: string }) => f.file).sort(), ['AWSLogs/us-east-1/cut.json.gz', 'AWSLogs/us-east-1/ok.json.gz']);
      for (const f of out.findings) {
        assert.equal(f.compressed, true);
        assert.equal(f.line, 1);
      }
      assert.deepEqual(out.errors, []);
      const cut = out.problems.filter((p: { file: string }) => p.file === 'AWSLogs/us-east-1/cut.json.gz');
      const gzipProblem = cut.find((p: { message: string }) => /^the gzip stream is truncated after \d+ bytes of content: records before it were scanned/.test(p.message));
      assert.ok(gzipProblem, JSON.stringify(cut));
      assert.equal(gzipProblem.severity, 'error');
      assert.equal(gzipProblem.code, 'json-syntax');
    });

    it('an empty folder is an error: nothing was scanned', async () => {
      const r = await run(['scan', tempDir()]);
      assert.equal(r.code, EXIT_ERROR);
      assert.match(r.stderr, /no \.json, \.jsonl, \.ndjson or \.json\.gz files found/);
    });

    it('hostile values never reach the terminal raw', async () => {
      for (const tty of [false, true]) {
        const r = await run(['scan', `${FIXTURES}/hostile.jsonl`], { tty });
        assert.equal(r.code, EXIT_FINDINGS);
        const withoutOwnColour = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
        for (const line of withoutOwnColour.split('\n')) assert.ok(!RAW_CONTROL.test(line), JSON.stringify(line));
        assert.match(withoutOwnColour, /eve\\u\{1b\}\[8m\\u\{202e\}/);
      }
    });
  });

  describe('output', () => {
    it('colours for a terminal only, and never with NO_COLOR', async () => {
      assert.ok((await run(['scan', TREE], { tty: true })).stdout.includes('\u001b['));
      assert.ok(!(await run(['scan', TREE], { tty: false })).stdout.includes('\u001b['));
      assert.ok(!(await run(['scan', TREE], { tty: true, env: { NO_COLOR: '1' } })).stdout.includes('\u001b['));
      assert.ok(!(await run(['scan', TREE, '--no-color'], { tty: true })).stdout.includes('\u001b['));
      assert.ok((await run(['scan', TREE, '--color'])).stdout.includes('\u001b['));
    });

    it('--output writes the report to a file and nothing to stdout', async () => {
      const dir = tempDir();
      const r = await run(['scan', path.join(ROOT, TREE), '--format', 'sarif', '--output', 'out.sarif'], { cwd: dir, tty: true });
      assert.equal(r.code, EXIT_FINDINGS, r.stderr);
      assert.equal(r.stdout, '');
      const log = JSON.parse(fs.readFileSync(path.join(dir, 'out.sarif'), 'utf8'));
      assert.equal(log.version, '2.1.0');
      assert.equal(log.runs[0].results.length, 2);
      // Outside the working folder: an absolute file URI.
      assert.match(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, /^file:\/\/\/.*\/test\/fixtures\/cli\/tree\/a\.json$/);
    });

    it('SARIF locations are relative to the working folder when inside it', async () => {
      const r = await run(['scan', TREE, '--format', 'sarif']);
      const log = JSON.parse(r.stdout);
      const loc = log.runs[0].results[0].locations[0].physicalLocation;
      assert.deepEqual(loc.artifactLocation, { uri: `${TREE}/a.json`, uriBaseId: '%SRCROOT%', index: 0 });
      assert.equal(log.runs[0].tool.driver.rules[0].helpUri, 'https://www.elastic.co/guide/en/security/current/aws-ec2-full-network-packet-capture-detected.html');
    });

    it('SARIF locations are relative even when an absolute path inside the working folder was given', async () => {
      const log = JSON.parse((await run(['scan', path.join(ROOT, TREE, 'a.json'), '--format', 'sarif'])).stdout);
      assert.deepEqual(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation, { uri: `${TREE}/a.json`, uriBaseId: '%SRCROOT%', index: 0 });
    });

    it('CSV has a row per finding', async () => {
      const r = await run(['scan', TREE, '--format', 'csv']);
      const rows = r.stdout.trimEnd().split('\r\n');
      assert.equal(rows.length, 3);
      assert.match(rows[1], /^test\/fixtures\/cli\/tree\/a\.json,1,\d+,c1812764-0788-470f-8e74-eb4a14d47573,/);
    });

    it('--quiet leaves only the findings', async () => {
      const r = await run(['scan', TREE, '-q']);
      assert.equal(r.stdout.trimEnd().split('\n').length, 2);
      assert.doesNotMatch(r.stdout, /findings in/);
    });
  });

  describe('help, version, rules', () => {
    it('--help and --version', async () => {
      const h = await run(['--help']);
      assert.equal(h.code, 0);
      assert.match(h.stdout, /Usage:\n {2}cloudtrail-hunter scan/);
      assert.match(h.stdout, /Exit status:/);
      const v = await run(['--version']);
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      assert.equal(v.stdout, `cloudtrail-hunter ${pkg.version}\n`);
      assert.equal((await run(['scan', '--help'])).code, 0);
    });

    it('rules lists what is loaded and whether it runs', async () => {
      const r = await run(['rules', '--rules', `${FIXTURES}/rules-good`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /c1812764-0788-470f-8e74-eb4a14d47573 +medium +query\/kuery +evaluated +AWS EC2 Full Network Packet Capture Detected +bundled:/);
      assert.match(r.stdout, /22222222-bbbb-4ccc-8ddd-000000000001 +high +query\/kuery +evaluated +Test Denied Traffic Mirroring/);
      assert.match(r.stdout, /2 rules loaded: 2 evaluated, 0 not evaluated/);
    });

    it('rules with a broken folder exits 2 and names the file', async () => {
      const r = await run(['rules', '--no-bundled-rules', '--rules', `${FIXTURES}/rules-broken`]);
      assert.equal(r.code, EXIT_ERROR);
      assert.match(r.stderr, /unclosed_string\.toml:8:\d+:/);
      assert.match(r.stdout, /1 rule loaded: 1 evaluated, 0 not evaluated, 1 error/);
    });
  });

  describe('parseArgs', () => {
    it('reads --name=value, repeated options and -- before paths', () => {
      const a = parseArgs(['scan', '--rules=r1', '--rules', 'r2', '--format=json', '-o', 'x', '--', '--weird-name.json', 'b']);
      assert.deepEqual(a, { command: 'scan', paths: ['--weird-name.json', 'b'], ruleFolders: ['r1', 'r2'], queries: [], bundledRules: true, format: 'json', output: 'x', quiet: false, color: undefined });
      assert.throws(() => parseArgs(['scan', 'a', '--quiet=yes']), UsageError);
      assert.throws(() => parseArgs(['rules', 'file.json']), UsageError);
    });
  });
});
