// The contact programme through the real command line, as an operator runs it: programme
// versions, a channel rule, a pass with --now and --drain, a withdrawal, the death file and the
// contact log. Runs with the embedded PGlite folder and with PostgreSQL.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { person, syntheticNationalId } from '../support/people.ts';
import { prom } from '../support/processes.ts';
import { lifecycleCsv, withAddress } from '../support/lifecycle.ts';
import { useCliWorld } from '../support/cli-world.ts';

const cli = useCliWorld('lifecycle-cli');

const ok = (run: { code: number | null; stderr: string }) => assert.equal(run.code, 0, run.stderr);

test('programme, channel, schedule --now --drain, consent withdraw, deaths import, contacts', async () => {
  const csv = path.join(cli.dir, 'people.csv');
  const arrest = '2026-01-01'; // day 90 on 2026-04-01
  writeFileSync(
    csv,
    lifecycleCsv([
      { ...person(1, { register_id: 'L1', arrest_date: arrest }), ...withAddress },
      { ...person(2, { register_id: 'L2', arrest_date: arrest }), ...withAddress },
      person(3, { register_id: 'L3', arrest_date: arrest, email: '' }), // no e-mail, no address
    ]),
  );
  ok(await prom(['import', csv], cli.env));

  const set = await prom(['programme', 'set', 'reminder1AfterDays=10', 'reminder2AfterDays=none'], cli.env);
  ok(set);
  assert.match(
    set.stdout,
    /Programme version 2:\n {2}opensAfterDays=90\n {2}reminder1AfterDays=10\n {2}reminder2AfterDays=none/,
  );
  const bad = await prom(['programme', 'set', 'closesAfterDays=60'], cli.env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /closesAfterDays must be after opensAfterDays/);

  ok(await prom(['channel', 'L2', 'paper-only'], cli.env));
  assert.equal((await prom(['channel', 'L2', 'sms'], cli.env)).code, 2);

  const pass = await prom(['schedule', '--now', '2026-04-01', '--drain'], cli.env);
  ok(pass);
  assert.match(pass.stdout, /3 invited, 0 outside the window or stopped, 1 e-mails due/);
  assert.match(pass.stdout, /1 letters made due for print, 1 letters held \(no postal address\)/);
  assert.match(pass.stdout, /Drained: 1 sent, 0 cancelled, 0 failed, 0 unknown, 0 moved to paper, 0 deferred/);
  assert.deepEqual(
    cli.smtp.messages.map((m) => m.to),
    [person(1).email],
  );

  const withdraw = await prom(['consent', 'withdraw', 'L1'], cli.env);
  ok(withdraw);
  assert.match(withdraw.stdout, /Consent withdrawn for L1: 1 waiting steps cancelled/);
  assert.equal((await prom(['consent', 'withdraw', 'NOBODY'], cli.env)).code, 1);

  const deaths = path.join(cli.dir, 'deaths.csv');
  writeFileSync(
    deaths,
    `national_id;date_of_death\n${syntheticNationalId(2)};2026-04-05\n${syntheticNationalId(2)};2026-02-30\n`,
  );
  const dead = await prom(['deaths', 'import', deaths], cli.env);
  assert.equal(dead.code, 1, 'a rejected row makes exit code 1');
  assert.match(dead.stderr, /^line 3: date_of_death: is not a real calendar date$/m);
  assert.match(
    dead.stdout,
    /1 deaths recorded \(1 known survivors\); 1 open invitations stopped, 2 waiting steps cancelled/,
  );

  const log = await prom(['contacts', 'L1'], cli.env);
  ok(log);
  assert.deepEqual(
    log.stdout
      .trim()
      .split('\n')
      .map((l) =>
        l
          .split('\t')
          .filter((_, i) => [0, 1, 2, 5].includes(i))
          .join(' '),
      ),
    ['step channel state outcome', 'invitation email sent ', 'reminder1 email cancelled withdrawn'],
  );
  const later = await prom(['schedule', '--now', '2026-04-20', '--drain'], cli.env);
  ok(later);
  assert.match(later.stdout, /0 e-mails due/);
  assert.equal(cli.smtp.messages.length, 1, 'nothing after the withdrawal and the death');
});
