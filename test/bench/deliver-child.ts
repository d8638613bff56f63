// One side of the deliver benchmark in its own process. `service`: queue a delivery job per due
// outbox row, then start the real workers (startWorkers, the real SMTP mailer) and time until every
// row is 'sent'. `baseline`: nodemailer with a pooled transport sends the same number of messages
// (rendered the same way, before the clock starts) to the same sink.
import nodemailer from 'nodemailer';
import pg from 'pg';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createMailer, pooled } from '../../src/invitations/mailer.ts';
import { linksFor, renderStepMail } from '../../src/invitations/messages.ts';
import { TEST_PROFILE } from '../support/register.ts';
import { newToken } from '../../src/invitations/tokens.ts';
import { enqueueDeliveries } from '../../src/queue/jobs/delivery.ts';
import { openQueues } from '../../src/queue/queues.ts';
import { startWorkers } from '../../src/jobs/index.ts';
import { createViews } from '../../src/i18n/views.ts';

const [mode, smtpUrl, n, dbUrl, redisUrl, prefix] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const N = Number(n);
const FROM = 'Spørreskjema <noreply@prom.bench>';
const PUBLIC_URL = 'https://prom.bench';
const views = createViews();
let ms: number;

if (mode === 'service') {
  const handle = await openDatabase({ databaseUrl: dbUrl });
  const queues = openQueues(redisUrl, prefix);
  const ids = (
    await handle.db.selectFrom('outbox').select('id').where('state', '=', 'pending').orderBy('id').execute()
  ).map((r) => r.id);
  await enqueueDeliveries(queues, ids);
  const mailer = createMailer({ smtpUrl, outboxDir: '/nonexistent', from: FROM });
  const count = new pg.Client({ connectionString: dbUrl });
  await count.connect();
  const started = performance.now();
  const workers = startWorkers({ db: handle.db, views, mailer, publicUrl: PUBLIC_URL }, queues, systemClock, {
    scheduler: false,
  });
  for (;;) {
    const { rows } = await count.query<{ sent: number; other: number }>(
      `select count(*) filter (where state = 'sent')::int sent, count(*) filter (where state not in ('sent', 'pending', 'sending'))::int other from outbox`,
    );
    const { sent, other } = rows[0]!;
    if (other > 0) throw new Error(`${other} outbox rows ended neither sent nor pending`);
    if (sent >= ids.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  ms = performance.now() - started;
  await workers.close();
  await count.end();
  mailer.close();
  await queues.close();
  await handle.close();
} else {
  const messages = Array.from({ length: N }, (_, i) => ({
    to: `p${i + 1}@example.test`,
    ...renderStepMail(views, 'nb', 'invitation', linksFor(PUBLIC_URL, newToken()), `Navn${i + 1}`, TEST_PROFILE),
    messageId: `<outbox-${i + 1}@prom.bench>`,
  }));
  const transport = nodemailer.createTransport(pooled(smtpUrl), { from: FROM });
  const started = performance.now();
  await Promise.all(messages.map((m) => transport.sendMail({ ...m, from: FROM })));
  ms = performance.now() - started;
  transport.close();
}
console.log(JSON.stringify({ ms }));
