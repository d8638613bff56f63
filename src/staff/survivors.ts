// Identifiable reads for registrars, always limited to their hospitals: search, one survivor,
// the worklists and the survivor list export. Nothing here writes the audit log — the routes do,
// once per read — and nothing returns a full national id: only the masked form leaves this file.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { paperWorklists } from '../paper/entry.ts';
import { addDays } from '../clock.ts';
import { maskNationalId } from '../cohort/national-id.ts';
import { contactLog, type ContactLogEntry } from '../invitations/contact-log.ts';
import { hasCountedResponse, inHospitalScope, isOpen, type HospitalScope } from '../invitations/fragments.ts';

/** Days before the window closes when an unanswered invitation appears on the worklist. */
const NEAR_CLOSE_DAYS = 14;
const LIST_LIMIT = 500;

export interface SurvivorSummary {
  id: number;
  registerId: string;
  name: string;
  maskedNationalId: string;
  hospital: string;
  arrestDate: string;
  invitationState: string | null;
}

/** Survivors in the scope with each arrest and its invitation: the search's and the export's rows. */
function summaryQuery(db: Db, scope: HospitalScope) {
  return db
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .leftJoin('invitations as i', 'i.arrest_event_id', 'e.id')
    .select([
      's.id',
      's.register_id',
      's.given_name',
      's.family_name',
      's.national_id',
      'e.hospital',
      'e.arrest_date',
      'i.state as invitation_state',
    ])
    .where((eb) => inHospitalScope(eb, scope));
}

function toSummary(r: {
  id: number;
  register_id: string;
  given_name: string | null;
  family_name: string | null;
  national_id: string;
  hospital: string;
  arrest_date: string;
  invitation_state: string | null;
}): SurvivorSummary {
  return {
    id: r.id,
    registerId: r.register_id,
    name: fullName(r.given_name, r.family_name),
    maskedNationalId: maskNationalId(r.national_id),
    hospital: r.hospital,
    arrestDate: r.arrest_date,
    invitationState: r.invitation_state,
  };
}

function fullName(given: string | null, family: string | null): string {
  return [given, family].filter((p) => p && p.trim()).join(' ');
}

/**
 * Finds survivors by national id (all 11 digits), register id (exact, any case) or a part of
 * the name. Returns at most 50, and nothing for a query shorter than 2 characters.
 */
export async function searchSurvivors(db: Db, scope: HospitalScope, query: string): Promise<SurvivorSummary[]> {
  const q = query.trim();
  if (q.length < 2 || q.length > 100) return [];
  const digits = q.replace(/\s+/g, '');
  let search = summaryQuery(db, scope);
  if (/^[0-9]{11}$/.test(digits)) search = search.where('s.national_id', '=', digits);
  else {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    search = search.where((eb) =>
      eb.or([
        eb(sql`lower(s.register_id)`, '=', q.toLowerCase()),
        eb(sql`coalesce(s.given_name, '') || ' ' || coalesce(s.family_name, '')`, 'ilike', like),
      ]),
    );
  }
  const rows = await search.orderBy('s.family_name').orderBy('s.given_name').orderBy('s.id').limit(50).execute();
  return rows.map(toSummary);
}

export interface SurvivorDetail extends SurvivorSummary {
  birthDate: string;
  sex: string;
  language: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  channelRule: string;
  withdrawnAt: Date | null;
  optedOutAt: Date | null;
  /** Who asked to stop contact ('person', 'relative', 'other'). */
  optOutSource: string | null;
  diedOn: string | null;
  /** The raw values, for the form that changes them. */
  contact: {
    email: string;
    phone: string;
    addressLine: string;
    postalCode: string;
    city: string;
    language: string;
    channelRule: string;
  };
  arrestType: string;
  hospitalName: string | null;
  invitation: {
    state: string;
    cancelReason: string | null;
    opensOn: string;
    closesOn: string;
    answeredAt: Date | null;
  } | null;
  response: { mode: string; completedAt: Date } | null;
  contacts: ContactLogEntry[];
}

/** One survivor, or undefined when the id is unknown or outside the scope (the route answers 404 either way). */
export async function survivorDetail(db: Db, scope: HospitalScope, id: number): Promise<SurvivorDetail | undefined> {
  const r = await db
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .leftJoin('hospitals as h', 'h.code', 'e.hospital')
    .leftJoin('invitations as i', 'i.arrest_event_id', 'e.id')
    .leftJoin('responses as r', (join) => join.onRef('r.invitation_id', '=', 'i.id').on('r.counted', '=', true))
    .select([
      's.id',
      's.register_id',
      's.given_name',
      's.family_name',
      's.national_id',
      's.birth_date',
      's.sex',
      's.language',
      's.email',
      's.phone',
      's.address_line',
      's.postal_code',
      's.city',
      's.channel_rule',
      's.withdrawn_at',
      's.opted_out_at',
      's.opt_out_source',
      's.died_on',
      'e.hospital',
      'e.arrest_date',
      'e.arrest_type',
      'h.name as hospital_name',
      'i.state as invitation_state',
      'i.cancel_reason',
      'i.opens_on',
      'i.closes_on',
      'i.answered_at',
      'r.mode',
      'r.completed_at',
    ])
    .where('s.id', '=', id)
    .where((eb) => inHospitalScope(eb, scope))
    .executeTakeFirst();
  if (!r) return undefined;
  const address = [r.address_line, [r.postal_code, r.city].filter(Boolean).join(' ')]
    .filter((p) => p && p.trim())
    .join(', ');
  return {
    ...toSummary(r),
    birthDate: r.birth_date,
    sex: r.sex,
    language: r.language,
    email: r.email,
    phone: r.phone,
    address: address || null,
    channelRule: r.channel_rule,
    withdrawnAt: r.withdrawn_at,
    optedOutAt: r.opted_out_at,
    optOutSource: r.opt_out_source,
    contact: {
      email: r.email ?? '',
      phone: r.phone ?? '',
      addressLine: r.address_line ?? '',
      postalCode: r.postal_code ?? '',
      city: r.city ?? '',
      language: r.language,
      channelRule: r.channel_rule,
    },
    diedOn: r.died_on,
    arrestType: r.arrest_type,
    hospitalName: r.hospital_name,
    invitation:
      r.invitation_state && r.opens_on && r.closes_on
        ? {
            state: r.invitation_state,
            cancelReason: r.cancel_reason,
            opensOn: r.opens_on,
            closesOn: r.closes_on,
            answeredAt: r.answered_at,
          }
        : null,
    response: r.mode && r.completed_at ? { mode: r.mode, completedAt: r.completed_at } : null,
    contacts: await contactLog(db, r.id),
  };
}

export interface WorklistEntry extends SurvivorSummary {
  /** List-specific facts, already plain values. */
  closesOn?: string;
  daysLeft?: number;
  step?: string;
  channel?: string;
  state?: string;
  dueAt?: Date;
  outcome?: string | null;
}

export interface Worklist {
  key: 'nearClose' | 'deliveryProblems' | 'lettersToPrint' | 'held';
  entries: WorklistEntry[];
  /** How many there are in all (entries stop at 500). */
  total: number;
}

export interface Worklists {
  lists: Worklist[];
  /** Returned paper forms waiting for their second entry, or for a mismatch to be resolved (at most 50 counted). */
  paper: { awaitingSecond: number; mismatched: number };
}

function worklistBase(db: Db, scope: HospitalScope) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .where((eb) => inHospitalScope(eb, scope));
}

const summaryColumns = [
  's.id',
  's.register_id',
  's.given_name',
  's.family_name',
  's.national_id',
  'e.hospital',
  'e.arrest_date',
  'i.state as invitation_state',
] as const;

/** What needs a person, for the registrar's hospitals, as of the Oslo day `today`. */
export async function worklists(db: Db, scope: HospitalScope, today: string): Promise<Worklists> {
  const until = addDays(today, NEAR_CLOSE_DAYS);
  const nearClose = worklistBase(db, scope)
    .where((eb) => isOpen(eb, today))
    .where('i.closes_on', '<=', until)
    .where((eb) => eb.not(hasCountedResponse(eb)));
  const outboxList = (states: string[], channel?: 'paper') => {
    let q = worklistBase(db, scope)
      .innerJoin('outbox as o', 'o.invitation_id', 'i.id')
      .where(sql`o.state`, 'in', states)
      .where((eb) => isOpen(eb));
    if (channel) q = q.where('o.channel', '=', channel);
    return q;
  };
  const paper = await paperWorklists(db, [...scope]);
  const [near, nearCount, problems, problemCount, print, printCount, held, heldCount] = await Promise.all([
    nearClose
      .select([...summaryColumns, 'i.closes_on'])
      .orderBy('i.closes_on')
      .orderBy('s.id')
      .limit(LIST_LIMIT)
      .execute(),
    count(nearClose),
    outboxList(['failed', 'unknown'])
      .select([...summaryColumns, 'o.step', 'o.channel', 'o.state', 'o.due_at', 'o.last_error'])
      .orderBy('o.due_at')
      .orderBy('o.id')
      .limit(LIST_LIMIT)
      .execute(),
    count(outboxList(['failed', 'unknown'])),
    outboxList(['print'], 'paper')
      .select([...summaryColumns, 'o.step', 'o.channel', 'o.state', 'o.due_at', 'o.last_error'])
      .orderBy('o.due_at')
      .orderBy('o.id')
      .limit(LIST_LIMIT)
      .execute(),
    count(outboxList(['print'], 'paper')),
    outboxList(['held'])
      .select([...summaryColumns, 'o.step', 'o.channel', 'o.state', 'o.due_at', 'o.last_error'])
      .orderBy('o.due_at')
      .orderBy('o.id')
      .limit(LIST_LIMIT)
      .execute(),
    count(outboxList(['held'])),
  ]);
  const outboxEntry = (r: (typeof problems)[number]): WorklistEntry => ({
    ...toSummary(r),
    step: r.step,
    channel: r.channel,
    state: r.state,
    dueAt: r.due_at,
    outcome: r.last_error,
  });
  return {
    lists: [
      {
        key: 'nearClose',
        total: nearCount,
        entries: near.map((r) => ({
          ...toSummary(r),
          closesOn: r.closes_on,
          daysLeft: daysBetween(today, r.closes_on),
        })),
      },
      { key: 'deliveryProblems', total: problemCount, entries: problems.map(outboxEntry) },
      { key: 'lettersToPrint', total: printCount, entries: print.map(outboxEntry) },
      { key: 'held', total: heldCount, entries: held.map(outboxEntry) },
    ],
    paper: { awaitingSecond: paper.awaitingSecond.length, mismatched: paper.mismatched.length },
  };
}

async function count(q: ReturnType<typeof worklistBase>): Promise<number> {
  const row = await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirst();
  return row?.n ?? 0;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const SURVIVOR_EXPORT_COLUMNS = [
  'survivor_id',
  'register_id',
  'given_name',
  'family_name',
  'national_id_masked',
  'hospital',
  'arrest_date',
  'arrest_type',
  'invitation_state',
  'cancel_reason',
  'closes_on',
  'answered',
] as const;

/** The registrar's survivors as rows for CSV, oldest arrest first. */
export async function survivorExportRows(
  db: Db,
  scope: HospitalScope,
): Promise<Record<(typeof SURVIVOR_EXPORT_COLUMNS)[number], string>[]> {
  const rows = await summaryQuery(db, scope)
    .select(['e.arrest_type', 'i.cancel_reason', 'i.closes_on', (eb) => hasCountedResponse(eb).as('answered')])
    .orderBy('e.arrest_date')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    survivor_id: String(r.id),
    register_id: r.register_id,
    given_name: r.given_name ?? '',
    family_name: r.family_name ?? '',
    national_id_masked: maskNationalId(r.national_id),
    hospital: r.hospital,
    arrest_date: r.arrest_date,
    arrest_type: r.arrest_type,
    invitation_state: r.invitation_state ?? '',
    cancel_reason: r.cancel_reason ?? '',
    closes_on: r.closes_on ?? '',
    answered: r.answered ? 'yes' : 'no',
  }));
}

/** Register id of a survivor inside the scope (for the withdrawal), or undefined. */
export async function registerIdInScope(db: Db, scope: HospitalScope, id: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select('s.register_id')
    .where('s.id', '=', id)
    .where((eb) => inHospitalScope(eb, scope))
    .executeTakeFirst();
  return row?.register_id;
}

export interface CaseEvent {
  at: Date;
  who: string;
  change: string;
  note?: string;
}

/** What staff did on this survivor (from the audit log) and their notes, newest first. */
export async function caseHistory(db: Db, survivorId: number): Promise<CaseEvent[]> {
  const [changes, notes] = await Promise.all([
    db
      .selectFrom('audit_log')
      .select(['id', 'at', 'actor', 'details'])
      .where('entity', '=', 'survivor')
      .where('entity_id', '=', String(survivorId))
      .where('action', '=', 'change')
      .orderBy('id', 'desc')
      .limit(200)
      .execute(),
    db.selectFrom('case_notes').select(['id', 'at', 'author', 'text']).where('survivor_id', '=', survivorId).execute(),
  ]);
  const noteText = new Map(notes.map((n) => [n.id, n.text]));
  return changes.map((c) => {
    const change = typeof c.details.change === 'string' ? c.details.change : 'other';
    const noteId = Number(c.details.noteId);
    return {
      at: c.at,
      who: c.actor,
      change,
      ...(change === 'note' && noteText.has(noteId) ? { note: noteText.get(noteId)! } : {}),
    };
  });
}

export interface SentLetter {
  id: number;
  letterDate: string;
}

/** Letters handed over to the print shop and not marked returned, newest first. */
export async function returnableLetters(db: Db, survivorId: number): Promise<SentLetter[]> {
  const rows = await db
    .selectFrom('letters as l')
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select(['l.id', 'l.letter_date'])
    .where('e.survivor_id', '=', survivorId)
    .where('l.handed_over_at', 'is not', null)
    .where('l.returned_at', 'is', null)
    .orderBy('l.id', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, letterDate: r.letter_date }));
}
