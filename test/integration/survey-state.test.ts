// The survey pages' one read (loadSurveyState: link status, draft and programme version in one
// statement) against the plain reads it replaces — invitationInfo, loadDraftAndProgramme and
// loadDraft — on the same rows: open, answered, cancelled (opted out), expired, past its closing
// day, erased; with and without a draft and a programme version. And the session read that
// brings the same state along (session-state.ts) against the store's plain read; and how fresh
// the register profile on respondent pages is (pageRegisterProfile). Runs on PGlite and on
// PostgreSQL.
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, osloDay } from '../../src/clock.ts';
import { loadDraft, loadDraftAndProgramme, loadSurveyState, saveDraftAnswers } from '../../src/invitations/answers.ts';
import { invitationInfo } from '../../src/invitations/links.ts';
import { currentRegisterProfile, pageRegisterProfile, saveRegisterProfile } from '../../src/register/profile.ts';
import { saveProgramme } from '../../src/invitations/settings.ts';
import { sessionWithSurveyState, takeSessionSurveyState } from '../../src/survey/session-state.ts';
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
