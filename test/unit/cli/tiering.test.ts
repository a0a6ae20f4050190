import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_INTERRUPT_BUDGET } from '../../../src/node/tiering';

describe('cli: V8 tiering for the scanning process', () => {
  it('the command sets V8\'s tiering budget for its own process, before it does anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cth-tiering-'));
    try {
      // a preloaded script notes every V8 flag the process sets, and when
      const hook = join(dir, 'hook.js');
      writeFileSync(
        hook,
        `const v8 = require('node:v8'); const set = v8.setFlagsFromString;
         v8.setFlagsFromString = (f) => { process.stderr.write('flag ' + f + '\\n'); set(f); };
         const write = process.stdout.write.bind(process.stdout);
         process.stdout.write = (...a) => { process.stderr.write('output\\n'); return write(...a); };`,
      );
      const cli = join(__dirname, '..', '..', '..', 'src', 'cli', 'index.js');
      const r = spawnSync(process.execPath, ['-r', hook, cli, '--version'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.deepEqual(lines.filter((l) => l.startsWith('flag ')), [`flag --interrupt-budget=${BATCH_INTERRUPT_BUDGET}`]);
      assert.ok(lines.indexOf(`flag --interrupt-budget=${BATCH_INTERRUPT_BUDGET}`) < lines.indexOf('output'), r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('importing the CLI module (as the extension and the tests do) sets no flag', () => {
    const r = spawnSync(process.execPath, ['-e', `const v8 = require('node:v8'); v8.setFlagsFromString = () => { throw new Error('a flag was set'); }; require(${JSON.stringify(join(__dirname, '..', '..', '..', 'src', 'cli', 'index.js'))});`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
