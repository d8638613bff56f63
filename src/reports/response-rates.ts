// Response rate, as defined in docs/response-rates.md: answered / invited, where "invited" means
// at least one message (any step, any channel) went out; and answered / eligible. The counting
// rules live in dashboard.ts (classify), so the dashboard and this summary can never disagree.
import type { Db } from '../db/database.ts';
import { aggregate, loadFacts, type Scope } from './dashboard.ts';

export interface ResponseRate {
  eligible: number;
  invited: number;
  answered: number;
  /** answered / invited, in [0, 1]; null when nobody has been invited yet. */
  rate: number | null;
  /** answered / eligible, in [0, 1]; null when nobody is eligible yet. */
  rateEligible: number | null;
}

export async function responseRate(db: Db, scope: Scope = {}): Promise<ResponseRate> {
  const { total } = aggregate(await loadFacts(db, scope));
  return {
    eligible: total.eligible,
    invited: total.invited,
    answered: total.answered,
    rate: total.invited > 0 ? total.answered / total.invited : null,
    rateEligible: total.eligible > 0 ? total.answered / total.eligible : null,
  };
}
