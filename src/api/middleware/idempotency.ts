// Runs one operation's handler under its Idempotency-Key (POST only): a repeat with the same key
// and body replays the stored answer; the first call stores its answer, or frees the key if it
// failed unexpectedly so that the client may try again.
import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/database.ts';
import { problemAnswer, type Answer, type Handler, type Send } from '../answer.ts';
import { fingerprint, reserve, type Reservation } from '../idempotency.ts';
import { ApiProblem } from '../problem.ts';
import type { OperationSpec } from '../spec.ts';
import { keyOf, note } from './audit.ts';

export function idempotent(db: Db, op: OperationSpec, handler: Handler, send: Send): RequestHandler {
  return async (req, res, next) => {
    try {
      const key = keyOf(res)!;
      let reservation: Reservation | undefined;
      const idempotencyKey = op.method === 'post' ? req.get('Idempotency-Key') : undefined;
      if (idempotencyKey !== undefined) {
        try {
          reservation = await reserve(
            db,
            key.id,
            idempotencyKey,
            fingerprint(req.method, req.baseUrl + req.path, req.body),
          );
        } catch (err) {
          if (err instanceof ApiProblem) return await send(req, res, problemAnswer(err, req));
          throw err;
        }
        if (reservation.kind === 'replay') {
          note(res, { details: { replay: true } });
          return await send(req, res, { ...reservation.answer, headers: { 'Idempotent-Replayed': 'true' } });
        }
      }
      const answer = await answerOrProblem(req, () => handler(req, res, key), reservation);
      if (reservation?.kind === 'first')
        await reservation.complete({ status: answer.status, body: answer.body, contentType: answer.contentType });
      await send(req, res, answer);
    } catch (err) {
      next(err);
    }
  };
}

/** A problem the handler raised is its answer (and stored); anything else frees the key and propagates. */
async function answerOrProblem(
  req: Request,
  call: () => Promise<Answer>,
  reservation: Reservation | undefined,
): Promise<Answer> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiProblem) return problemAnswer(err, req);
    if (reservation?.kind === 'first') await reservation.release().catch(() => {});
    throw err;
  }
}
