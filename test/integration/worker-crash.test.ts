// A worker process killed with SIGKILL in the middle of delivery, as an operator's machine might
// lose it. The real server (`src/main.ts`) sends invitations through an SMTP server that reads
// each message but never confirms it, so a send on each pooled connection hangs between "sending"
// and "sent" while the rest wait in the queue. After the kill, a new process finishes the rest, and
// the hung ones become
// `unknown` for staff — none is sent again without a person deciding. On PGlite the killed
// process also holds the embedded database, so this checks it reopens cleanly after a crash.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { TEST_DB, createPostgresDatabase, dropPostgresDatabase } from '../support/db.ts';
import { person, toCsv } from '../support/people.ts';
import { ROOT, baseEnv, prom, sparePort } from '../support/processes.ts';
import { deletePrefix, uniquePrefix, TEST_REDIS_URL } from '../support/redis.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'prom-crash-'));
const dataDir = path.join(dir, 'data');
const prefix = uniquePrefix();
let smtp: SmtpSink;
let databaseUrl: string | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  smtp = await startSmtpSink();
  if (TEST_DB === 'postgres') databaseUrl = await createPostgresDatabase();
  env = baseEnv({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: smtp.url, PUBLIC_URL: 'http://prom.test', LOG_LEVEL: 'warn' });
});
after(async () => {
  await smtp?.close();
  await deletePrefix(prefix);
  if (databaseUrl) await dropPostgresDatabase(databaseUrl);
});

function startServer(): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  return { child, output: () => output };
}

let port = 0;
async function until(what: string, ok: () => boolean, limitMs = 60_000) {
  const deadline = Date.now() + limitMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The database, opened only while no server runs (PGlite allows one process). */
async function withDb<T>(use: (h: DbHandle) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ databaseUrl, pgliteDir: path.join(dataDir, 'pglite'), poolSize: 2 });
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

const states = (h: DbHandle) =>
  sql<{ email: string; state: string }>`select s.email, o.state from outbox o join invitations i on i.id = o.invitation_id join arrest_events a on a.id = i.arrest_event_id join survivors s on s.id = a.survivor_id where o.step = 'invitation'`
    .execute(h.db)
    .then((r) => new Map(r.rows.map((x) => [x.email, x.state])));

test('SIGKILL between "sending" and "sent": those steps end unknown, never resent; queued work is finished by the next worker', { timeout: 180_000 }, async () => {
  const people = Array.from({ length: 30 }, (_, i) => person(8100 + i));
  writeFileSync(path.join(dir, 'people.csv'), toCsv(people));
  const imported = await prom(['import', path.join(dir, 'people.csv')], env);
  assert.equal(imported.code, 0, imported.stderr);
  port = await sparePort();

  // 1. The first worker hangs on one message per SMTP connection of its pool; then it is killed.
  smtp.holdData = true;
  const first = startServer();
  try {
    await until('sends in flight', () => smtp.held.length > 0);
    let seen = -1;
    while (seen !== smtp.held.length) {
      seen = smtp.held.length;
      await new Promise((r) => setTimeout(r, 1000)); // until no further send starts
    }
  } finally {
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
  }
  assert.equal(smtp.messages.length, 0, 'nothing was confirmed as delivered');
  // Claimed rows are "sending" whether their message reached the SMTP server or waited for a
  // pooled connection: after a crash nobody can tell, so all of them are for staff to check.
  const hung = await withDb(async (h) => {
    const byEmail = await states(h);
    const sending = new Set([...byEmail].filter(([, state]) => state === 'sending').map(([email]) => email));
    for (const email of smtp.held) assert.ok(sending.has(email), `${email} reached SMTP, so it is sending`);
    // Ten minutes pass before a stuck "sending" is judged (docs/architecture.md, outbox states).
    await sql`update outbox set updated_at = now() - interval '11 minutes' where state = 'sending'`.execute(h.db);
    return sending;
  });
  const rest = people.length - hung.size;
  assert.ok(smtp.held.length > 0 && rest > 0, `${hung.size} in flight (${smtp.held.length} at SMTP), ${rest} waiting`);

  // 2. A new worker: its start-up pass marks the hung ones unknown and the rest go out.
  smtp.holdData = false;
  const second = startServer();
  try {
    await until('the others delivered', () => smtp.messages.length >= rest);
    await new Promise((r) => setTimeout(r, 1500)); // room for any wrongful resend to show up
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }
  const delivered = smtp.messages.map((m) => m.to);
  assert.equal(delivered.length, rest, second.output());
  assert.equal(new Set(delivered).size, rest, 'each once');
  for (const to of delivered) assert.ok(!hung.has(to), `${to} hung in the killed worker and must not be resent`);
  await withDb(async (h) => {
    const byEmail = await states(h);
    for (const p of people) assert.equal(byEmail.get(p.email), hung.has(p.email) ? 'unknown' : 'sent', p.email);
  });
  // `prom schedule --drain` afterwards sends nothing either.
  const again = await prom(['schedule', '--drain'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(smtp.messages.length, rest);
});
