import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DataDirInUseError, lockDataDir } from '../../src/db/pglite-lock.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function pgliteDir() {
  const d = mkdtempSync(path.join(tmpdir(), 'prom-lock-'));
  dirs.push(d);
  return path.join(d, 'data', 'pglite'); // parent "data" does not exist yet
}
const readLock = (dir: string) =>
  JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as { pid: number; command: string; startedAt: string };

test('takes the lock, records pid and command, release() removes the file', () => {
  const dir = pgliteDir();
  const lock = lockDataDir(dir, 'prom serve');
  const info = readLock(dir);
  assert.equal(info.pid, process.pid);
  assert.equal(info.command, 'prom serve');
  assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
  lock.release();
  assert.equal(existsSync(`${dir}.lock`), false);
  lock.release(); // idempotent
  lockDataDir(dir, 'again').release();
});

test('a lock held by this same process is taken over, not refused', () => {
  const dir = pgliteDir();
  const first = lockDataDir(dir, 'first');
  const second = lockDataDir(dir, 'second');
  assert.equal(readLock(dir).command, 'second');
  second.release();
  first.release();
  assert.equal(existsSync(`${dir}.lock`), false);
});

test('refuses while another live node process holds it, takes over once it is gone', async () => {
  const dir = pgliteDir();
  lockDataDir(dir, 'setup').release(); // creates the parent folder
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    const pid = child.pid!;
    writeFileSync(
      `${dir}.lock`,
      JSON.stringify({ pid, command: 'prom worker', startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    assert.throws(
      () => lockDataDir(dir, 'prom serve'),
      (err: unknown) => {
        assert.ok(err instanceof DataDirInUseError);
        assert.match(
          err.message,
          new RegExp(`in use by process ${pid} \\(prom worker, since 2026-01-01T00:00:00.000Z\\)`),
        );
        assert.match(err.message, /DATABASE_URL/);
        return true;
      },
    );
    assert.equal(readLock(dir).pid, pid, "the refused attempt leaves the holder's lock alone");
  } finally {
    child.kill();
  }
  await once(child, 'exit');
  const lock = lockDataDir(dir, 'prom serve');
  assert.equal(readLock(dir).pid, process.pid);
  assert.equal(readLock(dir).command, 'prom serve');
  lock.release();
  assert.equal(existsSync(`${dir}.lock`), false);
});

test('a lock file with garbage content is treated as stale', () => {
  const dir = pgliteDir();
  lockDataDir(dir, 'setup').release();
  writeFileSync(`${dir}.lock`, 'not json {');
  const lock = lockDataDir(dir, 'prom serve');
  assert.equal(readLock(dir).pid, process.pid);
  lock.release();
});

test('two processes racing to take over a stale lock: exactly one wins, 50 trials', async () => {
  const racer = fileURLToPath(new URL('../support/lock-racer.ts', import.meta.url));
  const racers = [0, 1].map(() => {
    const child = spawn(process.execPath, ['--import', 'tsx', racer], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    return { child, next: async () => String((await lines.next()).value) };
  });
  const dead = spawn(process.execPath, ['-e', '0']);
  await once(dead, 'exit');
  const trials: string[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      const dir = pgliteDir();
      lockDataDir(dir, 'setup').release(); // creates the parent folder
      writeFileSync(
        `${dir}.lock`,
        JSON.stringify({ pid: dead.pid, command: 'killed server', startedAt: '2026-01-01T00:00:00.000Z' }),
      );
      const at = Date.now() + 150;
      for (const r of racers) r.child.stdin.write(`go ${dir} ${at}\n`);
      const results = await Promise.all(racers.map((r) => r.next()));
      trials.push(results.sort().join('+'));
      for (const r of racers) r.child.stdin.write('release\n');
      await Promise.all(racers.map((r) => r.next()));
      assert.equal(existsSync(`${dir}.lock`), false, 'the winner released it');
    }
  } finally {
    for (const r of racers) r.child.stdin.end();
    await Promise.all(racers.map((r) => once(r.child, 'exit')));
  }
  const tally = trials.reduce<Record<string, number>>((t, k) => ({ ...t, [k]: (t[k] ?? 0) + 1 }), {});
  console.log(`# stale-lock races: ${JSON.stringify(tally)}`);
  assert.deepEqual(tally, { 'refused+won': 50 });
});
