// Authentication reads the Authorization header only: the body is not read before the key is
// known. The scope check comes per endpoint, after the per-key rate limit.
import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/database.ts';
import { problemAnswer, type Send } from '../answer.ts';
import { findApiKey, touchApiKey, type KeyLookup, type ApiScope } from '../keys.ts';
import { ApiProblem } from '../problem.ts';
import type { OperationSpec } from '../spec.ts';
import { keyOf, note } from './audit.ts';

type Refused = Exclude<KeyLookup, { found: unknown }>['refused'] | 'missing';
type Lookup = KeyLookup | { refused: 'missing'; prefix?: undefined };

/** Puts the key in res.locals.apiKey, or answers 401 (through the failed-key limiter). */
export function authenticate(db: Db, failedAuth: RequestHandler, send: Send): RequestHandler {
  return async (req, res, next) => {
    try {
      const lookup = await lookUp(db, req);
      if ('found' in lookup) {
        res.locals.apiKey = lookup.found;
        await touchApiKey(db, lookup.found.id);
        return next();
      }
      // Detectable guessing: a warning line per refused key, never the key itself.
      req.log.warn({ reason: lookup.refused, ip: req.ip }, 'api: refused key');
      note(res, { details: { reason: lookup.refused, ...(lookup.prefix ? { keyPrefix: lookup.prefix } : {}) } });
      failedAuth(req, res, () => void send(req, res, problemAnswer(unauthenticated(lookup.refused), req)));
    } catch (err) {
      next(err);
    }
  };
}

async function lookUp(db: Db, req: Request): Promise<Lookup> {
  const header = req.get('authorization');
  if (header === undefined) return { refused: 'missing' };
  const m = /^Bearer +([^\s]+) *$/i.exec(header);
  return m ? await findApiKey(db, m[1]!) : { refused: 'malformed' };
}

function unauthenticated(refused: Refused): ApiProblem {
  const detail =
    refused === 'missing'
      ? 'Send the API key as "Authorization: Bearer <key>".'
      : refused === 'malformed'
        ? 'The Authorization header is not "Bearer <key>" with a key of this service.'
        : 'The API key is not valid (unknown or revoked).';
  const challenge =
    refused === 'missing' ? 'Bearer realm="prom-api"' : 'Bearer realm="prom-api", error="invalid_token"';
  return new ApiProblem('unauthenticated', detail, undefined, { 'WWW-Authenticate': challenge });
}

/** Also names the operation for the audit entry, whatever the outcome. */
export function requireScope(scope: ApiScope, op: OperationSpec, send: Send): RequestHandler {
  return (req, res, next) => {
    res.locals.apiOperation = op;
    if (keyOf(res)!.scopes.includes(scope)) return next();
    const problem = new ApiProblem(
      'insufficient-scope',
      `This call needs an API key with the scope "${scope}".`,
      undefined,
      {
        'WWW-Authenticate': `Bearer realm="prom-api", error="insufficient_scope", scope="${scope}"`,
      },
    );
    void send(req, res, problemAnswer(problem, req));
  };
}
