// The dashboard's counts, exact to the last committed transition without recounting a million
// invitations per page view (migration 0014). Writers only note which invitations changed
// (facts_dirty, by trigger); a read first settles those: their facts are recomputed, the
// difference from the stored facts is added to fact_counts, and the ids are forgotten — all in one
// statement, one settlement at a time (an advisory lock), so no change is counted twice.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { consented } from '../invitations/fragments.ts';

/** Any constant; advisory locks are per database, so installations on one server do not meet. */
const SETTLE_LOCK = 4_071_983;
const KEY = sql.raw(
  'month, hospital, arrest_type, channel, language, state, cancel_reason, sent, reminded, answer_mode',
);

/** The facts of the invitations in the CTE `changed`, as the dashboard counts them (docs/response-rates.md). */
function freshFacts(db: Db) {
  return db
    .selectFrom(sql<{ invitation_id: number }>`changed`.as('c'))
    .innerJoin('invitations as i', 'i.id', 'c.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select((eb) => [
      'i.id as invitation_id',
      sql<string>`to_char(e.arrest_date, 'YYYY-MM')`.as('month'),
      'e.hospital',
      'e.arrest_type',
      eb
        .selectFrom('outbox as o')
        .select((o) => o.fn.max('o.channel').as('channel'))
        .whereRef('o.invitation_id', '=', 'i.id')
        .where('o.step', '=', 'invitation')
        .as('channel'),
      'i.language',
      'i.state',
      'i.cancel_reason',
      eb.exists(sentSteps(eb)).as('sent'),
      eb.exists(sentSteps(eb).where(sql<boolean>`o.step LIKE 'reminder%'`)).as('reminded'),
      eb
        .selectFrom('responses as r')
        .select('r.mode')
        .whereRef('r.invitation_id', '=', 'i.id')
        .where('r.counted', '=', true)
        .limit(1)
        .as('answer_mode'),
      eb.and([consented(eb)]).as('consented'),
    ]);
}

function sentSteps(eb: ExpressionBuilder<Database & { i: Database['invitations'] }, 'i'>) {
  return eb
    .selectFrom('outbox as o')
    .select('o.id')
    .whereRef('o.invitation_id', '=', 'i.id')
    .where('o.state', '=', 'sent');
}

/** Settles every noted change; returns how many invitations were recounted. */
export async function settleFacts(db: Db): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${SETTLE_LOCK})`.execute(trx);
    const { rows } = await sql<{ n: number }>`
      WITH noted AS (DELETE FROM facts_dirty RETURNING invitation_id),
      changed AS (SELECT DISTINCT invitation_id FROM noted),
      fresh AS (${freshFacts(trx)}),
      stored AS (SELECT f.* FROM invitation_facts f JOIN changed c USING (invitation_id)),
      delta AS (
        SELECT ${KEY}, -1 AS n FROM stored WHERE consented
        UNION ALL
        SELECT ${KEY}, 1 AS n FROM fresh WHERE consented
      ),
      netted AS (SELECT ${KEY}, sum(n)::int AS n FROM delta GROUP BY ${KEY} HAVING sum(n) <> 0),
      counted AS (
        INSERT INTO fact_counts AS fc (${KEY}, n) SELECT ${KEY}, n FROM netted
        ON CONFLICT ON CONSTRAINT fact_counts_key DO UPDATE SET n = fc.n + excluded.n
      ),
      gone AS (
        DELETE FROM invitation_facts f USING changed c
        WHERE f.invitation_id = c.invitation_id
          AND NOT EXISTS (SELECT 1 FROM fresh x WHERE x.invitation_id = f.invitation_id)
      ),
      kept AS (
        INSERT INTO invitation_facts SELECT * FROM fresh
        ON CONFLICT (invitation_id) DO UPDATE SET (${KEY}, consented) =
          (excluded.month, excluded.hospital, excluded.arrest_type, excluded.channel, excluded.language,
           excluded.state, excluded.cancel_reason, excluded.sent, excluded.reminded, excluded.answer_mode,
           excluded.consented)
      )
      SELECT count(*)::int AS n FROM changed`.execute(trx);
    return rows[0]?.n ?? 0;
  });
}

export interface FactCount {
  month: string;
  hospital: string;
  hospital_name: string | null;
  health_trust: string | null;
  region: string | null;
  arrest_type: string;
  channel: string | null;
  language: string;
  state: string;
  cancel_reason: string | null;
  sent: boolean;
  reminded: boolean;
  mode: string | null;
  n: number;
}

/** The settled counts of consenting survivors' invitations, optionally for some hospitals only. */
export async function readFactCounts(db: Db, hospitals?: readonly string[]): Promise<FactCount[]> {
  await settleFacts(db);
  const { rows } = await sql<FactCount>`
    SELECT c.month, c.hospital, h.name AS hospital_name, h.health_trust, h.region, c.arrest_type, c.channel,
           c.language, c.state, c.cancel_reason, c.sent, c.reminded, c.answer_mode AS mode, c.n
    FROM fact_counts c LEFT JOIN hospitals h ON h.code = c.hospital
    WHERE c.n > 0 ${hospitals ? sql`AND c.hospital = ANY(${[...hospitals]}::text[])` : sql``}`.execute(db);
  return rows;
}

/** Which of the dashboard's tables a marginal row counts in ('total': the register line). */
export type MarginalDim =
  'total' | 'month' | 'hospital' | 'health_trust' | 'region' | 'arrest_type' | 'channel' | 'language';

export interface MarginalCount extends FactCount {
  dim: MarginalDim;
}

/**
 * GROUPING() over (month, hospital, health_trust, region, arrest_type, channel, language): a bit
 * is 1 where the column is not grouped, so each grouping set below has its own mask.
 */
const MARGINAL_MASKS: Record<number, MarginalDim> = {
  0b1111111: 'total',
  0b0111111: 'month',
  0b1000111: 'hospital',
  0b1100111: 'health_trust',
  0b1110111: 'region',
  0b1111011: 'arrest_type',
  0b1111101: 'channel',
  0b1111110: 'language',
};

/**
 * The settled counts summed per table the dashboard shows: one grouping set per breakdown (and
 * the total), each by the columns that decide the measures. The page needs only these margins,
 * a few thousand rows, where the counts themselves run to ~100,000 rows at a million invitations.
 * Equal to grouping readFactCounts' rows per breakdown (test/integration/dashboard-facts.test.ts).
 */
export async function readFactMarginals(db: Db, hospitals?: readonly string[]): Promise<MarginalCount[]> {
  await settleFacts(db);
  const { rows } = await sql<FactCount & { mask: number }>`
    SELECT c.month, c.hospital, h.name AS hospital_name, h.health_trust, h.region, c.arrest_type, c.channel,
           c.language, c.state, c.cancel_reason, c.sent, c.reminded, c.answer_mode AS mode, sum(c.n)::int AS n,
           GROUPING(c.month, c.hospital, h.health_trust, h.region, c.arrest_type, c.channel, c.language) AS mask
    FROM fact_counts c LEFT JOIN hospitals h ON h.code = c.hospital
    WHERE c.n > 0 ${hospitals ? sql`AND c.hospital = ANY(${[...hospitals]}::text[])` : sql``}
    GROUP BY c.state, c.cancel_reason, c.sent, c.reminded, c.answer_mode, GROUPING SETS (
      (), (c.month), (c.hospital, h.name, h.health_trust, h.region), (h.health_trust, h.region), (h.region),
      (c.arrest_type), (c.channel), (c.language))`.execute(db);
  return rows.map(({ mask, ...r }) => ({ ...r, dim: MARGINAL_MASKS[Number(mask)]! }));
}
