// A private redis-server for tests that kill Redis (the machine's shared Redis is never touched).
// Without persistence, so a kill loses every queued job — the worst case the outbox must survive.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pingRedis } from '../../src/queue/redis.ts';
import { sparePort } from './processes.ts';

export interface PrivateRedis {
  url: string;
  /** SIGKILL, as a crash: nothing is saved. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) =>
      c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
    );
  const redis: PrivateRedis = {
    url,
    async start() {
      child = spawn(
        'redis-server',
        ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100; i++) {
        if (await pingRedis(url, 200)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('private redis-server did not start');
    },
    async kill() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill('SIGKILL');
      await exited(c);
    },
    async stop() {
      await redis.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
