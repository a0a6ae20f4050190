import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** The names in a zip file's central directory. */
function zipEntries(zip: Buffer): string[] {
  const names: string[] = [];
  for (let i = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 46)) {
    const nameLength = zip.readUInt16LE(i + 28);
    names.push(zip.toString('utf8', i + 46, i + 46 + nameLength));
  }
  return names;
}

describe('extension: the .vsix package (npm run package)', function () {
  this.timeout(120000);

  it('builds, with the bundles, the rule and the grammar, and nothing from the source tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cth-vsix-'));
    try {
      const out = join(dir, 'cloudtrail-hunter.vsix');
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const r = spawnSync(npm, ['run', '--silent', 'package', '--', '--out', out], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
      const names = zipEntries(readFileSync(out));
      for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/scanWorker.js', 'extension/dist/fileScanWorker.js', 'extension/dist/cli.js', 'extension/syntaxes/kuery.tmLanguage.json', 'extension/media/icon.png']) {
        assert.ok(names.includes(needed), `${needed} is in the package: ${names.join(', ')}`);
      }
      assert.ok(names.some((n) => /^extension\/rules\/.+\.toml$/.test(n)), 'the bundled rule is in the package');
      const leaked = names.filter((n) => /^extension\/(src|test|wasm|bench|scripts|node_modules|samples)\//.test(n) || n.endsWith('.map'));
      assert.deepEqual(leaked, []);
      // V8 flags and libuv's pool size are process-wide: only the CLI's own process sets them, never
      // code that runs in the extension host (the extension, its scan worker, the file-scanning pool's workers)
      for (const bundle of ['extension.js', 'scanWorker.js', 'fileScanWorker.js']) {
        const code = readFileSync(join(ROOT, 'dist', bundle), 'utf8');
        assert.ok(!code.includes('setFlagsFromString'), `${bundle} sets no V8 flag`);
        assert.ok(!code.includes('UV_THREADPOOL_SIZE'), `${bundle} leaves the thread pool alone`);
      }
      const cli = readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8');
      assert.ok(cli.includes('setFlagsFromString'), 'the CLI tunes V8 for its own process');
      assert.ok(cli.includes('UV_THREADPOOL_SIZE'), 'the CLI sizes the thread pool of its own process');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
