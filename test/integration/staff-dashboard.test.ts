// The dashboard on a synthetic cohort of 5,000 survivors: every number in every breakdown equals a
// count computed here, directly in SQL, from the definitions in docs/response-rates.md; the
// registrar's view is their hospitals' share; the analyst's view hides small cells so that no
// hidden cell follows from the totals; the page shows the SVG trend chart beside its table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { BREAKDOWNS, type Breakdown } from '../../src/reports/dashboard.ts';
import { createWorld, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import { createStaff, signIn, type Agent } from '../support/staff.ts';
import { writeCohort, writeTestHospitals } from '../support/staff-cohort.ts';

const SIZE = 5000;
let world: World;
let admin: Agent;
let analyst: Agent;
let registrar: Agent;
let seedMs = 0;

before(async () => {
  world = await createWorld();
  const db = world.database.db;
  const started = Date.now();
  await writeTestHospitals(db);
  await writeCohort(db, { size: SIZE });
  seedMs = Date.now() - started;
  const app = world.app();
  admin = (
    await signIn(app, await createStaff(db, TEST_SESSION_SECRET, { email: 'admin@register.test', role: 'admin' }))
  ).agent;
  analyst = (
    await signIn(app, await createStaff(db, TEST_SESSION_SECRET, { email: 'analyst@register.test', role: 'analyst' }))
  ).agent;
  registrar = (
    await signIn(
      app,
      await createStaff(db, TEST_SESSION_SECRET, {
        email: 'reg@register.test',
        role: 'registrar',
        hospitals: ['OUS', 'TINY'],
      }),
    )
  ).agent;
});
after(async () => {
  await world?.close();
});

/** The key expression per dimension, over the fact view `f` below. */
const KEY: Record<Breakdown, string> = {
  month: 'f.month',
  hospital: 'f.hospital',
  health_trust: 'f.trust',
  region: 'f.region',
  arrest_type: 'f.arrest_type',
  channel: 'f.channel',
  language: 'f.language',
};

/** Written from docs/response-rates.md, independently of src/reports/dashboard.ts. */
const FACTS = `
  SELECT i.id,
         to_char(e.arrest_date, 'YYYY-MM') AS month,
         e.hospital,
         coalesce(h.health_trust, '') AS trust,
         coalesce(h.region, '') AS region,
         e.arrest_type,
         coalesce((SELECT o.channel FROM outbox o WHERE o.invitation_id = i.id AND o.step = 'invitation'), '') AS channel,
         i.language,
         i.state,
         coalesce(i.cancel_reason, 'unspecified') AS reason,
         EXISTS (SELECT 1 FROM outbox o WHERE o.invitation_id = i.id AND o.state = 'sent') AS sent,
         EXISTS (SELECT 1 FROM outbox o WHERE o.invitation_id = i.id AND o.state = 'sent' AND o.step IN ('reminder1', 'reminder2')) AS reminded,
         (SELECT r.mode FROM responses r WHERE r.invitation_id = i.id AND r.counted) AS mode
    FROM invitations i
    JOIN arrest_events e ON e.id = i.arrest_event_id
    LEFT JOIN hospitals h ON h.code = e.hospital`;

async function expected(dim: Breakdown, hospitals?: string[]): Promise<Map<string, Record<string, number>>> {
  const where = hospitals ? `WHERE f.hospital IN (${hospitals.map((h) => `'${h}'`).join(', ')})` : '';
  const counts = await sql
    .raw<{ key: string; [m: string]: string | number }>(
      `WITH f AS (${FACTS})
       SELECT ${KEY[dim]} AS key,
              count(*) FILTER (WHERE NOT (f.state = 'cancelled' AND NOT f.sent AND f.mode IS NULL AND f.reason IN ('died', 'withdrawn', 'opted_out')))::int AS eligible,
              count(*) FILTER (WHERE f.sent OR f.mode IS NOT NULL)::int AS invited,
              count(*) FILTER (WHERE f.reminded)::int AS reminded,
              count(*) FILTER (WHERE f.mode = 'web')::int AS answered_web,
              count(*) FILTER (WHERE f.mode = 'paper')::int AS answered_paper,
              count(*) FILTER (WHERE f.mode IS NOT NULL)::int AS answered,
              count(*) FILTER (WHERE f.state = 'expired')::int AS expired,
              count(*) FILTER (WHERE f.state = 'cancelled')::int AS cancelled
         FROM f ${where}
        GROUP BY 1`,
    )
    .execute(world.database.db);
  const reasons = await sql
    .raw<{ key: string; reason: string; n: number }>(
      `WITH f AS (${FACTS}) SELECT ${KEY[dim]} AS key, f.reason, count(*)::int AS n FROM f ${where ? `${where} AND` : 'WHERE'} f.state = 'cancelled' GROUP BY 1, 2`,
    )
    .execute(world.database.db);
  const out = new Map<string, Record<string, number>>();
  for (const r of counts.rows) {
    const { key, ...rest } = r;
    out.set(key, Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Number(v)])));
  }
  for (const r of reasons.rows) out.get(r.key)![`cancelled_${r.reason}`] = r.n;
  return out;
}

async function csv(agent: Agent, by?: Breakdown): Promise<Record<string, string>[]> {
  const res = await agent.get(`/staff/export/dashboard.csv${by ? `?by=${by}` : ''}`).expect(200);
  return parse<Record<string, string>>(res.text, { columns: true, bom: true });
}

test(`the synthetic cohort of ${SIZE} survivors is written with bulk inserts in reasonable time`, async () => {
  const n = await world.database.db
    .selectFrom('survivors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(n.n), SIZE);
  assert.ok(seedMs < 30_000, `seeding took ${seedMs} ms`);
});

test('every count in every breakdown equals the count computed in SQL (admin, whole register)', async () => {
  const started = Date.now();
  const rows = await csv(admin);
  const took = Date.now() - started;
  assert.ok(took < 10_000, `dashboard export took ${took} ms`);
  const measures = Object.keys(rows[0]!).filter(
    (c) => !['dimension', 'key', 'name', 'rate_answered_invited', 'rate_answered_eligible'].includes(c),
  );
  assert.ok(
    measures.includes('cancelled_died') &&
      measures.includes('cancelled_unspecified') &&
      measures.includes('cancelled_duplicate'),
    measures.join(),
  );
  for (const dim of BREAKDOWNS) {
    const want = await expected(dim);
    const got = rows.filter((r) => r.dimension === dim);
    assert.deepEqual(new Set(got.map((r) => r.key)), new Set(want.keys()), `${dim}: categories`);
    for (const r of got) {
      const w = want.get(r.key!)!;
      for (const m of measures) assert.equal(Number(r[m]), w[m] ?? 0, `${dim}=${r.key} ${m}`);
      assert.equal(
        r.rate_answered_invited,
        w.invited! > 0 ? (w.answered! / w.invited!).toFixed(4) : '',
        `${dim}=${r.key} rate`,
      );
      assert.equal(
        r.rate_answered_eligible,
        w.eligible! > 0 ? (w.answered! / w.eligible!).toFixed(4) : '',
        `${dim}=${r.key} rate (eligible)`,
      );
    }
  }
  // The total row equals the sum over any one dimension, and the whole table in SQL.
  const total = rows.find((r) => r.dimension === 'total')!;
  const all = await sql
    .raw<{ eligible: number; invited: number; answered: number }>(
      `WITH f AS (${FACTS}) SELECT count(*) FILTER (WHERE NOT (f.state = 'cancelled' AND NOT f.sent AND f.mode IS NULL AND f.reason IN ('died', 'withdrawn', 'opted_out')))::int AS eligible,
              count(*) FILTER (WHERE f.sent OR f.mode IS NOT NULL)::int AS invited, count(*) FILTER (WHERE f.mode IS NOT NULL)::int AS answered FROM f`,
    )
    .execute(world.database.db);
  assert.equal(Number(total.eligible), Number(all.rows[0]!.eligible));
  assert.equal(Number(total.invited), Number(all.rows[0]!.invited));
  assert.equal(Number(total.answered), Number(all.rows[0]!.answered));
});

test('the dashboard page shows the same totals, the SVG trend chart and its data table', async () => {
  const started = Date.now();
  const page = await admin.get('/staff?by=region').expect(200);
  assert.ok(Date.now() - started < 10_000);
  const total = (await csv(admin, 'region')).find((r) => r.dimension === 'total')!;
  const field = (name: string) => new RegExp(`data-field="${name}">([^<]*)<`).exec(page.text)?.[1]?.replace(/\D/g, '');
  assert.equal(field('eligible'), total.eligible);
  assert.equal(field('invited'), total.invited);
  assert.equal(field('answered'), total.answered);
  assert.match(page.text, /<svg [^>]*role="img" aria-labelledby="trend-title trend-desc"/);
  assert.match(page.text, /<path d="M[^"]+" fill="none"/);
  assert.match(page.text, /<caption id="trend-caption">/);
  assert.equal(
    (page.text.match(/<th scope="row">[a-zæøå]+ 20\d\d<\/th>/g) ?? []).length,
    18,
    'one table row per month of arrest',
  );
  assert.match(page.text, /data-dimension="region"/);
  assert.doesNotMatch(page.text, /style=/, 'no inline styles (CSP)');
});

test('a registrar’s dashboard is their hospitals only, without suppression', async () => {
  const rows = await csv(registrar);
  for (const dim of ['hospital', 'channel', 'month'] as const) {
    const want = await expected(dim, ['OUS', 'TINY']);
    const got = rows.filter((r) => r.dimension === dim);
    assert.deepEqual(new Set(got.map((r) => r.key)), new Set(want.keys()));
    for (const r of got)
      for (const m of ['eligible', 'invited', 'answered', 'expired', 'cancelled'])
        assert.equal(Number(r[m]), want.get(r.key!)![m], `${dim}=${r.key} ${m}`);
  }
  const tiny = rows.find((r) => r.dimension === 'hospital' && r.key === 'TINY')!;
  assert.notEqual(tiny.invited, '', 'registrars see their own small numbers');
});

test('the analyst sees the whole register with cells under 5 hidden and no hidden cell derivable from totals', async () => {
  const started = Date.now();
  const rows = await csv(analyst);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  const full = await csv(admin);
  const measures = Object.keys(rows[0]!).filter(
    (c) => !['dimension', 'key', 'name', 'rate_answered_invited', 'rate_answered_eligible'].includes(c),
  );
  const fullOf = (r: Record<string, string>) => full.find((f) => f.dimension === r.dimension && f.key === r.key)!;
  let hidden = 0;
  for (const r of rows) {
    const f = fullOf(r);
    for (const m of measures) {
      const n = Number(f[m]);
      if (n > 0 && n < 5) assert.equal(r[m], '', `${r.dimension}=${r.key} ${m}=${n} is hidden`);
      if (r[m] === '') hidden++;
      else assert.equal(r[m], f[m], 'published cells are the true counts');
    }
    if (r.answered === '' || r.invited === '')
      assert.equal(r.rate_answered_invited, '', 'a rate on a hidden count is hidden');
    if (r.answered === '' || r.eligible === '')
      assert.equal(r.rate_answered_eligible, '', 'a rate on a hidden count is hidden (eligible)');
  }
  assert.ok(hidden > 0, 'the tiny hospital makes some cells small');
  const tiny = rows.find((r) => r.dimension === 'hospital' && r.key === 'TINY')!;
  assert.equal(tiny.invited, '');
  // Secondary suppression: in no column of any breakdown (categories + total) and in no
  // web + paper = answered triple is exactly one cell hidden.
  for (const dim of BREAKDOWNS) {
    const lines = [...rows.filter((r) => r.dimension === dim), rows.find((r) => r.dimension === 'total')!];
    for (const m of measures)
      assert.notEqual(
        lines.filter((l) => l[m] === '').length,
        1,
        `${dim} ${m}: a lone hidden cell follows from the total`,
      );
  }
  for (const r of rows)
    assert.notEqual(
      [r.answered_web, r.answered_paper, r.answered].filter((v) => v === '').length,
      1,
      `${r.dimension}=${r.key}: web + paper = answered`,
    );
  // …nor through the hierarchy: the hospitals of one health trust add up to the trust.
  const trustOf = new Map(
    (await world.database.db.selectFrom('hospitals').select(['code', 'health_trust']).execute()).map((h) => [
      h.code,
      h.health_trust,
    ]),
  );
  for (const trust of rows.filter((r) => r.dimension === 'health_trust')) {
    const parts = rows.filter((r) => r.dimension === 'hospital' && (trustOf.get(r.key!) ?? '') === trust.key);
    for (const m of measures)
      assert.notEqual([trust, ...parts].filter((l) => l[m] === '').length, 1, `${trust.key} ${m}: hospital vs trust`);
  }
  const page = await analyst.get('/staff?by=hospital').expect(200);
  assert.match(page.text, /Celler med færre enn 5 personer er skjult/);
  assert.match(page.text, /<span class="hidden-cell">skjult<\/span>/);
});
