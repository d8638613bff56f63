// PUT /survivors/{register_id}: create or update one survivor, with the CSV import's rules.
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import { isUniqueViolation, writeSurvivor } from '../intake.ts';
import { note } from '../middleware/audit.ts';
import { ApiProblem } from '../problem.ts';
import { registerIdPathSchema, survivorPutSchema } from '../schemas.ts';
import { normaliseNulls, parseBody, parseParams, requireBody } from './input.ts';

export function putSurvivor({ db, options }: ApiDeps): Handler {
  return async (req, res, key) => {
    const { register_id } = parseParams(registerIdPathSchema, req.params);
    const body = normaliseNulls(requireBody(req.body));
    // Checked before the schema so that a differing id is named as such, not as a field problem.
    if (body.register_id !== undefined && body.register_id !== register_id) {
      throw new ApiProblem('validation', 'The register_id in the body differs from the one in the path.', [
        { pointer: '/register_id', detail: 'must equal the register_id in the path' },
      ]);
    }
    const row = { ...parseBody(survivorPutSchema, body), register_id };
    const outcome = await db
      .transaction()
      .execute((trx) => writeSurvivor(trx, key, row, options?.erasureKey))
      .catch((err: unknown) => {
        if (isUniqueViolation(err))
          throw new ApiProblem(
            'national-id-conflict',
            'The national id already belongs to another survivor; nothing was written.',
            [{ pointer: '/national_id', detail: 'already belongs to another survivor' }],
          );
        throw err;
      });
    if (outcome.status === 'rejected') throw outcome.problem;
    note(res, { entity: 'survivor', entityId: outcome.survivorId, details: { result: outcome.status } });
    return json(outcome.status === 'created' ? 201 : 200, { register_id, status: outcome.status });
  };
}
