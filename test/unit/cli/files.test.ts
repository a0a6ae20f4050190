import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expandPaths, FileReadError, isScannableName, readInputFile } from '../../../src/node/files';
import { FIXTURES, ROOT, tempDir } from './helpers';

describe('node/files', () => {
  describe('expandPaths', () => {
    it('walks folders recursively in sorted order, taking only log file names and skipping hidden entries', async () => {
      const { files, errors } = await expandPaths([`${FIXTURES}/tree`], ROOT);
      assert.deepEqual(errors, []);
      assert.deepEqual(files, [`${FIXTURES}/tree/a.json`, `${FIXTURES}/tree/nested/c.ndjson`, `${FIXTURES}/tree/nested/deeper/b.jsonl`].map(path.normalize));
    });

    it('takes a file named explicitly whatever its name, in argument order, once', async () => {
      const notes = `${FIXTURES}/tree/nested/notes.txt`;
      const a = `${FIXTURES}/tree/a.json`;
      const { files } = await expandPaths([notes, a, `${FIXTURES}/tree`, `./${a}`], ROOT);
      assert.deepEqual(files, [notes, a, `${FIXTURES}/tree/nested/c.ndjson`, `${FIXTURES}/tree/nested/deeper/b.jsonl`].map(path.normalize));
    });

    it('reports a missing path and keeps going', async () => {
      const { files, errors } = await expandPaths(['no/such/dir', `${FIXTURES}/tree/a.json`], ROOT);
      assert.deepEqual(files, [`${FIXTURES}/tree/a.json`]);
      assert.deepEqual(errors, [{ path: 'no/such/dir', message: 'no such file or folder' }]);
    });

    it('survives a symlink loop and picks up .gz forms', async () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'x'));
      fs.writeFileSync(path.join(dir, 'x', 'one.json.gz'), zlib.gzipSync('{}'));
      fs.writeFileSync(path.join(dir, 'x', 'two.JSONL'), '{}');
      fs.writeFileSync(path.join(dir, 'x', 'three.ndjson.gz'), zlib.gzipSync('{}'));
      fs.writeFileSync(path.join(dir, 'x', 'skip.gz'), zlib.gzipSync('{}'));
      fs.symlinkSync(dir, path.join(dir, 'x', 'loop'));
      const { files, errors } = await expandPaths([dir], '/');
      assert.deepEqual(errors, []);
      assert.deepEqual(files.map((f) => path.relative(dir, f)), ['x/one.json.gz', 'x/three.ndjson.gz', 'x/two.JSONL']);
    });

    it('knows the names a folder walk picks up', () => {
      for (const n of ['a.json', 'a.jsonl', 'a.ndjson', 'a.json.gz', 'A.JSON']) assert.ok(isScannableName(n), n);
      for (const n of ['a.txt', 'a.gz', 'a.json.bak', 'json']) assert.ok(!isScannableName(n), n);
    });
  });

  describe('readInputFile', () => {
    it('reads a plain file as it is', async () => {
      const { bytes, compressed } = await readInputFile(`${FIXTURES}/tree/a.json`, ROOT);
      assert.equal(compressed, false);
      assert.deepEqual(Buffer.from(bytes), fs.readFileSync(path.join(ROOT, FIXTURES, 'tree/a.json')));
    });

    it('gunzips by content, with or without a .gz name', async () => {
      const dir = tempDir();
      const text = '{"Records":[]}';
      fs.writeFileSync(path.join(dir, 'a.json.gz'), zlib.gzipSync(text));
      fs.writeFileSync(path.join(dir, 'renamed.json'), zlib.gzipSync(text));
      for (const name of ['a.json.gz', 'renamed.json']) {
        const { bytes, compressed } = await readInputFile(name, dir);
        assert.equal(compressed, true);
        assert.equal(Buffer.from(bytes).toString('utf8'), text);
      }
    });

    it('turns a truncated or corrupt gzip file into a clear error, not a crash', async () => {
      const dir = tempDir();
      const good = zlib.gzipSync('{"Records":[' + '{"eventName":"X"},'.repeat(200) + '{}]}');
      fs.writeFileSync(path.join(dir, 'truncated.json.gz'), good.subarray(0, good.length >> 1));
      const corrupt = Buffer.from(good);
      corrupt.fill(0xff, 10, 40);
      fs.writeFileSync(path.join(dir, 'corrupt.json.gz'), corrupt);
      await assert.rejects(readInputFile('truncated.json.gz', dir), (e: unknown) => {
        assert.ok(e instanceof FileReadError);
        assert.equal(e.path, 'truncated.json.gz');
        assert.match(e.message, /truncated/);
        return true;
      });
      await assert.rejects(readInputFile('corrupt.json.gz', dir), (e: unknown) => e instanceof FileReadError && /gzip data is corrupt/.test(e.message));
    });

    it('reports a missing or unreadable file by reason', async () => {
      await assert.rejects(readInputFile('nope.json', ROOT), (e: unknown) => e instanceof FileReadError && e.message === 'no such file or folder');
      await assert.rejects(readInputFile(FIXTURES, ROOT), (e: unknown) => e instanceof FileReadError && e.message === 'is a folder');
    });
  });
});
