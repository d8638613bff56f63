// `prom instruments add|list|show` and `prom programme set instruments=…` as child processes,
// on PGlite (in DATA_DIR) or PostgreSQL: ids printed, refusals name the item (exit 1), nothing
// refused is stored, and the response export's header is unchanged until the example has answers.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useCliWorld } from '../support/cli-world.ts';
import { prom } from '../support/processes.ts';
import { RESPONSE_COLUMNS } from '../../src/reports/exports/responses.ts';
import { EXAMPLE_PATH, exampleQuestionnaire } from '../support/instruments.ts';

const cli = useCliWorld('instruments');

test('add prints the id; list and show; a bad Questionnaire is refused naming the item; programme set pins the instruments', async () => {
  const added = await prom(['instruments', 'add', fileURLToPath(EXAMPLE_PATH)], cli.env);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout.trim(), 'followup-example');

  const bad = exampleQuestionnaire();
  bad.id = 'bad-one';
  (bad.item as Record<string, unknown>[]).push({ linkId: 'photo', type: 'attachment', text: 'Photo' });
  (bad.item as Record<string, unknown>[]).push({ linkId: 'Bad-Name', type: 'string', text: 'x' });
  const badFile = path.join(cli.dir, 'bad.json');
  writeFileSync(badFile, JSON.stringify(bad));
  const refused = await prom(['instruments', 'add', badFile], cli.env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /item "photo": item type "attachment" is not supported/);
  assert.match(refused.stderr, /item "Bad-Name": linkId must be a variable name/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');

  const list = await prom(['instruments', 'list'], cli.env);
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trim().split('\n');
  assert.match(lines[1]!, /^eq5d5l\t1\t6\t/);
  assert.match(lines[2]!, /^followup-example\t1\t3\turn:prom-survey:questionnaire:followup-example\t/);
  assert.equal(lines.length, 3, 'the refused one was not stored');

  const show = await prom(['instruments', 'show', 'followup-example'], cli.env);
  assert.equal(show.code, 0, show.stderr);
  assert.match(
    show.stdout,
    /help_from\tchoice \[family, services, both\] required \(only when asked\)\tHvem hjelper deg\?/,
  );
  assert.match(show.stdout, /recovery\tdecimal 0–10 required/);
  assert.equal((await prom(['instruments', 'show', 'nope'], cli.env)).code, 1);

  const unknown = await prom(['programme', 'set', 'instruments=eq5d5l,nope'], cli.env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no instrument with id "nope"/);
  const set = await prom(['programme', 'set', 'instruments=eq5d5l,followup-example'], cli.env);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /^Programme version \d+:/);
  assert.match(set.stdout, /instruments=eq5d5l@1,followup-example@1/);
  const shown = await prom(['programme'], cli.env);
  assert.match(shown.stdout, /instruments=eq5d5l@1,followup-example@1/);

  // No response to the example yet: the export's header is today's.
  const exported = await prom(['export', 'responses', '--format', 'csv'], cli.env);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(exported.stdout.split('\n')[0], RESPONSE_COLUMNS.join(','));
});
