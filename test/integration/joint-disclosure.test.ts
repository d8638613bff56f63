// One disclosure plan over every analyst output: the comparison report (page and CSV,
// all 36 combinations of year, hospital and arrest type) together with the analyst dashboard's
// CSV (answered counts by hospital, month, arrest type and the totals, over both arrest types).
// On a register where EDGE's IHCA groups add up to 3 and IHCA 2026 to 3, an exact search over
// both arrest types at once (test/support/disclosure-check.ts, jointIsolations) finds no set of
// 1 to k − 1 people in any linear combination of everything published — and it does find the
// groups of 3 when the dashboard is suppressed on its own, as it was before the joint plan.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { buildComparison } from '../../src/reports/comparison/report.ts';
import { longTable, type LongRow } from '../../src/reports/comparison/table.ts';
import type { Filters } from '../../src/reports/comparison/compute.ts';
import {
  aggregate,
  dashboard,
  dashboardCsvRows,
  BREAKDOWNS,
  loadFacts,
  publish,
  type DashboardView,
} from '../../src/reports/dashboard.ts';
import { rowsToCsv } from '../../src/staff/exports.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  disclosureCohort,
  writeDisclosureCohort,
  HOSPITALS,
  JOINT_SIZES,
  YEARS,
} from '../support/disclosure-cohort.ts';
import { cellsOf, FAMILIES, formsOf, jointIsolations, type Form } from '../support/disclosure-check.ts';

let database: TestDatabase;
const people = disclosureCohort(19, JOINT_SIZES);
before(async () => {
  database = await createTestDatabase();
  await writeDisclosureCohort(database.db, people);
});
after(async () => {
  await database?.drop();
});

const ALL_FILTERS: Filters[] = [undefined, ...YEARS].flatMap((year) =>
  [undefined, ...HOSPITALS].flatMap((hospital) =>
    [undefined, 'OHCA' as const, 'IHCA' as const].map((arrestType) => ({ year, hospital, arrestType })),
  ),
);

async function reportForms(k: number): Promise<{ forms: Form[]; tables: LongRow[][] }> {
  const forms: Form[] = [];
  const tables: LongRow[][] = [];
  for (const filters of ALL_FILTERS) {
    const rows = longTable(await buildComparison(database.db, filters, { normSet: 'TESTNORM', threshold: k }));
    const { forms: f, problems } = formsOf(filters, rows, people);
    assert.deepEqual(problems, [], 'every published n and share matches a recount of the people');
    forms.push(...f);
    tables.push(rows);
  }
  return { forms, tables };
}

/** The equations the dashboard's CSV gives away about answered counts, read from the CSV text itself. */
function dashboardForms(view: DashboardView): { forms: Form[]; shown: Record<string, string>[] } {
  const csv = rowsToCsv(dashboardCsvRows(view, BREAKDOWNS));
  const records = parse<Record<string, string>>(csv, { columns: true });
  const forms: Form[] = [];
  const whole = (type: Form['type'], cells: number[]) => {
    for (const family of FAMILIES)
      forms.push({ type, cells, family, categories: Array.from({ length: 15 }, (_, i) => i) });
  };
  for (const r of records) {
    // Every response in this register is on the web: answered_web is answered, answered_paper 0.
    if (r.answered === '') continue;
    if (r.dimension === 'hospital') whole('both', cellsOf({ hospital: r.key! }));
    // Every arrest in this register is on 15 March: a month is its year.
    else if (r.dimension === 'month') whole('both', cellsOf({ year: Number(r.key!.slice(0, 4)) }));
    else if (r.dimension === 'arrest_type') whole(r.key as 'OHCA' | 'IHCA', cellsOf({}));
    else whole('both', cellsOf({})); // total; one trust, region, channel and language: everyone
  }
  for (const d of ['health_trust', 'region', 'channel', 'language'])
    assert.equal(records.filter((r) => r.dimension === d).length, 1, `${d}: one line, the whole register`);
  return { forms, shown: records.filter((r) => r.answered !== '') };
}

const describe = (found: ReturnType<typeof jointIsolations>) =>
  found.slice(0, 4).map((x) => `${x.family} [${x.categories.join()}] ${x.cells.join(' + ')} = ${x.people}`);

for (const k of [5, 3]) {
  test(`k = ${k}: the report (36 selections) with the analyst dashboard’s CSV isolates no one, over both arrest types`, async () => {
    const report = await reportForms(k);
    const dash = dashboardForms(await dashboard(database.db, { suppress: true, threshold: k }));
    const found = jointIsolations(people, [...report.forms, ...dash.forms], k);
    assert.deepEqual(describe(found), [], `${found.length} sets of fewer than ${k} people`);
    // Not vacuous: the dashboard still publishes answered counts, and so does the report below the whole register.
    console.log(
      `k = ${k}: dashboard lines with an answered count: ${dash.shown.map((r) => `${r.dimension} ${r.key}`).join(', ')}`,
    );
    const shown = new Set(dash.shown.map((r) => `${r.dimension} ${r.key}`));
    if (k === 5) {
      assert.ok(
        shown.has('month 2025-03'),
        'a year whose groups the report publishes keeps its month on the dashboard',
      );
      assert.ok(!shown.has('month 2026-03') && !shown.has('hospital EDGE'), 'what the report withholds is hidden');
    }
    const filtered = report.tables
      .slice(1)
      .flatMap((rows) => rows.filter((r) => r.measure === 'group_size' && r.suppressed === '0'));
    assert.ok(filtered.length >= 4, `${filtered.length} group sizes published`);
    console.log(
      `k = ${k}: ${report.forms.length + dash.forms.length} equations (${dash.shown.length} dashboard lines with an answered count), no isolation`,
    );
  });
}

test('the dashboard suppressed on its own (before the joint plan) gives away the withheld IHCA 2026 group of 3', async () => {
  const k = 5;
  const report = await reportForms(k);
  const alone = publish(aggregate(await loadFacts(database.db)), { suppress: true, threshold: k });
  const dash = dashboardForms(alone);
  const found = jointIsolations(people, [...report.forms, ...dash.forms], k);
  const sizes = found.filter((x) => x.family === 'size').map((x) => `${x.cells.join(' + ')} = ${x.people}`);
  assert.ok(sizes.includes('IHCA 2026/BIG + IHCA 2026/EDGE = 3'), sizes.join('\n'));
  console.log(
    `dashboard on its own: ${found.length} sets of fewer than ${k} people, ${sizes.length} of them group sizes`,
  );
});
