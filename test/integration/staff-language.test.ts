// Staff pages speak Norwegian to people: no raw state or reason codes, no JSON, no paths into the
// repository. Every staff page is fetched for every role that may see it, over a cohort with
// invitations in every state, case actions, paper batches and an audit log full of events, and
// its visible text is searched for codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { osloDay, systemClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createStaff, signIn, type Agent } from '../support/staff.ts';
import { writeCohort, writeTestHospitals } from '../support/staff-cohort.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';

/** Codes the database and the rules use; none may reach a page as text. */
const RAW_CODES = [
  'pending',
  'sending',
  'print',
  'held',
  'cancelled',
  'planned',
  'reminded',
  'expired',
  'answered',
  'superseded',
  'duplicate',
  'opted_out',
  'window_closed',
  'address_missing',
  'address_returned',
  'vital_status_unknown',
  'paper_request',
  'reminder1',
  'reminder2',
  'prefer-paper',
  'opt-out',
  'paper_worklist',
  'print_batch',
  'paper_entry',
  'staff_user',
  'audit_log',
  'email-or-paper',
  'paper-only',
  'email-only',
  'consent-withdrawn',
  'paper-now',
  'stop-contact',
  'survivorIds',
  'login-failed',
];
const CODE = new RegExp(`(?<![\\w-])(${RAW_CODES.join('|')})(?![\\w-])`);
const JSON_FRAGMENT = /[{[]\s*"|"[\w-]+"\s*:/;

let world: World;
let db: Db;
const agents = {} as Record<'admin' | 'registrar' | 'analyst', Agent>;
const pages: Record<'admin' | 'registrar' | 'analyst', string[]> = { admin: [], registrar: [], analyst: [] };

before(async () => {
  world = await createWorld();
  db = world.database.db;
  await writeTestHospitals(db);
  const ids = await writeCohort(db, { size: 400 });
  const app = world.app();
  for (const [role, hospitals] of [
    ['admin', undefined],
    ['registrar', ['OUS', 'HUS', 'SUS']],
    ['analyst', undefined],
  ] as const) {
    const staff = await createStaff(db, TEST_SESSION_SECRET, {
      email: `${role}@words.test`,
      role,
      hospitals: hospitals ? [...hospitals] : undefined,
    });
    agents[role] = (await signIn(app, staff)).agent;
  }
  // Case actions and a print batch, so their words show in the logs and lists.
  const inv = await createInvitation(db);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(
    (await agents.registrar.get(`/staff/survivors/${inv.survivorId}`).expect(200)).text,
  )![1]!;
  const act = (action: string, form: Record<string, string>) =>
    agents.registrar
      .post(`/staff/survivors/${inv.survivorId}/${action}`)
      .type('form')
      .send({ _csrf: csrf, ...form });
  await act('contact', {
    email: 'ord@example.test',
    phone: '',
    address_line: 'Ordgata 1',
    postal_code: '0150',
    city: 'Oslo',
    language: 'nb',
    channel_rule: 'paper-only',
  });
  await act('paper-now', {});
  await act('stop-contact', { source: 'person', date: osloDay(new Date()), confirm: 'yes' });
  await act('notes', { text: 'Ringte' });
  await runSchedulingPass(db, undefined, systemClock);
  const batch = await makeBatch(
    {
      db,
      views: createViews(),
      instruments: loadInstruments(),
      publicUrl: PUBLIC_URL,
      codeKey: letterCodeKey(TEST_SESSION_SECRET),
    },
    systemClock,
    mkdtempSync(path.join(tmpdir(), 'prom-words-')),
    'test',
  );

  const ous = await db
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .leftJoin('invitations as i', 'i.arrest_event_id', 'e.id')
    .select(['s.id', 'i.state', 'i.cancel_reason'])
    .where('e.hospital', 'in', ['OUS', 'HUS', 'SUS'])
    .where('s.id', 'in', ids)
    .execute();
  // One survivor page per invitation state and reason.
  const byKind = new Map(ous.map((s) => [`${s.state}/${s.cancel_reason}`, s.id]));
  const letter = await db.selectFrom('letters').select('id').executeTakeFirst();
  pages.registrar = [
    '/staff',
    '/staff/worklists',
    '/staff/survivors',
    '/staff/paper',
    '/staff/paper/batches',
    '/staff/exports',
    '/staff/help/svarprosent',
    `/staff/survivors/${inv.survivorId}`,
    ...[...byKind.values()].map((id) => `/staff/survivors/${id}`),
    ...(letter ? [`/staff/paper/letters/${letter.id}`] : []),
    ...(batch.batchId ? [`/staff/paper/batches/${batch.batchId}/confirm`] : []),
  ];
  pages.admin = [
    '/staff',
    '/staff/users',
    '/staff/audit',
    '/staff/queues',
    '/staff/hospitals',
    '/staff/hospitals/OUS',
    '/staff/paper',
    '/staff/paper/batches',
    '/staff/exports',
    '/staff/erasure',
    `/staff/erasure/${inv.survivorId}`,
    '/staff/help/svarprosent',
    '/staff/help/lisensiert-tekst',
    '/staff/report',
  ];
  pages.analyst = ['/staff', '/staff/report', '/staff/exports', '/staff/help/svarprosent'];
});
after(async () => {
  await world?.close();
});

/**
 * What a reader sees: the text between tags, without scripts, styles or attribute values, and
 * without texts that come from data as they are (a norm file's descriptions, marked data-source).
 */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<span data-source="data">[^<]*<\/span>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

for (const role of ['registrar', 'admin', 'analyst'] as const) {
  test(`every staff page a ${role} sees is in words: no raw codes, no JSON, no repository paths`, async () => {
    assert.ok(pages[role].length >= 4);
    const problems: string[] = [];
    for (const url of pages[role]) {
      const res = await agents[role].get(url);
      assert.equal(res.status, 200, `${url}: ${res.status}`);
      const text = visibleText(res.text);
      const code = CODE.exec(text);
      if (code)
        problems.push(`${url}: code "${code[1]}" in "…${text.slice(Math.max(0, code.index - 60), code.index + 40)}…"`);
      const json = JSON_FRAGMENT.exec(text);
      if (json) problems.push(`${url}: JSON in "…${text.slice(Math.max(0, json.index - 40), json.index + 60)}…"`);
      if (/docs\/|\.md\b|src\//.test(text)) problems.push(`${url}: a path into the repository`);
    }
    assert.deepEqual(problems, []);
  });
}

test('the check finds what it looks for', () => {
  assert.ok(CODE.test(visibleText('<td>Merknad: answered</td>')));
  assert.ok(!CODE.test(visibleText('<option value="paper-only">Bare papir</option>')));
  assert.ok(JSON_FRAGMENT.test(visibleText('<td>{"survivorIds":[1]}</td>')));
});
