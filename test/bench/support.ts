// Shared by the benchmarks: machine facts, the BENCH line, and docs/performance.md sections.
import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { deletePrefix } from '../support/redis.ts';
import type { Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { setTestProfile } from '../support/register.ts';

export const quick = process.argv.includes('--quick');
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PERF = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function benchLine(name: string, ratio: number, target: number): string {
  return `BENCH ${name} ratio=${ratio.toFixed(3)} target=${target}`;
}

/**
 * Replaces the section `## <name>` of docs/performance.md with fresh figures, or `## <name> (--quick)`
 * for a --quick run, so the two stay side by side. A missing quick section goes right after its
 * full one; any other missing section at the end.
 */
export function recordSection(name: string, body: string): void {
  const full = `## ${name}`;
  const header = quick ? `${full} (--quick)` : full;
  const text = existsSync(PERF)
    ? readFileSync(PERF, 'utf8')
    : '# Performance\n\nFigures written by `npm run bench` (files under `test/bench/`). Each benchmark runs its baseline and the service path in the same run on the same machine; ratios are service / baseline throughput, so higher is better.\n';
  const section = `${header}\n\n${body.trim()}\n`;
  /** Where the section starting at `start` ends: the newline before the next `## `, or the end. */
  const end = (start: number) => {
    const next = text.indexOf('\n## ', start + 1);
    return next === -1 ? text.length : next;
  };
  const start = text.indexOf(`${header}\n`);
  const fullStart = quick ? text.indexOf(`${full}\n`) : -1;
  if (start !== -1) writeFileSync(PERF, `${text.slice(0, start)}${section}${text.slice(end(start))}`);
  else if (fullStart !== -1) {
    const at = end(fullStart);
    writeFileSync(PERF, `${text.slice(0, at).trimEnd()}\n\n${section}${text.slice(at)}`);
  } else writeFileSync(PERF, `${text.trimEnd()}\n\n${section}`);
}

// ---- shared set-up for the benchmarks (own database, own Redis prefix, child processes) ----

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs one statement on the server's maintenance database (create/drop database). */
export async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Migrations, then the test register profile: without a profile nobody is contacted. */
export async function migrateBench(db: Db): Promise<void> {
  await migrate(db);
  await setTestProfile(db);
}

/** A fresh database of this benchmark's own on the PG_URL server; `drop()` removes it. */
export async function createBenchDatabase(tag: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `prom_bench_${tag}_${Date.now().toString(36)}`;
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  await adminQuery(`create database ${name}`);
  return { name, url: u.toString(), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}

export function benchPrefix(tag: string): string {
  return `prom-bench-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Deletes every Redis key under `prefix:`. */
export const deleteRedisPrefix = (prefix: string): Promise<void> => deletePrefix(prefix, REDIS_URL);

/** Runs a *-child.ts helper and resolves with the JSON of its last stdout line. `nodeArgs`: e.g. --expose-gc. */
export function runChild<T>(file: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL(file, import.meta.url));
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as T)
        : reject(new Error(`${file} exited ${code}`)),
    );
  });
}

/** Starts a long-running *-child.ts helper and resolves with it and its first stdout line as JSON. */
export function startChild<T>(file: string, args: string[]): Promise<{ child: ChildProcess; ready: T }> {
  return new Promise((resolve, reject) => {
    // BENCH_CHILD_FLAGS: extra node flags for the children, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    const flags = process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? [];
    const entry = fileURLToPath(new URL(file, import.meta.url));
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', entry, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({ child, ready: JSON.parse(out.slice(0, nl)) as T });
    };
    child.stdout.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${file} exited ${code} before it was ready`)));
  });
}

/** Ends a child started by startChild (by its own handle) and waits for it. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function versions(extra: Record<string, string> = {}): string {
  return Object.entries({ node: process.version, ...extra })
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** The installed version of a dependency, for the method notes. */
export function pkgVersion(name: string): string {
  const file = fileURLToPath(new URL(`../../node_modules/${name}/package.json`, import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
