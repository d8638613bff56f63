// BENCH deliver: 10,000 due e-mails through the outbox and the BullMQ workers (claim, send-time
// check, token, render, SMTP, mark sent) to an SMTP sink on loopback, against nodemailer sending
// the same number of messages straight to the same sink with a pooled transport. `--quick`: 1,000.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
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

const N = quick ? 1_000 : 10_000;

/** Accepts everything, counts messages and their bytes, keeps nothing. */
async function startSink() {
  const sink = { messages: 0, bytes: 0, url: '', close: () => new Promise<void>((r) => server.close(() => r())) };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', (d: Buffer) => (sink.bytes += d.length));
      stream.on('end', () => {
        sink.messages++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.url = `smtp://127.0.0.1:${(server as unknown as { server: { address(): AddressInfo } }).server.address().port}`;
  return sink;
}

async function seed(url: string): Promise<string> {
  const h = await openDatabase({ databaseUrl: url });
  await migrateBench(h.db);
  await h.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`insert into survivors (register_id, national_id, birth_date, sex, given_name, email, language)
    select 'B' || g, lpad(g::text, 11, '0'), date '1950-01-01' + (g % 9000), 'female', 'Navn' || g, 'p' || g || '@example.test', 'nb'
    from generate_series(1, ${N}) g`);
  await c.query(
    `insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital) select id, current_date - 95, 'OHCA', 'H1' from survivors`,
  );
  await c.query(`insert into invitations (arrest_event_id, state, opens_on, closes_on, language, programme_version, created_at)
    select id, 'planned', arrest_date + 90, arrest_date + 183, 'nb', 1, now() from arrest_events order by id`);
  await c.query(
    `insert into outbox (invitation_id, step, channel, due_at, created_at) select id, 'invitation', 'email', now() - interval '1 hour', now() from invitations order by id`,
  );
  await c.query('analyze');
  const version = (await c.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  await c.end();
  return version;
}

const db = await createBenchDatabase('deliver');
const prefix = benchPrefix('deliver');
const sink = await startSink();
try {
  const pgVersion = await seed(db.url);
  const base = await runChild<{ ms: number }>('./deliver-child.ts', ['baseline', sink.url, String(N)]);
  if (sink.messages !== N) throw new Error(`baseline: the sink got ${sink.messages} messages, expected ${N}`);
  const baseBytes = sink.bytes;
  sink.messages = 0;
  sink.bytes = 0;
  const service = await runChild<{ ms: number }>('./deliver-child.ts', [
    'service',
    sink.url,
    String(N),
    db.url,
    REDIS_URL,
    prefix,
  ]);
  if (sink.messages !== N) throw new Error(`service: the sink got ${sink.messages} messages, expected ${N}`);
  const baseRate = N / (base.ms / 1000);
  const serviceRate = N / (service.ms / 1000);
  const ratio = serviceRate / baseRate;
  const kb = (b: number) => (b / N / 1024).toFixed(1);
  console.log(
    `baseline nodemailer pool: ${N} messages in ${(base.ms / 1000).toFixed(2)} s, ${Math.round(baseRate)} msg/s, ${kb(baseBytes)} KiB each`,
  );
  console.log(
    `service outbox + workers: ${N} messages in ${(service.ms / 1000).toFixed(2)} s, ${Math.round(serviceRate)} msg/s, ${kb(sink.bytes)} KiB each`,
  );
  const line = benchLine('deliver', ratio, 0.5);
  console.log(line);
  recordSection(
    'deliver',
    `Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}, PostgreSQL via ${new URL(PG_URL).host}, Redis via ${new URL(REDIS_URL).host}${quick ? ' (--quick)' : ''}; ${versions({ PostgreSQL: pgVersion, bullmq: pkgVersion('bullmq'), nodemailer: pkgVersion('nodemailer'), 'smtp-server': pkgVersion('smtp-server') })}.

Method: one smtp-server sink on loopback in the benchmark's process (counts messages, discards them). Service, in a child process: ${N} due \`invitation\` outbox rows (set-based seed) get their jobs queued (\`enqueueDeliveries\`, not timed), then \`startWorkers\` (delivery concurrency 20, the real SMTP mailer, pooled) runs until every row is \`sent\`. Baseline, in a child process: nodemailer \`createTransport(pooled(url))\` (the mailer's own settings: 5 connections) sends ${N} messages rendered by \`renderStepMail\` beforehand, all handed over at once.

| path | messages | time | messages/s | size |
|---|---:|---:|---:|---:|
| baseline: nodemailer pooled transport | ${N} | ${(base.ms / 1000).toFixed(2)} s | ${Math.round(baseRate)} | ${kb(baseBytes)} KiB |
| service: outbox → BullMQ workers → mailer | ${N} | ${(service.ms / 1000).toFixed(2)} s | ${Math.round(serviceRate)} | ${kb(sink.bytes)} KiB |

\`${line}\` — target ≥ 0.5.

What bounds it: per message the worker has its share of two database statements — the claim, which takes the row, writes its link token and loads its invitation, survivor, death-file row and the register profile (data-modifying CTEs over arrays of ids, clocks and token hashes), and the mark-sent, which marks the row sent and moves its invitation (a CTE) — each shared by the jobs that ask while the previous one is in flight (\`src/db/coalesce.ts\`: under load one statement serves many jobs, alone a job waits for none; \`test/integration/delivery.test.ts\` counts them), plus BullMQ's own Redis calls per job (fetch and complete), with 20 jobs in flight against 5 SMTP connections. The rest is CPU in one Node process: rendering each message (the baseline renders before its clock starts), nodemailer's MIME build (the service builds each message whole and hands it over raw, so a connection writes it in one go) and the SMTP writes, which the baseline pays as well. On a shared 2-core machine the figure moves with the load; service and baseline are measured in the same run, one after the other.`,
  );
} finally {
  await sink.close();
  await db.drop();
  await deleteRedisPrefix(prefix);
}
