// `prom register set|show` and the "nobody is contacted until a profile is set" rule through the
// real command line, with the embedded PGlite folder and with PostgreSQL.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { person } from '../support/people.ts';
import { prom } from '../support/processes.ts';
import { lifecycleCsv, withAddress } from '../support/lifecycle.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { EXAMPLE_PROFILE_FILE } from '../support/register.ts';

const cli = useCliWorld('register-cli', {}, { registerProfile: false });

const ok = (run: { code: number | null; stderr: string }) => assert.equal(run.code, 0, run.stderr);

test('prom register: show, refused files with the field named, set; --help lists both', async () => {
  const help = await prom(['--help'], cli.env);
  assert.match(help.stdout, /prom register set <file\.json>/);
  assert.match(help.stdout, /prom register show/);

  const none = await prom(['register', 'show'], cli.env);
  ok(none);
  assert.equal(none.stdout.trim(), 'No register profile set');

  const bad = path.join(cli.dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({ name: 'Registeret', organisation: 'HF', phone: 'ring oss', purpose: { nb: 'Hvorfor' }, extra: 1 }),
  );
  const refused = await prom(['register', 'set', bad], cli.env);
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.stderr.trim().split('\n').sort(), [
    'controller: is required',
    'extra: is not a profile field (known: name, organisation, controller, address, phone, email, website, privacyUrl, purpose, signature, senderName, subject)',
    'phone: must be a telephone number, e.g. +47 00 00 00 00',
    'purpose.en: is required',
    'purpose.nn: is required',
  ]);
  const notJson = path.join(cli.dir, 'not.json');
  writeFileSync(notJson, '{ name: ');
  const broken = await prom(['register', 'set', notJson], cli.env);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /not\.json: not JSON/);
  assert.equal((await prom(['register', 'set'], cli.env)).code, 2, 'usage');

  const set = await prom(['register', 'set', EXAMPLE_PROFILE_FILE], cli.env);
  ok(set);
  assert.match(
    set.stdout,
    /^Register profile version 1:\n {2}name: Norsk hjertestansregister\n {2}organisation: Oslo universitetssykehus HF\n {2}controller: Folkehelseinstituttet/,
  );
  const shown = await prom(['register', 'show'], cli.env);
  ok(shown);
  assert.match(shown.stdout, /subject\.en: A questionnaire about your health/);
  const audited = await cli.withDatabase((h) =>
    h.db.selectFrom('audit_log').select(['actor', 'source']).where('entity', '=', 'register_profile').execute(),
  );
  assert.deepEqual(audited, [{ actor: 'prom register set', source: 'cli' }]);
});

test('schedule --drain holds due steps without a profile, says so and exits 0; the next pass after set sends them', async () => {
  // A second world would be slower: clear the profile the first test set (the table is ours).
  await cli.withDatabase((h) => h.db.deleteFrom('register_profiles').execute());
  const csv = path.join(cli.dir, 'people.csv');
  writeFileSync(
    csv,
    lifecycleCsv([{ ...person(1, { register_id: 'R1', arrest_date: '2026-01-01' }), ...withAddress }]),
  );
  ok(await prom(['import', csv], cli.env));

  const held = await prom(['schedule', '--now', '2026-04-01', '--drain', '--timeout', '20'], cli.env);
  ok(held);
  assert.match(held.stdout, /^1 steps held: register profile missing \(prom register set FILE\)$/m);
  assert.match(held.stdout, /Drained: 0 sent/);
  assert.equal(cli.smtp.messages.length, 0);

  ok(await prom(['register', 'set', EXAMPLE_PROFILE_FILE], cli.env));
  const sent = await prom(['schedule', '--now', '2026-04-01', '--drain', '--timeout', '20'], cli.env);
  ok(sent);
  assert.doesNotMatch(sent.stdout, /steps held/);
  assert.match(sent.stdout, /Drained: 1 sent/);
  assert.equal(cli.smtp.messages.length, 1);
  assert.equal(cli.smtp.messages[0]!.subject, 'Spørreskjema om helsen din');
});
