// What a registrar does on the survivor page after a phone call, through the rules' owner, on
// both databases: new address → paper now (in the print worklist and the next batch at once) →
// stop contact → undo → death; a returned letter; a note; another hospital gets 404 for every
// action and nothing is written; every step shows in the case history in Norwegian.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { osloDay } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { confirmBatch, letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { worklists } from '../../src/staff/survivors.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { systemClock } from '../../src/clock.ts';
import { createViews } from '../../src/i18n/views.ts';
import { changedTables, fingerprint } from '../support/security.ts';
import { createStaff, signIn, type Agent, type TestStaff } from '../support/staff.ts';
import { createInvitation, type TestInvitation } from '../support/survey-fixtures.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';

let world: World;
let db: Db;
let ous: { staff: TestStaff; agent: Agent; csrf: string };
let hus: { staff: TestStaff; agent: Agent; csrf: string };
const dir = mkdtempSync(path.join(tmpdir(), 'prom-casework-'));
const batchDeps = () => ({
  db,
  views: createViews(),
  instruments: loadInstruments(),
  publicUrl: PUBLIC_URL,
  codeKey: letterCodeKey(TEST_SESSION_SECRET),
});

before(async () => {
  world = await createWorld();
  db = world.database.db;
  const app = world.app();
  const a = await createStaff(db, TEST_SESSION_SECRET, {
    email: 'ous@case.test',
    role: 'registrar',
    hospitals: ['OUS'],
  });
  const b = await createStaff(db, TEST_SESSION_SECRET, {
    email: 'hus@case.test',
    role: 'registrar',
    hospitals: ['HUS'],
  });
  ous = { staff: a, ...(await signIn(app, a)) };
  hus = { staff: b, ...(await signIn(app, b)) };
});
after(async () => {
  await world?.close();
});

async function steps(invitationId: number) {
  return db
    .selectFrom('outbox')
    .select(['step', 'channel', 'state'])
    .where('invitation_id', '=', invitationId)
    .orderBy('id')
    .execute();
}
const post = (who: typeof ous, url: string, form: Record<string, string> = {}) =>
  who.agent
    .post(url)
    .type('form')
    .send({ _csrf: who.csrf, ...form });
const page = async (id: number) => (await ous.agent.get(`/staff/survivors/${id}`).expect(200)).text;

describe('a phone call, step by step', () => {
  let inv: TestInvitation;
  const url = (action: string) => `/staff/survivors/${inv.survivorId}/${action}`;

  before(async () => {
    inv = await createInvitation(db);
    const sent = new Date(Date.now() - 3 * 86_400_000);
    await db
      .insertInto('outbox')
      .values({
        invitation_id: inv.invitationId,
        step: 'invitation',
        channel: 'email',
        state: 'sent',
        due_at: sent,
        sent_at: sent,
        created_at: sent,
      })
      .execute();
    await db
      .insertInto('outbox')
      .values({
        invitation_id: inv.invitationId,
        step: 'reminder1',
        channel: 'email',
        due_at: new Date(Date.now() + 86_400_000),
        created_at: new Date(),
      })
      .execute();
  });

  test('a new address, validated like the import; a wrong postal code is refused in Norwegian and nothing is stored', async () => {
    const bad = await post(ous, url('contact'), {
      email: 'ny@example.test',
      phone: '',
      address_line: 'Storgata 5',
      postal_code: '12',
      city: 'Oslo',
      language: 'nn',
      channel_rule: 'email-or-paper',
    }).expect(400);
    assert.match(bad.text, /Postnummeret må være fire siffer/);
    assert.match(bad.text, /href="#contact-postal_code"/);
    assert.match(bad.text, /value="12"/, 'what was typed is kept');
    const kept = await db
      .selectFrom('survivors')
      .select(['address_line', 'language'])
      .where('id', '=', inv.survivorId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(kept, { address_line: null, language: 'nb' });

    await post(ous, url('contact'), {
      email: 'ny@example.test',
      phone: '22 00 00 00',
      address_line: 'Storgata 5',
      postal_code: '0155',
      city: 'Oslo',
      language: 'nn',
      channel_rule: 'email-or-paper',
    })
      .expect(303)
      .expect('Location', `/staff/survivors/${inv.survivorId}#actions`);
    const s = await db
      .selectFrom('survivors')
      .select(['address_line', 'postal_code', 'language', 'email'])
      .where('id', '=', inv.survivorId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(s, { address_line: 'Storgata 5', postal_code: '0155', language: 'nn', email: 'ny@example.test' });
    const i = await db
      .selectFrom('invitations')
      .select('language')
      .where('id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    assert.equal(i.language, 'nn', 'the open invitation follows the new language');
    assert.match(await page(inv.survivorId), /Kontaktopplysningene er lagret/);
  });

  test('send paper now: due for print at once, in the print worklist and the next batch, without a pass', async () => {
    await post(ous, url('paper-now')).expect(303);
    assert.deepEqual(
      (await steps(inv.invitationId)).find((s) => s.step === 'paper_request'),
      { step: 'paper_request', channel: 'paper', state: 'print' },
    );
    const lists = await worklists(db, ['OUS'], osloDay(new Date()));
    assert.ok(lists.lists.find((l) => l.key === 'lettersToPrint')!.entries.some((e) => e.id === inv.survivorId));
    await post(ous, url('paper-now')).expect(303);
    assert.match(await page(inv.survivorId), /Et papirskjema er allerede på vei/);
    const batch = await makeBatch(batchDeps(), systemClock, path.join(dir, 'b1'), 'test');
    assert.equal(batch.files?.letters, 1);
    await confirmBatch(db, batch.batchId!, 'test', new Date());
  });

  test('a letter returned undeliverable: the address is flagged and the step goes again by e-mail', async () => {
    const letter = await db
      .selectFrom('letters')
      .select('id')
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    await post(ous, `/staff/survivors/${inv.survivorId}/letters/${letter.id}/returned`).expect(400);
    await post(ous, `/staff/survivors/${inv.survivorId}/letters/${letter.id}/returned`, { confirm: 'yes' }).expect(303);
    assert.deepEqual(
      (await steps(inv.invitationId)).find((s) => s.step === 'paper_request'),
      { step: 'paper_request', channel: 'email', state: 'pending' },
    );
    const flagged = await db
      .selectFrom('survivors')
      .select('address_returned')
      .where('id', '=', inv.survivorId)
      .executeTakeFirstOrThrow();
    assert.equal(flagged.address_returned, 'storgata 5|0155');
    assert.match(await page(inv.survivorId), /Skjemaet sendes nå på e-post/);
  });

  test("stop contact at the person's request, then undo: the steps the stop cancelled come back", async () => {
    const refused = await post(ous, url('stop-contact'), { source: 'relative', date: osloDay(new Date()) }).expect(400);
    assert.match(refused.text, /Kryss av for at kontakten skal stoppes/);
    await post(ous, url('stop-contact'), { source: 'relative', date: osloDay(new Date()), confirm: 'yes' }).expect(303);
    assert.ok((await steps(inv.invitationId)).filter((s) => s.state === 'pending').length === 0);
    assert.equal(
      (await db.selectFrom('invitations').select('state').where('id', '=', inv.invitationId).executeTakeFirstOrThrow())
        .state,
      'cancelled',
    );
    const stopped = await page(inv.survivorId);
    assert.match(stopped, /Kontakten ble stoppet .* \(En pårørende\)/);

    await post(ous, url('resume-contact'), { confirm: 'yes' }).expect(303);
    assert.equal(
      (await db.selectFrom('invitations').select('state').where('id', '=', inv.invitationId).executeTakeFirstOrThrow())
        .state,
      'sent',
    );
    const back = await steps(inv.invitationId);
    assert.deepEqual(
      back
        .filter((s) => s.state === 'pending')
        .map((s) => s.step)
        .sort(),
      ['paper_request', 'reminder1'],
    );
    assert.match(await page(inv.survivorId), /Kontakten er gjenopptatt\. 2 meldinger sendes igjen/);
  });

  test('record a death: refused in the future, then every waiting step stops', async () => {
    const future = await post(ous, url('death'), { date: '2099-01-01', confirm: 'yes' }).expect(400);
    assert.match(future.text, /kan ikke være i fremtiden/);
    await post(ous, url('death'), { date: osloDay(new Date()), confirm: 'yes' }).expect(303);
    assert.deepEqual(
      (await steps(inv.invitationId)).filter((s) => s.state === 'pending'),
      [],
    );
    const s = await db
      .selectFrom('survivors')
      .select('died_on')
      .where('id', '=', inv.survivorId)
      .executeTakeFirstOrThrow();
    assert.equal(s.died_on, osloDay(new Date()));
  });

  test('a note, and the case history shows every step with who and when, in Norwegian', async () => {
    await post(ous, url('notes'), { text: '' }).expect(400);
    await post(ous, url('notes'), { text: 'Ringte, ba om nytt skjema' }).expect(303);
    const text = await page(inv.survivorId);
    for (const event of [
      'Kontaktopplysninger endret',
      'Papirskjema bestilt',
      'Brev registrert i retur',
      'All kontakt stoppet',
      'Kontakten gjenopptatt',
      'Dødsfall registrert',
      'Merknad: Ringte, ba om nytt skjema',
    ]) {
      assert.match(text, new RegExp(event), event);
    }
    assert.match(text, /ous@case\.test/);
    assert.doesNotMatch(text, />(answered|opted_out|died|address_missing|paper_request)</, 'no raw codes');
  });

  test('a registrar of another hospital gets 404 for every action, and nothing is written but the audit', async () => {
    const before = await fingerprint(db);
    const letter = await db
      .selectFrom('letters')
      .select('id')
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    for (const [action, form] of [
      ['paper-now', {}],
      [
        'contact',
        {
          email: '',
          phone: '',
          address_line: 'X',
          postal_code: '0001',
          city: 'X',
          language: 'en',
          channel_rule: 'paper-only',
        },
      ],
      ['stop-contact', { source: 'person', date: osloDay(new Date()), confirm: 'yes' }],
      ['resume-contact', { confirm: 'yes' }],
      ['death', { date: osloDay(new Date()), confirm: 'yes' }],
      [`letters/${letter.id}/returned`, { confirm: 'yes' }],
      ['withdraw', { confirm: 'yes' }],
      ['notes', { text: 'x' }],
    ] as const) {
      await post(hus, url(action), form).expect(404);
    }
    await hus.agent.get(`/staff/survivors/${inv.survivorId}`).expect(404);
    assert.deepEqual(
      changedTables(before, await fingerprint(db)).filter((t) => t !== 'audit_log' && t !== 'sessions'),
      [],
    );
  });
});
