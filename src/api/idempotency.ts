// Idempotency-Key on POSTs (draft-ietf-httpapi-idempotency-key-header): the first request with a
// key reserves (api key, Idempotency-Key) with a fingerprint of method, path and body; its answer
// is stored. A repeat with the same fingerprint gets that answer again (with
// `Idempotent-Replayed: true`); with another fingerprint a 422 problem; while the first is still
// running a 409 problem (after 2 minutes a still "running" first request counts as abandoned, so
// a crash does not block the key). Answers of 5xx are not kept, so such a request may be
// repeated. Keys are remembered for 24 hours.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { ApiProblem } from './problem.ts';

export const IDEMPOTENCY_HOURS = 24;
const KEY = /^[\x21-\x7e]{1,255}$/;

export interface StoredAnswer {
  status: number;
  body: unknown;
  contentType: string;
}

export type Reservation =
  | { kind: 'first'; complete(answer: StoredAnswer): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; answer: StoredAnswer };

/** Body in a canonical form: key order does not change the fingerprint. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function fingerprint(method: string, path: string, body: unknown): Buffer {
  return createHash('sha256')
    .update(`${method}\u0000${path}\u0000${canonical(body ?? null)}`)
    .digest();
}

function checkIdempotencyKey(value: string): void {
  if (!KEY.test(value)) {
    throw new ApiProblem('invalid-parameter', 'The Idempotency-Key header must be 1–255 visible ASCII characters.', [
      { header: 'Idempotency-Key', detail: 'must be 1–255 visible ASCII characters, e.g. a UUID' },
    ]);
  }
}

/** A first request still "running" after this long died with its process; a repeat takes over. */
const ABANDONED = sql<Date>`now() - interval '2 minutes'`;

export async function reserve(
  db: Db,
  apiKeyId: number,
  idempotencyKey: string,
  hash: Buffer,
  retried = false,
): Promise<Reservation> {
  checkIdempotencyKey(idempotencyKey);
  const expired = sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_HOURS})`;
  await db.deleteFrom('api_idempotency').where('created_at', '<', expired).execute();
  const inserted = await db
    .insertInto('api_idempotency')
    .values({ api_key_id: apiKeyId, idempotency_key: idempotencyKey, request_hash: hash, status: null, response: null })
    .onConflict((oc) => oc.columns(['api_key_id', 'idempotency_key']).doNothing())
    .returning('api_key_id')
    .executeTakeFirst();
  if (inserted) {
    const own = () =>
      db.deleteFrom('api_idempotency').where('api_key_id', '=', apiKeyId).where('idempotency_key', '=', idempotencyKey);
    return {
      kind: 'first',
      complete: async (answer) => {
        if (answer.status >= 500) {
          await own().execute();
          return;
        }
        await db
          .updateTable('api_idempotency')
          .set({
            status: answer.status,
            response: JSON.stringify({ body: answer.body, contentType: answer.contentType }),
          })
          .where('api_key_id', '=', apiKeyId)
          .where('idempotency_key', '=', idempotencyKey)
          .execute();
      },
      release: async () => {
        await own().execute();
      },
    };
  }
  const row = await db
    .selectFrom('api_idempotency')
    .select(['request_hash', 'status', 'response'])
    .where('api_key_id', '=', apiKeyId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  // Gone between the insert and this read (the first request failed): ask for a retry.
  if (!row)
    throw new ApiProblem(
      'idempotency-in-progress',
      'A request with this Idempotency-Key has just finished with an error; repeat it.',
    );
  if (!Buffer.from(row.request_hash).equals(hash)) {
    throw new ApiProblem(
      'idempotency-key-reused',
      'This Idempotency-Key was already used for a request with another method, path or body.',
      [{ header: 'Idempotency-Key', detail: 'was used with a different request' }],
    );
  }
  if (row.status === null) {
    const abandoned = await db
      .deleteFrom('api_idempotency')
      .where('api_key_id', '=', apiKeyId)
      .where('idempotency_key', '=', idempotencyKey)
      .where('status', 'is', null)
      .where('created_at', '<', ABANDONED)
      .executeTakeFirst();
    if (!retried && Number(abandoned.numDeletedRows) > 0) return reserve(db, apiKeyId, idempotencyKey, hash, true);
    throw new ApiProblem(
      'idempotency-in-progress',
      'The first request with this Idempotency-Key is still being processed.',
    );
  }
  const stored = (typeof row.response === 'string' ? JSON.parse(row.response) : row.response) as {
    body: unknown;
    contentType: string;
  };
  return { kind: 'replay', answer: { status: row.status, body: stored.body, contentType: stored.contentType } };
}
