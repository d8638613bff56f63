// The access matrix (docs/staff-access.md) walked route by route for every role and for no
// session; hospital scoping (a registrar of OUS cannot read, search or export HUS's survivors);
// one audit row per identifiable read; the database refusing UPDATE/DELETE on the audit log;
// timeouts, lockout, replayed codes, logout and disabled accounts ending sessions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import type { Clock } from '../../src/clock.ts';
import { audit } from '../../src/audit/log.ts';
import { sql } from 'kysely';
import { createWorld, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { createStaff, nextCode, signIn, type Agent, type TestStaff } from '../support/staff.ts';
import { writeSurvivor, writeTestHospitals } from '../support/staff-cohort.ts';
import { syntheticNationalId } from '../support/people.ts';

type Who = 'none' | 'admin' | 'registrar' | 'analyst';
const ROLES: Who[] = ['none', 'admin', 'registrar', 'analyst'];

let world: World;
let users: Record<'admin' | 'registrar' | 'analyst' | 'spare' | 'spareRegistrar', TestStaff>;
const agents = {} as Record<Exclude<Who, 'none'>, { agent: Agent; csrf: string }>;
let survivorA: number; // at OUS, the registrar's hospital
let survivorB: number; // at HUS

before(async () => {
  world = await createWorld();
  const db = world.database.db;
  await writeTestHospitals(db);
  const mk = (email: string, role: TestStaff['role'], hospitals?: string[]) =>
    createStaff(db, TEST_SESSION_SECRET, { email, role, hospitals });
  users = {
    admin: await mk('admin@register.test', 'admin'),
    registrar: await mk('reg.ous@register.test', 'registrar', ['OUS']),
    analyst: await mk('analyst@register.test', 'analyst'),
    spare: await mk('spare@register.test', 'analyst'),
    spareRegistrar: await mk('spare.reg@register.test', 'registrar', ['AHUS']),
  };
  survivorA = await writeSurvivor(db, {
    registerId: 'A1',
    nationalIdSeed: 1,
    hospital: 'OUS',
    givenName: 'Åse',
    familyName: 'Oslosen',
  });
  survivorB = await writeSurvivor(db, {
    registerId: 'B1',
    nationalIdSeed: 2,
    hospital: 'HUS',
    givenName: 'Bjørg',
    familyName: 'Bergensen',
  });
  const app = world.app();
  for (const role of ['admin', 'registrar', 'analyst'] as const) agents[role] = await signIn(app, users[role]);
});
after(async () => {
  await world?.close();
});

interface Case {
  method: 'GET' | 'POST';
  path: () => string;
  body?: Record<string, string>;
  /** Expected status per role; `none` is 303 to the login page for GET and 403 (CSRF) for POST. */
  expect: Record<Exclude<Who, 'none'>, number>;
}

const ALL = (n: number) => ({ admin: n, registrar: n, analyst: n });
const ONLY = (role: Exclude<Who, 'none'>, n: number) => ({ admin: 403, registrar: 403, analyst: 403, [role]: n });

// The documented matrix (docs/staff-access.md). Keep the two in step.
const MATRIX: Case[] = [
  { method: 'GET', path: () => '/staff', expect: ALL(200) },
  { method: 'GET', path: () => '/staff?by=hospital', expect: ALL(200) },
  { method: 'GET', path: () => '/staff/exports', expect: ALL(200) },
  { method: 'GET', path: () => '/staff/export/dashboard.csv', expect: ALL(200) },
  { method: 'GET', path: () => '/staff/export/dashboard.csv?by=region', expect: ALL(200) },
  { method: 'GET', path: () => '/staff/export/responses.csv', expect: ONLY('analyst', 200) },
  { method: 'GET', path: () => '/staff/export/survivors.csv', expect: ONLY('registrar', 200) },
  { method: 'GET', path: () => '/staff/worklists', expect: ONLY('registrar', 200) },
  { method: 'GET', path: () => '/staff/survivors', expect: ONLY('registrar', 200) },
  { method: 'POST', path: () => '/staff/survivors/search', body: { q: 'Testesen' }, expect: ONLY('registrar', 200) },
  { method: 'GET', path: () => `/staff/survivors/${survivorA}`, expect: ONLY('registrar', 200) },
  { method: 'GET', path: () => `/staff/survivors/${survivorB}`, expect: ONLY('registrar', 404) },
  { method: 'GET', path: () => '/staff/survivors/999999', expect: ONLY('registrar', 404) },
  { method: 'POST', path: () => `/staff/survivors/${survivorA}/withdraw`, body: {}, expect: ONLY('registrar', 400) },
  {
    method: 'POST',
    path: () => `/staff/survivors/${survivorB}/withdraw`,
    body: { confirm: 'yes' },
    expect: ONLY('registrar', 404),
  },
  { method: 'GET', path: () => '/staff/users', expect: ONLY('admin', 200) },
  {
    method: 'POST',
    path: () => '/staff/users',
    body: { email: 'not an address', role: 'analyst', password: 'short' },
    expect: ONLY('admin', 400),
  },
  { method: 'POST', path: () => `/staff/users/${users.spare.id}/end-sessions`, body: {}, expect: ONLY('admin', 303) },
  { method: 'POST', path: () => `/staff/users/${users.spare.id}/reset-2fa`, body: {}, expect: ONLY('admin', 303) },
  { method: 'POST', path: () => `/staff/users/${users.spare.id}/disable`, body: {}, expect: ONLY('admin', 303) },
  { method: 'POST', path: () => `/staff/users/${users.spare.id}/enable`, body: {}, expect: ONLY('admin', 303) },
  {
    method: 'POST',
    path: () => `/staff/users/${users.spareRegistrar.id}/hospitals`,
    body: { hospitals: 'AHUS, DRAMMEN' },
    expect: ONLY('admin', 303),
  },
  { method: 'GET', path: () => '/staff/audit', expect: ONLY('admin', 200) },
  { method: 'GET', path: () => '/staff/audit?action=view&entity=survivor', expect: ONLY('admin', 200) },
  { method: 'GET', path: () => '/staff/audit.csv', expect: ONLY('admin', 200) },
  { method: 'GET', path: () => '/staff/queues', expect: ONLY('admin', 200) },
  { method: 'GET', path: () => '/staff/hospitals', expect: ONLY('admin', 200) },
  { method: 'GET', path: () => '/staff/hospitals/OUS', expect: ONLY('admin', 200) },
  {
    method: 'POST',
    path: () => '/staff/hospitals',
    body: { code: 'NEW1', name: 'Nytt sykehus', health_trust: 'Nytt HF', region: 'Helse Nord RHF' },
    expect: ONLY('admin', 303),
  },
  { method: 'GET', path: () => '/staff/register', expect: ONLY('admin', 200) },
  {
    method: 'POST',
    path: () => '/staff/register',
    body: { name: 'Testregisteret', organisation: 'Test HF', controller: 'Testinstituttet', phone: '+47 00 00 00 00' },
    expect: ONLY('admin', 303),
  },
  { method: 'GET', path: () => '/staff/no-such-page', expect: ALL(404) },
];

describe('access matrix: each role × each staff route and export', () => {
  for (const c of MATRIX) {
    for (const who of ROLES) {
      const expected = who === 'none' ? (c.method === 'GET' ? 303 : 403) : c.expect[who];
      test(`${who} ${c.method} ${c.path.toString().replace(/^\(\) => /, '')} → ${expected}`, async () => {
        const path = c.path();
        if (who === 'none') {
          const anon = request(world.app());
          const res =
            c.method === 'GET'
              ? await anon.get(path)
              : await anon
                  .post(path)
                  .type('form')
                  .send(c.body ?? {});
          assert.equal(res.status, expected);
          if (expected === 303) assert.equal(res.headers.location, '/staff/login');
          return;
        }
        const { agent, csrf } = agents[who];
        const res =
          c.method === 'GET'
            ? await agent.get(path)
            : await agent
                .post(path)
                .type('form')
                .send({ _csrf: csrf, ...c.body });
        assert.equal(res.status, expected, `${who} ${c.method} ${path}: ${res.text.slice(0, 300)}`);
        if (res.status === 200 && path.includes('.csv'))
          assert.match(String(res.headers['content-type']), /^text\/csv/);
        if (res.status === 200 && !path.includes('.csv')) assert.equal(res.headers['cache-control'], 'no-store');
      });
    }
  }
});

describe('hospital scoping: the OUS registrar never sees HUS survivors', () => {
  test('read: another hospital’s survivor is 404, exactly like an id that does not exist', async () => {
    const { agent } = agents.registrar;
    const other = await agent.get(`/staff/survivors/${survivorB}`).expect(404);
    const missing = await agent.get('/staff/survivors/999999').expect(404);
    assert.equal(
      other.text.replace(/name="_csrf" value="[^"]+"/, ''),
      missing.text.replace(/name="_csrf" value="[^"]+"/, ''),
    );
    assert.doesNotMatch(other.text, /Bjørg|Bergensen/);
  });

  test('search: by national id, register id and name finds only own-hospital survivors', async () => {
    const { agent, csrf } = agents.registrar;
    for (const q of [syntheticNationalId(2), 'B1', 'Bjørg', 'Bergensen']) {
      const res = await agent.post('/staff/survivors/search').type('form').send({ _csrf: csrf, q }).expect(200);
      assert.doesNotMatch(res.text, /Bjørg|Bergensen|data-survivor/, q);
    }
    const own = await agent
      .post('/staff/survivors/search')
      .type('form')
      .send({ _csrf: csrf, q: syntheticNationalId(1) })
      .expect(200);
    assert.match(own.text, new RegExp(`data-survivor="${survivorA}"`));
    assert.doesNotMatch(own.text, new RegExp(syntheticNationalId(1)), 'the national id is shown masked only');
    assert.match(own.text, new RegExp(`•{7}${syntheticNationalId(1).slice(7)}`));
  });

  test('export and worklists: only own-hospital survivors', async () => {
    const { agent } = agents.registrar;
    const csv = await agent.get('/staff/export/survivors.csv').expect(200);
    const rows = parse<Record<string, string>>(csv.text, { columns: true, bom: true });
    assert.ok(rows.length >= 1);
    assert.ok(
      rows.every((r) => r.hospital === 'OUS'),
      JSON.stringify(rows),
    );
    assert.ok(!csv.text.includes(syntheticNationalId(1)), 'no full national ids in the export');
    const lists = await agent.get('/staff/worklists').expect(200);
    assert.doesNotMatch(lists.text, /Bergensen/);
  });

  test('dashboard: the registrar’s numbers cover their hospitals only', async () => {
    const { agent } = agents.registrar;
    const csv = await agent.get('/staff/export/dashboard.csv?by=hospital').expect(200);
    const rows = parse<Record<string, string>>(csv.text, { columns: true, bom: true });
    assert.deepEqual(
      rows.filter((r) => r.dimension === 'hospital').map((r) => r.key),
      ['OUS'],
    );
  });

  test('a survivor URL carries the internal id, never a national id', async () => {
    const { agent, csrf } = agents.registrar;
    const res = await agent
      .post('/staff/survivors/search')
      .type('form')
      .send({ _csrf: csrf, q: 'Oslosen' })
      .expect(200);
    const hrefs = [...res.text.matchAll(/href="(\/staff\/survivors\/[^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(hrefs, [`/staff/survivors/${survivorA}`]);
  });
});

describe('audit log', () => {
  const count = async () =>
    (
      await world.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  const last = () =>
    world.database.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();

  test('each identifiable read writes exactly one audit row: who, role, record, action, when', async () => {
    const reg = agents.registrar;
    const reads: [
      string,
      () => Promise<unknown>,
      { action: string; entity: string; entityId?: string; ids?: number[] },
    ][] = [
      [
        'survivor page',
        () => reg.agent.get(`/staff/survivors/${survivorA}`).expect(200),
        { action: 'view', entity: 'survivor', entityId: String(survivorA) },
      ],
      [
        'search',
        () =>
          reg.agent.post('/staff/survivors/search').type('form').send({ _csrf: reg.csrf, q: 'Oslosen' }).expect(200),
        { action: 'search', entity: 'survivor', ids: [survivorA] },
      ],
      ['worklists', () => reg.agent.get('/staff/worklists').expect(200), { action: 'view', entity: 'worklist' }],
      [
        'survivor export',
        () => reg.agent.get('/staff/export/survivors.csv').expect(200),
        { action: 'export', entity: 'survivor', ids: [survivorA] },
      ],
      [
        'pseudonymous export',
        () => agents.analyst.agent.get('/staff/export/responses.csv').expect(200),
        { action: 'export', entity: 'responses' },
      ],
    ];
    for (const [label, read, want] of reads) {
      const before = await count();
      const started = Date.now();
      await read();
      assert.equal((await count()) - before, 1, `${label}: one row`);
      const row = await last();
      assert.equal(row.action, want.action, label);
      assert.equal(row.entity, want.entity, label);
      if (want.entityId) assert.equal(row.entity_id, want.entityId, label);
      if (want.ids) assert.deepEqual(row.details.survivorIds, want.ids, label);
      assert.ok(row.actor.endsWith('@register.test'), label);
      assert.ok(row.actor_role === 'registrar' || row.actor_role === 'analyst', label);
      assert.ok(row.actor_id, label);
      assert.ok(Math.abs(new Date(row.at).getTime() - started) < 60_000, `${label}: when`);
    }
  });

  test('the search query itself (it may be a national id) is not written to the log', async () => {
    const reg = agents.registrar;
    await reg.agent
      .post('/staff/survivors/search')
      .type('form')
      .send({ _csrf: reg.csrf, q: syntheticNationalId(1) })
      .expect(200);
    const row = await last();
    assert.equal(row.action, 'search');
    assert.ok(!JSON.stringify(row).includes(syntheticNationalId(1)));
    assert.equal(row.details.kind, 'national_id');
  });

  test('the database refuses UPDATE, DELETE and TRUNCATE on audit rows', async () => {
    const db = world.database.db;
    await audit(db, { actor: 'test', action: 'view', entity: 'survivor', entityId: 1 });
    const row = await last();
    await assert.rejects(
      db
        .updateTable('audit_log')
        .set({ actor: 'someone else' } as never)
        .where('id', '=', row.id)
        .execute(),
      /append-only/,
    );
    await assert.rejects(db.deleteFrom('audit_log').where('id', '=', row.id).execute(), /append-only/);
    await assert.rejects(db.deleteFrom('audit_log').execute(), /append-only/);
    await assert.rejects(sql`TRUNCATE audit_log`.execute(db), /append-only/);
    assert.equal((await last()).actor, 'test');
  });

  test('admins search the log by survivor and find list reads that showed that survivor', async () => {
    const res = await agents.admin.agent.get(`/staff/audit?entity=survivor&entity_id=${survivorA}`).expect(200);
    assert.match(res.text, /<td>Søkte<\/td>/);
    assert.match(res.text, /<td>Så<\/td>/);
    assert.match(res.text, /<td>Lastet ned<\/td>/);
    const csv = await agents.admin.agent.get(`/staff/audit.csv?entity=survivor&entity_id=${survivorA}`).expect(200);
    const rows = parse<Record<string, string>>(csv.text, { columns: true, bom: true });
    assert.ok(rows.length >= 3);
    assert.ok(rows.every((r) => r.entity === 'survivor'));
    const viewed = await last();
    assert.equal(viewed.action, 'export', 'exporting the log is logged too');
    assert.equal(viewed.entity, 'audit_log');
  });

  test('a registrar looking up another hospital’s survivor is logged as denied', async () => {
    await agents.registrar.agent.get(`/staff/survivors/${survivorB}`).expect(404);
    const row = await last();
    assert.equal(row.action, 'denied');
    assert.equal(row.entity_id, String(survivorB));
  });
});

describe('withdrawal by a registrar', () => {
  test('needs the confirmation box, then stops the open invitation and its waiting messages', async () => {
    const db = world.database.db;
    const id = await writeSurvivor(db, { registerId: 'A2', nationalIdSeed: 3, hospital: 'OUS', givenName: 'Arne' });
    const inv = await db
      .selectFrom('invitations as i')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .select('i.id')
      .where('e.survivor_id', '=', id)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('outbox')
      .values({
        invitation_id: inv.id,
        step: 'reminder1',
        channel: 'email',
        state: 'pending',
        due_at: new Date(),
        created_at: new Date(),
      })
      .execute();
    const { agent, csrf } = agents.registrar;
    const refused = await agent.post(`/staff/survivors/${id}/withdraw`).type('form').send({ _csrf: csrf }).expect(400);
    assert.match(refused.text, /Kryss av for at personen har trukket samtykket sitt/);
    await agent
      .post(`/staff/survivors/${id}/withdraw`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' })
      .expect(303)
      .expect('Location', `/staff/survivors/${id}`);
    const page = await agent.get(`/staff/survivors/${id}`).expect(200);
    assert.match(page.text, /Samtykket er registrert som trukket/);
    assert.match(page.text, /data-field="withdrawn"/);
    const s = await db.selectFrom('survivors').select('withdrawn_at').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(s.withdrawn_at);
    const i = await db
      .selectFrom('invitations')
      .select(['state', 'cancel_reason'])
      .where('id', '=', inv.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(i, { state: 'cancelled', cancel_reason: 'withdrawn' });
    const o = await db
      .selectFrom('outbox')
      .select('state')
      .where('invitation_id', '=', inv.id)
      .where('step', '=', 'reminder1')
      .executeTakeFirstOrThrow();
    assert.equal(o.state, 'cancelled');
    const change = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'change')
      .where('entity', '=', 'survivor')
      .where('entity_id', '=', String(id))
      .execute();
    assert.equal(change.length, 1);
  });
});

describe('sessions and login defences', () => {
  function movableClock(): Clock & { advance(ms: number): void } {
    let t = Date.now();
    return { now: () => new Date(t), advance: (ms) => (t += ms) };
  }

  test('30 minutes idle ends the session', async () => {
    const clock = movableClock();
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'idle@register.test',
      role: 'analyst',
    });
    const { agent } = await signIn(world.app(clock), u, clock);
    clock.advance(29 * 60_000);
    await agent.get('/staff').expect(200);
    clock.advance(29 * 60_000);
    await agent.get('/staff').expect(200);
    clock.advance(31 * 60_000);
    await agent.get('/staff').expect(303).expect('Location', '/staff/login');
    clock.advance(-31 * 60_000);
    await agent.get('/staff').expect(303); // the session is gone, not just refused
  });

  test('12 hours after login the session ends even with activity', async () => {
    const clock = movableClock();
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'long@register.test',
      role: 'analyst',
    });
    const { agent } = await signIn(world.app(clock), u, clock);
    for (let h = 0; h < 24; h++) {
      clock.advance(29 * 60_000);
      await agent.get('/staff').expect(200);
    }
    clock.advance(29 * 60_000); // 12 h 30 min after login
    await agent.get('/staff').expect(303).expect('Location', '/staff/login');
  });

  test('the session cookie lasts as long as the idle timeout', async () => {
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'cookie@register.test',
      role: 'analyst',
    });
    const { agent } = await signIn(world.app(), u);
    const res = await agent.get('/staff').expect(200);
    const cookie = String(res.headers['set-cookie']);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)![1]!);
    assert.ok(Math.abs(expires - Date.now() - 30 * 60_000) < 60_000, cookie);
  });

  test('five wrong passwords lock the account for 15 minutes; the page reads the same as a wrong password', async () => {
    const clock = movableClock();
    const app = world.app(clock);
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'lock@register.test',
      role: 'analyst',
    });
    const agent = request.agent(app);
    const csrf = csrfFrom((await agent.get('/staff/login').expect(200)).text);
    for (let i = 0; i < 5; i++)
      await agent
        .post('/staff/login')
        .type('form')
        .send({ _csrf: csrf, email: u.email, password: 'wrong password!' })
        .expect(401);
    const locked = await agent
      .post('/staff/login')
      .type('form')
      .send({ _csrf: csrf, email: u.email, password: u.password })
      .expect(401);
    assert.match(locked.text, /E-postadressen eller passordet er feil/);
    const failures = await world.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'login-failed')
      .where('actor', '=', u.email)
      .orderBy('id')
      .execute();
    assert.equal(failures.at(-1)!.details.reason, 'locked');
    clock.advance(16 * 60_000);
    await agent
      .post('/staff/login')
      .type('form')
      .send({ _csrf: csrf, email: u.email, password: u.password })
      .expect(303)
      .expect('Location', '/staff/login/code');
  });

  test('wrong codes count towards the lockout; a used code cannot be used again', async () => {
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'codes@register.test',
      role: 'analyst',
    });
    const app = world.app();
    const start = async () => {
      const agent = request.agent(app);
      const csrf = csrfFrom((await agent.get('/staff/login').expect(200)).text);
      await agent
        .post('/staff/login')
        .type('form')
        .send({ _csrf: csrf, email: u.email, password: u.password })
        .expect(303);
      return { agent, csrf: csrfFrom((await agent.get('/staff/login/code').expect(200)).text) };
    };
    // Replay: the same code twice.
    const code = await nextCode(u);
    const first = await start();
    await first.agent
      .post('/staff/login/code')
      .type('form')
      .send({ _csrf: first.csrf, code })
      .expect(303)
      .expect('Location', '/staff');
    const second = await start();
    const replay = await second.agent
      .post('/staff/login/code')
      .type('form')
      .send({ _csrf: second.csrf, code })
      .expect(401);
    assert.match(replay.text, /Koden er feil eller for gammel/);
    // Four more wrong codes (five with the replay) lock the account.
    for (let i = 0; i < 3; i++)
      await second.agent
        .post('/staff/login/code')
        .type('form')
        .send({ _csrf: second.csrf, code: '000000' })
        .expect(401);
    const lock = await second.agent
      .post('/staff/login/code')
      .type('form')
      .send({ _csrf: second.csrf, code: '000000' })
      .expect(401);
    assert.match(lock.text, /Kontoen er låst i 15 minutter/);
    const row = await world.database.db
      .selectFrom('staff_users')
      .select('locked_until')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.locked_until && new Date(row.locked_until).getTime() > Date.now());
    // Even the right code does nothing now.
    const third = request.agent(app);
    const csrf = csrfFrom((await third.get('/staff/login').expect(200)).text);
    await third
      .post('/staff/login')
      .type('form')
      .send({ _csrf: csrf, email: u.email, password: u.password })
      .expect(401);
  });

  test('too many failed attempts from one address are refused with 429', async () => {
    const app = world.app();
    const agent = request.agent(app);
    const csrf = csrfFrom((await agent.get('/staff/login').expect(200)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await agent
            .post('/staff/login')
            .type('form')
            .send({ _csrf: csrf, email: `nobody${i}@register.test`, password: 'wrong password!' })
        ).status,
      );
    assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429]);
  });

  test('disabling a user (admin page) ends their sessions at once', async () => {
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'leaver@register.test',
      role: 'registrar',
      hospitals: ['OUS'],
    });
    const { agent } = await signIn(world.app(), u);
    await agent.get('/staff/worklists').expect(200);
    await agents.admin.agent
      .post(`/staff/users/${u.id}/disable`)
      .type('form')
      .send({ _csrf: agents.admin.csrf })
      .expect(303);
    await agent.get('/staff/worklists').expect(303).expect('Location', '/staff/login');
    const left = await world.database.db
      .selectFrom('sessions')
      .select('sid')
      .where(sql`data->'staff'->>'id'`, '=', String(u.id))
      .execute();
    assert.equal(left.length, 0);
  });

  test('an admin cannot disable or end the sessions of their own account from the page', async () => {
    const { agent, csrf } = agents.admin;
    await agent.post(`/staff/users/${users.admin.id}/disable`).type('form').send({ _csrf: csrf }).expect(303);
    const page = await agent.get('/staff/users').expect(200);
    assert.match(page.text, /Du kan ikke gjøre dette med din egen bruker/);
  });

  test('logout ends the session in the database, not only the cookie', async () => {
    const u = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: 'bye@register.test',
      role: 'analyst',
    });
    const { agent, csrf } = await signIn(world.app(), u);
    const before = await world.database.db.selectFrom('sessions').select('sid').execute();
    await agent.post('/staff/logout').type('form').send({ _csrf: csrf }).expect(303).expect('Location', '/staff/login');
    const after = await world.database.db.selectFrom('sessions').select('sid').execute();
    assert.equal(after.length, before.length - 1);
    await agent.get('/staff').expect(303);
  });
});
