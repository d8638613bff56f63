// /api: the integration API. Order per request: authentication (Authorization header only — the
// body is not read before the key is known), rate limit per key, the endpoint's scope, then the
// JSON body, the Idempotency-Key, validation with the zod schemas of schemas.ts, and one module
// call. Every answer of an authenticated call, and every refused key, is written to the audit
// log (actor `api:<key name>`; never the key or a national id). No sessions, no CSRF: nothing
// here reads cookies, and the router is mounted before the session middleware.
import express, { type RequestHandler } from 'express';
import type { ApiDeps, Handler } from './answer.ts';
import { DOCS_CSS, renderDocsPage } from './docs-page.ts';
import { auditedSend } from './middleware/audit.ts';
import { authenticate, requireScope } from './middleware/auth.ts';
import { jsonBody } from './middleware/body.ts';
import { notFound, problemOnError } from './middleware/errors.ts';
import { idempotent } from './middleware/idempotency.ts';
import { failedAuthLimiter, perKeyLimiter } from './middleware/limits.ts';
import { openApiDocument } from './openapi.ts';
import { batchSurvivors } from './operations/batch-survivors.ts';
import { getContactLog } from './operations/get-contact-log.ts';
import { listInvitations } from './operations/list-invitations.ts';
import { listResponses } from './operations/list-responses.ts';
import { putSurvivor } from './operations/put-survivor.ts';
import { recordDeath } from './operations/record-death.ts';
import { withdrawConsent } from './operations/withdraw-consent.ts';
import { API_PREFIX, OPERATIONS, type OperationSpec } from './spec.ts';

export type { ApiOptions } from './answer.ts';
export { apiErrorAnswer, isApiPath } from './middleware/errors.ts';

// One handler per operation of spec.ts; the Record type makes a missing one a compile error.
const HANDLERS: Record<OperationSpec['id'], (deps: ApiDeps) => Handler> = {
  putSurvivor,
  batchSurvivors,
  recordDeath,
  withdrawConsent,
  listInvitations,
  getContactLog,
  listResponses,
};

export function apiRouter(deps: ApiDeps) {
  const opts = deps.options ?? {};
  const send = auditedSend(deps.db);
  const r = express.Router();

  r.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  publicDescription(r);
  r.use(authenticate(deps.db, failedAuthLimiter(opts, send), send));
  r.use(perKeyLimiter(opts, send));
  for (const op of OPERATIONS) {
    const steps: RequestHandler[] = [requireScope(op.scope, op, send)];
    if (op.body) steps.push(jsonBody);
    steps.push(idempotent(deps.db, op, HANDLERS[op.id](deps), send));
    r[op.method](expressPath(op.path), ...steps);
  }
  r.use(notFound(send));
  r.use(problemOnError(send));
  return r;
}

/** The description of the API is public: it holds no data. */
function publicDescription(r: express.Router) {
  r.get(`/v1/openapi.json`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(openApiDocument());
  });
  r.get(`/v1/docs`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('html').send(renderDocsPage());
  });
  r.get(`/v1/docs.css`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('css').send(DOCS_CSS);
  });
}

/** OpenAPI path → express 5 path: {name} → :name, a literal ':' (survivors:batch) escaped. */
export function expressPath(path: string): string {
  return API_PREFIX.slice('/api'.length) + path.replace(/:/g, '\\:').replace(/\{(\w+)\}/g, ':$1');
}
