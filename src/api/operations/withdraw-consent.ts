// POST /survivors/{register_id}/withdrawal: consent withdrawn now or at a given time.
import { withdrawalTimeProblem } from '../../cohort/plausible-dates.ts';
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import { NOT_VISIBLE, visibleSurvivor, withdraw } from '../intake.ts';
import { note } from '../middleware/audit.ts';
import { ApiProblem } from '../problem.ts';
import { registerIdPathSchema, withdrawalSchema } from '../schemas.ts';
import { parseBody, parseParams } from './input.ts';

export function withdrawConsent({ db, clock }: ApiDeps): Handler {
  return async (req, res, key) => {
    const { register_id } = parseParams(registerIdPathSchema, req.params);
    // The body may be left out altogether: that means "now".
    const { withdrawn_at } = parseBody(withdrawalSchema, req.body ?? {});
    const now = clock.now();
    const at = withdrawn_at ? new Date(withdrawn_at) : now;
    const person = await visibleSurvivor(db, key, register_id);
    if (!person) throw new ApiProblem('not-found', NOT_VISIBLE);
    const problem = withdrawalTimeProblem(at, now, person);
    if (problem)
      throw new ApiProblem('validation', `withdrawn_at ${problem}; nothing was recorded.`, [
        { pointer: '/withdrawn_at', detail: problem },
      ]);
    const result = await withdraw(db, key, register_id, at);
    if (!result) throw new ApiProblem('not-found', NOT_VISIBLE);
    note(res, { entity: 'survivor', entityId: result.survivorId, details: { stepsCancelled: result.stepsCancelled } });
    return json(200, {
      register_id,
      status: 'withdrawn',
      withdrawn_at: result.withdrawnAt.toISOString(),
      steps_cancelled: result.stepsCancelled,
    });
  };
}
