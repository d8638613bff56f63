// Dates from outside: impossible ones are a 400 naming the parameter (API cursor, the audit
// filters on page and CSV), never a 500; implausible facts (a death in the future or before the
// person's birth or arrest, a withdrawal in the future or before the arrest) are refused by the
// API and the command line, and the person stays contactable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { addDays, osloDay } from '../../src/clock.ts';
import { createApiKey } from '../../src/api/keys.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { systemClock } from '../../src/clock.ts';
import { createWorld, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import { createStaff, signIn, type Agent } from '../support/staff.ts';
import { person, toCsv, type PersonRow } from '../support/people.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { prom } from '../support/processes.ts';
import type { Db } from '../../src/db/database.ts';
import type { FieldError } from '../../src/api/problem.ts';

const cli = useCliWorld('date-edges');
let world: World;
let app: ReturnType<World['app']>;
let apiKey: string;
let admin: Agent;

const TODAY = osloDay(new Date());
const ARREST = addDays(TODAY, -91);
/** Encodes a cursor the way src/api/cursor.ts does, with any timestamp. */
const cursor = (kind: 'i' | 'r', at: string, id: string) =>
  Buffer.from(JSON.stringify([kind, at, id]), 'utf8').toString('base64url');

before(async () => {
  world = await createWorld();
  app = world.app();
  apiKey = (
    await createApiKey(world.database.db, {
      name: 'dates',
      scopes: ['intake', 'status', 'results'],
      hospitals: [],
      createdBy: 'test',
    })
  ).key;
  const staff = await createStaff(world.database.db, TEST_SESSION_SECRET, { email: 'admin@dates.test', role: 'admin' });
  admin = (await signIn(app, staff)).agent;
});
after(async () => {
  await world?.close();
});

/** The problem's field errors (supertest types a JSON body as any). */
const errorsOf = (res: request.Response) => (res.body as { errors: FieldError[] }).errors;

function assertProblem(res: request.Response, status: number, names: string[]) {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(
    errorsOf(res).map((e) => e.pointer ?? e.parameter),
    names,
  );
}

describe('impossible dates are a 400, never a 500', () => {
  test('API paging cursors with a day that does not exist', async () => {
    for (const [url, kind, id] of [
      ['/api/v1/invitations', 'i', '1'],
      ['/api/v1/responses', 'r', '00000000-0000-0000-0000-000000000000'],
    ] as const) {
      for (const at of [
        '2026-02-30T10:00:00.000000Z',
        '2026-13-01T10:00:00.000000Z',
        '0000-01-01T00:00:00.000000Z',
        '2026-05-01T24:00:00.000000Z',
      ]) {
        const res = await request(app)
          .get(url)
          .query({ cursor: cursor(kind, at, id) })
          .set('Authorization', `Bearer ${apiKey}`);
        assertProblem(res, 400, ['cursor']);
      }
    }
  });

  test('API time filters (updated_since, since) on days PostgreSQL refuses or outside 1900–2100', async () => {
    for (const [url, name] of [
      ['/api/v1/invitations', 'updated_since'],
      ['/api/v1/responses', 'since'],
    ] as const) {
      for (const at of ['0000-01-01T00:00:00Z', '1899-12-31T23:00:00Z', '2026-02-30T00:00:00Z']) {
        const res = await request(app)
          .get(url)
          .query({ [name]: at })
          .set('Authorization', `Bearer ${apiKey}`);
        assertProblem(res, 400, [name]);
      }
    }
  });

  test('/staff/audit and its CSV: the page again with an error summary, 400', async () => {
    const cases: [string, string[]][] = [
      ['from=2026-02-30', ['Fra dato']],
      ['to=2026-13-01', ['Til dato']],
      ['from=0000-01-01', ['Fra dato']],
      ['from=2026-1-1&to=2101-01-01', ['Fra dato', 'Til dato']],
    ];
    for (const [query, fields] of cases) {
      for (const page of ['/staff/audit', '/staff/audit.csv']) {
        const res = await admin.get(`${page}?${query}`);
        assert.equal(res.status, 400, `${page}?${query}: ${res.status}`);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.text, /class="error-summary"/);
        for (const f of fields)
          assert.match(
            res.text,
            new RegExp(`<a href="#f-${f === 'Fra dato' ? 'from' : 'to'}">${f} må være en dato som finnes`),
          );
        assert.match(res.text, /aria-invalid="true"/);
      }
    }
    const fine = await admin.get('/staff/audit?from=2026-02-28&to=2026-03-01');
    assert.equal(fine.status, 200);
  });
});

async function state(db: Db, registerId: string) {
  return db
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .leftJoin('invitations as i', 'i.arrest_event_id', 'e.id')
    .leftJoin('deaths as d', 'd.national_id', 's.national_id')
    .select(['s.died_on', 's.withdrawn_at', 'i.state', 'd.died_on as death_row'])
    .where('s.register_id', '=', registerId)
    .executeTakeFirstOrThrow();
}
const CONTACTABLE = { died_on: null, withdrawn_at: null, state: 'planned', death_row: null };

describe('implausible deaths and withdrawals are refused over the API', () => {
  let p: PersonRow;
  before(async () => {
    p = person(71, { arrest_date: ARREST, birth_date: '1950-06-15' });
    const { register_id, ...body } = p;
    const put = await request(app)
      .put(`/api/v1/survivors/${register_id}`)
      .set('Authorization', `Bearer ${apiKey}`)
      .send(body);
    assert.equal(put.status, 201, put.text);
    await runSchedulingPass(world.database.db, undefined, systemClock);
  });

  test('deaths in the future, before the birth date or before the arrest: 422, nothing stops', async () => {
    for (const [date, detail] of [
      ['2099-01-01', 'is in the future'],
      [addDays(TODAY, 1), 'is in the future'],
      ['1940-01-01', "is before the person's date of birth"],
      [addDays(ARREST, -1), 'is before the cardiac arrest'],
    ]) {
      const res = await request(app)
        .post('/api/v1/deaths')
        .set('Authorization', `Bearer ${apiKey}`)
        .send({ national_id: p.national_id, date_of_death: date });
      assertProblem(res, 422, ['/date_of_death']);
      assert.equal(errorsOf(res)[0]!.detail, detail, date);
    }
    assert.deepEqual(await state(world.database.db, p.register_id), CONTACTABLE);
  });

  test('withdrawals in the future, before the arrest or in year 0001: 422, nothing stops', async () => {
    for (const [at, detail] of [
      ['0001-01-01T00:00:00Z', 'must be a day between 1900-01-01 and 2100-12-31'],
      [`${addDays(ARREST, -1)}T12:00:00Z`, 'is before the cardiac arrest'],
      ['2099-01-01T00:00:00Z', 'may not be in the future'],
    ]) {
      const res = await request(app)
        .post(`/api/v1/survivors/${p.register_id}/withdrawal`)
        .set('Authorization', `Bearer ${apiKey}`)
        .send({ withdrawn_at: at });
      assertProblem(res, 422, ['/withdrawn_at']);
      assert.equal(errorsOf(res)[0]!.detail, detail, at);
    }
    assert.deepEqual(await state(world.database.db, p.register_id), CONTACTABLE);
  });
});

test('prom deaths import and prom consent withdraw refuse them: line N: column: reason, exit code 1', async () => {
  const p = person(72, { register_id: 'D72', arrest_date: ARREST, birth_date: '1950-06-15' });
  const people = path.join(cli.dir, 'people.csv');
  writeFileSync(people, toCsv([p]));
  const imported = await prom(['import', people], cli.env);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal((await prom(['schedule'], cli.env)).code, 0);

  const deaths = path.join(cli.dir, 'deaths.csv');
  writeFileSync(
    deaths,
    `national_id,date_of_death\n${p.national_id},2099-01-01\n${p.national_id},1940-01-01\n${p.national_id},${addDays(ARREST, -1)}\n${p.national_id},2026-02-30\n`,
  );
  const dead = await prom(['deaths', 'import', deaths], cli.env);
  assert.equal(dead.code, 1, dead.stderr);
  assert.deepEqual(dead.stderr.trim().split('\n'), [
    'line 5: date_of_death: is not a real calendar date',
    'line 2: date_of_death: is in the future',
    "line 3: date_of_death: is before the person's date of birth",
    'line 4: date_of_death: is before the cardiac arrest',
  ]);
  assert.match(
    dead.stdout,
    /0 deaths recorded \(0 known survivors\); 0 open invitations stopped, 0 waiting steps cancelled; 4 rows rejected\./,
  );

  const refused: [string, string][] = [
    ['2099-01-01', 'may not be in the future'],
    [addDays(ARREST, -1), 'is before the cardiac arrest'],
    ['0001-01-01', 'must be between 1900-01-01 and 2100-12-31'],
  ];
  for (const [at, reason] of refused) {
    const w = await prom(['consent', 'withdraw', 'D72', '--at', at], cli.env);
    assert.equal(w.code, 1, `${at}: ${w.stdout}${w.stderr}`);
    assert.match(w.stderr, new RegExp(`^--at: "?${at}"? ${reason}; nothing was recorded\\.$`, 'm'));
  }
  const s = await cli.withDatabase((h) => state(h.db, 'D72'));
  assert.deepEqual(s, CONTACTABLE);
  const ok = await prom(['consent', 'withdraw', 'D72', '--at', TODAY], cli.env);
  assert.equal(ok.code, 0, ok.stderr);
});
