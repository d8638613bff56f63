// BENCH schedule: one scheduling pass over 100,000 survivors whose day 90 is the pass's day
// (invitations and outbox rows created, e-mail jobs queued) against a raw BullMQ addBulk of
// 100,000 jobs with the same ids, each in a child process of its own (peak RSS). `--quick`: 10,000.
import pg from 'pg';
import { addDays } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import {
  migrateBench,
  benchLine,
  benchPrefix,
  createBenchDatabase,
  deleteRedisPrefix,
  machine,
  PG_URL,
  pkgVersion,
  quick,
  recordSection,
  REDIS_URL,
  runChild,
  versions,
} from './support.ts';

const N = quick ? 10_000 : 100_000;
const DAY = '2025-06-02';
/** Noon in Oslo on DAY (what `prom schedule --now 2025-06-02` uses). */
const AT = '2025-06-02T10:00:00Z';

type Out = { ms: number; invited: number; queued: number; waiting: number; peakRssMb: number };

async function seed(url: string): Promise<string> {
  const h = await openDatabase({ databaseUrl: url });
  await migrateBench(h.db);
  await h.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`insert into survivors (register_id, national_id, birth_date, sex, given_name, email, language)
    select 'B' || g, lpad(g::text, 11, '0'), date '1950-01-01' + (g % 9000), case when g % 2 = 0 then 'female' else 'male' end,
      'Navn' || g, 'p' || g || '@example.test', (array['nb','nn','en'])[1 + g % 3]
    from generate_series(1, ${N}) g`);
  await c.query(
    `insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital)
    select id, $1::date, case when id % 4 = 0 then 'IHCA' else 'OHCA' end, 'H' || (id % 40) from survivors`,
    [addDays(DAY, -90)],
  );
  await c.query('analyze');
  const version = (await c.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  await c.end();
  return version;
}

const db = await createBenchDatabase('schedule');
const prefixes = [benchPrefix('schedule-base'), benchPrefix('schedule-svc')];
try {
  const pgVersion = await seed(db.url);
  const redisVersion =
    /redis_version:(\S+)/.exec(
      await (async () => {
        const { Redis } = await import('ioredis');
        const r = new Redis(REDIS_URL);
        try {
          return await r.info('server');
        } finally {
          r.disconnect();
        }
      })(),
    )?.[1] ?? '?';
  const base = await runChild<Out>('./schedule-child.ts', ['baseline', REDIS_URL, prefixes[0]!, String(N)]);
  const service = await runChild<Out>('./schedule-child.ts', ['service', REDIS_URL, prefixes[1]!, db.url, AT]);
  if (base.waiting !== N) throw new Error(`baseline queued ${base.waiting} jobs, expected ${N}`);
  if (service.invited !== N || service.queued !== N || service.waiting !== N)
    throw new Error(
      `pass invited ${service.invited}, queued ${service.queued}, waiting ${service.waiting}; expected ${N}`,
    );
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const outbox = (await c.query<{ n: number }>(`select count(*)::int n from outbox`)).rows[0]!.n;
  await c.end();
  const baseRate = N / (base.ms / 1000);
  const serviceRate = N / (service.ms / 1000);
  const ratio = serviceRate / baseRate;
  console.log(
    `baseline addBulk: ${N} jobs in ${(base.ms / 1000).toFixed(2)} s, ${Math.round(baseRate)} jobs/s, peak RSS ${base.peakRssMb.toFixed(0)} MB`,
  );
  console.log(
    `service pass:     ${N} survivors (${outbox} outbox rows, ${service.queued} jobs) in ${(service.ms / 1000).toFixed(2)} s, ${Math.round(serviceRate)} survivors/s, peak RSS ${service.peakRssMb.toFixed(0)} MB`,
  );
  const line = benchLine('schedule', ratio, 0.5);
  console.log(line);
  recordSection(
    'schedule',
    `Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}, PostgreSQL via ${new URL(PG_URL).host}, Redis via ${new URL(REDIS_URL).host}${quick ? ' (--quick)' : ''}; ${versions({ PostgreSQL: pgVersion, Redis: redisVersion, bullmq: pkgVersion('bullmq'), kysely: pkgVersion('kysely') })}.

Method: ${N} survivors with an e-mail address whose arrest was 90 days before ${DAY} (set-based seed); one \`runSchedulingPass\` with \`fixedClock(${AT})\` and its own queue prefix, in a child process (peak RSS = VmHWM). It creates ${N} invitations and ${outbox} outbox rows (invitation + reminders) and queues ${N} delivery jobs. Baseline, also in a child process: \`Queue.addBulk\` of ${N} jobs \`ob-<n>\` with \`{ outboxId }\` in chunks of 1000 (the service's chunk size and job options).

| path | items | time | items/s | peak RSS |
|---|---:|---:|---:|---:|
| baseline: BullMQ \`addBulk\` | ${N} jobs | ${(base.ms / 1000).toFixed(2)} s | ${Math.round(baseRate)} | ${base.peakRssMb.toFixed(0)} MB |
| service: \`runSchedulingPass\` | ${N} survivors | ${(service.ms / 1000).toFixed(2)} s | ${Math.round(serviceRate)} | ${service.peakRssMb.toFixed(0)} MB |

\`${line}\` — target ≥ 0.5, memory bounded (batches of 1000).

What bounds it: per batch of 1,000 survivors the pass reads the next arrests without an invitation (a keyset on the arrest id) and writes their invitations and outbox rows in one statement (data-modifying CTEs over \`unnest(…)\`, one parameter per column, \`src/db/unnest.ts\`), planning the steps once per survival window. The insert returns each new invitation's first step; those due at once as e-mails are handed to \`addBulk\` (the baseline's call) while the next batch is written. Then a keyset scan of the due steps (NOT EXISTS over earlier steps, the person's channel rule and address read in the same query) finds older due steps and letters, skipping what was queued; after a pass that created 5,000 rows or more it runs \`ANALYZE\` so that scan keeps its index plan. The database's own work per row — the foreign-key checks and five outbox indexes, the dashboard facts' statement triggers (migration 0014) — and BullMQ's serialization and Lua per job make up the rest; on a 2-core machine the database, Redis and the pass share the CPU, so overlapping the queueing with the inserts gains less than it would with more cores. Peak RSS is bounded by the batch: only the ids of queued jobs are kept for the whole pass.`,
  );
} finally {
  await db.drop();
  for (const p of prefixes) await deleteRedisPrefix(p);
}
