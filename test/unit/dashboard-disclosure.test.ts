// The analyst dashboard under SMALL_CELL_THRESHOLD k: no count of 1 to k − 1 is shown, a rate is
// shown only with both its counts, and — checked with exact rational linear algebra, independent
// of src/reports/suppression.ts — no hidden count of 1 to k − 1 follows from the shown counts and
// the totals (each breakdown adds up to the total, hospitals to their trust, trusts to their
// region, web + paper = answered, the reasons to cancelled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregate,
  BASE_MEASURES,
  BREAKDOWNS,
  publish,
  type DashboardView,
  type Fact,
  type Line,
} from '../../src/reports/dashboard.ts';
import { inRowSpace, nullSpace } from '../support/linear-algebra.ts';
import { random } from '../support/disclosure-cohort.ts';

const HOSPITALS = [
  ['OUS', 'Oslo HF', 'Sør-Øst'],
  ['AHUS', 'Akershus HF', 'Sør-Øst'],
  ['HUS', 'Bergen HF', 'Vest'],
  ['SUS', 'Stavanger HF', 'Vest'],
  ['UNN', 'Nord HF', 'Nord'],
] as const;

function facts(seed: number, n: number): Fact[] {
  const rnd = random(seed);
  return Array.from({ length: n }, () => {
    const [hospital, healthTrust, region] = HOSPITALS[Math.floor(rnd() ** 2 * HOSPITALS.length)]!;
    const r = rnd();
    const state = r < 0.45 ? 'answered' : r < 0.7 ? 'expired' : r < 0.8 ? 'cancelled' : 'sent';
    return {
      month: `2026-0${1 + Math.floor(rnd() * 6)}`,
      hospital,
      hospitalName: hospital,
      healthTrust,
      region,
      arrestType: rnd() < 0.7 ? 'OHCA' : 'IHCA',
      channel: rnd() < 0.8 ? 'email' : 'paper',
      language: rnd() < 0.9 ? 'nb' : 'en',
      state,
      cancelReason: state === 'cancelled' ? (rnd() < 0.5 ? 'died' : 'opted_out') : null,
      sent: state !== 'cancelled' || rnd() < 0.5,
      remindedSent: rnd() < 0.4,
      answerMode: state === 'answered' ? (rnd() < 0.8 ? 'web' : 'paper') : null,
    };
  });
}

/** Every line with its dimension, the total first. */
function lines(view: DashboardView): { dim: string; line: Line }[] {
  return [
    { dim: 'total', line: view.total },
    ...BREAKDOWNS.flatMap((d) => view.tables[d].map((line) => ({ dim: d, line }))),
  ];
}

/** Hidden counts of 1 to k − 1 that the shown counts and the published relations pin down. */
function pinned(view: DashboardView, k: number, sets = false): string[] {
  const all = lines(view);
  const measures = view.measures;
  const index = new Map<string, number>();
  const cells: { key: string; value: number; hidden: boolean }[] = [];
  for (const { dim, line } of all) {
    for (const m of measures) {
      index.set(`${dim}|${line.key}|${m}`, cells.length);
      cells.push({ key: `${dim}|${line.key}|${m}`, value: line.cells[m]!.value, hidden: line.cells[m]!.hidden });
    }
  }
  const hidden = cells.flatMap((c, i) => (c.hidden ? [i] : []));
  const col = new Map(hidden.map((c, j) => [c, j]));
  const rows: number[][] = [];
  const relation = (total: number, parts: number[]) => {
    const row = new Array<number>(hidden.length).fill(0);
    if (col.has(total)) row[col.get(total)!]! += 1;
    for (const p of parts) if (col.has(p)) row[col.get(p)!]! -= 1;
    if (row.some((v) => v !== 0)) rows.push(row);
  };
  const at = (dim: string, key: string, m: string) => index.get(`${dim}|${key}|${m}`)!;
  const trustOf = new Map<string, string>(HOSPITALS.map(([h, t]) => [h, t]));
  const regionOf = new Map<string, string>(HOSPITALS.map(([, t, r]) => [t, r]));
  for (const m of measures) {
    for (const d of BREAKDOWNS)
      relation(
        at('total', '', m),
        view.tables[d].map((l) => at(d, l.key, m)),
      );
    for (const t of view.tables.health_trust)
      relation(
        at('health_trust', t.key, m),
        view.tables.hospital.filter((h) => trustOf.get(h.key) === t.key).map((h) => at('hospital', h.key, m)),
      );
    for (const r of view.tables.region)
      relation(
        at('region', r.key, m),
        view.tables.health_trust.filter((t) => regionOf.get(t.key) === r.key).map((t) => at('health_trust', t.key, m)),
      );
  }
  for (const { dim, line } of all) {
    relation(at(dim, line.key, 'answered'), [at(dim, line.key, 'answeredWeb'), at(dim, line.key, 'answeredPaper')]);
    relation(
      at(dim, line.key, 'cancelled'),
      view.reasons.map((r) => at(dim, line.key, `cancelled:${r}`)),
    );
  }
  const nulls = nullSpace(rows, hidden.length);
  const found = hidden
    .filter((c) => cells[c]!.value > 0 && cells[c]!.value < k && inRowSpace(nulls, [col.get(c)!]))
    .map((c) => `${cells[c]!.key}=${cells[c]!.value}`);
  if (!sets) return found;
  // Sets of people, not only single cells: the hidden lines of one breakdown are disjoint groups,
  // so every subset of them is a set; none that the equations pin down may count 1 to k − 1.
  for (const m of measures)
    for (const d of BREAKDOWNS) {
      const own = view.tables[d].map((l) => at(d, l.key, m)).filter((c) => cells[c]!.hidden);
      if (own.length > 14) throw new Error(`${d} ${m}: ${own.length} hidden lines, too many to try every subset`);
      for (let s = 1; s < 1 << own.length; s++) {
        const members = own.filter((_, i) => (s >> i) & 1);
        const n = members.reduce((a, c) => a + cells[c]!.value, 0);
        if (
          n > 0 &&
          n < k &&
          inRowSpace(
            nulls,
            members.map((c) => col.get(c)!),
          )
        )
          found.push(`${members.map((c) => cells[c]!.key).join(' + ')}=${n}`);
      }
    }
  return found;
}

for (const k of [3, 5, 8]) {
  test(`k = ${k}: nothing from 1 to k − 1 is shown or follows from the totals; rates only with both counts`, () => {
    for (const seed of [1, 2, 3]) {
      const view = publish(aggregate(facts(seed, 220)), { suppress: true, threshold: k });
      assert.equal(view.threshold, k);
      let hiddenCount = 0;
      for (const { dim, line } of lines(view)) {
        for (const m of view.measures) {
          const c = line.cells[m]!;
          if (c.value > 0 && c.value < k) assert.ok(c.hidden, `${dim} ${line.key} ${m} = ${c.value}`);
          if (c.hidden) hiddenCount++;
        }
        for (const [rate, num, den] of [
          [line.rateInvited, 'answered', 'invited'],
          [line.rateEligible, 'answered', 'eligible'],
        ] as const) {
          if (!rate.hidden)
            assert.ok(
              !line.cells[num].hidden && !line.cells[den].hidden,
              `${dim} ${line.key}: a rate beside a hidden count`,
            );
        }
      }
      assert.ok(hiddenCount > 0, 'the random register has small cells');
      assert.deepEqual(pinned(view, k), [], `seed ${seed}`);
      // the unsuppressed view (registrars, admins) is the true counts
      const open = publish(aggregate(facts(seed, 220)), { suppress: false, threshold: k });
      assert.ok(lines(open).every(({ line }) => BASE_MEASURES.every((m) => !line.cells[m].hidden)));
    }
  });
}

for (const k of [3, 5, 8]) {
  test(`k = ${k}: no set of hidden lines in a breakdown (a shown total minus its shown lines) counts 1 to k − 1`, () => {
    let tried = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const view = publish(aggregate(facts(seed, 220)), { suppress: true, threshold: k });
      assert.deepEqual(pinned(view, k, true), [], `seed ${seed}`);
      tried++;
    }
    assert.equal(tried, 6);
  });
}
