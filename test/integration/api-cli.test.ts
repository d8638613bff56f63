// `prom apikey create|list|revoke` through the real command line, and the key it prints working
// (then refused after revoke) against the API on the same database. PGlite folder or PostgreSQL.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { dropPostgresDatabase } from '../support/db.ts';
import { migratedCliDatabase } from '../support/cli-world.ts';
import { baseEnv, prom } from '../support/processes.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'prom-apikey-'));
let databaseUrl: string | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  databaseUrl = await migratedCliDatabase(path.join(dir, 'data'));
  env = baseEnv({ DATA_DIR: path.join(dir, 'data'), DATABASE_URL: databaseUrl });
});
after(async () => {
  if (databaseUrl) await dropPostgresDatabase(databaseUrl);
});

/** Calls the API on the CLI's database (PGlite: only while no CLI process runs). */
async function apiStatus(key: string, url = '/api/v1/invitations'): Promise<number> {
  const handle = await openDatabase({
    databaseUrl,
    pgliteDir: path.join(dir, 'data', 'pglite'),
    command: 'api cli test',
  });
  try {
    const app = createApp({
      db: handle.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: 'api-cli-test-secret-api-cli-test-secret-0',
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
    return (await request(app).get(url).set('Authorization', `Bearer ${key}`)).status;
  } finally {
    await handle.close();
  }
}

test('create prints the key once on stdout; list shows the prefix, never the key; revoke refuses it at once', async () => {
  const help = await prom(['--help'], env);
  assert.match(help.stdout, /prom apikey create --name N --scope/);

  const made = await prom(
    [
      'apikey',
      'create',
      '--name',
      'hospital-system',
      '--scope',
      'intake,status',
      '--hospital',
      'OUS',
      '--hospital',
      'HUS',
    ],
    env,
  );
  assert.equal(made.code, 0, made.stderr);
  const key = made.stdout.trim();
  assert.match(key, /^prom_[A-Za-z0-9_-]{54}$/);
  assert.match(made.stderr, /Created API key 1 "hospital-system" \(prefix prom_\w{0,8}/);
  assert.match(made.stderr, /for hospitals OUS, HUS/);
  assert.match(made.stderr, /only its hash is kept/);

  const listed = await prom(['apikey', 'list'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(
    listed.stdout,
    new RegExp(`^1\\thospital-system\\t${key.slice(0, 13).replace(/[-]/g, '\\-')}\\tintake,status\\tOUS,HUS\\t`, 'm'),
  );
  assert.ok(!listed.stdout.includes(key.slice(13)), 'the secret part is never shown again');

  assert.equal(await apiStatus(key), 200);
  assert.equal(await apiStatus(key, '/api/v1/responses'), 403, 'no results scope');

  const revoked = await prom(['apikey', 'revoke', '1'], env);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /Revoked API key 1 "hospital-system"/);
  assert.equal(await apiStatus(key), 401);
  const again = await prom(['apikey', 'revoke', '1'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no API key 1 in use/);
  assert.match(
    (await prom(['apikey', 'list'], env)).stdout,
    /^1\thospital-system\t.*\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/m,
  );
});

test('refused input: wrong scope, identifiers without results, a name in use, wrong usage', async () => {
  const wrongScope = await prom(['apikey', 'create', '--name', 'x', '--scope', 'everything'], env);
  assert.equal(wrongScope.code, 1);
  assert.match(wrongScope.stderr, /scopes\.0: must be among intake, status, results, identifiers/);
  const ids = await prom(['apikey', 'create', '--name', 'x', '--scope', 'identifiers'], env);
  assert.equal(ids.code, 1);
  assert.match(ids.stderr, /give --scope results too/);
  assert.equal((await prom(['apikey', 'create', '--name', 'dup', '--scope', 'results'], env)).code, 0);
  const dup = await prom(['apikey', 'create', '--name', 'dup', '--scope', 'results'], env);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already in use/);
  assert.equal((await prom(['apikey', 'create', '--scope', 'intake'], env)).code, 2);
  assert.equal((await prom(['apikey', 'revoke', 'abc'], env)).code, 2);
  assert.equal((await prom(['apikey', 'rotate'], env)).code, 2);
});
