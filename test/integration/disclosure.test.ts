// Disclosure control of the comparison report: every combination of filters is
// published for a register whose hospital EDGE has groups just under and over k, and an exact
// linear-algebra search over everything published (test/support/disclosure-check.ts) finds no
// set of fewer than k people — also not by subtracting nested selections or using totals.
// The same search finds such sets when every group of k or more is published as it is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildComparison } from '../../src/reports/comparison/report.ts';
import { longTable, type LongRow } from '../../src/reports/comparison/table.ts';
import type { Filters } from '../../src/reports/comparison/compute.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { disclosureCohort, writeDisclosureCohort, HOSPITALS, YEARS } from '../support/disclosure-cohort.ts';
import { categoryOf, cellsOf, CELLS, FAMILIES, formsOf, isolations, type Form } from '../support/disclosure-check.ts';

let database: TestDatabase;
const people = disclosureCohort();
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

/** '0-19' or 'mobility:4-5' (a fine VAS group is 'x0-x9' or '90-100'). */
function isMerged(category: string): boolean {
  const level = /^\w+:(\d)-(\d)$/.exec(category);
  if (level) return true;
  const vas = /^(\d+)-(\d+)$/.exec(category);
  return vas !== null && Number(vas[2]) - Number(vas[1]) > 10;
}

async function publishAll(k: number): Promise<{ filters: Filters; rows: LongRow[] }[]> {
  const out = [];
  for (const filters of ALL_FILTERS)
    out.push({
      filters,
      rows: longTable(await buildComparison(database.db, filters, { normSet: 'TESTNORM', threshold: k })),
    });
  return out;
}

for (const k of [5, 3]) {
  test(`k = ${k}: no combination of all ${ALL_FILTERS.length} published selections isolates 1 to ${k - 1} people`, async () => {
    const published = await publishAll(k);
    const forms: Form[] = [];
    for (const p of published) {
      const { forms: f, problems } = formsOf(p.filters, p.rows, people);
      assert.deepEqual(problems, [], 'every published n and share matches a recount of the people');
      forms.push(...f);
    }
    const found = isolations(people, forms, k);
    assert.deepEqual(found.slice(0, 5), [], `${found.length} sets of fewer than ${k} people can be worked out`);
    // Not vacuous: selections below the whole register are published, and some are withheld.
    const filtered = published.filter((p) => p.filters.year !== undefined || p.filters.hospital !== undefined);
    const shown = filtered.flatMap((p) => p.rows.filter((r) => r.measure === 'group_size' && r.suppressed === '0'));
    const hidden = filtered.flatMap((p) => p.rows.filter((r) => r.measure === 'group_size' && r.suppressed === '1'));
    assert.ok(shown.length >= 2, `${shown.length} filtered groups published`);
    assert.ok(hidden.length >= 4, `${hidden.length} filtered groups withheld`);
    const rows = filtered.flatMap((p) => p.rows.filter((r) => r.suppressed === '0'));
    assert.ok(
      rows.some((r) => isMerged(r.category)),
      'merged categories are published',
    );
    if (k === 5)
      assert.ok(
        rows.some((r) => r.group.startsWith('norm_std_') && r.value !== ''),
        'a standardised norm below the whole register (its sex × age mix is in the search)',
      );
  });
}

test('the search finds the leaks of publishing every group of k or more as it is (the old rule)', () => {
  const k = 5;
  const forms: Form[] = [];
  for (const f of ALL_FILTERS) {
    const cells = cellsOf(f);
    for (const type of f.arrestType ? [f.arrestType] : (['OHCA', 'IHCA'] as const)) {
      const n = people.filter(
        (p) =>
          p.arrestType === type &&
          cells.includes(CELLS.findIndex((c) => c.year === p.year && c.hospital === p.hospital)),
      ).length;
      if (n < k) continue;
      for (const family of FAMILIES) {
        const size =
          family === 'size' ? 1 : family === 'vas' ? 11 : family === 'complete' ? 2 : family === 'strata' ? 15 : 6;
        for (let c = 0; c < size; c++) forms.push({ type, cells, family, categories: [c] });
      }
    }
  }
  const found = isolations(people, forms, k);
  // EDGE's OHCA 2024 group of 4: all years minus 2025 minus 2026.
  assert.ok(
    found.some((x) => x.type === 'OHCA' && x.family === 'size' && x.cells.join() === '2024/EDGE' && x.people === 4),
    JSON.stringify(found.slice(0, 3)),
  );
  assert.ok(
    found.some((x) => x.family === 'vas'),
    'small VAS groups inside published selections',
  );
  assert.ok(categoryOf(people[0]!, 'vas') >= 0);
});

test('the whole register by arrest type publishes every figure, whatever the counts', async () => {
  const rows = longTable(await buildComparison(database.db, {}, { normSet: 'TESTNORM', threshold: 5 }));
  assert.ok(rows.filter((r) => r.group === 'OHCA' || r.group === 'IHCA').every((r) => r.suppressed === '0'));
  const vas = rows.filter((r) => r.group === 'OHCA' && r.measure === 'vas_group_share');
  assert.deepEqual(
    vas.map((r) => r.category),
    ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90-100'],
  );
  assert.ok(
    rows.some((r) => r.group === 'norm_std_IHCA' && r.measure === 'vas_mean' && r.value !== '' && r.suppressed === '0'),
  );
});

test('a withheld selection publishes nothing, its standardised norm included, and a group of 0 reads the same', async () => {
  const rows = longTable(
    await buildComparison(database.db, { year: 2024, hospital: 'EDGE' }, { normSet: 'TESTNORM', threshold: 5 }),
  );
  for (const group of ['OHCA', 'IHCA', 'norm_std_OHCA', 'norm_std_IHCA']) {
    const own = rows.filter((r) => r.group === group);
    assert.ok(own.length > 0 && own.every((r) => r.suppressed === '1' && r.value === '' && r.n === ''), group);
  }
  const none = longTable(await buildComparison(database.db, { year: 2001 }, { normSet: 'TESTNORM', threshold: 5 }));
  assert.ok(none.filter((r) => r.group === 'OHCA').every((r) => r.suppressed === '1' && r.value === ''));
});

// The analyst dashboard publishes answered counts by hospital and month over both arrest types;
// its plan is made around the report's (src/reports/joint-disclosure.ts). The full search over
// both types is test/integration/joint-disclosure.test.ts; this checks group sizes on this register.
test('on the test register, the report’s group sizes with the dashboard’s answered counts (hospital, month, type) isolate no one', async () => {
  const k = 5;
  const { dashboard } = await import('../../src/reports/dashboard.ts');
  const { nullSpace, inRowSpace } = await import('../support/linear-algebra.ts');
  const view = await dashboard(database.db, { suppress: true, threshold: k });
  const published = await publishAll(k);
  const types = ['OHCA', 'IHCA'] as const;
  // Unknowns: people per arrest type × year × hospital (every counted response is answered on the dashboard).
  const unknown = (t: string, cell: number) => types.indexOf(t as 'OHCA') * CELLS.length + cell;
  const width = types.length * CELLS.length;
  const rows: number[][] = [];
  const form = (pairs: [string, number[]][]) => {
    const row = new Array<number>(width).fill(0);
    for (const [t, cells] of pairs) for (const c of cells) row[unknown(t, c)] = 1;
    rows.push(row);
  };
  for (const p of published)
    for (const r of p.rows)
      if (r.measure === 'group_size' && r.suppressed === '0' && (r.group === 'OHCA' || r.group === 'IHCA'))
        form([[r.group, cellsOf(p.filters)]]);
  const answered = (
    lines: { key: string; cells: Record<string, { hidden: boolean }> }[],
    pick: (key: string) => [string[], number[]],
  ) => {
    for (const l of lines) if (!l.cells.answered!.hidden) form(pick(l.key)[0].map((t) => [t, pick(l.key)[1]]));
  };
  answered(view.tables.hospital, (h) => [[...types], cellsOf({ hospital: h })]);
  answered(view.tables.arrest_type, (t) => [[t], cellsOf({})]);
  // Months of arrest: every arrest in the register is on 15 March, so a month is a year.
  answered(view.tables.month, (m) => [[...types], cellsOf({ year: Number(m.slice(0, 4)) })]);
  assert.ok(!view.total.cells.answered.hidden);
  form([
    ['OHCA', cellsOf({})],
    ['IHCA', cellsOf({})],
  ]);
  const counts = types.flatMap((t) =>
    CELLS.map((c) => people.filter((p) => p.arrestType === t && p.year === c.year && p.hospital === c.hospital).length),
  );
  const nulls = nullSpace(rows, width);
  const found: string[] = [];
  for (let s = 1; s < 1 << width; s++) {
    const members = Array.from({ length: width }, (_, i) => i).filter((i) => (s >> i) & 1);
    const n = members.reduce((sum, i) => sum + counts[i]!, 0);
    if (n < 1 || n >= k || !inRowSpace(nulls, members)) continue;
    const wholeType = types.some(
      (_, ti) => members.length === CELLS.length && members.every((i) => Math.floor(i / CELLS.length) === ti),
    );
    if (!wholeType)
      found.push(
        `${members.map((i) => `${types[Math.floor(i / CELLS.length)]} ${CELLS[i % CELLS.length]!.year}/${CELLS[i % CELLS.length]!.hospital}`).join(' + ')} = ${n}`,
      );
  }
  assert.deepEqual(found, []);
});
