// Start-up and memory of the embedded server (no ratio: there is no baseline to compare with).
// `npm start` on a new DATA_DIR and on one seeded with SURVIVORS survivors (set-based, in the
// embedded database), each started twice: the time from `npm start` to a healthy /healthz
// (polled every 0.1 s), and the server process's resident memory when healthy, 5 s later, and at
// its peak (VmRSS, VmHWM). `--quick`: 10,000 survivors.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { sparePort } from '../support/processes.ts';
import { residentMemoryMb } from './proc-memory.ts';
import { benchPrefix, deleteRedisPrefix, machine, quick, recordSection, REDIS_URL } from './support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SURVIVORS = quick ? 10_000 : 100_000;
const HEALTH_TIMEOUT_MS = 120_000;
const IDLE_WAIT_MS = 5_000;

interface Start {
  healthyS: number;
  rssHealthyMb: number;
  rssIdleMb: number;
  peakMb: number;
}

/** The node process `npm start` runs (its script `exec`s node, so it is npm's only child). */
async function serverPid(npm: ChildProcess): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const children = readFileSync(`/proc/${npm.pid}/task/${npm.pid}/children`, 'utf8').trim().split(/\s+/);
    const pid = Number(children[0]);
    if (pid > 0) return pid;
    await sleep(50);
  }
  throw new Error('npm start started no server process');
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function startOnce(dataDir: string, prefix: string): Promise<Start> {
  const port = await sparePort();
  const started = performance.now();
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), QUEUE_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  try {
    const pid = await serverPid(npm);
    while (!(await healthy(port))) {
      if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}`);
      if (performance.now() - started > HEALTH_TIMEOUT_MS) throw new Error('not healthy within 120 s');
      await sleep(100);
    }
    const healthyS = (performance.now() - started) / 1000;
    const atHealthy = residentMemoryMb(pid);
    await sleep(IDLE_WAIT_MS);
    const idle = residentMemoryMb(pid);
    process.kill(pid, 'SIGTERM');
    return { healthyS, rssHealthyMb: atHealthy.rss, rssIdleMb: idle.rss, peakMb: idle.peak };
  } finally {
    if (npm.exitCode === null) npm.kill('SIGTERM');
    await exited;
  }
}

/** SURVIVORS survivors with an arrest, an invitation past its window, and a response from 62 % of them. */
async function seed(dataDir: string): Promise<void> {
  const h = await openDatabase({ pgliteDir: path.join(dataDir, 'pglite'), command: 'bench seed' });
  try {
    await migrate(h.db);
    await sql
      .raw(
        `insert into survivors (register_id, national_id, birth_date, sex, language)
         select 'S' || g, lpad(g::text, 11, '0'), date '1935-01-01' + g % 20000, case when g % 2 = 0 then 'female' else 'male' end, 'nb'
         from generate_series(1, ${SURVIVORS}) g`,
      )
      .execute(h.db);
    await sql`insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital)
      select id, date '2024-01-01' + (id % 365)::int, case when id % 4 = 0 then 'IHCA' else 'OHCA' end, 'H' || id % 20 from survivors`.execute(
      h.db,
    );
    await sql`insert into invitations (arrest_event_id, state, opens_on, closes_on, language, created_at)
      select id, case when id % 100 < 62 then 'answered' else 'expired' end, arrest_date + 90, arrest_date + 180, 'nb', now()
      from arrest_events`.execute(h.db);
    await sql`insert into responses (id, invitation_id, mode, language, mobility, self_care, usual_activities, pain_discomfort, anxiety_depression, vas, completed_at)
      select gen_random_uuid(), id, 'web', 'nb', 1 + id % 5, 1 + id % 4, 1 + id % 3, 1 + id % 5, 1 + id % 2, 40 + id % 60, opens_on + 10
      from invitations where state = 'answered'`.execute(h.db);
  } finally {
    await h.close();
  }
}

const dirs: string[] = [];
const prefixes: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'prom-bench-startup-'));
  dirs.push(d);
  return d;
};
const prefix = () => {
  const p = benchPrefix('startup');
  prefixes.push(p);
  return p;
};
try {
  const empty = tempDir();
  const emptyPrefix = prefix();
  const emptyFirst = await startOnce(empty, emptyPrefix);
  const emptyAgain = await startOnce(empty, emptyPrefix);
  const seeded = tempDir();
  const seededAt = performance.now();
  await seed(seeded);
  const seedS = (performance.now() - seededAt) / 1000;
  const seededPrefix = prefix();
  const seededFirst = await startOnce(seeded, seededPrefix);
  const seededAgain = await startOnce(seeded, seededPrefix);

  const n = SURVIVORS.toLocaleString('en');
  const rows: [string, Start][] = [
    ['empty `DATA_DIR` (first start: the embedded database is created and migrated)', emptyFirst],
    ['the same `DATA_DIR` started again', emptyAgain],
    [`${n} survivors, first start after seeding`, seededFirst],
    [`${n} survivors, started again`, seededAgain],
  ];
  const mb = (v: number) => `${Math.round(v)} MB`;
  for (const [name, s] of rows)
    console.log(
      `${name}: healthy after ${s.healthyS.toFixed(1)} s, RSS ${mb(s.rssHealthyMb)}, ${mb(s.rssIdleMb)} 5 s later, peak ${mb(s.peakMb)}`,
    );
  recordSection(
    'start-up and memory of the embedded server',
    `Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}${quick ? ' (--quick)' : ''}, by \`test/bench/startup.ts\` (no ratio: nothing to compare it with).

Method: \`npm start\` with a new \`DATA_DIR\` (the embedded PGlite database), \`PORT\` and \`QUEUE_PREFIX\` of its own and \`LOG_LEVEL=warn\`; the time from spawning \`npm start\` until \`GET /healthz\` answers 200 (polled every 0.1 s), and the server process's resident memory (\`VmRSS\` when healthy and ${IDLE_WAIT_MS / 1000} s later, \`VmHWM\` for the peak, from \`/proc/<pid>/status\`), then SIGTERM; each folder started twice. The seeded folder holds ${n} survivors, each with an arrest and an invitation past its window, and responses from 62 % of them, written set-based in the embedded database (${seedS.toFixed(0)} s).

| case | start to healthy \`/healthz\` | RSS when healthy | RSS idle ${IDLE_WAIT_MS / 1000} s later | peak RSS |
|---|---:|---:|---:|---:|
${rows.map(([name, s]) => `| ${name} | ${s.healthyS.toFixed(1)} s | ${mb(s.rssHealthyMb)} | ${mb(s.rssIdleMb)} | ${mb(s.peakMb)} |`).join('\n')}

What bounds it: start-up is npm itself (0.1 s for \`npm -v\`), loading the TypeScript through tsx (1.3–1.7 s for the web, service and job modules, measured 2026-12-07), opening PGlite (about 0.5 s, 2026-12-06) and, on a first start, creating and migrating its database; Redis and the start-up scheduling pass take milliseconds (the seeded arrests are past their window, so it finds nothing to do). On a first start after seeding, the first \`/healthz\` also waits while the first pass settles the dashboard's counts for the invitations the seed wrote (PGlite runs one statement at a time, so the health check's ping queues behind it). Memory is mostly PGlite: the embedded PostgreSQL runs in WebAssembly memory that grows while the database is created and migrated and is never given back to the system, so the first start of a new \`DATA_DIR\` stays high until the next restart. PGlite alone, opened on an empty folder in a bare Node process, took 296 MB (2026-12-06). With \`DATABASE_URL\` (PostgreSQL) none of this is in the service's process.`,
  );
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const p of prefixes) await deleteRedisPrefix(p);
}
