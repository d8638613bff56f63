// Synthetic cohorts for the staff tests, written with bulk inserts (1,000 rows a statement) so
// 5,000 survivors take about a second on PGlite. Deterministic: a seeded generator decides every
// hospital, date, state, channel and answer. National ids are synthetic D-numbers.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import type { Channel, InvitationState, OutboxState, Step } from '../../src/db/schema.ts';
import type { Lang } from '../../src/i18n/views.ts';
import { syntheticNationalId } from './people.ts';

const TEST_HOSPITALS = [
  {
    code: 'OUS',
    name: 'Oslo universitetssykehus',
    health_trust: 'Oslo universitetssykehus HF',
    region: 'Helse Sør-Øst RHF',
  },
  {
    code: 'AHUS',
    name: 'Akershus universitetssykehus',
    health_trust: 'Akershus universitetssykehus HF',
    region: 'Helse Sør-Øst RHF',
  },
  { code: 'DRAMMEN', name: 'Drammen sykehus', health_trust: 'Vestre Viken HF', region: 'Helse Sør-Øst RHF' },
  { code: 'BAERUM', name: 'Bærum sykehus', health_trust: 'Vestre Viken HF', region: 'Helse Sør-Øst RHF' },
  { code: 'HUS', name: 'Haukeland universitetssjukehus', health_trust: 'Helse Bergen HF', region: 'Helse Vest RHF' },
  { code: 'SUS', name: 'Stavanger universitetssjukehus', health_trust: 'Helse Stavanger HF', region: 'Helse Vest RHF' },
  { code: 'STOLAV', name: 'St. Olavs hospital', health_trust: 'St. Olavs hospital HF', region: 'Helse Midt-Norge RHF' },
  {
    code: 'UNN',
    name: 'Universitetssykehuset Nord-Norge, Tromsø',
    health_trust: 'Universitetssykehuset Nord-Norge HF',
    region: 'Helse Nord RHF',
  },
] as const;

/** A generator of numbers in [0, 1) from a seed (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [v, w] of weighted) {
    if ((x -= w) < 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

async function chunked<T, R>(rows: T[], size: number, write: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(...(await write(rows.slice(i, i + size))));
  return out;
}

export interface CohortOptions {
  size: number;
  seed?: number;
  /** First register id number (so two cohorts can share a database). */
  offset?: number;
}

/**
 * Writes `size` survivors with arrests spread over 18 months at the test hospitals (one of them
 * tiny, two codes missing from the hospital table), and for 95 % of them an invitation in every
 * state, with outbox rows and responses that fit the state. Returns the survivor ids.
 */
export async function writeCohort(db: Db, opts: CohortOptions): Promise<number[]> {
  const rand = seeded(opts.seed ?? 2026);
  const offset = opts.offset ?? 0;
  const hospitals: [string, number][] = [
    ['OUS', 30],
    ['AHUS', 18],
    ['DRAMMEN', 9],
    ['BAERUM', 6],
    ['HUS', 16],
    ['SUS', 10],
    ['STOLAV', 12],
    ['UNN', 8],
    ['XTRA', 1.5],
    ['TINY', 0.06],
  ];
  const survivors = Array.from({ length: opts.size }, (_, k) => {
    const i = offset + k;
    const language = pick<Lang>(rand, [
      ['nb', 80],
      ['nn', 12],
      ['en', 8],
    ]);
    return {
      register_id: `C${String(i).padStart(6, '0')}`,
      national_id: syntheticNationalId(100_000 + i),
      birth_date: `19${30 + Math.floor(rand() * 60)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`,
      sex: rand() < 0.35 ? ('female' as const) : ('male' as const),
      given_name: `Kohort${i}`,
      family_name: 'Testesen',
      email: rand() < 0.8 ? `kohort${i}@example.test` : null,
      language,
    };
  });
  const sIds = await chunked(survivors, 1000, (c) => db.insertInto('survivors').values(c).returning('id').execute());
  const arrests = sIds.map(({ id }) => {
    const month = Math.floor(rand() * 18); // 2025-01 … 2026-06
    const y = 2025 + Math.floor(month / 12);
    const m = (month % 12) + 1;
    return {
      survivor_id: id,
      arrest_date: `${y}-${String(m).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`,
      arrest_type: rand() < 0.7 ? ('OHCA' as const) : ('IHCA' as const),
      hospital: pick(rand, hospitals),
    };
  });
  const eIds = await chunked(arrests, 1000, (c) => db.insertInto('arrest_events').values(c).returning('id').execute());

  type Plan = {
    state: InvitationState;
    reason: string | null;
    language: Lang;
    steps: { step: Step; channel: Channel; state: OutboxState }[];
    answer: 'web' | 'paper' | null;
  };
  const plans: (Plan & { arrest: number })[] = [];
  eIds.forEach(({ id }, k) => {
    if (rand() < 0.05) return; // not yet at day 90
    const channel: Channel = survivors[k]!.email && rand() < 0.85 ? 'email' : 'paper';
    const language = survivors[k]!.language;
    const state = pick<InvitationState>(rand, [
      ['planned', 5],
      ['sent', 22],
      ['reminded', 15],
      ['answered', 38],
      ['expired', 10],
      ['cancelled', 10],
    ]);
    const plan: Plan = { state, reason: null, language, steps: [], answer: null };
    const sent = (step: Step, ch: Channel = channel) => plan.steps.push({ step, channel: ch, state: 'sent' });
    switch (state) {
      case 'planned':
        plan.steps.push({ step: 'invitation', channel, state: rand() < 0.1 ? 'held' : 'pending' });
        break;
      case 'sent':
        if (rand() < 0.08) plan.steps.push({ step: 'invitation', channel, state: rand() < 0.5 ? 'failed' : 'unknown' });
        else sent('invitation');
        if (rand() < 0.3) plan.steps.push({ step: 'reminder1', channel, state: 'pending' });
        break;
      case 'reminded':
        sent('invitation');
        sent('reminder1');
        if (rand() < 0.4)
          plan.steps.push({ step: 'reminder2', channel: 'paper', state: rand() < 0.5 ? 'print' : 'sent' });
        break;
      case 'answered':
        if (rand() < 0.01)
          plan.steps.push({ step: 'invitation', channel, state: 'unknown' }); // answered though the send was never confirmed
        else sent('invitation');
        if (rand() < 0.35) sent('reminder1');
        if (rand() < 0.1) sent('reminder2', 'paper');
        plan.answer = channel === 'email' && rand() < 0.85 ? 'web' : 'paper';
        break;
      case 'expired':
        if (rand() < 0.1)
          plan.reason = 'window_closed'; // passed day 183 before any pass: no message
        else {
          sent('invitation');
          sent('reminder1');
          if (rand() < 0.5) sent('reminder2', 'paper');
        }
        break;
      case 'cancelled': {
        plan.reason = pick<string | null>(rand, [
          ['died', 30],
          ['withdrawn', 25],
          ['opted_out', 25],
          ['duplicate', 5],
          [null, 3],
          ['superseded', 4],
        ]);
        if (rand() < 0.5) {
          sent('invitation');
          plan.steps.push({ step: 'reminder1', channel, state: 'cancelled' });
        } else plan.steps.push({ step: 'invitation', channel, state: 'cancelled' });
        break;
      }
    }
    plans.push({ ...plan, arrest: id });
  });
  const now = new Date('2026-11-01T12:00:00Z');
  const iIds = await chunked(plans, 1000, (c) =>
    db
      .insertInto('invitations')
      .values(
        c.map((p) => ({
          arrest_event_id: p.arrest,
          state: p.state,
          cancel_reason: p.reason,
          opens_on: '2026-01-01',
          closes_on: '2026-04-01',
          language: p.language,
          answered_at: p.answer ? now : null,
          created_at: now,
        })),
      )
      .returning('id')
      .execute(),
  );
  const outbox = plans.flatMap((p, k) =>
    p.steps.map((s) => ({
      invitation_id: iIds[k]!.id,
      step: s.step,
      channel: s.channel,
      state: s.state,
      due_at: now,
      sent_at: s.state === 'sent' ? now : null,
      created_at: now,
    })),
  );
  await chunked(outbox, 1000, async (c) => {
    await db.insertInto('outbox').values(c).execute();
    return [];
  });
  const responses = plans.flatMap((p, k) =>
    p.answer
      ? [
          {
            id: randomUUID(),
            invitation_id: iIds[k]!.id,
            mode: p.answer,
            language: p.language,
            mobility: 1 + Math.floor(rand() * 5),
            self_care: 1,
            usual_activities: 2,
            pain_discomfort: 2,
            anxiety_depression: 1,
            vas: 70,
            completed_at: now,
          },
        ]
      : [],
  );
  await chunked(responses, 1000, async (c) => {
    await db.insertInto('responses').values(c).execute();
    return [];
  });
  return sIds.map((s) => s.id);
}

export async function writeTestHospitals(db: Db): Promise<void> {
  await db
    .insertInto('hospitals')
    .values([
      ...TEST_HOSPITALS,
      { code: 'TINY', name: 'Lite sykehus', health_trust: 'Helse Fonna HF', region: 'Helse Vest RHF' },
    ])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

/** One survivor with an invitation sent by e-mail: for access tests. */
export async function writeSurvivor(
  db: Db,
  s: {
    registerId: string;
    nationalIdSeed: number;
    hospital: string;
    givenName: string;
    familyName?: string;
    closesOn?: string;
    outboxState?: OutboxState;
  },
): Promise<number> {
  const survivor = await db
    .insertInto('survivors')
    .values({
      register_id: s.registerId,
      national_id: syntheticNationalId(s.nationalIdSeed),
      birth_date: '1950-06-15',
      sex: 'female',
      given_name: s.givenName,
      family_name: s.familyName ?? 'Testesen',
      email: `${s.registerId.toLowerCase()}@example.test`,
      language: 'nb',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const e = await db
    .insertInto('arrest_events')
    .values({ survivor_id: survivor.id, arrest_date: '2026-06-01', arrest_type: 'OHCA', hospital: s.hospital })
    .returning('id')
    .executeTakeFirstOrThrow();
  const inv = await db
    .insertInto('invitations')
    .values({
      arrest_event_id: e.id,
      state: 'sent',
      opens_on: '2026-08-30',
      closes_on: s.closesOn ?? '2026-12-01',
      language: 'nb',
      created_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('outbox')
    .values({
      invitation_id: inv.id,
      step: 'invitation',
      channel: 'email',
      state: s.outboxState ?? 'sent',
      due_at: new Date(),
      sent_at: new Date(),
      created_at: new Date(),
    })
    .execute();
  return survivor.id;
}
