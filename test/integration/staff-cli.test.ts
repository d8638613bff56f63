// The staff commands through the real `prom` command line, against an embedded PGlite folder or
// PostgreSQL: `prom hospitals import` with the shipped example file and a file with bad rows;
// `prom user disable` ending a signed-in user's sessions; enable, reset-2fa and list.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { sql } from 'kysely';
import { systemClock } from '../../src/clock.ts';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { dropPostgresDatabase } from '../support/db.ts';
import { migratedCliDatabase } from '../support/cli-world.ts';
import { ROOT, baseEnv, prom } from '../support/processes.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';
import { createStaff, signIn } from '../support/staff.ts';

const SECRET = 'staff-cli-secret-staff-cli-secret-01234';
const dir = mkdtempSync(path.join(tmpdir(), 'prom-staff-cli-'));
let databaseUrl: string | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  databaseUrl = await migratedCliDatabase(path.join(dir, 'data'));
  env = baseEnv({
    DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    SESSION_SECRET: SECRET,
    USER: 'tester',
  });
});
after(async () => {
  if (databaseUrl) await dropPostgresDatabase(databaseUrl);
});

async function shared<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = await openDatabase({ databaseUrl, pgliteDir: path.join(dir, 'data', 'pglite'), command: 'staff cli test' });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

test('prom hospitals import loads the example file, updates on a second run, and reports bad rows by line', async () => {
  const example = path.join(ROOT, 'docs', 'hospitals.example.csv');
  const first = await prom(['hospitals', 'import', example], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /16 new and 0 updated hospitals; 0 rows rejected/);
  const second = await prom(['hospitals', 'import', example], env);
  assert.match(second.stdout, /0 new and 16 updated hospitals; 0 rows rejected/);

  const bad = path.join(dir, 'bad.csv');
  writeFileSync(
    bad,
    'code;name;health_trust;region\nNEW;Nytt sykehus;Nytt HF;Helse Nord RHF\nbad code;X;Y;Z\nOUS;;Oslo universitetssykehus HF;Helse Sør-Øst RHF\nNEW;Igjen;HF;RHF\n',
  );
  const run = await prom(['hospitals', 'import', bad], env);
  assert.equal(run.code, 1);
  assert.deepEqual(run.stderr.trim().split('\n'), [
    'line 3: code: must be 1–32 letters, digits, ".", "_" or "-", starting with a letter or digit',
    'line 4: name: must not be empty',
    'line 5: code: NEW already appears on line 2',
  ]);
  assert.match(run.stdout, /1 new and 0 updated hospitals; 3 rows rejected/);

  writeFileSync(path.join(dir, 'bad-header.csv'), 'code,name\nX,Y\n');
  const header = await prom(['hospitals', 'import', path.join(dir, 'bad-header.csv')], env);
  assert.equal(header.code, 1);
  assert.match(header.stderr, /the header is missing health_trust, region/);

  const rows = await shared((h) =>
    h.db.selectFrom('hospitals').selectAll().where('code', 'in', ['HUS', 'NEW']).orderBy('code').execute(),
  );
  assert.deepEqual(
    rows.map((r) => [r.code, r.name, r.health_trust, r.region]),
    [
      ['HUS', 'Haukeland universitetssjukehus', 'Helse Bergen HF', 'Helse Vest RHF'],
      ['NEW', 'Nytt sykehus', 'Nytt HF', 'Helse Nord RHF'],
    ],
  );
  assert.equal((await prom(['hospitals'], env)).code, 2, 'usage error');
});

test('prom user disable ends the sessions of a signed-in user; enable, reset-2fa and list', async () => {
  const added = await prom(
    ['user', 'add', '--email', 'Reg@Example.test', '--role', 'registrar', '--hospital', 'OUS'],
    env,
    'a long enough password\n',
  );
  assert.equal(added.code, 0, added.stderr);

  // Sign in through the web app with the same database, then let the CLI disable the account.
  let cookie = '';
  await shared(async (h) => {
    const staff = await createStaff(h.db, SECRET, { email: 'web@example.test', role: 'registrar', hospitals: ['OUS'] });
    const app = createApp({
      db: h.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: SECRET,
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
    const { agent } = await signIn(app, staff);
    const res = await agent.get('/staff/worklists').expect(200);
    cookie = String(res.headers['set-cookie']).split(';')[0]!;
  });

  const disabled = await prom(['user', 'disable', '--email', 'web@example.test'], env);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.match(disabled.stdout, /web@example.test disabled; all its sessions have ended/);

  await shared(async (h) => {
    const left = await h.db
      .selectFrom('sessions')
      .select('sid')
      .where(sql`data->'staff'->>'id'`, 'is not', null)
      .execute();
    assert.equal(left.length, 0, 'no staff session rows left');
    const app = createApp({
      db: h.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: SECRET,
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
    await request(app).get('/staff/worklists').set('Cookie', cookie).expect(303).expect('Location', '/staff/login');
    const changes = await h.db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('action', '=', 'change')
      .where('entity', '=', 'staff_user')
      .orderBy('id')
      .execute();
    assert.deepEqual(changes.at(-1), { actor: 'cli:tester', details: { change: 'disable', via: 'cli' } });
  });

  const list = await prom(['user', 'list'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^reg@example.test\tregistrar\tOUS\tnot-enrolled\tactive\t-$/m);
  assert.match(list.stdout, /^web@example.test\tregistrar\tOUS\tenrolled\tdisabled\t\d{4}-/m);

  assert.equal((await prom(['user', 'enable', '--email', 'web@example.test'], env)).code, 0);
  const reset = await prom(['user', 'reset-2fa', '--email', 'web@example.test'], env);
  assert.equal(reset.code, 0, reset.stderr);
  const row = await shared((h) =>
    h.db
      .selectFrom('staff_users')
      .select(['disabled_at', 'totp_secret', 'totp_enrolled_at'])
      .where('email', '=', 'web@example.test')
      .executeTakeFirstOrThrow(),
  );
  assert.deepEqual(row, { disabled_at: null, totp_secret: null, totp_enrolled_at: null });

  const unknown = await prom(['user', 'disable', '--email', 'nobody@example.test'], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No staff user with the e-mail nobody@example.test/);
  const usage = await prom(['user', 'frobnicate'], env);
  assert.equal(usage.code, 2);
});
