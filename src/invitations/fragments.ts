// Query fragments of the contact and consent rules, written once: "open", "answered" (a counted
// response), "counts for analysis" (counted, and the person has not withdrawn consent) and
// "hospital scope". Transitions, worklists, reports and exports build on these.
import { sql, type AliasableExpression, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../db/schema.ts';
import { OPEN_STATES } from './programme.ts';

/** Hospitals an actor may touch: 'all' (admins, the command line, the register) or a list; an empty list sees nothing. */
export type HospitalScope = 'all' | readonly string[];

type WithInvitation = ExpressionBuilder<Database & { i: Database['invitations'] }, 'i'>;
type WithEvent = ExpressionBuilder<Database & { e: Database['arrest_events'] }, 'e'>;
type WithSurvivor = ExpressionBuilder<Database & { s: Database['survivors'] }, 's'>;
type WithResponseAndSurvivor = ExpressionBuilder<
  Database & { r: Database['responses']; s: Database['survivors'] },
  'r' | 's'
>;

/** `i` (invitations) is open: messages may go and the link works, if its window has not closed by `today`. */
export function isOpen(eb: WithInvitation, today?: string): Expression<SqlBool> {
  const open = eb('i.state', 'in', [...OPEN_STATES]);
  return today === undefined ? open : eb.and([open, eb('i.closes_on', '>', today)]);
}

/** `i` has a counted response (web or paper): the invitation is answered, whatever its state says. */
export function hasCountedResponse(eb: WithInvitation): AliasableExpression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('responses as cr')
      .select('cr.id')
      .whereRef('cr.invitation_id', '=', 'i.id')
      .where('cr.counted', '=', true),
  );
}

/**
 * The person `s` has not withdrawn consent. A withdrawal takes the person out of every export,
 * report, dashboard (also the response-rate denominators) and API result at once.
 */
export function consented(eb: WithSurvivor): Expression<SqlBool> {
  return eb('s.withdrawn_at', 'is', null);
}

/** A response `r` of the person `s` that analysis may use: counted, and consent not withdrawn. */
export function countsForAnalysis(eb: WithResponseAndSurvivor): Expression<SqlBool> {
  // `true` as a literal: the response export runs this inside COPY, which takes no parameters.
  return eb.and([eb('r.counted', '=', eb.lit(true)), eb('s.withdrawn_at', 'is', null)]);
}

/** Limits `e` (arrest_events) to the actor's hospitals. */
export function inHospitalScope(eb: WithEvent, scope: HospitalScope): Expression<SqlBool> {
  if (scope === 'all') return sql<SqlBool>`true`;
  return scope.length > 0 ? eb('e.hospital', 'in', [...scope]) : sql<SqlBool>`false`;
}

/** The five EQ-5D level columns of a response aliased `r`, in the instrument's order (every export and report reads them). */
export const RESPONSE_LEVEL_COLUMNS = [
  'r.mobility',
  'r.self_care',
  'r.usual_activities',
  'r.pain_discomfort',
  'r.anxiety_depression',
] as const;
