// BENCH letters: 1,000 personalised letters through the service path — from `print` outbox rows in
// PostgreSQL, a print batch (eligibility checked again for every letter, a short code issued per
// letter, one merged PDF and the CSV manifest) — against a baseline that draws the same pages with
// the same font and the same QR codes with pdfkit and no database work (drawLetter on prepared
// data in a loop). `--quick` uses 100 letters.
import { mkdtempSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { addDays, fixedClock, osloDay, parseNow } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { letterCodeKey, letterData, makeBatch } from '../../src/paper/batch.ts';
import { drawLetter, newLetterDocument, PAGES_PER_LETTER } from '../../src/paper/letter.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { newShortCode } from '../../src/invitations/short-codes.ts';
import { createViews, type Lang } from '../../src/i18n/views.ts';
import { profileIn } from '../../src/register/profile.ts';
import { TEST_PROFILE } from '../support/register.ts';
import { migrateBench, benchLine, createBenchDatabase, machine, PG_URL, quick, recordSection } from './support.ts';

const N = quick ? 100 : 1000;
const PUBLIC_URL = 'https://prom.example.no';
const ARREST = '2026-01-05';
const DAY90 = addDays(ARREST, 90);

const views = createViews();
const instruments = loadInstruments();
const texts = {
  views,
  instrument: (l: Lang) => instruments[l],
  register: (l: Lang) => profileIn(TEST_PROFILE, l),
};
const MB = (bytes: number) => (bytes / 1e6).toFixed(1);

/** The same letters as the service draws, prepared in memory: no database, same font and QR codes. */
async function baseline(dir: string): Promise<{ ms: number; bytes: number }> {
  const letters = Array.from({ length: N }, (_, i) =>
    letterData(PUBLIC_URL, {
      letterId: `L-${String(i + 1).padStart(6, '0')}`,
      kind: 'invitation',
      lang: 'nb',
      name: `Åse${i + 1} Ødegård`,
      address: [`Åse${i + 1} Ødegård`, `Kjølberggata ${i + 1}`, '0653 OSLO'],
      shortCode: newShortCode(),
      date: DAY90,
    }),
  );
  const file = path.join(dir, 'baseline.pdf');
  const started = performance.now();
  const doc = newLetterDocument();
  const out = createWriteStream(file);
  doc.pipe(out);
  for (const l of letters) drawLetter(doc, l, texts);
  doc.end();
  await finished(out);
  return { ms: performance.now() - started, bytes: statSync(file).size };
}

/** Font parsing and JIT warm-up, untimed, so neither path pays for it. */
async function warmUp(): Promise<void> {
  const doc = newLetterDocument();
  const out = createWriteStream('/dev/null');
  doc.pipe(out);
  for (let i = 0; i < 20; i++) {
    drawLetter(
      doc,
      letterData(PUBLIC_URL, {
        letterId: 'L-000000',
        kind: 'reminder',
        lang: 'nb',
        name: null,
        address: ['Kari Nordmann', 'Gata 1', '0001 OSLO'],
        shortCode: newShortCode(),
        date: DAY90,
      }),
      texts,
    );
  }
  doc.end();
  await finished(out);
}

const database = await createBenchDatabase('letters');
const dbUrl = database.url;
const dir = mkdtempSync(path.join(tmpdir(), 'prom-bench-letters-'));
try {
  const h = await openDatabase({ databaseUrl: dbUrl });
  await migrateBench(h.db);
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  await c.query(`insert into survivors (register_id, national_id, birth_date, sex, given_name, family_name, address_line, postal_code, city, language, channel_rule)
    select 'B' || g, lpad(g::text, 11, '0'), date '1950-01-01' + (g % 9000), 'female', 'Åse' || g, 'Ødegård', 'Kjølberggata ' || g, '0653', 'OSLO', 'nb', 'paper-only'
    from generate_series(1, ${N}) g`);
  await c.query(
    `insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital) select id, date '${ARREST}', 'OHCA', 'H' || (id % 40) from survivors`,
  );
  await c.end();
  const clock = fixedClock(parseNow(DAY90)!);
  const pass = await runSchedulingPass(h.db, undefined, clock);
  if (pass.toPrint !== N) throw new Error(`the pass made ${pass.toPrint} letters due for print, expected ${N}`);
  console.log(`seeded ${N} letters due for print (${osloDay(clock.now())})`);

  await warmUp();
  const base = await baseline(dir);
  const deps = {
    db: h.db,
    views,
    instruments,
    publicUrl: PUBLIC_URL,
    codeKey: letterCodeKey('bench-secret-bench-secret-bench-secret-0'),
  };
  const started = performance.now();
  const batch = await makeBatch(deps, clock, path.join(dir, 'service'), 'bench');
  const serviceMs = performance.now() - started;
  await h.close();
  if (batch.files?.letters !== N) throw new Error(`the batch has ${batch.files?.letters} letters, expected ${N}`);
  const baseRate = N / (base.ms / 1000);
  const serviceRate = N / (serviceMs / 1000);
  const ratio = serviceRate / baseRate;
  console.log(
    `baseline (drawLetter in a loop, no database): ${base.ms.toFixed(0)} ms, ${baseRate.toFixed(1)} letters/s, ${MB(base.bytes)} MB`,
  );
  console.log(
    `service (prom letters: checks, short codes, PDF, manifest): ${serviceMs.toFixed(0)} ms, ${serviceRate.toFixed(1)} letters/s, ${MB(batch.files.bytes)} MB, ${batch.files.pages} pages`,
  );
  const line = benchLine('letters', ratio, 0.7);
  console.log(line);
  recordSection(
    'letters',
    `Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}, PostgreSQL via ${new URL(PG_URL).host}${quick ? ' (--quick)' : ''}.

| path | letters | pages | time | letters/s | PDF size |
|---|---:|---:|---:|---:|---:|
| baseline: \`drawLetter\` on prepared data (same font, same QR codes), no database | ${N} | ${N * PAGES_PER_LETTER} | ${(base.ms / 1000).toFixed(2)} s | ${baseRate.toFixed(1)} | ${MB(base.bytes)} MB |
| service: \`makeBatch\` from \`print\` outbox rows (send-time check, short codes, merged PDF, manifest) | ${N} | ${batch.files.pages} | ${(serviceMs / 1000).toFixed(2)} s | ${serviceRate.toFixed(1)} | ${MB(batch.files.bytes)} MB |

\`${line}\` — target ≥ 0.7.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
}
