// Redis holds only work to do. REDIS_URL unset means the embedded default: use 127.0.0.1:6379
// if something answers there, otherwise start redis-server as a child with its files in DATA_DIR/redis.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Refusal } from '../refusal.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class RedisUnavailable extends Refusal {}

export interface RedisHandle {
  url: string;
  /** The child we started, if any; stopped by close(). */
  child: ChildProcess | undefined;
  close(): Promise<void>;
}

export async function connectRedis(
  redisUrl: string | undefined,
  dataDir: string,
  defaultUrl = DEFAULT_REDIS_URL,
): Promise<RedisHandle> {
  const url = redisUrl ?? defaultUrl;
  if (await answers(url)) return { url, child: undefined, close: async () => {} };
  if (redisUrl) {
    throw new RedisUnavailable(
      `REDIS_URL: nothing answers at ${safeUrl(url)}. Start Redis there, or fix REDIS_URL. ` +
        'To install Redis on Debian/Ubuntu: apt-get install redis-server.',
    );
  }
  if (!hasRedisServer()) {
    throw new RedisUnavailable(
      `REDIS_URL is not set and nothing answers at ${url}, and redis-server is not installed to start one. ` +
        'Install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const child = startEmbedded(path.join(dataDir, 'redis'), new URL(url).port || '6379');
  for (let i = 0; i < 50; i++) {
    if (await answers(url)) return { url, child, close: () => stopChild(child) };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child);
  throw new RedisUnavailable(
    `REDIS_URL is not set and the embedded redis-server in ${path.join(dataDir, 'redis')} did not start.`,
  );
}

/** ioredis options BullMQ needs for workers; shared by every connection we make. */
export function redisOptions() {
  return { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
}

export async function pingRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  return answers(url, timeoutMs);
}

async function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function startEmbedded(dir: string, port: string): ChildProcess {
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      port,
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const stop = () => child.kill('SIGTERM');
  process.once('exit', stop);
  child.once('exit', () => process.off('exit', stop));
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Never print a password that may sit in the URL. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
