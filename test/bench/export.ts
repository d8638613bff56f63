// BENCH export: 1,000,000 responses as CSV with the NO-2024 index (the service's export,
// streamed by COPY) against PostgreSQL's own COPY … TO STDOUT of the same rows, in the same run.
// Also the export's peak RSS. `--quick` uses 100,000 responses.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
import { migrateBench, benchLine, createBenchDatabase, machine, PG_URL, quick, recordSection } from './support.ts';

const N = quick ? 100_000 : 1_000_000;

/** The same rows and columns as the export, for COPY. */
const COPY_QUERY = `select r.id, s.register_id, e.arrest_type, e.hospital, e.arrest_date, r.mobility, r.self_care, r.usual_activities,
  r.pain_discomfort, r.anxiety_depression, r.vas, r.mode, r.language, r.completed_at
  from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
  join survivors s on s.id = e.survivor_id where r.counted order by r.completed_at, r.id`;

async function seed() {
  const h = await openDatabase({ databaseUrl: dbUrl });
  await migrateBench(h.db);
  await h.close();
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const t = performance.now();
  await c.query(`insert into survivors (register_id, national_id, birth_date, sex, language)
    select 'B' || g, lpad(g::text, 11, '0'), date '1950-01-01' + (g % 9000), case when g % 3 = 0 then 'female' else 'male' end, 'nb'
    from generate_series(1, ${N}) g`);
  await c.query(`insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital)
    select id, date '2024-01-01' + (id % 700)::int, case when id % 4 = 0 then 'IHCA' else 'OHCA' end, 'H' || (id % 40) from survivors`);
  await c.query(`insert into invitations (arrest_event_id, state, opens_on, closes_on, language, created_at)
    select id, 'answered', arrest_date + 90, arrest_date + 183, 'nb', now() from arrest_events`);
  await c.query(`insert into responses (id, invitation_id, mode, language, mobility, self_care, usual_activities, pain_discomfort, anxiety_depression, vas, completed_at)
    select gen_random_uuid(), id, case when id % 5 = 0 then 'paper' else 'web' end, 'nb',
      1 + id % 5, 1 + (id / 5) % 5, 1 + (id / 25) % 5, 1 + (id / 125) % 5, 1 + (id / 625) % 5, (id * 37) % 101,
      timestamptz '2025-01-01' + (id || ' minutes')::interval from invitations`);
  await c.query('analyze');
  await c.end();
  return performance.now() - t;
}

function copyBaseline(): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('psql', [
      dbUrl,
      '-X',
      '-q',
      '-c',
      `\\copy (${COPY_QUERY.replace(/\s+/g, ' ')}) to stdout with (format csv, header)`,
    ]);
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.pipe(process.stderr);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`psql exited ${code}`)),
    );
  });
}

type Out = { rows: number; ms: number; bytes: number; peakRssMb: number };

function serviceExport(): Promise<Out> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./export-child.ts', import.meta.url).pathname, dbUrl],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Out)
        : reject(new Error(`export exited ${code}`)),
    );
  });
}

const database = await createBenchDatabase('export');
const dbUrl = database.url;
try {
  const seedMs = await seed();
  console.log(`seeded ${N} responses in ${(seedMs / 1000).toFixed(1)} s`);
  const base = await copyBaseline();
  const service = await serviceExport();
  if (service.rows !== N) throw new Error(`export wrote ${service.rows} rows, expected ${N}`);
  const baseRate = N / (base.ms / 1000);
  const serviceRate = N / (service.ms / 1000);
  const ratio = serviceRate / baseRate;
  console.log(
    `COPY TO STDOUT: ${base.ms.toFixed(0)} ms, ${Math.round(baseRate)} rows/s, ${(base.bytes / 2 ** 20).toFixed(1)} MiB`,
  );
  console.log(
    `service export: ${service.ms.toFixed(0)} ms, ${Math.round(serviceRate)} rows/s, ${(service.bytes / 2 ** 20).toFixed(1)} MiB, peak RSS ${service.peakRssMb.toFixed(0)} MB`,
  );
  const line = benchLine('export', ratio, 0.3);
  console.log(line);
  recordSection(
    'export',
    `Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}, PostgreSQL via ${new URL(PG_URL).host}${quick ? ' (--quick)' : ''}.

| path | rows | time | rows/s | peak RSS |
|---|---:|---:|---:|---:|
| baseline: \`COPY (same join) TO STDOUT\` through psql | ${N} | ${(base.ms / 1000).toFixed(2)} s | ${Math.round(baseRate)} | – |
| service: \`exportResponsesCsv\` (COPY of the export query, NO-2024 index joined in SQL) | ${N} | ${(service.ms / 1000).toFixed(2)} s | ${Math.round(serviceRate)} | ${service.peakRssMb.toFixed(0)} MB |

\`${line}\` — target ≥ 0.3 and peak RSS under 200 MB.

What bounds it: the service streams one \`COPY (…) TO STDOUT WITH (FORMAT csv)\` through pg-copy-streams into the output with backpressure, so PostgreSQL formats every row and Node only passes bytes on. Its query does more than the baseline's: each response joins a 3,125-row VALUES table of NO-2024 indices by its state's ordinal (the scoring engine fills the table once per process, so the numbers are the engine's), \`completed_at\` is written as ISO 8601 with \`to_char\`, and empty text becomes NULL so that COPY and csv-stringify quote alike. Through psql that query alone took about 7.3 s where the baseline took 5.3–6 s (same 1,000,000 rows, loaded machine, 2026-12-06). Peak RSS is mostly the process itself (about 126 MB once the modules are loaded through tsx); the rest is socket buffers waiting for a collection, which does not grow with the number of rows. On PGlite (no COPY stream) and when added instruments' item columns are exported (formatted in JavaScript), pages of 20,000 rows of the same query go through csv-stringify instead; this benchmark does not measure that path. What would move it: a cheaper ISO 8601 text for \`completed_at\` than \`to_char\`; running compiled JavaScript instead of tsx for a smaller process.`,
  );
} finally {
  await database.drop();
}
