// The dashboard's settled counts (migration 0014, src/reports/dashboard-facts.ts) against a plain
// recount of every invitation with its outbox and responses — the query the dashboard ran before —
// on the same data: after a cohort is written, after transitions through the rules' owner
// (withdrawal, stop, death, opt-out, erasure, a pass that closes windows), after a direct change of
// an arrest's hospital, and after writers and settlements race each other. The page's own read
// (the counts summed per table in SQL) aggregates to the same tables as the counts row by row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fixedClock, parseNow } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { recordDeath, stopContact } from '../../src/invitations/casework.ts';
import { erasePerson } from '../../src/invitations/erase.ts';
import { optOut, withdrawConsent } from '../../src/invitations/person.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { readFactCounts, settleFacts } from '../../src/reports/dashboard-facts.ts';
import { aggregate, loadDashboardFacts, loadFacts } from '../../src/reports/dashboard.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { writeCohort, writeTestHospitals } from '../support/staff-cohort.ts';

let database: TestDatabase;
const db = (): Db => database.db;
const NOW = new Date('2026-12-01T10:00:00Z');

before(async () => {
  database = await createTestDatabase();
  await writeTestHospitals(db());
  await writeCohort(db(), { size: 1500 });
});
after(() => database?.drop());

/** The dashboard's query before 0014: every invitation of a consenting survivor, grouped. */
async function recount(hospitals?: readonly string[]): Promise<string[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT to_char(e.arrest_date, 'YYYY-MM') AS month, e.hospital, h.name AS hospital_name, h.health_trust, h.region,
           e.arrest_type, o.channel, i.language, i.state, i.cancel_reason,
           coalesce(o.sent, false) AS sent, coalesce(o.reminded, false) AS reminded, r.mode, count(*)::int AS n
    FROM invitations i
    JOIN arrest_events e ON e.id = i.arrest_event_id
    JOIN survivors s ON s.id = e.survivor_id AND s.withdrawn_at IS NULL
    LEFT JOIN hospitals h ON h.code = e.hospital
    LEFT JOIN (
      SELECT invitation_id, bool_or(state = 'sent') AS sent,
             bool_or(state = 'sent' AND step LIKE 'reminder%') AS reminded,
             max(channel) FILTER (WHERE step = 'invitation') AS channel
      FROM outbox GROUP BY invitation_id
    ) o ON o.invitation_id = i.id
    LEFT JOIN responses r ON r.invitation_id = i.id AND r.counted
    ${hospitals ? sql`WHERE e.hospital = ANY(${[...hospitals]}::text[])` : sql``}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13`.execute(db());
  return rows.map(line).sort();
}

async function settled(hospitals?: readonly string[]): Promise<string[]> {
  return (await readFactCounts(db(), hospitals)).map((r) => line(r as unknown as Record<string, unknown>)).sort();
}

function line(r: Record<string, unknown>): string {
  return [
    r.month,
    r.hospital,
    r.hospital_name,
    r.health_trust,
    r.region,
    r.arrest_type,
    r.channel,
    r.language,
    r.state,
    r.cancel_reason,
    r.sent,
    r.reminded,
    r.mode,
    r.n,
  ].join('|');
}

async function assertSame(when: string) {
  const [mine, plain] = [await settled(), await recount()];
  assert.ok(plain.length > 20, `${when}: the cohort has many distinct facts (${plain.length})`);
  assert.deepEqual(mine, plain, when);
  assert.deepEqual(await settled(['OUS', 'AHUS']), await recount(['OUS', 'AHUS']), `${when}, two hospitals`);
  // The page reads the counts summed per table in SQL; aggregated, they are the counts' own tables.
  for (const scope of ['all', ['OUS', 'AHUS']] as const) {
    const margins = await loadDashboardFacts(db(), scope);
    assert.ok(margins.length < plain.length, `${when}: fewer rows as margins (${margins.length} < ${plain.length})`);
    assert.deepEqual(
      aggregate(margins),
      aggregate(await loadFacts(db(), scope)),
      `${when}, margins of ${String(scope)}`,
    );
  }
}

async function survivorIds(
  n: number,
  offset: number,
): Promise<{ id: number; register_id: string; invitation: number }[]> {
  return db()
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .innerJoin('invitations as i', 'i.arrest_event_id', 'e.id')
    .select(['s.id', 's.register_id', 'i.id as invitation'])
    .where('s.withdrawn_at', 'is', null)
    .orderBy('s.id')
    .offset(offset)
    .limit(n)
    .execute();
}

test('a written cohort: the settled counts equal a recount, for the register and for two hospitals', async () => {
  await assertSame('after the cohort');
  assert.equal(await settleFacts(db()), 0, 'nothing left to settle after a read');
});

test('transitions through the owner move the counts exactly as a recount does', async () => {
  const people = await survivorIds(40, 100);
  for (const p of people.slice(0, 8)) await withdrawConsent(db(), p.register_id, NOW);
  for (const p of people.slice(8, 16)) await stopContact(db(), p.id, 'all', NOW, 'relative');
  for (const p of people.slice(16, 20)) await recordDeath(db(), p.id, 'all', '2026-11-30', 'test');
  for (const p of people.slice(20, 26)) await optOut(db(), p.invitation, NOW);
  for (const p of people.slice(26, 30)) await erasePerson(db(), p.register_id, 'test', 'k'.repeat(32), NOW);
  await runSchedulingPass(db(), undefined, fixedClock(parseNow('2027-06-01')!));
  await assertSame('after withdrawals, stops, deaths, opt-outs, erasures and a pass a year later');
});

test('a direct change of an arrest (hospital, date) is counted where it now belongs', async () => {
  const [p] = await survivorIds(1, 300);
  await db()
    .updateTable('arrest_events')
    .set({ hospital: 'AHUS', arrest_date: '2025-01-15' })
    .where('survivor_id', '=', p!.id)
    .execute();
  await assertSame('after an arrest moved hospital and month');
});

test('writers and settlements racing each other: nothing counted twice or lost', async () => {
  const people = await survivorIds(30, 400);
  await Promise.all([
    ...people.map((p, i) =>
      i % 2 === 0 ? withdrawConsent(db(), p.register_id, NOW) : stopContact(db(), p.id, 'all', NOW, 'person'),
    ),
    ...Array.from({ length: 10 }, () => settleFacts(db())),
  ]);
  await assertSame('after a race of 30 writers and 10 settlements');
});
