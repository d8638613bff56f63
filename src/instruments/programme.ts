// Which instruments a programme version asks, in order, each pinned to the version that was
// current when the programme was set. A programme version without pins of its own inherits the
// latest earlier pins; before any, the programme asks EQ-5D-5L alone.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Instruments } from './eq5d-texts.ts';
import { EQ5D_ID } from './eq5d.ts';
import type { Instrument } from './model.ts';
import { answerItems } from './model.ts';
import { findInstrument, InstrumentRefused } from './store.ts';

/** Checks the list and pins the newest version of each; runs in the programme's transaction. */
export async function pinInstruments(trx: Db, texts: Instruments, version: number, ids: string[]): Promise<void> {
  const found = await resolve(trx, texts, ids);
  await trx
    .insertInto('programme_instruments')
    .values(
      found.map((s, position) => ({
        programme_version: version,
        position,
        instrument_id: s.id,
        instrument_version: s.version,
      })),
    )
    .execute();
}

/** Problems with an instruments list, checked before anything is stored. */
async function resolve(db: Db, texts: Instruments, ids: string[]) {
  const problems: string[] = [];
  if (!ids.includes(EQ5D_ID))
    problems.push(`instruments must include ${EQ5D_ID} (the index and the comparison need it)`);
  if (new Set(ids).size !== ids.length) problems.push('an instrument is listed twice');
  const found = [];
  for (const id of ids) {
    const s = await findInstrument(db, texts, id);
    if (!s) problems.push(`no instrument with id "${id}" (add it with prom instruments add)`);
    else if (s.proxyOf)
      problems.push(
        `${id} is a proxy variant (of ${s.proxyOf.split('|')[0]}): list the instrument itself; its proxy wording is asked when someone answers on the person's behalf`,
      );
    else found.push(s);
  }
  const seen = new Map<string, string>();
  for (const s of found)
    for (const item of answerItems(s.instrument)) {
      const other = seen.get(item.linkId);
      if (other)
        problems.push(`item "${item.linkId}" is in both ${other} and ${s.id}; a linkId must be unique in a programme`);
      seen.set(item.linkId, s.id);
    }
  if (problems.length > 0) throw new InstrumentRefused(problems);
  return found;
}

export async function checkInstrumentList(db: Db, texts: Instruments, ids: string[]): Promise<void> {
  await resolve(db, texts, ids);
}

/**
 * What a programme version asks never changes once it exists: its pins are written in the
 * transaction that makes the version, a later version has a higher number, and a pinned instrument
 * version is never changed. So each is read once per process (and database) — every survey page
 * needs it.
 */
const asked = new WeakMap<Db, WeakMap<Instruments, Map<number | null, Promise<Instrument[]>>>>();

/** The instruments an invitation planned with `programmeVersion` asks (null: before any version). */
export function programmeInstruments(
  db: Db,
  texts: Instruments,
  programmeVersion: number | null,
): Promise<Instrument[]> {
  const byTexts = asked.get(db) ?? new WeakMap<Instruments, Map<number | null, Promise<Instrument[]>>>();
  asked.set(db, byTexts);
  const byVersion = byTexts.get(texts) ?? new Map<number | null, Promise<Instrument[]>>();
  byTexts.set(texts, byVersion);
  const known = byVersion.get(programmeVersion);
  if (known) return known;
  const reading = readProgrammeInstruments(db, texts, programmeVersion);
  byVersion.set(programmeVersion, reading);
  reading.catch(() => byVersion.delete(programmeVersion)); // a failed read is tried again next time
  return reading;
}

async function readProgrammeInstruments(
  db: Db,
  texts: Instruments,
  programmeVersion: number | null,
): Promise<Instrument[]> {
  const pins = await pinsOf(db, programmeVersion);
  if (pins.length === 0) return [(await findInstrument(db, texts, EQ5D_ID))!.instrument];
  const out: Instrument[] = [];
  for (const pin of pins) {
    const s = await findInstrument(db, texts, pin.instrument_id, pin.instrument_version);
    if (s) out.push(s.instrument);
  }
  return out;
}

async function pinsOf(db: Db, programmeVersion: number | null) {
  let q = db.selectFrom('programme_instruments').select('programme_version');
  q =
    programmeVersion === null
      ? q.where('programme_version', '<=', 0)
      : q.where('programme_version', '<=', programmeVersion);
  const latest = await q.orderBy('programme_version', 'desc').limit(1).executeTakeFirst();
  if (!latest) return [];
  return db
    .selectFrom('programme_instruments')
    .select(['instrument_id', 'instrument_version'])
    .where('programme_version', '=', latest.programme_version)
    .orderBy('position')
    .execute();
}

/** The ids a programme version asks, for `prom programme`. */
export async function programmeInstrumentIds(db: Db, programmeVersion: number): Promise<string[]> {
  const pins = await pinsOf(db, programmeVersion);
  return pins.length === 0 ? [EQ5D_ID] : pins.map((p) => `${p.instrument_id}@${p.instrument_version}`);
}

/**
 * Every added instrument that responses were given to (the export's extra columns), in the order
 * they were added. eq5d5l is not among them: its variables are the export's fixed columns.
 */
export async function answeredInstruments(db: Db, texts: Instruments): Promise<Instrument[]> {
  const answered = await sql<{ q: string }>`select distinct unnest(questionnaires) as q from responses`.execute(db);
  const given = new Set(answered.rows.map((r) => r.q));
  const stored = await db.selectFrom('instruments').select(['id', 'version', 'url']).orderBy('added_at').execute();
  const out: Instrument[] = [];
  for (const row of stored) {
    if (!given.has(`${row.url}|${row.version}`)) continue;
    const s = await findInstrument(db, texts, row.id, row.version);
    if (s) out.push(s.instrument);
  }
  return out;
}

/** The extra export columns: each linkId once, in instrument and item order. */
export function itemColumns(instruments: Instrument[]): string[] {
  return [...new Set(instruments.flatMap((i) => answerItems(i).map((item) => item.linkId)))];
}
