// GET /survivors/{register_id}/contact-log: what was sent to one survivor, and when.
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import { NOT_VISIBLE, visibleSurvivor } from '../intake.ts';
import { note } from '../middleware/audit.ts';
import { ApiProblem } from '../problem.ts';
import { registerIdPathSchema } from '../schemas.ts';
import { survivorContactLog } from '../status.ts';
import { parseParams } from './input.ts';

export function getContactLog({ db }: ApiDeps): Handler {
  return async (req, res, key) => {
    const { register_id } = parseParams(registerIdPathSchema, req.params);
    const survivor = await visibleSurvivor(db, key, register_id);
    if (!survivor) throw new ApiProblem('not-found', NOT_VISIBLE);
    const entries = await survivorContactLog(db, survivor.id);
    note(res, { entity: 'survivor', entityId: survivor.id });
    return json(200, { register_id, entries });
  };
}
