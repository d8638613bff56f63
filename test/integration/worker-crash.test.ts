// A worker process killed with SIGKILL in the middle of delivery, as an operator's machine might
// lose it. The real server (`src/main.ts`) sends invitations through an SMTP server that reads
// each message but never confirms it, so a send on each pooled connection hangs between "sending"
// and "sent" while the rest wait in the queue. After the kill, a new process finishes the rest, and
// the hung ones become `unknown` for staff — none is sent again without a person deciding. On
// PGlite the killed process also holds the embedded database, so this checks it reopens cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { DbHandle } from '../../src/db/database.ts';
import { person, toCsv } from '../support/people.ts';
import { ROOT, prom, sparePort } from '../support/processes.ts';
import { useCliWorld } from '../support/cli-world.ts';

const cli = useCliWorld('crash', { LOG_LEVEL: 'warn' });

function startServer(): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...cli.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
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

const states = (h: DbHandle) =>
  sql<{
    email: string;
    state: string;
  }>`select s.email, o.state from outbox o join invitations i on i.id = o.invitation_id join arrest_events a on a.id = i.arrest_event_id join survivors s on s.id = a.survivor_id where o.step = 'invitation'`
    .execute(h.db)
    .then((r) => new Map(r.rows.map((x) => [x.email, x.state])));

test(
  'SIGKILL between "sending" and "sent": those steps end unknown, never resent; queued work is finished by the next worker',
  { timeout: 600_000 }, // a guard against a hang; the suite runs two databases side by side
  async () => {
    // More people than the worker has delivery jobs in flight (20), so some are still waiting at the kill.
    const people = Array.from({ length: 40 }, (_, i) => person(8100 + i));
    writeFileSync(path.join(cli.dir, 'people.csv'), toCsv(people));
    const imported = await prom(['import', path.join(cli.dir, 'people.csv')], cli.env);
    assert.equal(imported.code, 0, imported.stderr);
    port = await sparePort();

    // 1. The first worker hangs on one message per SMTP connection of its pool; then it is killed.
    cli.smtp.holdData = true;
    const first = startServer();
    try {
      await until('sends in flight', () => cli.smtp.held.length > 0);
      let seen = -1;
      while (seen !== cli.smtp.held.length) {
        seen = cli.smtp.held.length;
        await new Promise((r) => setTimeout(r, 1000)); // until no further send starts
      }
    } finally {
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
    }
    assert.equal(cli.smtp.messages.length, 0, 'nothing was confirmed as delivered');
    // Claimed rows are "sending" whether their message reached the SMTP server or waited for a
    // pooled connection: after a crash nobody can tell, so all of them are for staff to check.
    const hung = await cli.withDatabase(async (h) => {
      const byEmail = await states(h);
      const sending = new Set([...byEmail].filter(([, state]) => state === 'sending').map(([email]) => email));
      for (const email of cli.smtp.held) assert.ok(sending.has(email), `${email} reached SMTP, so it is sending`);
      // Ten minutes pass before a stuck "sending" is judged (docs/architecture.md, outbox states).
      await sql`update outbox set updated_at = now() - interval '11 minutes' where state = 'sending'`.execute(h.db);
      return sending;
    });
    const rest = people.length - hung.size;
    assert.ok(
      cli.smtp.held.length > 0 && rest > 0,
      `${hung.size} in flight (${cli.smtp.held.length} at SMTP), ${rest} waiting`,
    );

    // 2. A new worker: its start-up pass marks the hung ones unknown and the rest go out.
    cli.smtp.holdData = false;
    const second = startServer();
    try {
      await until('the others delivered', () => cli.smtp.messages.length >= rest);
      await new Promise((r) => setTimeout(r, 1500)); // room for any wrongful resend to show up
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
    const delivered = cli.smtp.messages.map((m) => m.to);
    assert.equal(delivered.length, rest, second.output());
    assert.equal(new Set(delivered).size, rest, 'each once');
    for (const to of delivered) assert.ok(!hung.has(to), `${to} hung in the killed worker and must not be resent`);
    await cli.withDatabase(async (h) => {
      const byEmail = await states(h);
      for (const p of people) assert.equal(byEmail.get(p.email), hung.has(p.email) ? 'unknown' : 'sent', p.email);
    });
    // `prom schedule --drain` afterwards sends nothing either.
    const again = await prom(['schedule', '--drain'], cli.env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(cli.smtp.messages.length, rest);
  },
);
