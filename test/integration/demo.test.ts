// `prom demo` never mixes with real data (issue 18, item 2), through the real command line on
// the embedded database and on PostgreSQL: a register holding real survivors keeps its export,
// dashboard and hospital lists exactly as they were, whatever `prom demo` is asked to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDemo, DemoRefused } from '../../src/reports/demo.ts';
import { loadInstruments } from '../../src/survey/instrument.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/web/views.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { TEST_DB, createPostgresDatabase, dropPostgresDatabase } from '../support/db.ts';
import { prom } from '../support/processes.ts';
import { writeCohort, writeSurvivor, writeTestHospitals } from '../support/staff-cohort.ts';
import { createStaff, signIn, type TestStaff } from '../support/staff.ts';

const SECRET = 'demo-test-secret-demo-test-secret-0123';
const world = useCliWorld('demo', { SESSION_SECRET: SECRET });

interface Snapshot {
  export: string;
  dashboardCsv: string;
  hospitalOptions: string[];
  hospitalsPage: string[];
}

/** What staff and analysts see of the real register: the CLI export, the dashboard and hospital lists. */
async function snapshot(): Promise<Snapshot & { pages: string }> {
  const exported = await prom(['export', 'responses', '--format', 'csv'], world.env);
  assert.equal(exported.code, 0, exported.stderr);
  return world.withDatabase(async (h) => {
    const app = createApp({ db: h.db, views: createViews(), instruments: loadInstruments(), clock: systemClock, sessionSecret: SECRET, secureCookies: false, redisAlive: async () => true });
    const { agent } = await signIn(app, admin);
    const dashboard = (await agent.get('/staff?by=hospital').expect(200)).text;
    const hospitals = (await agent.get('/staff/hospitals').expect(200)).text;
    const csv = (await agent.get('/staff/export/dashboard.csv?by=hospital').expect(200)).text;
    return {
      export: exported.stdout,
      dashboardCsv: csv,
      hospitalOptions: [...dashboard.matchAll(/<th scope="row"[^>]*>([^<]*)</g)].map((m) => m[1]!),
      hospitalsPage: [...hospitals.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!),
      pages: dashboard + hospitals + csv + exported.stdout,
    };
  });
}

let admin: TestStaff;

async function demoSurvivors(h: DbHandle): Promise<{ demo: number; all: number }> {
  const rows = await h.db.selectFrom('survivors').select('register_id').execute();
  return { demo: rows.filter((r) => r.register_id.startsWith('DEMO-')).length, all: rows.length };
}

async function inDatabase<T>(databaseUrl: string | undefined, pgliteDir: string | undefined, use: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = await openDatabase({ databaseUrl, pgliteDir, poolSize: 2, command: 'demo test' });
  try {
    return await use(h);
  } finally {
    await h.close();
  }
}

test('prom demo on a register holding real survivors leaves its export, dashboard and hospital lists unchanged', async () => {
  await world.withDatabase(async (h) => {
    await migrate(h.db);
    await writeTestHospitals(h.db);
    await writeCohort(h.db, { size: 120, seed: 18 });
    admin = await createStaff(h.db, SECRET, { email: 'admin@register.test', role: 'admin' });
  });
  const before = await snapshot();
  assert.ok(before.export.split('\n').length > 20, 'the real register has responses to export');
  assert.ok(before.hospitalOptions.length >= 4 && before.hospitalsPage.length > 8, 'the dashboard and the hospitals page list hospitals');
  assert.doesNotMatch(before.pages, /DEMO/);

  if (TEST_DB === 'pglite') {
    // Embedded: the demo goes to DATA_DIR/demo, a data folder of its own, and says how to use it.
    const run = await prom(['demo', '--survivors', '40'], world.env);
    assert.equal(run.code, 0, run.stderr);
    const demoDir = path.join(world.dataDir, 'demo');
    assert.match(run.stdout, new RegExp(`DATA_DIR=${demoDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} QUEUE_PREFIX=prom-demo npm start`));
    assert.match(run.stdout, /npx prom user add --email \S+ --role admin/);
    assert.deepEqual(await inDatabase(undefined, path.join(demoDir, 'pglite'), demoSurvivors), { demo: 40, all: 40 });
    const again = await prom(['demo', '--survivors', '40'], world.env);
    assert.equal(again.code, 0, `a database holding only demo people takes the demo again: ${again.stderr}`);
  } else {
    // DATABASE_URL set and no --database-url: refused, with what to do instead.
    const refused = await prom(['demo'], world.env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /DATABASE_URL is set.*\n.*--database-url URL/);
    // --database-url naming the real register (here also DATABASE_URL): refused in its transaction.
    const intoReal = await prom(['demo', '--database-url', world.databaseUrl!], world.env);
    assert.equal(intoReal.code, 1);
    assert.match(intoReal.stderr, /holds 120 survivors not made by prom demo.*Nothing was written/);
    // A database of its own: built there, even when it is the one DATABASE_URL names.
    const own = await createPostgresDatabase();
    try {
      const run = await prom(['demo', '--survivors', '40', '--database-url', own], { ...world.env, DATABASE_URL: own });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /DATABASE_URL=\S+ QUEUE_PREFIX=prom-demo npm start/);
      assert.deepEqual(await inDatabase(own, undefined, demoSurvivors), { demo: 40, all: 40 });
    } finally {
      await dropPostgresDatabase(own);
    }
  }
  const bad = await prom(['demo', '--database-url', 'mysql://x@y/z'], world.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--database-url must be a postgres:\/\/ or postgresql:\/\/ address/);

  const after = await snapshot();
  assert.deepEqual(
    { export: after.export, dashboardCsv: after.dashboardCsv, hospitalOptions: after.hospitalOptions, hospitalsPage: after.hospitalsPage },
    { export: before.export, dashboardCsv: before.dashboardCsv, hospitalOptions: before.hospitalOptions, hospitalsPage: before.hospitalsPage },
  );
  assert.doesNotMatch(after.pages, /DEMO/);
  await world.withDatabase(async (h) => assert.deepEqual(await demoSurvivors(h), { demo: 0, all: 120 }));
});

test('the demo writer itself refuses a database with one real person, even one whose register id starts with DEMO-', async () => {
  const url = TEST_DB === 'postgres' ? await createPostgresDatabase() : undefined;
  try {
    await inDatabase(url, undefined, async (h) => {
      await migrate(h.db);
      await writeSurvivor(h.db, { registerId: 'DEMO-00001', nationalIdSeed: 5, hospital: 'OUS', givenName: 'Kari' });
      await assert.rejects(createDemo(h.db, { survivors: 5 }), (err: Error) => err instanceof DemoRefused && /holds 1 survivors not made by prom demo/.test(err.message));
      assert.deepEqual(await demoSurvivors(h), { demo: 1, all: 1 });
      const norms = await h.db.selectFrom('norm_sets').select('id').where('id', '=', 'DEMO').execute();
      assert.deepEqual(norms, [], 'not even the synthetic norms');
    });
  } finally {
    if (url) await dropPostgresDatabase(url);
  }
});
