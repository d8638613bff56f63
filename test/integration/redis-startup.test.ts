// Start-up against Redis: a clear error naming REDIS_URL when it is set and unreachable, and
// the embedded default that starts redis-server as a child (AOF under DATA_DIR/redis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectRedis, pingRedis, RedisUnavailable } from '../../src/queue/redis.ts';

async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an unreachable REDIS_URL stops start-up with a message naming it and how to install Redis', async () => {
  const port = await sparePort();
  await assert.rejects(
    connectRedis(`redis://127.0.0.1:${port}`, mkdtempSync(path.join(tmpdir(), 'prom-'))),
    (err: Error) => {
      assert.ok(err instanceof RedisUnavailable);
      assert.match(err.message, /^REDIS_URL: nothing answers at redis:\/\/127\.0\.0\.1:\d+/);
      assert.match(err.message, /apt-get install redis-server/);
      return true;
    },
  );
});

test('with REDIS_URL unset and nothing answering, an embedded redis-server starts with AOF and stops on close', async () => {
  const port = await sparePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'prom-'));
  const url = `redis://127.0.0.1:${port}`;
  const handle = await connectRedis(undefined, dataDir, url);
  try {
    assert.ok(handle.child, 'a child process was started');
    assert.equal(await pingRedis(url), true);
    assert.ok(existsSync(path.join(dataDir, 'redis')), 'its files live under DATA_DIR/redis');
  } finally {
    await handle.close();
  }
  assert.equal(await pingRedis(url, 300), false, 'stopped with the process');
  // appendonly yes: Redis 7 keeps its AOF in an appendonlydir.
  assert.ok(existsSync(path.join(dataDir, 'redis', 'appendonlydir')));
});

test('an answering Redis is used as it is, without starting anything', async () => {
  const handle = await connectRedis(undefined, mkdtempSync(path.join(tmpdir(), 'prom-')));
  assert.equal(handle.child, undefined);
  await handle.close();
});
