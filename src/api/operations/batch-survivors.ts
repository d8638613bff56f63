// POST /survivors:batch: each record is validated and written on its own, all in one transaction.
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import type { Db } from '../../db/database.ts';
import { isUniqueViolation, writeSurvivor } from '../intake.ts';
import type { ApiKey } from '../keys.ts';
import { note } from '../middleware/audit.ts';
import { ApiProblem, bodyErrors, type FieldError } from '../problem.ts';
import { batchEnvelopeSchema, survivorRecordSchema } from '../schemas.ts';
import { isObject, normaliseNulls, parseBody, requireBody } from './input.ts';

interface RecordResult {
  index: number;
  register_id: string | null;
  status: 'created' | 'updated' | 'rejected';
  problems: FieldError[];
}

export function batchSurvivors({ db, options }: ApiDeps): Handler {
  return async (req, res, key) => {
    // The envelope first: a record's problems are reported per record, not for the whole body.
    const { records } = parseBody(batchEnvelopeSchema, requireBody(req.body));
    const results: RecordResult[] = [];
    const written: number[] = [];
    await db
      .transaction()
      .execute(async (trx) => {
        for (const [index, record] of records.entries()) {
          const result = await writeRecord(trx, key, index, record, options?.erasureKey);
          results.push(result.result);
          if (result.survivorId !== undefined) written.push(result.survivorId);
        }
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err))
          throw new ApiProblem(
            'national-id-conflict',
            'Another request wrote one of these national ids at the same time; nothing of this batch was written. Repeat it.',
          );
        throw err;
      });
    const count = (s: string) => results.filter((x) => x.status === s).length;
    const summary = { created: count('created'), updated: count('updated'), rejected: count('rejected') };
    note(res, { entity: 'survivor', details: { ...summary, survivorIds: [...new Set(written)] } });
    return json(200, { summary, results });
  };
}

async function writeRecord(
  trx: Db,
  key: ApiKey,
  index: number,
  record: unknown,
  erasureKey: string | undefined,
): Promise<{ result: RecordResult; survivorId?: number }> {
  const rec = isObject(record) ? normaliseNulls(record) : record;
  const registerId = isObject(rec) && typeof rec.register_id === 'string' ? rec.register_id : null;
  const parsed = survivorRecordSchema.safeParse(rec, { reportInput: true });
  if (!parsed.success) {
    const problems = bodyErrors(parsed.error, `/records/${index}`);
    return { result: { index, register_id: registerId, status: 'rejected', problems } };
  }
  const outcome = await writeSurvivor(trx, key, parsed.data, erasureKey);
  if (outcome.status === 'rejected') {
    const problems = (outcome.problem.errors ?? []).map((e) => ({
      ...e,
      pointer: `/records/${index}${e.pointer ?? ''}`,
    }));
    return { result: { index, register_id: registerId, status: 'rejected', problems } };
  }
  return {
    result: { index, register_id: registerId, status: outcome.status, problems: [] },
    survivorId: outcome.survivorId,
  };
}
