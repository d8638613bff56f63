// A worker process for the "two workers, one PostgreSQL" test: waits for a shared start time, runs
// one scheduling pass with a fixed clock (which queues every due e-mail in its own queue) and
// delivers with its own workers until those rows settle. Prints a JSON summary on stdout.
// Environment: DATABASE_URL, REDIS_URL, QUEUE_PREFIX, SMTP_URL, PUBLIC_URL, NOW (ISO), START_AT (ms).
import { fixedClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { waitForDrain } from '../../src/invitations/drain.ts';
import { createMailer, type Mailer } from '../../src/invitations/mailer.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { openQueues } from '../../src/queue/queues.ts';
import { startWorkers } from '../../src/jobs/index.ts';
import { createViews } from '../../src/i18n/views.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const database = await openDatabase({ databaseUrl: env('DATABASE_URL'), poolSize: 5 });
const queues = openQueues(env('REDIS_URL'), env('QUEUE_PREFIX'), { backoffMs: 20 });
const smtp = createMailer({
  smtpUrl: env('SMTP_URL'),
  outboxDir: '/nonexistent',
  from: 'Spørreskjema <noreply@prom.test>',
});
let sentHere = 0;
/** Counts what this process itself sent, so the test can add the two up. */
const mailer: Mailer = {
  async send(m) {
    const info = await smtp.send(m);
    sentHere++;
    return info;
  },
  close: () => smtp.close(),
};
const clock = fixedClock(new Date(env('NOW')));
const deps = { db: database.db, views: createViews(), mailer, publicUrl: env('PUBLIC_URL') };
const workers = startWorkers(deps, queues, clock, { scheduler: false, concurrency: 10 });
try {
  await new Promise((r) => setTimeout(r, Math.max(0, Number(env('START_AT')) - Date.now())));
  const pass = await runSchedulingPass(database.db, queues, clock);
  const drained = await waitForDrain(database.db, pass.dueOutboxIds, 30_000, 20);
  console.log(JSON.stringify({ queued: pass.dueOutboxIds.length, sentHere, ...drained }));
} finally {
  await workers.close();
  await queues.close();
  mailer.close();
  await database.close();
}
