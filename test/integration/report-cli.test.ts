// `prom report` through the real command line: --format csv writes the long
// table that the HTML file shows cell for cell (suppressed cells empty in both), an empty
// selection still writes the whole table (also one by who answered, whom this register does not
// record), and an unknown hospital exits 1 naming it.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { prom } from '../support/processes.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { disclosureCohort, writeDisclosureCohort } from '../support/disclosure-cohort.ts';
import { compareCells, parseLongCsv } from '../support/report-cells.ts';

const cli = useCliWorld('report');
const people = disclosureCohort();

test('prom report --format csv matches the HTML report cell for cell, for every kind of selection', async () => {
  const migrated = await prom(['migrate'], cli.env);
  assert.equal(migrated.code, 0, migrated.stderr);
  await cli.withDatabase((h) => writeDisclosureCohort(h.db, people));
  for (const filters of [
    [],
    ['--year', '2025'],
    ['--hospital', 'BIG', '--type', 'OHCA'],
    ['--year', '2024', '--hospital', 'EDGE'],
    ['--respondent', 'proxy'],
  ]) {
    const csvFile = path.join(cli.dir, 'r.csv');
    const htmlFile = path.join(cli.dir, 'r.html');
    const csv = await prom(['report', '--format', 'csv', '--out', csvFile, '--norms', 'TESTNORM', ...filters], cli.env);
    assert.equal(csv.code, 0, csv.stderr);
    const html = await prom(['report', '--out', htmlFile, '--norms', 'TESTNORM', ...filters], cli.env);
    assert.equal(html.code, 0, html.stderr);
    const text = readFileSync(csvFile, 'utf8');
    assert.equal(text.split('\n')[0], 'group,measure,category,value,n,suppressed');
    const rows = parseLongCsv(text);
    assert.deepEqual(compareCells(readFileSync(htmlFile, 'utf8'), rows), [], filters.join(' '));
    if (filters.length === 0) {
      // The whole register: every figure, and the size equals the people in the register.
      assert.ok(rows.filter((r) => r.group === 'OHCA' || r.group === 'IHCA').every((r) => r.suppressed === '0'));
      assert.equal(
        rows.find((r) => r.group === 'OHCA' && r.measure === 'group_size')!.value,
        String(people.filter((p) => p.arrestType === 'OHCA').length),
      );
    }
    if (filters.includes('EDGE')) {
      assert.ok(
        rows.filter((r) => r.group !== 'norm').every((r) => r.suppressed === '1' && r.value === '' && r.n === ''),
      );
      assert.doesNotMatch(html.stdout, /n = \d/, 'the console names no suppressed size');
    }
  }
});

test('an empty selection writes the whole table, all suppressed, to stdout; exit 0', async () => {
  const r = await prom(['report', '--format', 'csv', '--year', '2001'], cli.env);
  assert.equal(r.code, 0, r.stderr);
  const rows = parseLongCsv(r.stdout);
  assert.ok(rows.length > 50);
  assert.ok(rows.filter((x) => x.group !== 'norm').every((x) => x.suppressed === '1' && x.value === ''));
});

test('an unknown hospital exits 1 with a message naming it; a bad format is a usage error', async () => {
  const r = await prom(['report', '--format', 'csv', '--hospital', 'NOPE'], cli.env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown hospital "NOPE"/);
  assert.equal(r.stdout, '');
  const bad = await prom(['report', '--format', 'xlsx'], cli.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format: "xlsx" is not one of html, csv/);
  const who = await prom(['report', '--format', 'csv', '--respondent', 'relative'], cli.env);
  assert.equal(who.code, 2);
  assert.match(who.stderr, /--respondent: "relative" is not one of self, assisted, proxy/);
});
