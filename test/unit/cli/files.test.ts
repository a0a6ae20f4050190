import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expandPaths, isScannableName } from '../../../src/node/files';
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
});
