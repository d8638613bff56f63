// The paper path against the real database: print batches (eligibility checked again, one merged
// PDF and a manifest, never twice, hand-over confirmation, a deliberate reprint with the same
// codes), and returned forms entered by staff — validation, single and double entry, a mismatch
// that blocks the response until a resolver chooses, hospital scoping, the audit trail, the
// export with mode=paper, and the first-complete-response rule between web and paper.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { addDays, fixedClock, osloDay, parseNow } from '../../src/clock.ts';
import type { Job } from 'bullmq';
import type { Db } from '../../src/db/database.ts';
import { PRINT_BATCH_JOB, schedulePrintBatches } from '../../src/queue/jobs/scheduler.ts';
import { printBatchProcessor } from '../../src/jobs/index.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import {
  confirmBatch,
  decryptCode,
  formatLetterId,
  letterCodeKey,
  makeBatch,
  reprintBatch,
  type BatchDeps,
} from '../../src/paper/batch.ts';
import { setDoubleEntry } from '../../src/paper/entry.ts';
import { undoHandOver } from '../../src/invitations/print.ts';
import { exportResponsesCsv } from '../../src/reports/exports/responses.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { findByShortCode } from '../../src/invitations/short-codes.ts';
import { loadDraft, recordWebAnswer, saveDraftAnswer } from '../../src/invitations/answers.ts';
import { createViews } from '../../src/i18n/views.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { syntheticNationalId } from '../support/people.ts';
import { createStaff, signIn, type Agent, type TestStaff } from '../support/staff.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';

// Dates relative to the day the suite runs: the window (day 90 to 183) is open now, and forms
// are received inside it, as they would be.
const TODAY = osloDay(new Date());
const ARREST = addDays(TODAY, -120);
const RECEIVED = addDays(TODAY, -2);
const RECEIVED_NEXT = addDays(TODAY, -1);
const DAY90 = addDays(ARREST, 90);
const dir = mkdtempSync(path.join(tmpdir(), 'prom-paper-'));

let world: World;
let db: Db;
let deps: BatchDeps;
let staff: Record<'a' | 'b' | 'c' | 'other' | 'admin', TestStaff>;
let seq = 0;
let batchSeq = 0;
let app: ReturnType<World['app']>;
const agents = new Map<string, Agent>();

/** One signed-in agent per person (a fresh login for each request would trip the TOTP replay guard). */
async function agentOf(who: TestStaff): Promise<Agent> {
  let agent = agents.get(who.email);
  if (!agent) {
    agent = (await signIn(app, who)).agent;
    agents.set(who.email, agent);
  }
  return agent;
}

async function paperPeople(n: number, hospital = 'OUS', arrest = ARREST): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = ++seq;
    const s = await db
      .insertInto('survivors')
      .values({
        register_id: `P${i}`,
        national_id: syntheticNationalId(7000 + i),
        birth_date: '1950-01-01',
        sex: 'female',
        given_name: `Åse${i}`,
        family_name: 'Ødegård',
        address_line: `Kjølberggata ${i}`,
        postal_code: '0653',
        city: 'OSLO',
        language: 'nb',
        channel_rule: 'paper-only',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('arrest_events')
      .values({ survivor_id: s.id, arrest_date: arrest, arrest_type: 'OHCA', hospital })
      .execute();
    ids.push(`P${i}`);
  }
  return ids;
}

const clockAt = (day: string) => fixedClock(parseNow(day)!);

async function outboxOf(registerId: string) {
  return db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'o.id',
      'o.step',
      'o.state',
      'o.last_error',
      'o.sent_at',
      'i.id as invitation_id',
      'i.state as invitation_state',
    ])
    .where('s.register_id', '=', registerId)
    .where('o.step', '=', 'invitation')
    .executeTakeFirstOrThrow();
}

async function letterOf(registerId: string) {
  const o = await outboxOf(registerId);
  return db.selectFrom('letters').selectAll().where('outbox_id', '=', o.id).executeTakeFirstOrThrow();
}

before(async () => {
  world = await createWorld();
  db = world.database.db;
  app = world.app();
  deps = {
    db,
    views: createViews(),
    instruments: loadInstruments(),
    publicUrl: PUBLIC_URL,
    codeKey: letterCodeKey(TEST_SESSION_SECRET),
  };
  staff = {
    a: await createStaff(db, TEST_SESSION_SECRET, { email: 'a@register.test', role: 'registrar', hospitals: ['OUS'] }),
    b: await createStaff(db, TEST_SESSION_SECRET, {
      email: 'b@register.test',
      role: 'registrar',
      hospitals: ['OUS', 'HUS'],
    }),
    c: await createStaff(db, TEST_SESSION_SECRET, { email: 'c@register.test', role: 'registrar', hospitals: ['OUS'] }),
    other: await createStaff(db, TEST_SESSION_SECRET, {
      email: 'other@register.test',
      role: 'registrar',
      hospitals: ['HUS'],
    }),
    admin: await createStaff(db, TEST_SESSION_SECRET, { email: 'admin@register.test', role: 'admin' }),
  };
});
after(async () => {
  await world?.close();
});

describe('print batches', () => {
  let people: string[];
  let batchId: number;
  const out = path.join(dir, 'batch-a');

  test('a pass makes paper steps due for print; a batch checks each again, then draws one PDF and a manifest', async () => {
    people = await paperPeople(4);
    const pass = await runSchedulingPass(db, undefined, clockAt(DAY90));
    assert.equal(pass.toPrint, 4);
    for (const p of people) assert.equal((await outboxOf(p)).state, 'print');
    // Between the pass and the batch: one person dies, one loses the postal address.
    const dead = await db
      .selectFrom('survivors')
      .select('national_id')
      .where('register_id', '=', people[0]!)
      .executeTakeFirstOrThrow();
    await db.insertInto('deaths').values({ national_id: dead.national_id, died_on: DAY90, source: 'test' }).execute();
    await db.updateTable('survivors').set({ address_line: null }).where('register_id', '=', people[1]!).execute();

    const r = await makeBatch(deps, clockAt(addDays(DAY90, 1)), out, 'test');
    assert.ok(r.batchId);
    assert.equal(r.stopped, 1);
    assert.equal(r.held, 1);
    assert.equal(r.files!.letters, 2);
    batchId = r.batchId;
    assert.deepEqual(await outboxOf(people[0]!).then((o) => [o.state, o.last_error, o.invitation_state]), [
      'cancelled',
      'died',
      'cancelled',
    ]);
    assert.deepEqual(await outboxOf(people[1]!).then((o) => [o.state, o.last_error]), ['held', 'address_missing']);
    // In the batch but not sent until the hand-over is confirmed.
    assert.deepEqual(await outboxOf(people[2]!).then((o) => [o.state, o.invitation_state]), ['print', 'planned']);

    const info = execFileSync('pdfinfo', [r.files!.pdfFile], { encoding: 'utf8' });
    assert.match(info, /Pages:\s+8\n/);
    const text = execFileSync('pdftotext', ['-layout', r.files!.pdfFile, '-'], { encoding: 'utf8' });
    const letter = await letterOf(people[2]!);
    const code = decryptCode(deps.codeKey, letter.short_code_enc);
    assert.ok(text.includes(`Retur-ID: ${formatLetterId(letter.id)}`));
    assert.ok(text.includes(code), 'the short code is printed');
    assert.ok(text.includes('Kjølberggata'));
    const linked = await findByShortCode(db, code, osloDay(new Date()));
    assert.equal(linked?.invitationId, letter.invitation_id, 'the printed code opens the invitation on /kode');

    const manifest = readFileSync(r.files!.manifestFile, 'utf8').trim().split('\n');
    assert.equal(manifest[0], 'letter_id,pages,name,address_line,postal_code,city');
    assert.equal(manifest.length, 3);
    assert.match(manifest[1]!, /^L-\d{6},4,Åse\d+ Ødegård,Kjølberggata \d+,0653,OSLO$/);
    const nationalIds = await db.selectFrom('survivors').select('national_id').execute();
    for (const { national_id } of nationalIds)
      assert.ok(!manifest.join('\n').includes(national_id), 'no national id in the manifest');
    assert.doesNotMatch(manifest.join('\n'), /hjerte|stans|arrest|sykehus|OUS/i);
  });

  test('a second batch never takes letters already in a batch', async () => {
    const again = await makeBatch(deps, clockAt(addDays(DAY90, 2)), path.join(dir, 'batch-b'), 'test');
    assert.equal(again.batchId, undefined);
    assert.equal(again.files, undefined);
  });

  test('confirming the hand-over sends the letters once; a reprint draws the same letters again on purpose', async () => {
    const at = parseNow(addDays(DAY90, 2))!;
    const confirmed = await confirmBatch(db, batchId, 'a@register.test', at);
    assert.deepEqual(confirmed, { kind: 'confirmed', sent: 2, pulled: [], remaining: 0 });
    const o = await outboxOf(people[2]!);
    assert.equal(o.state, 'sent');
    assert.equal(o.invitation_state, 'sent');
    assert.equal(o.sent_at?.toISOString(), at.toISOString());
    assert.deepEqual(await confirmBatch(db, batchId, 'a@register.test', at), { kind: 'already' });

    const firstText = execFileSync('pdftotext', ['-layout', path.join(dir, 'batch-a', `batch-${batchId}.pdf`), '-'], {
      encoding: 'utf8',
    });
    const reprint = await reprintBatch(deps, batchId, path.join(dir, 'reprint'), 'test', at);
    assert.equal(reprint.kind, 'reprinted');
    if (reprint.kind !== 'reprinted') return;
    assert.equal(reprint.of, batchId);
    const again = execFileSync('pdftotext', ['-layout', reprint.files.pdfFile, '-'], { encoding: 'utf8' });
    assert.equal(again, firstText, 'the same letters, codes and dates');
    assert.deepEqual(await confirmBatch(db, reprint.reprintId, 'a@register.test', at), { kind: 'is-reprint' });
  });
});

/** Makes paper letters for `n` new people at `hospital` and returns their letter ids. */
async function lettersFor(n: number, hospital = 'OUS'): Promise<number[]> {
  // An earlier day each time: no step of the people made before is due at this pass's clock.
  const arrest = addDays(ARREST, -2 * ++batchSeq);
  const people = await paperPeople(n, hospital, arrest);
  await runSchedulingPass(db, undefined, clockAt(addDays(arrest, 90)));
  const r = await makeBatch(deps, clockAt(addDays(arrest, 90)), path.join(dir, `b${seq}`), 'test');
  assert.equal(r.files?.letters, n);
  await confirmBatch(db, r.batchId!, 'test', parseNow(addDays(arrest, 90))!);
  return Promise.all(people.map(async (p) => (await letterOf(p)).id));
}

/** The keying form: one character per item (1–5, 0 = not ticked, 9 = more than one), the VAS 0–100 (999 = blank, 888 = unclear). */
const form = (levels: (string | number)[], vas: string, received: string) => ({
  mobility: String(levels[0]),
  self_care: String(levels[1]),
  usual_activities: String(levels[2]),
  pain_discomfort: String(levels[3]),
  anxiety_depression: String(levels[4]),
  vas,
  received_on: received,
});

async function entryPage(who: TestStaff, letterId: number) {
  const agent = await agentOf(who);
  const page = await agent.get(`/staff/paper/letters/${letterId}`).expect(200);
  return { agent, page, csrf: csrfFrom(page.text) };
}

async function enter(who: TestStaff, letterId: number, values: Record<string, string>) {
  const { agent, csrf } = await entryPage(who, letterId);
  return agent
    .post(`/staff/paper/letters/${letterId}/entries`)
    .type('form')
    .send({ _csrf: csrf, ...values });
}

async function responseOf(letterId: number) {
  return db.selectFrom('responses').selectAll().where('letter_id', '=', letterId).executeTakeFirst();
}

describe('entering returned forms', () => {
  test('find by return id (as a scanner types it) or by short code; another hospital’s letter is not found', async () => {
    const [id] = await lettersFor(1);
    const letter = await db.selectFrom('letters').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    const code = decryptCode(deps.codeKey, letter.short_code_enc);
    const agent = await agentOf(staff.a);
    let page = await agent.get('/staff/paper').expect(200);
    await agent
      .post('/staff/paper/find')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ref: formatLetterId(id!) })
      .expect(303)
      .expect('Location', `/staff/paper/letters/${id}`);
    await agent
      .post('/staff/paper/find')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ref: code.toLowerCase().replace(/-/g, ' ') })
      .expect(303)
      .expect('Location', `/staff/paper/letters/${id}`);
    const missing = await agent
      .post('/staff/paper/find')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ref: '' })
      .expect(400);
    assert.match(missing.text, /<title>Feil: /);
    assert.match(missing.text, /Skriv retur-ID-en eller koden fra skjemaet/);
    page = await agent.get(`/staff/paper/letters/${id}`).expect(200);
    assert.match(page.text, /•••••••\d{4}/, 'the national id is masked');
    const nid = await db
      .selectFrom('survivors as s')
      .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
      .innerJoin('invitations as i', 'i.arrest_event_id', 'e.id')
      .select('s.national_id')
      .where('i.id', '=', letter.invitation_id)
      .executeTakeFirstOrThrow();
    assert.ok(!page.text.includes(nid.national_id));

    const other = { agent: await agentOf(staff.other) };
    const home = await other.agent.get('/staff/paper').expect(200);
    const notFound = await other.agent
      .post('/staff/paper/find')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), ref: formatLetterId(id!) })
      .expect(400);
    assert.match(notFound.text, /Fant ikke noe brev/);
    await other.agent.get(`/staff/paper/letters/${id}`).expect(404);
    const analyst = await createStaff(db, TEST_SESSION_SECRET, { email: 'analyst@register.test', role: 'analyst' });
    await (await agentOf(analyst)).get('/staff/paper').expect(403);
  });

  test('validation: every field, with a message beside it and a summary linking to it', async () => {
    const [id] = await lettersFor(1);
    const res = await enter(staff.a, id!, form(['', 2, 3, 7, 'x'], '101', '2026-13-01'));
    assert.equal(res.status, 400);
    assert.match(res.text, /<title>Feil: /);
    assert.match(
      res.text,
      /href="#mobility">Mobilitet \(gange\): Skriv 1–5 for ruten som er krysset, 0 hvis ingen er krysset, eller 9 hvis flere er krysset/,
    );
    assert.match(res.text, /href="#pain_discomfort">Smerte \/ ubehag: Skriv ett tegn: 1–5/);
    assert.match(res.text, /href="#anxiety_depression">Angst \/ depresjon: Skriv ett tegn: 1–5/);
    assert.doesNotMatch(res.text, /href="#self_care"/);
    assert.match(
      res.text,
      /href="#vas">Helsen din i dag: Skriv et helt tall fra 0 til 100, 999 hvis skalaen ikke er fylt ut, eller 888/,
    );
    assert.match(res.text, /href="#received_on">Dato mottatt: Datoen må være en ekte dato/);
    assert.match(res.text, /id="vas" name="vas" value="101"/, 'what was typed stays');
    assert.match(res.text, /id="pain_discomfort" name="pain_discomfort" value="7"/);
    const future = await enter(staff.a, id!, form([1, 1, 1, 1, 1], '50', addDays(osloDay(new Date()), 1)));
    assert.match(future.text, /Datoen kan ikke være etter i dag/);
    const early = await enter(staff.a, id!, form([1, 1, 1, 1, 1], '', '2025-01-01'));
    assert.match(
      early.text,
      /Skriv tallet fra 0 til 100, 999 hvis skalaen ikke er fylt ut, eller 888 hvis den er uklar/,
    );
    assert.match(early.text, /Datoen kan ikke være før brevet ble laget/);
    for (const [vas, items] of [
      ['1000', [1, 1, 1, 1, 1]],
      ['-1', [1, 1, 1, 1, 1]],
      ['50', [12, 1, 1, 1, 1]],
      ['50', [6, 1, 1, 1, 1]],
    ] as const) {
      const wrong = await enter(staff.a, id!, form([...items], vas, RECEIVED));
      assert.equal(wrong.status, 400, `vas ${vas}, items ${items.join('')} is refused`);
    }
    assert.equal(
      await db.selectFrom('paper_entries').select('id').where('letter_id', '=', id!).executeTakeFirst(),
      undefined,
    );
  });

  test('single entry (double entry off): saved at once as a counted paper response, missing/ambiguous as NULL; in the export with mode=paper', async () => {
    await setDoubleEntry(db, false, 'test');
    try {
      const [id] = await lettersFor(1);
      const res = await enter(staff.a, id!, form([2, 0, 3, 9, 1], '888', RECEIVED));
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, `/staff/paper/letters/${id}?done=final`);
      const r = await responseOf(id!);
      assert.ok(r);
      assert.deepEqual(
        [
          r.mode,
          r.counted,
          r.flag,
          r.mobility,
          r.self_care,
          r.usual_activities,
          r.pain_discomfort,
          r.anxiety_depression,
          r.vas,
        ],
        ['paper', true, null, 2, null, 3, null, 1, null],
      );
      const entry = await db
        .selectFrom('paper_entries')
        .selectAll()
        .where('letter_id', '=', id!)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [entry.self_care, entry.pain_discomfort, entry.vas, entry.received_on],
        ['missing', 'ambiguous', 'ambiguous', RECEIVED],
      );
      const inv = await db
        .selectFrom('invitations')
        .select(['state', 'answered_at'])
        .where('id', '=', r.invitation_id)
        .executeTakeFirstOrThrow();
      assert.equal(inv.state, 'answered');
      const sink = new PassThrough();
      let csv = '';
      sink.on('data', (d: Buffer) => (csv += d.toString()));
      await exportResponsesCsv(db, sink);
      const row = csv.split('\n').find((l) => l.startsWith(r.id));
      assert.ok(row, 'the response is in the export');
      assert.match(row, /,paper,nb,/);
    } finally {
      await setDoubleEntry(db, true, 'test');
    }
  });

  test('keying codes: 0 is kept as missing, 9 as ambiguous, VAS 999 as missing and 888 as ambiguous; the response stores them as NULL', async () => {
    await setDoubleEntry(db, false, 'test');
    try {
      const [id] = await lettersFor(1);
      const res = await enter(staff.a, id!, { ...form([0, 9, 5, 0, 1], ' 999 ', RECEIVED) });
      assert.equal(res.headers.location, `/staff/paper/letters/${id}?done=final`);
      const entry = await db
        .selectFrom('paper_entries')
        .selectAll()
        .where('letter_id', '=', id!)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [
          entry.mobility,
          entry.self_care,
          entry.usual_activities,
          entry.pain_discomfort,
          entry.anxiety_depression,
          entry.vas,
        ],
        ['missing', 'ambiguous', '5', 'missing', '1', 'missing'],
      );
      const r = await responseOf(id!);
      assert.deepEqual(
        [r?.mobility, r?.self_care, r?.usual_activities, r?.pain_discomfort, r?.anxiety_depression, r?.vas],
        [null, null, 5, null, 1, null],
      );
    } finally {
      await setDoubleEntry(db, true, 'test');
    }
  });

  test('double entry: a second person without seeing the first; a mismatch blocks the response until resolved per field', async () => {
    const [id] = await lettersFor(1);
    const first = form([1, 2, 3, 4, 5], '70', RECEIVED);
    assert.equal(
      (await enter(staff.a, id!, first)).headers.location,
      `/staff/paper/letters/${id}?done=awaiting-second`,
    );
    assert.equal(await responseOf(id!), undefined);
    // The registrar's worklist counts it among forms waiting for a second entry.
    const worklist = await (await agentOf(staff.a)).get('/staff/worklists').expect(200);
    assert.match(worklist.text, /[1-9]\d* venter på andre gangs registrering/);
    // The same person cannot make the second entry, and gets no form.
    const same = await entryPage(staff.a, id!);
    assert.match(same.page.text, /En annen person må gjøre den andre registreringen/);
    assert.doesNotMatch(same.page.text, /name="mobility"/);
    // The second person sees an empty form: nothing of the first entry.
    const second = await entryPage(staff.b, id!);
    assert.match(second.page.text, /Andre registrering/);
    assert.match(second.page.text, /name="mobility" value=""/);
    assert.doesNotMatch(second.page.text, /value="70"/);
    const res = await second.agent
      .post(`/staff/paper/letters/${id}/entries`)
      .type('form')
      .send({ _csrf: second.csrf, ...form([1, 2, 4, 4, 5], '78', RECEIVED) });
    assert.equal(res.headers.location, `/staff/paper/letters/${id}?done=mismatch`);
    assert.equal(await responseOf(id!), undefined, 'no response while the entries differ');

    // Side by side, then a resolver chooses per differing field.
    const resolver = await entryPage(staff.c, id!);
    assert.match(resolver.page.text, /side om side/);
    assert.match(resolver.page.text, /data-field="usual_activities" data-differs/);
    assert.match(resolver.page.text, /data-field="vas" data-differs/);
    assert.doesNotMatch(resolver.page.text, /data-field="mobility" data-differs/);
    const incomplete = await resolver.agent
      .post(`/staff/paper/letters/${id}/resolve`)
      .type('form')
      .send({ _csrf: resolver.csrf, usual_activities: '2' });
    assert.equal(incomplete.status, 400);
    assert.match(incomplete.text, /href="#vas-1">Helsen din i dag: Velg hvilken registrering/);
    assert.equal(await responseOf(id!), undefined);
    const done = await resolver.agent
      .post(`/staff/paper/letters/${id}/resolve`)
      .type('form')
      .send({ _csrf: resolver.csrf, usual_activities: '2', vas: '1' });
    assert.equal(done.headers.location, `/staff/paper/letters/${id}?done=resolved`);
    const r = await responseOf(id!);
    assert.deepEqual([r?.mode, r?.counted, r?.mobility, r?.usual_activities, r?.vas], ['paper', true, 1, 4, 70]);
    const entries = await db
      .selectFrom('paper_entries')
      .select(['entry_no', 'entered_by'])
      .where('letter_id', '=', id!)
      .orderBy('entry_no')
      .execute();
    assert.deepEqual(entries, [
      { entry_no: 1, entered_by: staff.a.id },
      { entry_no: 2, entered_by: staff.b.id },
      { entry_no: 3, entered_by: staff.c.id },
    ]);
    // Every step is in the audit log, with ids only.
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'details'])
      .where('entity', '=', 'paper_entry')
      .orderBy('id')
      .execute();
    const mine = audit.filter((a) => (a.details as { letterId?: number }).letterId === id);
    assert.deepEqual(
      mine.map((a) => [a.actor, (a.details as { outcome: string }).outcome]),
      [
        ['a@register.test', 'awaiting-second'],
        ['b@register.test', 'mismatch'],
        ['c@register.test', 'final'],
      ],
    );
    assert.deepEqual((mine[1]!.details as { differing: string[] }).differing, ['usual_activities', 'vas']);
    assert.doesNotMatch(JSON.stringify(mine), /"70"|"78"/);
    // Final: no more entries.
    const after = await entryPage(staff.b, id!);
    assert.doesNotMatch(after.page.text, /name="mobility"/);
  });

  test('matching double entries make the response final at once', async () => {
    const [id] = await lettersFor(1);
    await enter(staff.a, id!, form([1, 1, 2, 2, 1], '85', RECEIVED_NEXT));
    const res = await enter(staff.b, id!, form([1, 1, 2, 2, 1], '85', RECEIVED_NEXT));
    assert.equal(res.headers.location, `/staff/paper/letters/${id}?done=final`);
    assert.equal((await responseOf(id!))?.vas, 85);
  });

  test('who filled it in: the proxy box keyed as 3 by both people ends in respondent = proxy in the export; a wrong code is an error beside the field', async () => {
    const [id] = await lettersFor(1);
    const page = await entryPage(staff.a, id!);
    assert.match(page.page.text, /<label for="respondent">Hvem fylte ut skjemaet<\/label>/);
    assert.match(page.page.text, /3 (=|&#x3D;) noen andre · 0 (=|&#x3D;) ikke krysset/);
    const wrong = await enter(staff.a, id!, { ...form([1, 2, 2, 1, 1], '60', RECEIVED), respondent: '4' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /href="#respondent">Hvem fylte ut skjemaet: Skriv 1, 2 eller 3/);
    await enter(staff.a, id!, { ...form([1, 2, 2, 1, 1], '60', RECEIVED), respondent: '3' });
    // The second person keys it differently: a mismatch on that field, resolved like any other.
    const differs = await enter(staff.b, id!, { ...form([1, 2, 2, 1, 1], '60', RECEIVED), respondent: '0' });
    assert.equal(differs.headers.location, `/staff/paper/letters/${id}?done=mismatch`);
    const { agent, csrf } = await entryPage(staff.c, id!);
    await agent
      .post(`/staff/paper/letters/${id}/resolve`)
      .type('form')
      .send({ _csrf: csrf, respondent: '1' })
      .expect(303);
    const r = await responseOf(id!);
    assert.equal(r?.respondent, 'proxy');
    const sink = new PassThrough();
    let csv = '';
    sink.on('data', (d: Buffer) => (csv += d.toString()));
    await exportResponsesCsv(db, sink);
    assert.match(csv.split('\n')[0]!, /,completed_at,respondent/);
    assert.match(
      csv.split('\n').find((l) => l.startsWith(r.id))!,
      /,proxy\r?$/,
    );

    // Matching entries of "nothing ticked" (0): not recorded.
    const [blank] = await lettersFor(1);
    await enter(staff.a, blank!, { ...form([1, 1, 1, 1, 1], '90', RECEIVED), respondent: '0' });
    await enter(staff.b, blank!, { ...form([1, 1, 1, 1, 1], '90', RECEIVED), respondent: '0' });
    assert.equal((await responseOf(blank!))?.respondent, null);
  });
});

describe('web and paper for one invitation: the first complete one counts, the other is kept and flagged', () => {
  async function webAnswer(invitationId: number) {
    for (const [page, v] of [
      ['mobility', 1],
      ['self_care', 1],
      ['usual_activities', 1],
      ['pain_discomfort', 1],
      ['anxiety_depression', 1],
      ['vas', 90],
    ] as const) {
      await saveDraftAnswer(db, invitationId, page, v, osloDay(new Date()));
    }
    return webSubmit(invitationId);
  }
  /** The web questionnaire is filled in while the invitation is open; the submit may come later. */
  async function webDraft(invitationId: number) {
    for (const [page, v] of [
      ['mobility', 1],
      ['self_care', 1],
      ['usual_activities', 1],
      ['pain_discomfort', 1],
      ['anxiety_depression', 1],
      ['vas', 90],
    ] as const) {
      assert.ok(await saveDraftAnswer(db, invitationId, page, v, osloDay(new Date())));
    }
  }
  async function webSubmit(invitationId: number) {
    return recordWebAnswer(db, invitationId, 'nb', new Date(), (await loadDraft(db, invitationId)).version);
  }

  test('web first, paper later: the paper response is stored uncounted with flag duplicate', async () => {
    await setDoubleEntry(db, false, 'test');
    try {
      const [id] = await lettersFor(1);
      const letter = await db
        .selectFrom('letters')
        .select('invitation_id')
        .where('id', '=', id!)
        .executeTakeFirstOrThrow();
      assert.equal(await webAnswer(letter.invitation_id), 'submitted');
      await enter(staff.a, id!, form([3, 3, 3, 3, 3], '40', RECEIVED));
      const all = await db
        .selectFrom('responses')
        .select(['mode', 'counted', 'flag'])
        .where('invitation_id', '=', letter.invitation_id)
        .orderBy('created_at')
        .execute();
      assert.deepEqual(all, [
        { mode: 'web', counted: true, flag: null },
        { mode: 'paper', counted: false, flag: 'duplicate' },
      ]);
      const page = await entryPage(staff.a, id!);
      assert.match(page.page.text, /allerede et fullstendig svar/);
    } finally {
      await setDoubleEntry(db, true, 'test');
    }
  });

  test('paper first, web later: the web response is kept uncounted and flagged; both show on the staff list', async () => {
    await setDoubleEntry(db, false, 'test');
    try {
      const [id] = await lettersFor(1);
      const letter = await db
        .selectFrom('letters')
        .select('invitation_id')
        .where('id', '=', id!)
        .executeTakeFirstOrThrow();
      await webDraft(letter.invitation_id);
      await enter(staff.a, id!, form([2, 2, 2, 2, 2], '60', RECEIVED));
      assert.equal(await webSubmit(letter.invitation_id), 'already-answered');
      assert.equal(await webSubmit(letter.invitation_id), 'already-answered');
      const all = await db
        .selectFrom('responses')
        .select(['mode', 'counted', 'flag'])
        .where('invitation_id', '=', letter.invitation_id)
        .orderBy('created_at')
        .execute();
      assert.deepEqual(all, [
        { mode: 'paper', counted: true, flag: null },
        { mode: 'web', counted: false, flag: 'duplicate' },
      ]);
      const list = await (await agentOf(staff.a)).get('/staff/paper').expect(200);
      const flagged = list.text.slice(list.text.indexOf('data-worklist="flagged"'));
      assert.match(flagged, /Nettsvar<\/a> – nett, OUS/);
      assert.match(flagged, /L-\d{6}<\/a> – papir, OUS/);
    } finally {
      await setDoubleEntry(db, true, 'test');
    }
  });
});

describe('print batches on the staff page', () => {
  test('a batch is confirmed as handed over with a button; the audit log has it', async () => {
    const arrest = addDays(ARREST, -2 * ++batchSeq);
    const people = await paperPeople(1, 'OUS', arrest);
    await runSchedulingPass(db, undefined, clockAt(addDays(arrest, 90)));
    const r = await makeBatch(deps, clockAt(addDays(arrest, 90)), path.join(dir, 'web'), 'test');
    assert.ok(r.batchId);
    const agent = await agentOf(staff.admin);
    const page = await agent.get('/staff/paper/batches').expect(200);
    assert.match(page.text, new RegExp(`Bekreft at bunke ${r.batchId} er levert`));
    await agent
      .post(`/staff/paper/batches/${r.batchId}/confirm`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303)
      .expect('Location', '/staff/paper/batches?done=confirmed');
    assert.equal((await outboxOf(people[0]!)).state, 'sent');
    const again = await agent.get('/staff/paper/batches').expect(200);
    assert.doesNotMatch(again.text, new RegExp(`Bekreft at bunke ${r.batchId} er levert`));
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('entity', '=', 'print_batch')
      .where('action', '=', 'change')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor, 'admin@register.test');
  });

  test('the hand-over has a confirmation page (letters per hospital), can be undone the same day, and an unconfirmed batch warns on the entry form', async () => {
    const arrest = addDays(ARREST, -2 * ++batchSeq);
    const people = [...(await paperPeople(2, 'OUS', arrest)), ...(await paperPeople(1, 'HUS', arrest))];
    await runSchedulingPass(db, undefined, clockAt(addDays(arrest, 90)));
    const r = await makeBatch(deps, clockAt(addDays(arrest, 90)), path.join(dir, `h${seq}`), 'test');
    const agent = await agentOf(staff.b); // registrar of OUS and HUS
    const letter = await letterOf(people[0]!);
    const entry = await agent.get(`/staff/paper/letters/${letter.id}`).expect(200);
    assert.match(entry.text, new RegExp(`Brevet er i bunke ${r.batchId}, som ennå ikke er bekreftet levert`));

    const confirmPage = await agent.get(`/staff/paper/batches/${r.batchId}/confirm`).expect(200);
    assert.match(confirmPage.text, new RegExp(`Bekreft at bunke ${r.batchId} er levert`));
    assert.match(confirmPage.text, /Du bekrefter at 3 brev er levert/);
    assert.match(confirmPage.text, /<th scope="row">HUS<\/th><td class="num">1<\/td>/);
    assert.match(confirmPage.text, /<th scope="row">OUS<\/th><td class="num">2<\/td>/);
    assert.equal((await outboxOf(people[0]!)).state, 'print', 'the page alone changes nothing');
    await (await agentOf(staff.other)).get(`/staff/paper/batches/${r.batchId}/confirm`).expect(200); // HUS: its own letter only
    await agent
      .post(`/staff/paper/batches/${r.batchId}/confirm`)
      .type('form')
      .send({ _csrf: csrfFrom(confirmPage.text) })
      .expect(303);
    assert.equal((await outboxOf(people[0]!)).state, 'sent');
    assert.doesNotMatch(
      (await agent.get(`/staff/paper/letters/${letter.id}`).expect(200)).text,
      /ennå ikke er bekreftet levert/,
    );

    const list = await agent.get('/staff/paper/batches').expect(200);
    assert.match(list.text, new RegExp(`Angre leveringen av bunke ${r.batchId}`));
    await agent
      .post(`/staff/paper/batches/${r.batchId}/undo`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text) })
      .expect(303)
      .expect('Location', '/staff/paper/batches?done=undone');
    for (const p of people)
      assert.deepEqual(await outboxOf(p).then((o) => [o.state, o.invitation_state]), ['print', 'planned']);
    const after = await db.selectFrom('letters').select('handed_over_at').where('batch_id', '=', r.batchId!).execute();
    assert.ok(after.every((l) => l.handed_over_at === null));
    await agent.get(`/staff/paper/batches/${r.batchId}/confirm`).expect(200);
    // Only the same Oslo day: the next day a hand-over stands.
    await confirmBatch(db, r.batchId!, 'test', new Date());
    assert.deepEqual(await undoHandOver(db, r.batchId!, 'all', addDays(osloDay(new Date()), 1)), {
      kind: 'nothing-today',
    });
    assert.equal((await outboxOf(people[0]!)).state, 'sent');
  });
});

describe('the daily print batch job', () => {
  test('LETTER_BATCH_HOUR registers a job scheduler at that Oslo hour; unset removes it; the job makes a batch into <dir>/<batch id>/', async () => {
    await schedulePrintBatches(world.queues, 6);
    const [scheduler] = await world.queues.scheduler.getJobSchedulers();
    assert.equal(scheduler?.key, PRINT_BATCH_JOB);
    assert.equal(scheduler?.pattern, '0 0 6 * * *');
    assert.equal(scheduler?.tz, 'Europe/Oslo');
    await schedulePrintBatches(world.queues, undefined);
    assert.deepEqual(await world.queues.scheduler.getJobSchedulers(), []);

    const arrest = addDays(ARREST, -2 * ++batchSeq);
    await paperPeople(2, 'OUS', arrest);
    const clock = clockAt(addDays(arrest, 90));
    await runSchedulingPass(db, undefined, clock);
    const letterDir = path.join(dir, 'daily');
    const result = (await printBatchProcessor(deps, letterDir, clock)({} as Job)) as {
      batchId: number;
      letters: number;
    };
    assert.equal(result.letters, 2);
    assert.match(
      execFileSync('pdfinfo', [path.join(letterDir, String(result.batchId), `batch-${result.batchId}.pdf`)], {
        encoding: 'utf8',
      }),
      /Pages:\s+8\n/,
    );
  });
});
