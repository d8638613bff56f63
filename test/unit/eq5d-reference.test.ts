// Cross-checks every state of every value set against the reference CSVs in
// test/fixtures/eq5d-valuesets (copies of the published tables), using a deliberately separate computation:
// parse the CSV terms and add plain floats (no shared code with src/reports/eq5d).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq5dIndex, listValueSets } from '../../src/reports/eq5d/engine.ts';
import type { ValueSetId } from '../../src/reports/eq5d/engine.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const refDir = path.resolve(repoRoot, 'test', 'fixtures', 'eq5d-valuesets');

const FILES: Record<ValueSetId, string> = {
  'NO-2024': 'norway_garratt2024.csv',
  'EN-2018': 'england_devlin2018.csv',
  'DK-2021': 'denmark_jensen2021.csv',
  'SE-2022': 'sweden_sun2022.csv',
  'SE-2020': 'sweden_burstrom2020.csv',
  'DE-2018': 'germany_ludwig2018.csv',
  'NL-2016': 'netherlands_versteegh2016.csv',
  'UK-2026': 'uk_rowen2026.csv',
  'CW-UK-2012': 'crosswalk_uk_vanhout2012.csv',
  'CW-DK-2012': 'crosswalk_denmark_vanhout2012.csv',
};

const TOLERANCE = 1e-9;

interface RefFile {
  comments: string[];
  header: string;
  rows: string[][];
}

function readRef(file: string): RefFile {
  if (!fs.existsSync(refDir)) {
    assert.fail(
      `EQ-5D reference value sets not found at ${refDir}. This test compares all 3125 states ` +
        'against them and must not be skipped: restore test/fixtures/eq5d-valuesets.',
    );
  }
  const lines = fs.readFileSync(path.join(refDir, file), 'utf8').split(/\r?\n/).filter(Boolean);
  const comments = lines.filter((l) => l.startsWith('#'));
  const [header, ...rest] = lines.filter((l) => !l.startsWith('#'));
  assert.equal(comments.length, 2, `${file}: expected two # lines (source, model)`);
  return { comments, header: header ?? '', rows: rest.map((l) => l.split(',')) };
}

function allStates(): string[] {
  const out: string[] = [];
  const digits = ['1', '2', '3', '4', '5'];
  for (const a of digits)
    for (const b of digits)
      for (const c of digits) for (const d of digits) for (const e of digits) out.push(a + b + c + d + e);
  return out;
}

/** Independent scorer: float sum of the CSV terms, interpreting each term name. */
function csvScorer(ref: RefFile, file: string): (state: string) => number {
  if (ref.header.startsWith('state,')) {
    const table = new Map(ref.rows.map(([s, v]) => [s!, Number(v)]));
    assert.equal(table.size, 3125, `${file}: expected 3125 lookup rows`);
    return (state) => table.get(state)!;
  }
  assert.ok(ref.header.startsWith('term,coefficient'), `${file}: unknown header ${ref.header}`);
  const terms = new Map(ref.rows.map(([t, c]) => [t!, Number(c)]));
  const known = /^(start|constant|N4|N5|(MO|SC|UA|PD|AD)[1-5])$/;
  for (const t of terms.keys()) assert.match(t, known, `${file}: term this test cannot model`);
  const dims = ['MO', 'SC', 'UA', 'PD', 'AD'];
  return (state) => {
    const levels = [...state].map(Number);
    let v = terms.get('start')!;
    levels.forEach((l, i) => (v += terms.get(`${dims[i]}${l}`)!));
    if (state !== '11111') v += terms.get('constant') ?? 0;
    if (Math.max(...levels) >= 4) v += terms.get('N4') ?? 0;
    if (Math.max(...levels) === 5) v += terms.get('N5') ?? 0;
    return v;
  };
}

for (const [id, file] of Object.entries(FILES) as [ValueSetId, string][]) {
  test(`${id}: all 3125 states match ${file} (|diff| <= 1e-9)`, () => {
    const ref = readRef(file);
    const expected = csvScorer(ref, file);
    const states = allStates();
    assert.equal(new Set(states).size, 3125);
    let worst = 0;
    for (const s of states) {
      const got = eq5dIndex(s, id);
      assert.ok(got !== null, `${id} ${s}: got null`);
      const diff = Math.abs(got - expected(s));
      assert.ok(diff <= TOLERANCE, `${id} ${s}: engine ${got} vs reference ${expected(s)}`);
      worst = Math.max(worst, diff);
    }
    assert.ok(worst <= TOLERANCE);
  });

  test(`${id}: DOI matches the reference file's source line`, () => {
    const ref = readRef(file);
    const info = listValueSets().find((v) => v.id === id);
    assert.ok(info, `${id} missing from listValueSets()`);
    assert.ok(ref.comments[0]!.includes(`doi:${info.doi}`), `${file} does not cite ${info.doi}`);
  });
}

test('every registered value set has a reference file', () => {
  assert.deepEqual(
    listValueSets()
      .map((v) => v.id)
      .sort(),
    Object.keys(FILES).sort(),
  );
});
