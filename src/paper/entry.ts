// Entering returned paper forms. A letter is found by its return id or its short code;
// each entry is a `paper_entries` row with explicit 'missing'/'ambiguous' codes. The counted
// response (`responses`, mode 'paper', missing/ambiguous → NULL) is made only when the entry is
// final: at once with single entry; with double entry when a second person's entry matches the
// first, or when a resolver has chosen per field between the two. The first complete response of
// an invitation counts (web or paper); a later one is kept uncounted with flag 'duplicate'.
import { sql } from 'kysely';
import { isCalendarDate } from '../calendar-date.ts';
import type { Db } from '../db/database.ts';
import type { Lang } from '../i18n/views.ts';
import type { PaperValue, UncountedReason } from '../db/schema.ts';
import { maskNationalId } from '../cohort/national-id.ts';
import { paperVerdictFor, recordPaperAnswer, type PaperAnswerResult } from '../invitations/answers.ts';
import { inHospitalScope, type HospitalScope } from '../invitations/fragments.ts';
import { DIMENSIONS, type Dimension } from '../instruments/eq5d-texts.ts';
import { invitationOfShortCode, normaliseShortCode } from '../invitations/short-codes.ts';
import { formatValue, itemSchema } from '../instruments/item-schema.ts';
import { answerItems, type Instrument, type Item } from '../instruments/model.ts';
import { decryptCode, formatLetterId, parseLetterId } from './batch.ts';
import { keyedRespondent, paperRespondent, RESPONDENT_KEY } from './respondent-field.ts';

export const FIELDS = [...DIMENSIONS, 'vas', 'received_on'] as const;
export type Field = (typeof FIELDS)[number];
/** `items`: other instruments' items by linkId as keyed ('' not answered, '?' unclear). */
export type EntryValues = Record<Dimension, PaperValue> & {
  vas: string;
  received_on: string;
  items?: Record<string, string>;
};

export async function doubleEntryOn(db: Db): Promise<boolean> {
  const row = await db.selectFrom('paper_settings').select('double_entry').executeTakeFirst();
  return row?.double_entry ?? true;
}

export async function setDoubleEntry(db: Db, on: boolean, actor: string): Promise<void> {
  await db
    .insertInto('paper_settings')
    .values({ double_entry: on, updated_by: actor })
    .onConflict((oc) => oc.column('id').doUpdateSet({ double_entry: on, updated_by: actor, updated_at: sql`now()` }))
    .execute();
}

/**
 * The letter a typed or scanned reference names, within the scope: a return id (L-000123), or a
 * short code — then the invitation's letter that carried that very code (codes are decrypted with
 * `codeKey`), else its latest letter.
 */
export async function findLetter(
  db: Db,
  ref: string,
  scope: HospitalScope,
  codeKey: Buffer,
): Promise<number | undefined> {
  const byId = parseLetterId(ref);
  let ids: number[];
  if (byId !== undefined) ids = [byId];
  else {
    const normalised = normaliseShortCode(ref);
    const inv = normalised && (await invitationOfShortCode(db, ref));
    if (!inv) return undefined;
    const letters = await db
      .selectFrom('letters')
      .select(['id', 'short_code_enc'])
      .where('invitation_id', '=', inv.id)
      .orderBy('id', 'desc')
      .execute();
    const exact = letters.find((l) => {
      try {
        return normaliseShortCode(decryptCode(codeKey, l.short_code_enc)) === normalised;
      } catch {
        return false;
      }
    });
    ids = exact ? [exact.id] : letters.map((l) => l.id).slice(0, 1);
  }
  if (ids.length === 0) return undefined;
  const q = db
    .selectFrom('letters as l')
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select('l.id')
    .where('l.id', '=', ids[0]!)
    .where((eb) => inHospitalScope(eb, scope));
  return (await q.executeTakeFirst())?.id;
}

export interface EntryRow {
  id: number;
  entryNo: 1 | 2 | 3;
  enteredBy: number;
  values: EntryValues;
  createdAt: Date;
}

export type Phase =
  | { kind: 'first' }
  | { kind: 'second'; firstBy: number }
  | { kind: 'mismatch'; first: EntryRow; second: EntryRow; differing: Field[] }
  | { kind: 'final'; responseId: string; counted: boolean; flag: string | null }
  | { kind: 'uncounted'; reason: UncountedReason; receivedOn: string };

export interface LetterInfo {
  id: number;
  returnId: string;
  invitationId: number;
  survivorId: number;
  name: string | null;
  maskedNationalId: string;
  registerId: string;
  hospital: string;
  language: Lang;
  kind: 'invitation' | 'reminder';
  letterDate: string;
  batchId: number;
  handedOver: boolean;
  invitationState: string;
  phase: Phase;
  doubleEntry: boolean;
  entries: EntryRow[];
}

/** The letter with what the entry page needs; undefined outside the scope (the page says 404). */
export async function letterInfo(db: Db, letterId: number, scope: HospitalScope): Promise<LetterInfo | undefined> {
  const q = db
    .selectFrom('letters as l')
    .innerJoin('print_batches as b', 'b.id', 'l.batch_id')
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'l.id',
      'l.invitation_id',
      'l.kind',
      'l.language',
      'l.letter_date',
      'l.batch_id',
      'l.handed_over_at',
      'i.state',
      's.id as survivor_id',
      's.given_name',
      's.family_name',
      's.national_id',
      's.register_id',
      'e.hospital',
    ])
    .where('l.id', '=', letterId)
    .where((eb) => inHospitalScope(eb, scope));
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  const [entries, doubleEntry, response, uncounted] = await Promise.all([
    loadEntries(db, letterId),
    doubleEntryOn(db),
    db.selectFrom('responses').select(['id', 'counted', 'flag']).where('letter_id', '=', letterId).executeTakeFirst(),
    db
      .selectFrom('uncounted_returns')
      .select(['reason', 'received_on'])
      .where('letter_id', '=', letterId)
      .executeTakeFirst(),
  ]);
  return {
    id: row.id,
    returnId: formatLetterId(row.id),
    invitationId: row.invitation_id,
    survivorId: row.survivor_id,
    name: [row.given_name, row.family_name].filter(Boolean).join(' ') || null,
    maskedNationalId: maskNationalId(row.national_id),
    registerId: row.register_id,
    hospital: row.hospital,
    language: row.language,
    kind: row.kind,
    letterDate: row.letter_date,
    batchId: row.batch_id,
    handedOver: row.handed_over_at !== null,
    invitationState: row.state,
    doubleEntry,
    entries,
    phase: uncounted
      ? { kind: 'uncounted', reason: uncounted.reason, receivedOn: uncounted.received_on }
      : phaseOf(entries, response),
  };
}

async function loadEntries(db: Db, letterId: number): Promise<EntryRow[]> {
  const rows = await db
    .selectFrom('paper_entries')
    .selectAll()
    .where('letter_id', '=', letterId)
    .orderBy('entry_no')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    entryNo: r.entry_no,
    enteredBy: r.entered_by,
    createdAt: r.created_at,
    values: {
      items: r.items ?? {},
      mobility: r.mobility,
      self_care: r.self_care,
      usual_activities: r.usual_activities,
      pain_discomfort: r.pain_discomfort,
      anxiety_depression: r.anxiety_depression,
      vas: r.vas,
      received_on: r.received_on,
    },
  }));
}

function phaseOf(
  entries: EntryRow[],
  response: { id: string; counted: boolean; flag: string | null } | undefined,
): Phase {
  if (response) return { kind: 'final', responseId: response.id, counted: response.counted, flag: response.flag };
  const first = entries.find((e) => e.entryNo === 1);
  const second = entries.find((e) => e.entryNo === 2);
  if (!first) return { kind: 'first' };
  if (!second) return { kind: 'second', firstBy: first.enteredBy };
  return { kind: 'mismatch', first, second, differing: differences(first.values, second.values) };
}

/** EQ-5D's fields, then the other items' linkIds, where the two entries differ. */
function differences(a: EntryValues, b: EntryValues): Field[] {
  const items = [...new Set([...Object.keys(a.items ?? {}), ...Object.keys(b.items ?? {})])].filter(
    (k) => (a.items?.[k] ?? '') !== (b.items?.[k] ?? ''),
  );
  return [...FIELDS.filter((f) => a[f] !== b[f]), ...(items as Field[])];
}

export interface EntryError {
  field: Field;
  key: string;
}

/**
 * The keying codes of the entry form (one character per item, a number for the VAS), as printed
 * on the form itself: items 1–5 the box ticked, 0 nothing ticked, 9 more than one ticked (or
 * unreadable); the VAS 0–100, 999 nothing marked, 888 unclear. The codes lie outside the answers'
 * range, so a slip of the finger is an error, never another answer.
 */
const ITEM_CODES: Readonly<Record<string, PaperValue>> = {
  '1': '1',
  '2': '2',
  '3': '3',
  '4': '4',
  '5': '5',
  '0': 'missing',
  '9': 'ambiguous',
};
const VAS_CODES: Readonly<Record<string, 'missing' | 'ambiguous'>> = { '999': 'missing', '888': 'ambiguous' };

/** Server-side validation of the entry form; errors carry the field and a text key (locales paper.errors.*). */
export function validateEntry(
  body: Record<string, unknown>,
  bounds: { today: string; notBefore: string },
  otherItems: Item[] = [],
): { values?: EntryValues; errors: EntryError[] } {
  const errors: EntryError[] = [];
  const values: Partial<EntryValues> = {};
  const text = (f: Field) => (typeof body[f] === 'string' ? body[f].trim() : '');
  for (const d of DIMENSIONS) {
    const v = text(d);
    if (Object.hasOwn(ITEM_CODES, v)) values[d] = ITEM_CODES[v]!;
    else errors.push({ field: d, key: v === '' ? 'levelMissing' : 'levelInvalid' });
  }
  const vasText = text('vas');
  if (Object.hasOwn(VAS_CODES, vasText)) values.vas = VAS_CODES[vasText]!;
  else if (vasText === '') errors.push({ field: 'vas', key: 'vasMissing' });
  else if (!/^\d{1,3}$/.test(vasText) || Number(vasText) > 100) errors.push({ field: 'vas', key: 'vasRange' });
  else values.vas = String(Number(vasText));
  const received = text('received_on');
  if (received === '') errors.push({ field: 'received_on', key: 'receivedMissing' });
  else if (!isCalendarDate(received)) errors.push({ field: 'received_on', key: 'receivedFormat' });
  else if (received > bounds.today) errors.push({ field: 'received_on', key: 'receivedFuture' });
  else if (received < bounds.notBefore) errors.push({ field: 'received_on', key: 'receivedBeforeLetter' });
  else values.received_on = received;
  // Only a programme with other instruments has item fields; EQ-5D's entry values stay as they were.
  if (otherItems.length > 0) values.items = {};
  for (const item of otherItems) {
    const raw = body[item.linkId];
    const keyed = keyedItem(item, typeof raw === 'string' ? raw : '');
    if (keyed === undefined) errors.push({ field: item.linkId as Field, key: 'itemInvalid' });
    else values.items = { ...values.items, [item.linkId]: keyed };
  }
  // Who filled it in: kept with the keyed items, so double entry compares it too.
  const who = keyedRespondent(body);
  if (who === null) errors.push({ field: RESPONDENT_KEY as Field, key: 'respondentInvalid' });
  else if (who !== undefined) values.items = { ...values.items, [RESPONDENT_KEY]: who };
  return errors.length ? { errors } : { values: values as EntryValues, errors };
}

export type AddOutcome =
  | { kind: 'final'; entryId: number; responseId: string; counted: boolean }
  | { kind: 'uncounted'; reason: UncountedReason }
  | { kind: 'awaiting-second'; entryId: number }
  | { kind: 'mismatch'; entryId: number; differing: Field[] }
  | { kind: 'same-person' }
  | { kind: 'needs-resolution' }
  | { kind: 'already-final' };

/**
 * Stores an entry for the letter. The letter row is locked, so two people saving at once get
 * entry 1 and entry 2 (or the second is told the first is there) — never two first entries.
 */
export async function addEntry(
  db: Db,
  letterId: number,
  staffId: number,
  values: EntryValues,
  now: Date,
  instruments: Instrument[] = [],
): Promise<AddOutcome> {
  return db.transaction().execute(async (trx) => {
    const letter = await trx
      .selectFrom('letters')
      .select(['id', 'invitation_id', 'language'])
      .where('id', '=', letterId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (await isFinal(trx, letterId)) return { kind: 'already-final' as const };
    // After a death, a withdrawal or a stop not even the first entry's answers are kept.
    const verdict = await paperVerdictFor(trx, letter.invitation_id, values.received_on);
    if (verdict.kind === 'uncounted')
      return outcomeOf(
        await recordPaperAnswer(
          trx,
          letter,
          answersOf(values),
          values.received_on,
          staffId,
          now,
          extrasOf(values, instruments),
        ),
        0,
      );
    const entries = await loadEntries(trx, letterId);
    const doubleEntry = await doubleEntryOn(trx);
    const first = entries.find((e) => e.entryNo === 1);
    const second = entries.find((e) => e.entryNo === 2);
    if (second) return { kind: 'needs-resolution' as const };
    if (first && first.enteredBy === staffId) return { kind: 'same-person' as const };
    const entryNo = first ? 2 : 1;
    const entry = await trx
      .insertInto('paper_entries')
      .values({
        letter_id: letterId,
        invitation_id: letter.invitation_id,
        entry_no: entryNo,
        entered_by: staffId,
        ...values,
        items: JSON.stringify(values.items ?? {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (entryNo === 1 && doubleEntry) return { kind: 'awaiting-second' as const, entryId: entry.id };
    if (entryNo === 2) {
      const differing = differences(first!.values, values);
      if (differing.length) return { kind: 'mismatch' as const, entryId: entry.id, differing };
    }
    return outcomeOf(
      await recordPaperAnswer(
        trx,
        letter,
        answersOf(values),
        values.received_on,
        staffId,
        now,
        extrasOf(values, instruments),
      ),
      entry.id,
    );
  });
}

async function isFinal(trx: Db, letterId: number): Promise<boolean> {
  const response = await trx.selectFrom('responses').select('id').where('letter_id', '=', letterId).executeTakeFirst();
  const uncounted = await trx
    .selectFrom('uncounted_returns')
    .select('id')
    .where('letter_id', '=', letterId)
    .executeTakeFirst();
  return Boolean(response || uncounted);
}

function outcomeOf(
  made: PaperAnswerResult,
  entryId: number,
):
  | { kind: 'final'; entryId: number; responseId: string; counted: boolean }
  | { kind: 'uncounted'; reason: UncountedReason } {
  if (made.kind === 'uncounted') return made;
  return { kind: 'final', entryId, responseId: made.responseId, counted: made.kind === 'counted' };
}

export type ResolveOutcome =
  | { kind: 'final'; entryId: number; responseId: string; counted: boolean; differing: Field[] }
  | { kind: 'uncounted'; reason: UncountedReason }
  | { kind: 'incomplete'; missing: Field[] }
  | { kind: 'not-mismatch' };

/** A resolver chooses, per differing field, entry 1 or entry 2; the result is entry 3 and final. */
export async function resolveMismatch(
  db: Db,
  letterId: number,
  staffId: number,
  choices: Record<string, unknown>,
  now: Date,
  instruments: Instrument[] = [],
): Promise<ResolveOutcome> {
  return db.transaction().execute(async (trx) => {
    const letter = await trx
      .selectFrom('letters')
      .select(['id', 'invitation_id', 'language'])
      .where('id', '=', letterId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const final = await isFinal(trx, letterId);
    const entries = await loadEntries(trx, letterId);
    const first = entries.find((e) => e.entryNo === 1);
    const second = entries.find((e) => e.entryNo === 2);
    if (final || !first || !second || entries.some((e) => e.entryNo === 3)) return { kind: 'not-mismatch' as const };
    const differing = differences(first.values, second.values);
    const missing = differing.filter((f) => choices[f] !== '1' && choices[f] !== '2');
    if (missing.length) return { kind: 'incomplete' as const, missing };
    const values = { ...first.values, items: { ...first.values.items } };
    for (const f of differing) {
      const pick = choices[f] === '1' ? first.values : second.values;
      if ((FIELDS as readonly string[]).includes(f)) (values as Record<Field, string>)[f] = pick[f];
      else values.items[f] = pick.items?.[f] ?? '';
    }
    const entry = await trx
      .insertInto('paper_entries')
      .values({
        letter_id: letterId,
        invitation_id: letter.invitation_id,
        entry_no: 3,
        entered_by: staffId,
        ...values,
        items: JSON.stringify(values.items),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const made = outcomeOf(
      await recordPaperAnswer(
        trx,
        letter,
        answersOf(values),
        values.received_on,
        staffId,
        now,
        extrasOf(values, instruments),
      ),
      entry.id,
    );
    return made.kind === 'final' ? { ...made, differing } : made;
  });
}

/**
 * One keyed item: '' not answered, '?' unclear; a choice by its option's number (1 at the top)
 * and stored as the option's code; other types as their schema reads them (a decimal comma too).
 */
function keyedItem(item: Item, raw: string): string | undefined {
  const text = raw.trim();
  if (text === '' || text === '?') return text;
  if (item.type === 'choice') return /^\d{1,2}$/.test(text) ? item.options[Number(text) - 1]?.code : undefined;
  if (item.type === 'boolean') return text === '1' ? 'true' : text === '2' ? 'false' : undefined;
  const parsed = itemSchema({ ...item, required: true }).safeParse(text);
  return parsed.success ? formatValue(parsed.data) : undefined;
}

/** Final keyed items as stored values: '' and '?' are left out (no answer), numbers as numbers. */
function itemValuesOf(keyed: Record<string, string> | undefined, items: Item[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const v = keyed?.[item.linkId];
    if (v === undefined || v === '' || v === '?') continue;
    const parsed = itemSchema({ ...item, required: true }).safeParse(v);
    if (parsed.success) out[item.linkId] = item.type === 'boolean' ? v === 'true' : parsed.data;
  }
  return out;
}

const level = (v: PaperValue): number | null => (v === 'missing' || v === 'ambiguous' ? null : Number(v));

/** The other instruments' answers of a final entry, and the instruments asked (for the QuestionnaireResponses). */
function extrasOf(values: EntryValues, instruments: Instrument[]) {
  const others = instruments.flatMap((i) => (i.id === 'eq5d5l' ? [] : answerItems(i)));
  return {
    items: itemValuesOf(values.items, others),
    instruments,
    respondent: paperRespondent(values.items?.respondent),
  };
}

/** Final entry values as the response stores them: missing/ambiguous → NULL. */
function answersOf(v: EntryValues) {
  return {
    mobility: level(v.mobility),
    self_care: level(v.self_care),
    usual_activities: level(v.usual_activities),
    pain_discomfort: level(v.pain_discomfort),
    anxiety_depression: level(v.anxiety_depression),
    vas: v.vas === 'missing' || v.vas === 'ambiguous' ? null : Number(v.vas),
  };
}

export interface WorkItem {
  letterId: number;
  returnId: string;
  survivorId: number;
  hospital: string;
  since: Date;
}

/** Letters waiting for a second entry, letters with a mismatch, and flagged (uncounted) responses. */
export async function paperWorklists(db: Db, scope: HospitalScope, limit = 50) {
  const base = () =>
    db
      .selectFrom('letters as l')
      .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('responses as r').select('r.id').whereRef('r.letter_id', '=', 'l.id'))),
      )
      .where((eb) => inHospitalScope(eb, scope));
  const withEntries = (n: 1 | 2) =>
    base()
      .innerJoin('paper_entries as p', (j) => j.onRef('p.letter_id', '=', 'l.id').on('p.entry_no', '=', n))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('paper_entries as q')
              .select('q.id')
              .whereRef('q.letter_id', '=', 'l.id')
              .where('q.entry_no', '>', n),
          ),
        ),
      )
      .select(['l.id', 'e.survivor_id', 'e.hospital', 'p.created_at'])
      .orderBy('p.created_at')
      .limit(limit)
      .execute();
  const flaggedQ = db
    .selectFrom('responses as r')
    .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select(['r.id', 'r.mode', 'r.letter_id', 'r.completed_at', 'e.survivor_id', 'e.hospital', 'i.id as invitation_id'])
    .where('r.flag', 'is not', null)
    .where((eb) => inHospitalScope(eb, scope));
  const [awaiting, mismatched, flagged] = await Promise.all([
    withEntries(1),
    withEntries(2),
    flaggedQ.orderBy('r.completed_at', 'desc').limit(limit).execute(),
  ]);
  const item = (r: { id: number; survivor_id: number; hospital: string; created_at: Date }): WorkItem => ({
    letterId: r.id,
    returnId: formatLetterId(r.id),
    survivorId: r.survivor_id,
    hospital: r.hospital,
    since: r.created_at,
  });
  return {
    awaitingSecond: awaiting.map(item),
    mismatched: mismatched.map(item),
    flagged: flagged.map((r) => ({
      responseId: r.id,
      mode: r.mode,
      returnId: r.letter_id ? formatLetterId(r.letter_id) : null,
      letterId: r.letter_id,
      survivorId: r.survivor_id,
      hospital: r.hospital,
      completedAt: r.completed_at,
      invitationId: r.invitation_id,
    })),
  };
}
