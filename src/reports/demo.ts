// `prom demo`: a clearly labelled synthetic cohort (register ids DEMO-…, hospitals DEMO-…),
// its invitations and responses, and synthetic norm microdata (norm set DEMO), so a newcomer
// sees the analyst report working. Deterministic: the same seed gives the same data.
// It never writes beside real people: the transaction refuses a database holding any survivor
// the demo did not make (src/commands/demo.ts chooses which database that is).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { addDays, osloDay } from '../clock.ts';
import { checkNationalId } from '../cohort/national-id.ts';
import { surveyWindow } from '../invitations/programme.ts';
import { recordSyntheticContact } from '../invitations/synthetic-history.ts';
import { aggregateMicrodata, type NormRespondent } from './norms/microdata.ts';
import { saveNormSet } from './norms/store.ts';
import { Refusal } from '../refusal.ts';

const DEMO_PREFIX = 'DEMO-';
const HOSPITALS = ['DEMO-OUS', 'DEMO-HUS', 'DEMO-STO', 'DEMO-UNN'];

/** mulberry32: a tiny seeded generator, so demo data is the same on every machine. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The database holds people the demo did not make; nothing was written. */
export class DemoRefused extends Refusal {}

export interface DemoResult {
  survivors: number;
  responses: number;
  normRespondents: number;
}

export interface DemoOptions {
  survivors?: number;
  seed?: number;
  today?: string;
  /** Test fixtures only (a synthetic cohort beside a test's own people); `prom demo` never sets it. */
  besideOtherSurvivors?: boolean;
}

/**
 * Who the demo made: its register ids, names and addresses together. A real register id that
 * happens to start with DEMO- still counts as real, so it is never written beside.
 */
const madeByDemo = sql<boolean>`(register_id LIKE ${DEMO_PREFIX + '%'} AND given_name = 'Demo' AND email LIKE 'demo%@example.invalid')`;

/** Counts survivors not made by the demo, with the table locked against imports until commit. */
async function otherSurvivors(trx: Db, lock: boolean): Promise<number> {
  if (lock) await sql`LOCK TABLE survivors IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
  const row = await trx
    .selectFrom('survivors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql<boolean>`NOT ${madeByDemo}`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createDemo(db: Db, opts: DemoOptions = {}): Promise<DemoResult> {
  const rnd = random(opts.seed ?? 2019);
  const count = opts.survivors ?? 600;
  const today = opts.today ?? osloDay(new Date());
  let responses = 0;
  await db.transaction().execute(async (trx) => {
    if (!opts.besideOtherSurvivors) {
      const others = await otherSurvivors(trx, true);
      if (others > 0)
        throw new DemoRefused(
          `This database holds ${others} survivors not made by prom demo; the demo is never written beside real people. Nothing was written.`,
        );
    }
    await trx.deleteFrom('norm_sets').where('id', '=', 'DEMO').execute();
    for (let i = 1; i <= count; i++) {
      const arrestType = rnd() < 0.7 ? 'OHCA' : 'IHCA';
      const sex = rnd() < 0.68 ? 'male' : 'female';
      const age = Math.round(Math.min(95, Math.max(20, 64 + (rnd() + rnd() + rnd() - 1.5) * 24)));
      const arrestDate = addDays(today, -(190 + Math.floor(rnd() * 540)));
      const survivor = await trx
        .insertInto('survivors')
        .values({
          register_id: `${DEMO_PREFIX}${String(i).padStart(5, '0')}`,
          national_id: demoNationalId(i),
          birth_date: addDays(arrestDate, -Math.round(age * 365.25 + rnd() * 300)),
          sex,
          given_name: 'Demo',
          family_name: `Person ${i}`,
          email: `demo${i}@example.invalid`,
          language: rnd() < 0.9 ? 'nb' : rnd() < 0.5 ? 'nn' : 'en',
        })
        .onConflict((oc) => oc.column('register_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!survivor) continue; // demo already loaded for this person
      const event = await trx
        .insertInto('arrest_events')
        .values({
          survivor_id: survivor.id,
          arrest_date: arrestDate,
          arrest_type: arrestType,
          hospital: HOSPITALS[i % HOSPITALS.length]!,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const window = surveyWindow(arrestDate);
      const answered = rnd() < 0.62;
      const invitedAt = new Date(`${window.opensOn}T10:00:00Z`);
      const answeredAt = answered ? addMs(invitedAt, rnd() * 20 * 86_400_000) : undefined;
      const messageId = `<demo-${i}@example.invalid>`;
      if (!answeredAt) {
        await recordSyntheticContact(trx, { arrestEventId: event.id, window, invitedAt, messageId });
        continue;
      }
      // Drawn in this order so the same seed gives the same data as before.
      const levels = demoLevels(rnd, arrestType, age);
      const mode = rnd() < 0.8 ? ('web' as const) : ('paper' as const);
      const vas = demoVas(rnd, arrestType === 'OHCA' ? 72 : 64);
      const completedAt = addMs(invitedAt, rnd() * 20 * 86_400_000);
      await recordSyntheticContact(trx, {
        arrestEventId: event.id,
        window,
        invitedAt,
        messageId,
        answer: { answeredAt, mode, levels, vas, completedAt },
      });
      responses++;
    }
  });
  const norms = demoNormMicrodata(rnd, 3000);
  await saveNormSet(
    db,
    aggregateMicrodata(norms, {
      id: 'DEMO',
      version: 'synthetic',
      title: 'SYNTHETIC demo norms (random numbers, not the Norwegian population)',
      population: 'Synthetic respondents made by prom demo; for trying the report only.',
      sourceName: 'prom-demo-synthetic',
      valueSet: 'NO-2024',
    }),
  );
  return { survivors: count, responses, normRespondents: norms.length };
}

function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + Math.round(ms));
}

/** Synthetic D-numbers (day + 40) that pass the check digits; never real people. */
function demoNationalId(i: number): string {
  const base = `${String(41 + (i % 28)).padStart(2, '0')}${String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0')}${String(10 + (Math.floor(i / 336) % 80)).padStart(2, '0')}9${String(i % 100).padStart(2, '0')}`;
  for (let k = 0; k < 100; k++) {
    const id = base + String(k).padStart(2, '0');
    if (checkNationalId(id) === undefined) return id;
  }
  throw new Error('no check digits for demo id');
}

function demoLevels(rnd: () => number, type: string, age: number): number[] {
  const burden = (type === 'IHCA' ? 0.35 : 0.25) + (age - 60) / 200;
  return [0, 1, 2, 3, 4].map(() => {
    let level = 1;
    while (level < 5 && rnd() < burden) level++;
    return level;
  });
}

function demoVas(rnd: () => number, centre: number): number {
  const v = centre + (rnd() + rnd() + rnd() + rnd() - 2) * 30;
  return Math.max(0, Math.min(100, Math.round(v)));
}

function demoNormMicrodata(rnd: () => number, n: number): NormRespondent[] {
  return Array.from({ length: n }, () => {
    const age = 18 + Math.floor(rnd() * 80);
    const sex = rnd() < 0.5 ? 'female' : 'male';
    const burden = 0.12 + age / 400;
    const levels = [0, 1, 2, 3, 4].map(() => {
      let level = 1;
      while (level < 5 && rnd() < burden) level++;
      return level;
    });
    return { age, sex, levels, vas: demoVas(rnd, 84 - age / 8), weight: 0.5 + rnd() };
  });
}
