// `prom demo` never mixes with real data, through the real command line on
// the embedded database and on PostgreSQL: a register holding real survivors keeps its export,
// dashboard and hospital lists exactly as they were, whatever `prom demo` is asked to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDemo, DemoRefused } from '../../src/reports/demo.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { TEST_DB, createPostgresDatabase, dropPostgresDatabase } from '../support/db.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { prom, ROOT, sparePort } from '../support/processes.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis.ts';
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
    const app = createApp({
      db: h.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: SECRET,
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
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

async function inDatabase<T>(
  databaseUrl: string | undefined,
  pgliteDir: string | undefined,
  use: (h: DbHandle) => Promise<T>,
): Promise<T> {
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
  assert.ok(
    before.hospitalOptions.length >= 4 && before.hospitalsPage.length > 8,
    'the dashboard and the hospitals page list hospitals',
  );
  assert.doesNotMatch(before.pages, /DEMO/);

  if (TEST_DB === 'pglite') {
    // Embedded: the demo goes to DATA_DIR/demo, a data folder of its own, and says how to use it.
    const run = await prom(['demo', '--survivors', '40'], world.env);
    assert.equal(run.code, 0, run.stderr);
    const demoDir = path.join(world.dataDir, 'demo');
    assert.match(
      run.stdout,
      new RegExp(`DATA_DIR=${demoDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} QUEUE_PREFIX=prom-demo npm start`),
    );
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
    {
      export: after.export,
      dashboardCsv: after.dashboardCsv,
      hospitalOptions: after.hospitalOptions,
      hospitalsPage: after.hospitalsPage,
    },
    {
      export: before.export,
      dashboardCsv: before.dashboardCsv,
      hospitalOptions: before.hospitalOptions,
      hospitalsPage: before.hospitalsPage,
    },
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
      await assert.rejects(
        createDemo(h.db, { survivors: 5 }),
        (err: Error) => err instanceof DemoRefused && /holds 1 survivors not made by prom demo/.test(err.message),
      );
      assert.deepEqual(await demoSurvivors(h), { demo: 1, all: 1 });
      const norms = await h.db.selectFrom('norm_sets').select('id').where('id', '=', 'DEMO').execute();
      assert.deepEqual(norms, [], 'not even the synthetic norms');
    });
  } finally {
    if (url) await dropPostgresDatabase(url);
  }
});

/** `A=1 B=2 rest…` → the assignments and the rest; single-quoted words as the demo prints them. */
function shellLine(line: string): { env: Record<string, string>; words: string[] } {
  const words = [...line.trim().matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const env: Record<string, string> = {};
  while (words.length && /^[A-Z_]+=/.test(words[0]!)) {
    const [k, ...v] = words.shift()!.split('=');
    env[k!] = v.join('=');
  }
  return { env, words };
}

async function healthy(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the server on the demo never answered /healthz');
}

test('what prom demo prints works: the user-add line adds a user to the demo database only, and the start line serves it', async () => {
  const own = TEST_DB === 'postgres' ? await createPostgresDatabase() : undefined;
  try {
    const run = await prom(['demo', '--survivors', '20', ...(own ? ['--database-url', own] : [])], world.env);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    const add = lines.find((l) => l.includes('npx prom user add') && l.includes('--role admin'))!;
    const [feed, command] = add.split(' | ');
    const parsed = shellLine(command!);
    assert.deepEqual(parsed.words.slice(0, 2), ['npx', 'prom']);
    const password = shellLine(feed!).words.at(-1)!;
    const added = await prom(parsed.words.slice(2), { ...world.env, ...parsed.env }, `${password}\n`);
    assert.equal(added.code, 0, added.stderr);

    const start = shellLine(lines.find((l) => l.trim().endsWith('npm start'))!);
    assert.equal(start.env.QUEUE_PREFIX, 'prom-demo', 'a queue prefix of its own');
    const port = await sparePort();
    const prefix = uniquePrefix();
    // What `npm start` runs, with the printed environment on top of the operator's.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...world.env, ...start.env, QUEUE_PREFIX: prefix, PORT: String(port), REDIS_URL: TEST_REDIS_URL },
      stdio: 'ignore',
    });
    try {
      await healthy(port, child);
      assert.equal((await fetch(`http://127.0.0.1:${port}/staff/login`)).status, 200);
    } finally {
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM')),
      );
      await deletePrefix(prefix);
    }
    const users = await inDatabase(own, own ? undefined : path.join(world.dataDir, 'demo', 'pglite'), (h) =>
      h.db.selectFrom('staff_users').select('email').execute(),
    );
    assert.deepEqual(
      users.map((u) => u.email),
      ['admin@example.no'],
    );
    await world.withDatabase(async (h) => {
      const real = await h.db
        .selectFrom('staff_users')
        .select('email')
        .where('email', '=', 'admin@example.no')
        .execute();
      assert.deepEqual(real, [], 'the real register got no demo user');
    });
  } finally {
    if (own) await dropPostgresDatabase(own);
  }
});
