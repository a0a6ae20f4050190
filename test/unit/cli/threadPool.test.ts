import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchThreadPoolSize, sizeThreadPoolForBatch } from '../../../src/node/threadPool';

const CLI = join(__dirname, '..', '..', '..', 'src', 'cli', 'index.js');

/** The command's UV_THREADPOOL_SIZE at its first asynchronous file call (libuv reads it when its pool starts). */
function poolSizeSeenByCommand(env: NodeJS.ProcessEnv): string {
  const dir = mkdtempSync(join(tmpdir(), 'cth-pool-'));
  try {
    const hook = join(dir, 'hook.js');
    writeFileSync(
      hook,
      `const fs = require('node:fs'); let seen = false;
       for (const name of ['open', 'stat', 'lstat', 'readdir', 'readFile', 'realpath', 'access']) {
         const real = fs.promises[name];
         fs.promises[name] = (...a) => {
           if (!seen) { seen = true; process.stderr.write('pool ' + process.env.UV_THREADPOOL_SIZE + '\\n'); }
           return real(...a);
         };
       }`,
    );
    const r = spawnSync(process.execPath, ['-r', hook, CLI, 'scan', __filename], { encoding: 'utf8', env });
    const line = r.stderr.split('\n').find((l) => l.startsWith('pool '));
    assert.ok(line, r.stderr);
    return line.slice('pool '.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('cli: libuv thread pool for the scanning process', () => {
  it('one thread per two cores, at least one', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 16].map(batchThreadPoolSize), [1, 1, 1, 2, 4, 8]);
  });

  it('keeps a size the user set', () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '7' };
    sizeThreadPoolForBatch(env, 2);
    assert.equal(env.UV_THREADPOOL_SIZE, '7');
    const unset: NodeJS.ProcessEnv = {};
    sizeThreadPoolForBatch(unset, 8);
    assert.equal(unset.UV_THREADPOOL_SIZE, '4');
  });

  it('the command sets it before its first file read, and keeps the user\'s', () => {
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    assert.equal(poolSizeSeenByCommand(env), String(batchThreadPoolSize(availableParallelism())));
    assert.equal(poolSizeSeenByCommand({ ...env, UV_THREADPOOL_SIZE: '3' }), '3');
  });

  it('importing the CLI module (as the extension and the tests do) leaves the pool alone', () => {
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(CLI)}); process.stdout.write(String(process.env.UV_THREADPOOL_SIZE));`], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'undefined');
  });
});
