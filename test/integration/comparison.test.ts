// The analysts' comparison on a fixed synthetic data set (prom demo with a fixed seed and date)
// against an independent computation in SQL, on PGlite and PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createDemo } from '../../src/reports/demo.ts';
import { buildComparison, renderComparison } from '../../src/reports/comparison/report.ts';
import { loadNormSet } from '../../src/reports/norms/store.ts';
import { findStratum, ageBand } from '../../src/reports/norms/format.ts';
import { createViews } from '../../src/i18n/views.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
  await createDemo(database.db, { survivors: 400, seed: 7, today: '2026-06-01' });
});
after(async () => {
  await database?.drop();
});

const close = (a: number, b: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} ≠ ${b}`);

test('counts, VAS groups, means, SDs and level shares equal SQL computed directly', async () => {
  const c = await buildComparison(database.db, {}, { normSet: 'DEMO' });
  const bySql = await sql<{ arrest_type: string; n: number; mean: string; sd: string }>`
    select e.arrest_type, count(*)::int as n, avg(r.vas)::text as mean, stddev_samp(r.vas)::text as sd
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    where r.counted group by e.arrest_type`.execute(database.db);
  for (const row of bySql.rows) {
    const g = c.groups.find((x) => x.label === row.arrest_type)!;
    assert.equal(g.n, row.n, `${row.arrest_type} n`);
    close(g.vas!.mean, Number(row.mean), `${row.arrest_type} mean VAS`);
    close(g.vas!.sd!, Number(row.sd), `${row.arrest_type} SD VAS`);
  }
  const groups = await sql<{ arrest_type: string; g: number; share: string }>`
    select e.arrest_type, least(r.vas / 10, 9) as g,
           (count(*)::numeric / sum(count(*)) over (partition by e.arrest_type))::text as share
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    where r.counted group by 1, 2`.execute(database.db);
  for (const row of groups.rows) {
    close(
      c.groups.find((x) => x.label === row.arrest_type)!.vasGroups![row.g]!,
      Number(row.share),
      `${row.arrest_type} VAS group ${row.g}`,
    );
  }
  const levels = await sql<{ arrest_type: string; level: number; share: string }>`
    select e.arrest_type, r.pain_discomfort as level,
           (count(*)::numeric / sum(count(*)) over (partition by e.arrest_type))::text as share
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    where r.counted group by 1, 2`.execute(database.db);
  for (const row of levels.rows) {
    close(
      c.groups.find((x) => x.label === row.arrest_type)!.dimensions.pain_discomfort![row.level - 1]!,
      Number(row.share),
      `PD level ${row.level}`,
    );
  }
});

test('the NO-2024 index means equal SQL sums of the published decrements', async () => {
  const c = await buildComparison(database.db, {}, { normSet: 'DEMO' });
  // Garratt et al. 2024: decrement = dimension weight × level weight (levels 2–5).
  const rows = await sql<{ arrest_type: string; mean: string }>`
    with w(level, lw) as (values (1, 0.0), (2, 0.152), (3, 0.317), (4, 0.775), (5, 1.0))
    select e.arrest_type, avg(1 - 0.205 * mo.lw - 0.206 * sc.lw - 0.179 * ua.lw - 0.391 * pd.lw - 0.472 * ad.lw)::text as mean
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    join w mo on mo.level = r.mobility join w sc on sc.level = r.self_care join w ua on ua.level = r.usual_activities
    join w pd on pd.level = r.pain_discomfort join w ad on ad.level = r.anxiety_depression
    where r.counted group by 1`.execute(database.db);
  for (const row of rows.rows)
    close(
      c.groups.find((g) => g.label === row.arrest_type)!.index!.mean,
      Number(row.mean),
      `${row.arrest_type} index`,
      1e-9,
    );
});

test('the norm is standardised to each group’s age and sex mix', async () => {
  const c = await buildComparison(database.db, {}, { normSet: 'DEMO' });
  const norms = (await loadNormSet(database.db, 'DEMO'))!;
  const strata = await sql<{ arrest_type: string; sex: 'female' | 'male'; age: number }>`
    select e.arrest_type, s.sex, extract(year from age(e.arrest_date, s.birth_date))::int as age
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    join survivors s on s.id = e.survivor_id where r.counted`.execute(database.db);
  for (const type of ['OHCA', 'IHCA'] as const) {
    const people = strata.rows.filter((r) => r.arrest_type === type);
    const expected =
      people.reduce((sum, p) => sum + findStratum(norms, p.sex, ageBand(p.age)!)!.vas.mean!.value, 0) / people.length;
    close(c.groups.find((g) => g.label === type)!.norm.vasMean!, expected, `${type} standardised norm VAS`, 1e-9);
  }
});

test('filters narrow the data; groups under 5 are suppressed; the report names what is missing', async () => {
  const ihca = await buildComparison(database.db, { arrestType: 'IHCA', hospital: 'DEMO-OUS' }, { normSet: 'DEMO' });
  assert.deepEqual(
    ihca.groups.map((g) => g.label),
    ['IHCA'],
  );
  const expected = await sql<{ n: number }>`
    select count(*)::int as n from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    where r.counted and e.arrest_type = 'IHCA' and e.hospital = 'DEMO-OUS'`.execute(database.db);
  assert.equal(ihca.groups[0]!.n, expected.rows[0]!.n);

  const none = await buildComparison(database.db, { year: 2001 }, { normSet: 'DEMO' });
  assert.ok(none.groups.every((x) => x.suppressed && x.vas === null && x.vasGroups === null));

  const real = await buildComparison(database.db, {});
  assert.equal(real.normSet.id, 'NO-2019');
  assert.deepEqual(
    real.missing.map((m) => m.key),
    ['vasGroups', 'vasMean', 'dimensions', 'indexUnknownSet'],
  );
  const html = renderComparison(createViews(), loadInstruments(), real, true);
  assert.match(html, /<svg[^>]+role="img"/);
  assert.match(html, /Dette kan ikke sammenlignes ennå/);
  assert.match(html, /79 ± 17/);
  assert.match(html, /doi:10\.1007\/s11136-021-02938-7/);
});

test('each published share carries its Wilson 95 % interval on the same n (counted in SQL)', async () => {
  const { longTable } = await import('../../src/reports/comparison/table.ts');
  const { wilson } = await import('../../src/reports/stats.ts');
  const rows = longTable(await buildComparison(database.db, {}, { normSet: 'DEMO' }));
  const counts = await sql<{ arrest_type: string; g: number; n: number; total: number }>`
    select e.arrest_type, least(r.vas / 10, 9) as g, count(*)::int as n, (sum(count(*)) over (partition by e.arrest_type))::int as total
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    where r.counted and r.vas is not null group by 1, 2`.execute(database.db);
  assert.ok(counts.rows.length > 5);
  for (const c of counts.rows) {
    const label = c.g === 9 ? '90-100' : `${c.g * 10}-${c.g * 10 + 9}`;
    const at = (m: string) => rows.find((r) => r.group === c.arrest_type && r.measure === m && r.category === label)!;
    const [low, high] = wilson(c.n, c.total)!;
    assert.equal(at('vas_group_share_ci_low').value, (low * 100).toFixed(1), `${c.arrest_type} ${label}`);
    assert.equal(at('vas_group_share_ci_high').value, (high * 100).toFixed(1));
    assert.equal(at('vas_group_share_ci_low').n, String(c.total));
  }
  assert.ok(rows.some((r) => r.measure === 'level_share_ci_high' && r.category === 'mobility:1' && r.value !== ''));
});

test('survivors minus the standardised norm with a Welch interval, recomputed here from SQL and the norm strata', async () => {
  const jStat = (await import('jstat')).default;
  const { longTable } = await import('../../src/reports/comparison/table.ts');
  const c = await buildComparison(database.db, {}, { normSet: 'DEMO' });
  const rows = longTable(c);
  const norms = (await loadNormSet(database.db, 'DEMO'))!;
  const people = await sql<{ arrest_type: string; sex: 'female' | 'male'; age: number; vas: number | null }>`
    select e.arrest_type, s.sex, extract(year from age(e.arrest_date, s.birth_date))::int as age, r.vas
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    join survivors s on s.id = e.survivor_id where r.counted`.execute(database.db);
  for (const type of ['OHCA', 'IHCA'] as const) {
    const own = people.rows.filter((p) => p.arrest_type === type && p.vas !== null).map((p) => p.vas!);
    const mean = own.reduce((a, b) => a + b, 0) / own.length;
    const variance = own.reduce((a, v) => a + (v - mean) ** 2, 0) / (own.length - 1) / own.length;
    const adults = people.rows.filter((p) => p.arrest_type === type && ageBand(p.age));
    const mix = new Map<string, number>();
    for (const p of adults) mix.set(`${p.sex}|${ageBand(p.age)}`, (mix.get(`${p.sex}|${ageBand(p.age)}`) ?? 0) + 1);
    let normMean = 0;
    let normVariance = 0;
    let dfDenominator = (variance * variance) / (own.length - 1);
    for (const [key, count] of mix) {
      const [sex, band] = key.split('|') as ['female' | 'male', NonNullable<ReturnType<typeof ageBand>>];
      const s = findStratum(norms, sex, band)!;
      const w = count / adults.length;
      normMean += w * s.vas.mean!.value;
      const part = (w * w * s.vas.sd!.value ** 2) / s.n!.value;
      normVariance += part;
      dfDenominator += (part * part) / (s.n!.value - 1);
    }
    const total = variance + normVariance;
    const half = jStat.studentt.inv(0.975, (total * total) / dfDenominator) * Math.sqrt(total);
    const at = (m: string) => Number(rows.find((r) => r.group === type && r.measure === m)!.value);
    close(at('vas_diff'), Number((mean - normMean).toFixed(1)), `${type} difference`, 1e-9);
    close(at('vas_diff_ci_low'), Number((mean - normMean - half).toFixed(1)), `${type} low`, 1e-9);
    close(at('vas_diff_ci_high'), Number((mean - normMean + half).toFixed(1)), `${type} high`, 1e-9);
    const g = c.groups.find((x) => x.label === type)!;
    close(g.difference.vas!.value, mean - normMean, `${type} unrounded`, 1e-9);
    close(g.difference.vas!.ci95[0], mean - normMean - half, `${type} unrounded low`, 1e-9);
  }
  // The shipped norms state no SD or n by sex and age: no difference, and the page says why.
  const shipped = await buildComparison(database.db, {});
  assert.equal(shipped.groups[0]!.difference.vas, null);
  assert.match(
    renderComparison(createViews(), loadInstruments(), shipped, true),
    /Kan ikke beregnes: normdataene mangler/,
  );
});

test('index intervals are percentile bootstraps of the SQL-scored index (fixed seed) and never run above 1', async () => {
  const { bootstrapMeanInterval } = await import('../../src/reports/stats.ts');
  const { longTable } = await import('../../src/reports/comparison/table.ts');
  const c = await buildComparison(database.db, {}, { normSet: 'DEMO' });
  const scored = await sql<{ arrest_type: string; index: string }>`
    with w(level, lw) as (values (1, 0.0), (2, 0.152), (3, 0.317), (4, 0.775), (5, 1.0))
    select e.arrest_type, (1 - 0.205 * mo.lw - 0.206 * sc.lw - 0.179 * ua.lw - 0.391 * pd.lw - 0.472 * ad.lw)::text as index
    from responses r join invitations i on i.id = r.invitation_id join arrest_events e on e.id = i.arrest_event_id
    join w mo on mo.level = r.mobility join w sc on sc.level = r.self_care join w ua on ua.level = r.usual_activities
    join w pd on pd.level = r.pain_discomfort join w ad on ad.level = r.anxiety_depression
    where r.counted`.execute(database.db);
  for (const type of ['OHCA', 'IHCA'] as const) {
    const values = scored.rows.filter((r) => r.arrest_type === type).map((r) => Number(r.index));
    const [low, high] = bootstrapMeanInterval(values)!;
    const g = c.groups.find((x) => x.label === type)!;
    close(g.index!.ci95![0], low, `${type} low`, 1e-9);
    close(g.index!.ci95![1], high, `${type} high`, 1e-9);
  }
  for (const r of longTable(c))
    if (r.measure === 'index_ci_high' && r.value !== '') assert.ok(Number(r.value) <= 1, `${r.group} ${r.value}`);
});
