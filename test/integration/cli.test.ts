// The acceptance path through the real command line: import a CSV of three survivors whose
// arrest was 91 days ago, `prom schedule --drain` against an SMTP server on loopback, answer
// one link, `prom export responses`. Runs with the embedded PGlite folder and with PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { lockDataDir } from '../../src/db/pglite-lock.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { systemClock } from '../../src/clock.ts';
import { TEST_DB } from '../support/db.ts';
import { linkToken } from '../support/smtp.ts';
import { person, toCsv } from '../support/people.ts';
import { answerSurvey } from '../support/browser-less.ts';
import { baseEnv, prom } from '../support/processes.ts';
import { useCliWorld } from '../support/cli-world.ts';

const cli = useCliWorld('cli');

test('import, schedule --drain twice, answer a link, export: exactly three messages and one row', async () => {
  const csv = path.join(cli.dir, 'three.csv');
  writeFileSync(csv, toCsv([person(1), person(2, { language: 'nn' }), person(3, { language: 'en' })]));
  const imported = await prom(['import', csv], cli.env);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /3 new and 0 updated survivors were imported; 0 rows rejected/);

  const first = await prom(['schedule', '--drain'], cli.env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /3 invited/);
  assert.match(first.stdout, /Drained: 3 sent, 0 cancelled, 0 failed, 0 unknown/);
  assert.equal(cli.smtp.messages.length, 3);

  const second = await prom(['schedule', '--drain'], cli.env);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /0 invited/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(cli.smtp.messages.length, 3, 'a second run delivers nothing');

  // Every link works; answer the first one with 1, 2, 3, 4, 5 and VAS 73.
  const tokens = cli.smtp.messages.map(linkToken);
  await cli.withDatabase(async (shared) => {
    const app = createApp({
      db: shared.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: 'cli-test-secret-cli-test-secret-0123456',
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
    for (const token of tokens.slice(1)) await request(app).get(`/s/${token}`).expect(303).expect('Location', '/s');
    await answerSurvey(request.agent(app), tokens[0]!, [1, 2, 3, 4, 5], 73);
  });

  const out = path.join(cli.dir, 'responses.csv');
  const exported = await prom(['export', 'responses', '--format', 'csv', '--out', out], cli.env);
  assert.equal(exported.code, 0, exported.stderr);
  const rows = parse<Record<string, string>>(readFileSync(out, 'utf8'), { columns: true });
  assert.equal(rows.length, 1);
  const r = rows[0]!;
  assert.deepEqual(
    [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression, r.vas, r.mode],
    ['1', '2', '3', '4', '5', '73', 'web'],
  );

  // With no --out the CSV goes to standard output.
  const stdout = await prom(['export', 'responses', '--format', 'csv'], cli.env);
  assert.equal(stdout.code, 0, stdout.stderr);
  assert.match(stdout.stdout.split('\n')[0]!, /^response_id,register_id,arrest_type,hospital,/);
  assert.equal(stdout.stdout.trim().split('\n').length, 2);
});

test('bad rows are reported as "line N: column: reason", good rows still imported, exit code 1', async () => {
  const csv = path.join(cli.dir, 'mixed.csv');
  const good = person(20);
  const lines = toCsv([good, person(21, { national_id: '12345678901' }), person(22, { arrest_type: 'XX' as 'OHCA' })])
    .trimEnd()
    .split('\n');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const run = await prom(['import', csv], cli.env);
  assert.equal(run.code, 1);
  assert.deepEqual(run.stderr.trim().split('\n'), [
    'line 3: national_id: is not a valid fødselsnummer or D-number (check digits do not match)',
    'line 4: arrest_type: must be OHCA or IHCA',
  ]);
  assert.match(run.stdout, /1 new and 0 updated survivors were imported; 2 rows rejected/);
  const again = await prom(['import', csv, '--dry-run'], cli.env);
  assert.match(again.stdout, /0 new and 1 updated survivors would be imported; 2 rows rejected/);
});

test('score needs no database; usage errors exit 2; config errors name the variable', async () => {
  const scored = await prom(
    ['score', '11111', '55555'],
    baseEnv({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }),
  );
  assert.equal(scored.code, 0, scored.stderr);
  assert.deepEqual(scored.stdout.trim().split('\n'), ['11111,1', '55555,-0.453']);
  const list = await prom(['score', '--list'], baseEnv({}));
  assert.match(list.stdout, /^NO-2024\t.*Garratt/m);
  const usage = await prom(['schedule', '--now', 'tomorrow'], cli.env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--now: "tomorrow" is not a date/);
  const config = await prom(['migrate'], { ...cli.env, PORT: 'abc' });
  assert.equal(config.code, 1);
  assert.match(config.stderr, /PORT: must be a whole number between 1 and 65535 \(got "abc"\)/);
});

test('a second process: refused with embedded PGlite, side by side with PostgreSQL', async () => {
  const lock = lockDataDir(path.join(cli.dir, 'data', 'pglite'), 'prom server (test)');
  try {
    const run = await prom(['migrate'], cli.env);
    if (TEST_DB === 'pglite') {
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`in use by process ${process.pid} \\(prom server \\(test\\)`));
      assert.match(run.stderr, /DATABASE_URL/);
    } else {
      assert.equal(run.code, 0, `with DATABASE_URL there is no lock: ${run.stderr}`);
    }
  } finally {
    lock.release();
  }
  assert.equal((await prom(['migrate'], cli.env)).code, 0, 'works once the lock is gone');
});

test('user add reads the password from stdin and refuses a duplicate', async () => {
  const add = await prom(
    ['user', 'add', '--email', 'Admin@Example.test', '--role', 'admin'],
    cli.env,
    'correct horse battery staple\n',
  );
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /Added admin admin@example.test/);
  const dup = await prom(
    ['user', 'add', '--email', 'admin@example.test', '--role', 'admin'],
    cli.env,
    'another long password\n',
  );
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already exists/);
  const registrar = await prom(
    ['user', 'add', '--email', 'r@example.test', '--role', 'registrar'],
    cli.env,
    'a long enough password\n',
  );
  assert.equal(registrar.code, 1);
  assert.match(registrar.stderr, /a registrar needs at least one --hospital/);
  const short = await prom(['user', 'add', '--email', 'a@example.test', '--role', 'analyst'], cli.env, 'short\n');
  assert.equal(short.code, 1);
  assert.match(short.stderr, /password: must be at least 12 characters/);
});
