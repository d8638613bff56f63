// A small register for the disclosure tests: hospital EDGE has groups just under and over k in
// each year and arrest type, BIG has larger ones; a few unanswered items; four sex × age strata.
// Also a norm set TESTNORM with every stratum, so standardised norms are computed.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import { aggregateMicrodata, type NormRespondent } from '../../src/reports/norms/microdata.ts';
import { saveNormSet } from '../../src/reports/norms/store.ts';
import type { Respondent } from '../../src/db/schema.ts';
import { syntheticNationalId } from './people.ts';

export interface CohortPerson {
  arrestType: 'OHCA' | 'IHCA';
  year: number;
  hospital: string;
  /** Who answered; null when not recorded. */
  respondent: Respondent | null;
  sex: 'female' | 'male';
  age: number;
  levels: (number | null)[];
  vas: number | null;
}

export const YEARS = [2024, 2025, 2026] as const;
export const HOSPITALS = ['BIG', 'EDGE'] as const;

/** The cells a disclosure search runs over: year × hospital × who answered. */
export interface Layout {
  years: readonly number[];
  hospitals: readonly string[];
  respondents: readonly (Respondent | null)[];
}

/** The registers below record nobody's answer to "who is filling in". */
export const LAYOUT: Layout = { years: YEARS, hospitals: HOSPITALS, respondents: [null] };

export type Sizes = Record<'OHCA' | 'IHCA', Record<(typeof HOSPITALS)[number], number[]>>;

/** Group sizes per type, hospital and year: EDGE sits around k = 5 (4, 6, 5 and 1, 4, 6). */
const SIZES: Sizes = {
  OHCA: { EDGE: [4, 6, 5], BIG: [28, 34, 22] },
  IHCA: { EDGE: [1, 4, 6], BIG: [11, 9, 13] },
};

/**
 * For the report together with the analyst dashboard: EDGE's IHCA groups add up to 3
 * over all years while its OHCA groups add up to 15, and IHCA 2026 is 3 over both hospitals while
 * OHCA 2026 is 27 — so the dashboard's answered count of EDGE (both types) or of March 2026 minus
 * the report's OHCA figure would be a group of 3.
 */
export const JOINT_SIZES: Sizes = {
  OHCA: { EDGE: [4, 6, 5], BIG: [28, 34, 22] },
  IHCA: { EDGE: [0, 0, 3], BIG: [36, 40, 0] },
};

const STRATA = [
  { sex: 'female', age: 55 },
  { sex: 'male', age: 65 },
  { sex: 'female', age: 75 },
  { sex: 'male', age: 85 },
] as const;

export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function disclosureCohort(seed = 19, sizes: Sizes = SIZES): CohortPerson[] {
  const rnd = random(seed);
  const people: CohortPerson[] = [];
  for (const arrestType of ['OHCA', 'IHCA'] as const) {
    for (const hospital of HOSPITALS) {
      YEARS.forEach((year, yi) => {
        for (let i = 0; i < sizes[arrestType][hospital][yi]!; i++)
          people.push(person(rnd, { arrestType, year, hospital, respondent: null }));
      });
    }
  }
  return people;
}

/** Two years × two hospitals × who answered (self, assisted, proxy, not recorded): 16 cells per arrest type. */
export const RESPONDENT_LAYOUT: Layout = {
  years: [2025, 2026],
  hospitals: HOSPITALS,
  respondents: ['self', 'assisted', 'proxy', null],
};

/**
 * Group sizes per type, hospital and year, as [self, assisted, proxy, not recorded]: most answer
 * themselves, many assisted and not-recorded groups and EDGE's sit under k = 5, some cells are empty.
 */
const RESPONDENT_SIZES: Record<'OHCA' | 'IHCA', Record<(typeof HOSPITALS)[number], number[][]>> = {
  OHCA: {
    BIG: [
      [60, 8, 30, 1],
      [65, 3, 35, 0],
    ],
    EDGE: [
      [5, 2, 1, 0],
      [7, 0, 3, 1],
    ],
  },
  IHCA: {
    BIG: [
      [40, 5, 25, 0],
      [35, 1, 30, 2],
    ],
    EDGE: [
      [2, 0, 0, 0],
      [4, 3, 0, 0],
    ],
  },
};

export function respondentCohort(seed = 23): CohortPerson[] {
  const rnd = random(seed);
  const people: CohortPerson[] = [];
  for (const arrestType of ['OHCA', 'IHCA'] as const)
    for (const hospital of HOSPITALS)
      RESPONDENT_LAYOUT.years.forEach((year, yi) =>
        RESPONDENT_LAYOUT.respondents.forEach((respondent, ri) => {
          for (let i = 0; i < RESPONDENT_SIZES[arrestType][hospital][yi]![ri]!; i++)
            people.push(plainPerson(rnd, { arrestType, year, hospital, respondent }));
        }),
      );
  return people;
}

/** Answers in few categories (levels 1–2, three VAS groups), so that groups of a few dozen are clean. */
function plainPerson(rnd: () => number, at: Pick<CohortPerson, 'arrestType' | 'year' | 'hospital' | 'respondent'>) {
  const stratum = STRATA[Math.floor(rnd() * STRATA.length)]!;
  const levels = [0, 1, 2, 3, 4].map(() => (rnd() < 0.02 ? null : rnd() < 0.3 ? 2 : 1));
  const vas = [55, 75, 85][Math.floor(rnd() * 3)]!;
  return { ...at, sex: stratum.sex, age: stratum.age, levels, vas };
}

function person(rnd: () => number, at: Pick<CohortPerson, 'arrestType' | 'year' | 'hospital' | 'respondent'>) {
  const stratum = STRATA[Math.floor(rnd() * STRATA.length)]!;
  const burden = at.arrestType === 'IHCA' ? 0.4 : 0.28;
  const levels = [0, 1, 2, 3, 4].map(() => {
    if (rnd() < 0.03) return null;
    let level = 1;
    while (level < 5 && rnd() < burden) level++;
    return level;
  });
  const vas = rnd() < 0.05 ? null : Math.max(0, Math.min(100, Math.round(68 + (rnd() + rnd() + rnd() - 1.5) * 45)));
  return { ...at, sex: stratum.sex, age: stratum.age, levels, vas };
}

export async function writeDisclosureCohort(db: Db, people: readonly CohortPerson[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const [i, p] of people.entries()) {
      const arrestDate = `${p.year}-03-15`;
      const survivor = await trx
        .insertInto('survivors')
        .values({
          register_id: `DC-${i}`,
          national_id: syntheticNationalId(9000 + i),
          birth_date: `${p.year - p.age - 1}-09-01`,
          sex: p.sex,
          given_name: 'Test',
          family_name: `Person ${i}`,
          language: 'nb',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const event = await trx
        .insertInto('arrest_events')
        .values({ survivor_id: survivor.id, arrest_date: arrestDate, arrest_type: p.arrestType, hospital: p.hospital })
        .returning('id')
        .executeTakeFirstOrThrow();
      const at = new Date(`${p.year}-06-20T10:00:00Z`);
      const invitation = await trx
        .insertInto('invitations')
        .values({
          arrest_event_id: event.id,
          state: 'answered',
          opens_on: `${p.year}-06-13`,
          closes_on: `${p.year}-09-14`,
          language: 'nb',
          created_at: at,
          answered_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const [mobility, self_care, usual_activities, pain_discomfort, anxiety_depression] = p.levels;
      await trx
        .insertInto('responses')
        .values({
          id: randomUUID(),
          invitation_id: invitation.id,
          mode: 'web',
          language: 'nb',
          mobility,
          self_care,
          usual_activities,
          pain_discomfort,
          anxiety_depression,
          vas: p.vas,
          respondent: p.respondent,
          completed_at: at,
        })
        .execute();
    }
  });
  const rnd = random(2019);
  const respondents: NormRespondent[] = Array.from({ length: 2000 }, () => {
    const age = 18 + Math.floor(rnd() * 80);
    const levels = [0, 1, 2, 3, 4].map(() => {
      let level = 1;
      while (level < 5 && rnd() < 0.12 + age / 400) level++;
      return level;
    });
    return { age, sex: rnd() < 0.5 ? 'female' : 'male', levels, vas: Math.round(60 + rnd() * 40), weight: 1 };
  });
  await saveNormSet(
    db,
    aggregateMicrodata(respondents, {
      id: 'TESTNORM',
      version: '1',
      title: 'Test norms',
      population: 'synthetic',
      sourceName: 'test',
      valueSet: 'NO-2024',
    }),
  );
}
