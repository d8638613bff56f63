// `prom letters` as an operator runs it, with the embedded PGlite folder and with PostgreSQL:
// a pass makes paper steps due for print, `prom letters --out` (creating the folder) writes one
// merged PDF and a manifest, a second run finds nothing new, `confirm` sends the letters once,
// `reprint` draws them again on purpose, and `double-entry` switches the setting.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropPostgresDatabase } from '../support/db.ts';
import { deletePrefix, uniquePrefix, TEST_REDIS_URL } from '../support/redis.ts';
import { person } from '../support/people.ts';
import { migratedCliDatabase } from '../support/cli-world.ts';
import { baseEnv, prom } from '../support/processes.ts';
import { lifecycleCsv, withAddress } from '../support/lifecycle.ts';
import { EXAMPLE_PROFILE_FILE } from '../support/register.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'prom-paper-cli-'));
const prefix = uniquePrefix();
let databaseUrl: string | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  databaseUrl = await migratedCliDatabase(path.join(dir, 'data'));
  env = baseEnv({
    DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    PUBLIC_URL: 'http://prom.test',
  });
});
after(async () => {
  await deletePrefix(prefix);
  if (databaseUrl) await dropPostgresDatabase(databaseUrl);
});

const ok = (run: { code: number | null; stderr: string }) => assert.equal(run.code, 0, run.stderr);

test('prom letters: batch, nothing twice, confirm, reprint, double-entry', async () => {
  const csv = path.join(dir, 'people.csv');
  const arrest = '2026-01-01'; // day 90 on 2026-04-01
  writeFileSync(
    csv,
    lifecycleCsv(
      [1, 2, 3].map((i) => ({
        ...person(i, { register_id: `PL${i}`, arrest_date: arrest, email: '' }),
        ...withAddress,
      })),
    ),
  );
  ok(await prom(['import', csv], env));
  ok(await prom(['register', 'set', EXAMPLE_PROFILE_FILE], env));
  const pass = await prom(['schedule', '--now', '2026-04-01'], env);
  ok(pass);

  const out = path.join(dir, 'print', 'day1');
  const made = await prom(['letters', '--now', '2026-04-01', '--out', out], env);
  ok(made);
  const id = /Batch (\d+): 3 letters, 12 pages/.exec(made.stdout)?.[1];
  assert.ok(id, made.stdout);
  const pdf = path.join(out, `batch-${id}.pdf`);
  assert.match(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }), /Pages:\s+12\n/);
  const manifest = readFileSync(path.join(out, `batch-${id}-manifest.csv`), 'utf8')
    .trim()
    .split('\n');
  assert.equal(manifest.length, 4);
  assert.match(manifest[1]!, /^L-\d{6},4,Test1 Testesen,Storgata 1,0155,Oslo$/);

  const again = await prom(['letters', '--now', '2026-04-02', '--out', path.join(dir, 'print', 'day2')], env);
  ok(again);
  assert.match(again.stdout, /No letters due for print/);
  assert.ok(!existsSync(path.join(dir, 'print', 'day2', `batch-${Number(id) + 1}.pdf`)));

  const confirmed = await prom(['letters', 'confirm', id], env);
  ok(confirmed);
  assert.match(confirmed.stdout, new RegExp(`Batch ${id} handed over: 3 letters sent`));
  const twice = await prom(['letters', 'confirm', id], env);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /already confirmed/);
  const contacts = await prom(['contacts', 'PL1'], env);
  assert.match(contacts.stdout, /invitation\tpaper\tsent\t/);

  const reprint = await prom(['letters', 'reprint', id, '--out', path.join(dir, 'print', 'again')], env);
  ok(reprint);
  assert.match(reprint.stdout, new RegExp(`Reprint \\d+ of batch ${id}: 3 letters, 12 pages`));
  const text = (f: string) => execFileSync('pdftotext', [f, '-'], { encoding: 'utf8' });
  const reprinted = path.join(dir, 'print', 'again', reprint.stdout.match(/batch-\d+-reprint-\d+\.pdf/)![0]);
  assert.equal(text(reprinted), text(pdf));

  const list = await prom(['letters', 'list'], env);
  ok(list);
  assert.match(list.stdout, new RegExp(`\\n${id}\\t[^\\t]+\\t3\\t\\d{4}-`));
  ok(await prom(['letters', 'double-entry', 'off'], env));
  assert.match((await prom(['letters', 'double-entry'], env)).stdout, /is off/);
  const usage = await prom(['letters'], env);
  assert.equal(usage.code, 2);
});

test('prom consent erase: everything about the person goes, the batch files are drawn again without the letter, a re-import is refused', async () => {
  const csv = path.join(dir, 'erase.csv');
  writeFileSync(
    csv,
    lifecycleCsv(
      [7, 8].map((i) => ({
        ...person(i, { register_id: `PE${i}`, arrest_date: '2026-01-10', email: '' }),
        ...withAddress,
      })),
    ),
  );
  ok(await prom(['import', csv], env));
  ok(await prom(['schedule', '--now', '2026-04-10'], env));
  const out = path.join(dir, 'print', 'erase');
  const made = await prom(['letters', '--now', '2026-04-10', '--out', out], env);
  ok(made);
  const id = /Batch (\d+): 2 letters/.exec(made.stdout)?.[1];
  assert.ok(id, made.stdout);
  const pdf = path.join(out, `batch-${id}.pdf`);
  const text = () => execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  assert.match(text(), /Test7 Testesen/);

  const erased = await prom(['consent', 'erase', 'PE7'], env);
  ok(erased);
  assert.match(erased.stdout, /Erased PE7: \d+ rows deleted, 1 print batches \(PDF and manifest\) drawn again/);
  assert.doesNotMatch(text(), /Test7/);
  assert.match(text(), /Test8 Testesen/);
  assert.match(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }), /Pages:\s+4\n/);
  assert.doesNotMatch(readFileSync(path.join(out, `batch-${id}-manifest.csv`), 'utf8'), /Test7/);
  assert.match((await prom(['contacts', 'PE7'], env)).stderr, /No survivor/);

  const again = await prom(['import', csv], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /line 2: national_id: erased at the person's request/);
  const twice = await prom(['consent', 'erase', 'PE7'], env);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /No survivor with register_id PE7/);
});
