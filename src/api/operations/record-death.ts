// POST /deaths: a death from the population register or the hospital; stops the person's invitations.
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import { recordDeath as record } from '../intake.ts';
import { note } from '../middleware/audit.ts';
import { deathSchema } from '../schemas.ts';
import { parseBody, requireBody } from './input.ts';

export function recordDeath({ db, clock }: ApiDeps): Handler {
  return async (req, res, key) => {
    const death = parseBody(deathSchema, requireBody(req.body));
    const result = await record(db, key, death, clock.now());
    // A death of someone not (yet) in the cohort is still recorded, and audited as unmatched.
    note(
      res,
      result.affectedSurvivorId === null
        ? { entity: 'death', details: { matched: false } }
        : { entity: 'survivor', entityId: result.affectedSurvivorId, details: { matched: true } },
    );
    return json(200, {
      status: 'recorded',
      date_of_death: death.date_of_death,
      survivor: result.survivor,
      invitations_stopped: result.invitationsStopped,
    });
  };
}
