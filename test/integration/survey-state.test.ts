// The survey pages' one read (loadSurveyState: link status, draft and programme version in one
// statement) against the plain reads it replaces — invitationInfo, loadDraftAndProgramme and
// loadDraft — on the same rows: open, answered, cancelled (opted out), expired, past its closing
// day, erased; with and without a draft and a programme version. And the session read that
// brings the same state along (session-state.ts) against the store's plain read; the two
// statements every save runs, prepared once (src/db/prepared.ts), against the same statements
// built and run by the query builder; and how fresh the register profile on respondent pages is
// (pageRegisterProfile). Runs on PGlite and on PostgreSQL.
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, osloDay } from '../../src/clock.ts';
import {
  loadDraft,
  loadDraftAndProgramme,
  loadSurveyState,
  saveDraftAnswers,
  saveDraftStatement,
} from '../../src/invitations/answers.ts';
import { invitationInfo } from '../../src/invitations/links.ts';
import { currentRegisterProfile, pageRegisterProfile, saveRegisterProfile } from '../../src/register/profile.ts';
import { saveProgramme } from '../../src/invitations/settings.ts';
import {
  readSessionWithState,
  sessionWithSurveyState,
  takeSessionSurveyState,
} from '../../src/survey/session-state.ts';
import { preparedStatement } from '../../src/db/prepared.ts';
import { DbSessionStore, sessionKey } from '../../src/web/session-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { EXAMPLE_PROFILE } from '../support/register.ts';
import { createInvitation } from '../support/survey-fixtures.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

/** What the plain reads say about one invitation (loadDraftAndProgramme throws for an erased one). */
async function plain(invitationId: number, today: string) {
  const db = database.db;
  const info = await invitationInfo(db, invitationId, today);
  const exists = await db.selectFrom('invitations').select('id').where('id', '=', invitationId).executeTakeFirst();
  const joint = exists ? await loadDraftAndProgramme(db, invitationId) : { answers: {}, programmeVersion: null };
  const draft = await loadDraft(db, invitationId);
  return {
    status: info.status,
    cancelReason: info.cancelReason,
    programmeVersion: joint.programmeVersion,
    answers: joint.answers,
    version: draft.version,
  };
}

test('loadSurveyState answers what invitationInfo, loadDraftAndProgramme and loadDraft answer', async () => {
  const db = database.db;
  const today = osloDay(new Date());
  const { version: programme } = await saveProgramme(db, {}, 'test');
  const open = await createInvitation(db);
  const drafted = await createInvitation(db, { state: 'reminded' });
  await saveDraftAnswers(db, drafted.invitationId, { mobility: 2, self_care: 1 }, today);
  await saveDraftAnswers(db, drafted.invitationId, { vas: 70 }, today);
  await db
    .updateTable('invitations')
    .set({ programme_version: programme })
    .where('id', '=', drafted.invitationId)
    .execute();
  const answered = await createInvitation(db, { state: 'answered' });
  const optedOut = await createInvitation(db, { state: 'cancelled', cancelReason: 'opted_out' });
  const expired = await createInvitation(db, { state: 'expired' });
  const pastClosing = await createInvitation(db);
  await saveDraftAnswers(db, pastClosing.invitationId, { mobility: 5 }, today);
  await db.updateTable('invitations').set({ closes_on: today }).where('id', '=', pastClosing.invitationId).execute();
  const ids = [open, drafted, answered, optedOut, expired, pastClosing].map((i) => i.invitationId);
  const erased = Math.max(...ids) + 1000;
  const seen = new Set<string>();
  for (const day of [today, addDays(today, -1), addDays(today, 400)]) {
    for (const id of [...ids, erased]) {
      const expected = await plain(id, day);
      assert.deepEqual(await loadSurveyState(db, id, day), expected, `invitation ${id} on ${day}`);
      seen.add(expected.status);
    }
  }
  assert.deepEqual([...seen].sort(), ['answered', 'closed', 'open'], 'every link status was compared');
  const withDraft = await loadSurveyState(db, drafted.invitationId, today);
  assert.deepEqual(withDraft.answers, { mobility: 2, self_care: 1, vas: 70 });
  assert.equal(withDraft.version, 2);
  assert.equal(withDraft.programmeVersion, programme);
});

/** A store's get as a promise. */
function get(store: DbSessionStore<{ data: unknown }>, sid: string) {
  return new Promise<unknown>((resolve, reject) =>
    store.get(sid, (err, s) =>
      err ? reject(err instanceof Error ? err : new Error('session read failed')) : resolve(s),
    ),
  );
}

test('the session read with the survey state answers the plain session read, and the state loadSurveyState', async () => {
  const db = database.db;
  const today = osloDay(new Date());
  const ttl = 60_000;
  const plainStore = new DbSessionStore(db, ttl);
  const reader = sessionWithSurveyState(db);
  const jointStore = new DbSessionStore(db, ttl, reader);
  const inv = await createInvitation(db);
  await saveDraftAnswers(db, inv.invitationId, { mobility: 3 }, today);
  const gone = await createInvitation(db, { state: 'cancelled', cancelReason: 'opted_out' });
  const later = new Date(Date.now() + ttl).toISOString();
  const rows: [string, Record<string, unknown>, string][] = [
    ['respondent', { cookie: {}, invitationId: inv.invitationId, lang: 'nb' }, later],
    ['closed', { cookie: {}, invitationId: gone.invitationId, lang: 'en' }, later],
    ['erased', { cookie: {}, invitationId: 999_999, lang: 'nb' }, later],
    ['staff', { cookie: {}, staff: { id: 1, role: 'admin' } }, later],
    ['odd id', { cookie: {}, invitationId: '1; drop table sessions' }, later],
    ['fraction', { cookie: {}, invitationId: 1.5 }, later],
    ['expired', { cookie: {}, invitationId: inv.invitationId }, new Date(Date.now() - 1000).toISOString()],
  ];
  for (const [sid, data, expires] of rows)
    await db
      .insertInto('sessions')
      .values({ sid: sessionKey(sid), data: JSON.stringify(data), expires_at: expires })
      .execute();
  for (const sid of [...rows.map((r) => r[0]), 'no such session']) {
    assert.deepEqual(await get(jointStore, sid), await get(plainStore, sid), sid);
    const row = await reader.read(sessionKey(sid));
    const id = (row?.data as { invitationId?: unknown } | undefined)?.invitationId;
    const req = {} as IncomingMessage;
    if (row) reader.loaded(req, row);
    const state = typeof id === 'number' ? takeSessionSurveyState(req, id, today) : undefined;
    if (sid === 'respondent' || sid === 'closed')
      assert.deepEqual(state, await loadSurveyState(db, id as number, today), sid);
    else assert.equal(state, undefined, `${sid}: nothing joined, so the page reads for itself`);
  }
  // Taken once: a second call reads again.
  const req = {} as IncomingMessage;
  reader.loaded(req, (await reader.read(sessionKey('respondent')))!);
  assert.ok(takeSessionSurveyState(req, inv.invitationId, today));
  assert.equal(takeSessionSurveyState(req, inv.invitationId, today), undefined);
});

/**
 * Runs of a prepared statement: more than PostgreSQL's five custom plans per connection, so the
 * later runs use the statement's generic plan.
 */
const RUNS = 8;

test('the prepared draft save answers what the query builder runs, run after run, on every kind of invitation', async () => {
  const db = database.db;
  const today = osloDay(new Date());
  /** Two invitations alike: one saved through saveDraftAnswers, its twin through the plain statement. */
  const twins = async (opts: Parameters<typeof createInvitation>[1], closesOn?: string) => {
    const pair = [(await createInvitation(db, opts)).invitationId, (await createInvitation(db, opts)).invitationId];
    if (closesOn) await db.updateTable('invitations').set({ closes_on: closesOn }).where('id', 'in', pair).execute();
    return pair as [number, number];
  };
  const pairs = [
    await twins({}),
    await twins({ state: 'reminded' }),
    await twins({ state: 'answered' }),
    await twins({ state: 'cancelled', cancelReason: 'opted_out' }),
    await twins({ state: 'expired' }),
    await twins({}, today),
  ];
  const erased = Math.max(...pairs.flat()) + 1000;
  pairs.push([erased, erased + 1]);
  let saved = 0;
  let refused = 0;
  for (const day of [today, addDays(today, -1), addDays(today, 400)])
    for (let run = 0; run < RUNS; run++)
      for (const [a, b] of pairs) {
        const values = { mobility: 1 + (run % 5), [`item_${run}`]: run % 2 === 0 ? null : `tekst ${run}` };
        const patch = JSON.stringify(values);
        const prepared = await saveDraftAnswers(db, a, values, day);
        const plain = await saveDraftStatement.plain(db, b, patch, day);
        assert.equal(prepared, Number(plain.numAffectedRows ?? 0) > 0, `invitation ${a} on ${day}, run ${run}`);
        assert.deepEqual(await loadDraft(db, a), await loadDraft(db, b), `draft of ${a} on ${day}, run ${run}`);
        if (prepared) saved++;
        else refused++;
      }
  assert.ok(saved > 0 && refused > 0, 'both a save and a refusal were compared');
  const open = await loadDraft(db, pairs[0]![0]);
  assert.equal(open.version, 2 * RUNS, 'the open invitation saved on today and yesterday, every run');
});

test('the prepared session read answers what the query builder runs, run after run', async () => {
  const db = database.db;
  const inv = await createInvitation(db);
  await saveDraftAnswers(db, inv.invitationId, { vas: 40 }, osloDay(new Date()));
  const later = new Date(Date.now() + 60_000).toISOString();
  const sessions: [string, Record<string, unknown>, string][] = [
    ['prepared respondent', { cookie: {}, invitationId: inv.invitationId, lang: 'nn' }, later],
    ['prepared staff', { cookie: {}, staff: { id: 2, role: 'admin' } }, later],
    ['prepared odd', { cookie: {}, invitationId: 'x' }, later],
    ['prepared expired', { cookie: {}, invitationId: inv.invitationId }, new Date(Date.now() - 1000).toISOString()],
  ];
  for (const [sid, data, expires] of sessions)
    await db
      .insertInto('sessions')
      .values({ sid: sessionKey(sid), data: JSON.stringify(data), expires_at: expires })
      .execute();
  for (let run = 0; run < RUNS; run++)
    for (const sid of [...sessions.map((r) => r[0]), 'no such session']) {
      const prepared = await readSessionWithState(db, sessionKey(sid));
      const plain = await readSessionWithState.plain(db, sessionKey(sid));
      assert.deepEqual(prepared, plain, `${sid}, run ${run}`);
      assert.equal(prepared.rows.length, sid === 'prepared expired' || sid === 'no such session' ? 0 : 1, sid);
    }
});

test('a prepared statement whose values do not all come out as parameters is refused', async () => {
  const db = database.db;
  const computed = preparedStatement((d: typeof db, id: number) =>
    d
      .selectFrom('invitations')
      .select('id')
      .where('id', '=', id + 1),
  );
  await assert.rejects(computed(db, 1), /value 0 is not a parameter/);
  const fine = preparedStatement((d: typeof db, id: number) =>
    d.selectFrom('invitations').select('id').where('id', '=', id),
  );
  assert.deepEqual((await fine(db, -1)).rows, []);
});

test('respondent pages show a profile saved in this process at once, one written elsewhere within 5 s', async () => {
  const db = database.db;
  const t0 = Date.now();
  const first = (await pageRegisterProfile(db, t0))!;
  assert.deepEqual(first, await currentRegisterProfile(db));
  const saved = await saveRegisterProfile(db, { ...EXAMPLE_PROFILE, name: 'Saved here' }, 'test');
  const afterSave = (await pageRegisterProfile(db, t0 + 1))!;
  assert.equal(afterSave.version, saved.version, 'a save in this process shows on the next page');
  assert.equal(afterSave.profile.name, 'Saved here');
  // Another process (`prom register set`) writes the table: this process sees it within 5 s.
  await db
    .insertInto('register_profiles')
    .values({
      version: saved.version + 1,
      profile: JSON.stringify({ ...EXAMPLE_PROFILE, name: 'Saved elsewhere' }),
      created_by: 'other process',
    })
    .execute();
  assert.equal((await pageRegisterProfile(db, t0 + 4_999))!.version, saved.version, 'still the one read at t0 + 1');
  const later = (await pageRegisterProfile(db, t0 + 5_001))!;
  assert.equal(later.version, saved.version + 1);
  assert.equal(later.profile.name, 'Saved elsewhere');
});
