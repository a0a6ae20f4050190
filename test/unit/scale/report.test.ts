import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PositionMapper } from '../../../src/core/input/positions';
import { fileResultFrom, fileResultFromPositions, formatReport, REPORT_FORMATS, TOOL_NAME, type FileResult, type ScanReport } from '../../../src/core/report';
import { prepareRules, scanBytes } from '../../../src/core/scan';
import { expandPaths } from '../../../src/node/files';
import { loadBundledRules } from '../../../src/node/ruleFiles';
import { scanFile } from '../../../src/node/scanFile';
import { RULES } from './helpers';

// The CLI used to read each file whole and build its report from the bytes; it now streams. Every
// report format must come out the same, byte for byte, on every fixture the project has.
describe('scale/report from streamed scans', () => {
  it('prints exactly what the whole-file path printed, in every format, for every fixture', async () => {
    const root = path.resolve(__dirname, '../../../..');
    const rules = [...loadBundledRules(), ...RULES];
    const set = prepareRules(rules);
    const { files } = await expandPaths(['samples', 'test/fixtures/cli', 'test/fixtures/input', 'test/fixtures/integration'], root);
    assert.ok(files.length >= 20, `${files.length} fixture files`);
    const before: FileResult[] = [];
    const after: FileResult[] = [];
    let findings = 0;
    for (const file of files) {
      const raw = fs.readFileSync(path.join(root, file));
      const compressed = raw[0] === 0x1f && raw[1] === 0x8b;
      const bytes = compressed ? zlib.gunzipSync(raw) : raw;
      const whole = scanBytes(bytes, set);
      findings += whole.findings.length;
      before.push(fileResultFrom(file, bytes, whole, new PositionMapper(bytes), { compressed }));
      const s = await scanFile(file, set, { cwd: root, chunkSize: 7 });
      after.push(fileResultFromPositions(file, s.result, s.positions, s.digests, { compressed: s.compressed }));
    }
    assert.ok(findings >= 10, `${findings} findings`);
    const report = (f: FileResult[]): ScanReport => ({ tool: { name: TOOL_NAME, version: '0.0.0' }, rules, notEvaluated: set.notEvaluated, files: f, errors: [] });
    for (const format of REPORT_FORMATS) assert.equal(formatReport(format, report(after), { cwd: root }), formatReport(format, report(before), { cwd: root }), format);
  });
});
