// /api: the integration API. Order per request: authentication (Authorization header only — the
// body is not read before the key is known), rate limit per key, the endpoint's scope, then the
// JSON body, the Idempotency-Key, validation with the zod schemas of schemas.ts, and one module
// call. Every answer of an authenticated call, and every refused key, is written to the audit
// log (actor `api:<key name>`; never the key or a national id). No sessions, no CSRF: nothing
// here reads cookies, and the router is mounted before the session middleware.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { DEFAULT_VALUE_SET, type ValueSetId } from '../reports/eq5d/engine.ts';
import { audit } from '../staff/audit.ts';
import type { Instruments } from '../survey/instrument.ts';
import { decodeCursor, encodeCursor, type CursorKind } from './cursor.ts';
import { DOCS_CSS, renderDocsPage } from './docs-page.ts';
import { fingerprint, reserve, type Reservation } from './idempotency.ts';
import { withdrawalTimeProblem } from '../cohort/plausible-dates.ts';
import { isUniqueViolation, NOT_VISIBLE, recordDeath, visibleSurvivor, withdraw, writeSurvivor } from './intake.ts';
import { findApiKey, touchApiKey, type ApiKey, type KeyLookup, type Scope } from './keys.ts';
import { openApiDocument } from './openapi.ts';
import { ApiProblem, bodyErrors, parameterErrors, PROBLEM_CONTENT_TYPE, type FieldError } from './problem.ts';
import { exportContext, fhirBundle, jsonRows, responsePage } from './results.ts';
import { batchEnvelopeSchema, DEFAULT_PAGE, registerIdPathSchema, survivorRecordSchema } from './schemas.ts';
import { API_PREFIX, OPERATIONS, type OperationSpec } from './spec.ts';
import { invitationPage, survivorContactLog } from './status.ts';
import type { Logger } from '../observability/logger.ts';

export interface ApiOptions {
  /** EXPORT_PSEUDONYM_KEY; without it /responses answers 503 not-configured. */
  pseudonymKey?: string | undefined;
  /** ERASURE_KEY: people erased at their request are refused ('erased'), not stored again. */
  erasureKey?: string | undefined;
  /** Calls per key and window (default 600 a minute). */
  rateLimit?: { windowMs: number; limit: number };
  /** Refused keys per client address and window before 429 (default 30 in 15 minutes). */
  failedAuthLimit?: { windowMs: number; limit: number };
}

export interface ApiDeps {
  db: Db;
  clock: Clock;
  instruments: Instruments;
  options?: ApiOptions | undefined;
}

const BODY_LIMIT = '2mb';

interface Answer {
  status: number;
  body: unknown;
  contentType: string;
  headers?: Record<string, string>;
}

/** What the audit entry of a call says besides who and the outcome. */
interface AuditNote {
  entity?: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

type Handler = (req: Request, res: Response, key: ApiKey) => Promise<Answer>;

const json = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({
  status,
  body,
  contentType: 'application/json',
  ...(headers ? { headers } : {}),
});

const keyOf = (res: Response) => res.locals.apiKey as ApiKey | undefined;
const note = (res: Response, n: AuditNote) => {
  res.locals.apiAudit = { ...(res.locals.apiAudit as AuditNote | undefined), ...n };
};

export function apiRouter(deps: ApiDeps) {
  const { db } = deps;
  const opts = deps.options ?? {};
  const r = express.Router();

  r.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // The description of the API is public: it holds no data.
  r.get(`/v1/openapi.json`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(openApiDocument());
  });
  r.get(`/v1/docs`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('html').send(renderDocsPage());
  });
  r.get(`/v1/docs.css`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('css').send(DOCS_CSS);
  });

  const failedAuth = rateLimit({
    windowMs: opts.failedAuthLimit?.windowMs ?? 15 * 60 * 1000,
    limit: opts.failedAuthLimit?.limit ?? 30,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      req.log.warn({ ip: req.ip }, 'api: refused keys over the limit');
      void send(
        req,
        res,
        problemAnswer(
          new ApiProblem(
            'rate-limited',
            'Too many calls with a missing or refused API key from this address.',
            undefined,
            retryAfter(res),
          ),
          req,
        ),
        false,
      );
    },
  });

  r.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const header = req.get('authorization');
      const m = header === undefined ? null : /^Bearer +([^\s]+) *$/i.exec(header);
      const lookup: KeyLookup | { refused: 'missing'; prefix?: undefined } = m
        ? await findApiKey(db, m[1]!)
        : header === undefined
          ? { refused: 'missing' }
          : { refused: 'malformed' };
      if ('found' in lookup) {
        res.locals.apiKey = lookup.found;
        await touchApiKey(db, lookup.found.id);
        return next();
      }
      // Detectable guessing (S-16): a warning line per refused key, never the key itself.
      req.log.warn({ reason: lookup.refused, ip: req.ip }, 'api: refused key');
      note(res, { details: { reason: lookup.refused, ...(lookup.prefix ? { keyPrefix: lookup.prefix } : {}) } });
      failedAuth(req, res, () => {
        const detail =
          lookup.refused === 'missing'
            ? 'Send the API key as "Authorization: Bearer <key>".'
            : lookup.refused === 'malformed'
              ? 'The Authorization header is not "Bearer <key>" with a key of this service.'
              : 'The API key is not valid (unknown or revoked).';
        const challenge =
          lookup.refused === 'missing' ? 'Bearer realm="prom-api"' : 'Bearer realm="prom-api", error="invalid_token"';
        void send(
          req,
          res,
          problemAnswer(new ApiProblem('unauthenticated', detail, undefined, { 'WWW-Authenticate': challenge }), req),
        );
      });
    } catch (err) {
      next(err);
    }
  });

  r.use(
    rateLimit({
      windowMs: opts.rateLimit?.windowMs ?? 60 * 1000,
      limit: opts.rateLimit?.limit ?? 600,
      keyGenerator: (_req, res) => `key:${keyOf(res)!.id}`,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) => {
        void send(
          req,
          res,
          problemAnswer(
            new ApiProblem(
              'rate-limited',
              'This API key made too many calls; wait and try again.',
              undefined,
              retryAfter(res),
            ),
            req,
          ),
        );
      },
    }),
  );

  const handlers = endpointHandlers(deps);
  for (const op of OPERATIONS) {
    const steps: RequestHandler[] = [requireScope(op.scope, op)];
    if (op.body) steps.push(jsonBody);
    steps.push(run(op, handlers[op.id]));
    r[op.method](expressPath(op.path), ...steps);
  }

  r.use((req, res) => {
    void send(
      req,
      res,
      problemAnswer(
        new ApiProblem('not-found', `There is no ${req.method} ${(req.baseUrl + req.path).slice(0, 200)}.`),
        req,
      ),
    );
  });
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    void send(req, res, problemAnswer(toProblem(err, req.log), req));
  });

  /** Audits the call (before answering: no unaudited read leaves), then answers. */
  async function send(req: Request, res: Response, answer: Answer, withAudit = true): Promise<void> {
    if (withAudit) {
      try {
        await auditCall(req, res, answer.status);
      } catch (err) {
        if (answer.status < 400) {
          // Fail closed: data that could not be audited is not sent.
          answer = problemAnswer(toProblem(err, req.log), req);
        }
        req.log.error({ err }, 'api: audit failed');
      }
    }
    res
      .status(answer.status)
      .set(answer.headers ?? {})
      .type(answer.contentType)
      .send(JSON.stringify(answer.body));
  }

  async function auditCall(req: Request, res: Response, status: number): Promise<void> {
    const key = keyOf(res);
    const op = res.locals.apiOperation as OperationSpec | undefined;
    const n = (res.locals.apiAudit ?? {}) as AuditNote;
    const call = op
      ? `${op.method.toUpperCase()} ${API_PREFIX}${op.path}`
      : `${req.method} ${(req.baseUrl + req.path).slice(0, 200)}`;
    await audit(db, {
      actor: key ? `api:${key.name}` : 'api:unauthenticated',
      actorRole: 'api',
      source: req.ip ?? null,
      action: status === 401 || status === 403 ? 'denied' : (op?.action ?? 'view'),
      entity: n.entity ?? 'api',
      entityId: n.entityId ?? null,
      details: { call, status, ...(key ? { apiKeyId: key.id } : {}), ...n.details },
    });
  }

  function requireScope(scope: Scope, op: OperationSpec): RequestHandler {
    return (req, res, next) => {
      res.locals.apiOperation = op;
      if (keyOf(res)!.scopes.includes(scope)) return next();
      void send(
        req,
        res,
        problemAnswer(
          new ApiProblem('insufficient-scope', `This call needs an API key with the scope "${scope}".`, undefined, {
            'WWW-Authenticate': `Bearer realm="prom-api", error="insufficient_scope", scope="${scope}"`,
          }),
          req,
        ),
      );
    };
  }

  function run(op: OperationSpec, handler: Handler): RequestHandler {
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
            const a = reservation.answer;
            return await send(req, res, { ...a, headers: { 'Idempotent-Replayed': 'true' } });
          }
        }
        let answer: Answer;
        try {
          answer = await handler(req, res, key);
        } catch (err) {
          const problem = err instanceof ApiProblem ? err : undefined;
          if (!problem) {
            if (reservation?.kind === 'first') await reservation.release().catch(() => {});
            throw err;
          }
          answer = problemAnswer(problem, req);
        }
        if (reservation?.kind === 'first')
          await reservation.complete({ status: answer.status, body: answer.body, contentType: answer.contentType });
        await send(req, res, answer);
      } catch (err) {
        next(err);
      }
    };
  }

  return r;
}

// ---- Endpoints ---------------------------------------------------------------------------------

function endpointHandlers(deps: ApiDeps): Record<OperationSpec['id'], Handler> {
  const { db, clock } = deps;
  const spec = Object.fromEntries(OPERATIONS.map((o) => [o.id, o])) as Record<OperationSpec['id'], OperationSpec>;

  return {
    async putSurvivor(req, res, key) {
      const { register_id } = parseParams(registerIdPathSchema, req.params);
      const body = normaliseNulls(requireBody(req.body));
      if (body.register_id !== undefined && body.register_id !== register_id) {
        throw new ApiProblem('validation', 'The register_id in the body differs from the one in the path.', [
          { pointer: '/register_id', detail: 'must equal the register_id in the path' },
        ]);
      }
      const parsed = parseBody(spec.putSurvivor.body!, body) as Omit<
        z.output<typeof survivorRecordSchema>,
        'register_id'
      >;
      const row = { ...parsed, register_id };
      const outcome = await db
        .transaction()
        .execute((trx) => writeSurvivor(trx, key, row, deps.options?.erasureKey))
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
    },

    async batchSurvivors(req, res, key) {
      const envelope = parseBody(batchEnvelopeSchema, requireBody(req.body));
      const results: {
        index: number;
        register_id: string | null;
        status: 'created' | 'updated' | 'rejected';
        problems: FieldError[];
      }[] = [];
      const written: number[] = [];
      await db
        .transaction()
        .execute(async (trx) => {
          for (const [index, record] of envelope.records.entries()) {
            const rec = isObject(record) ? normaliseNulls(record) : record;
            const registerId = isObject(rec) && typeof rec.register_id === 'string' ? rec.register_id : null;
            const parsed = survivorRecordSchema.safeParse(rec, { reportInput: true });
            if (!parsed.success) {
              results.push({
                index,
                register_id: registerId,
                status: 'rejected',
                problems: bodyErrors(parsed.error, `/records/${index}`),
              });
              continue;
            }
            const outcome = await writeSurvivor(trx, key, parsed.data, deps.options?.erasureKey);
            if (outcome.status === 'rejected') {
              const problems = (outcome.problem.errors ?? []).map((e) => ({
                ...e,
                pointer: `/records/${index}${e.pointer ?? ''}`,
              }));
              results.push({ index, register_id: registerId, status: 'rejected', problems });
            } else {
              written.push(outcome.survivorId);
              results.push({ index, register_id: registerId, status: outcome.status, problems: [] });
            }
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
    },

    async recordDeath(req, res, key) {
      const death = parseBody(spec.recordDeath.body!, requireBody(req.body)) as {
        national_id: string;
        date_of_death: string;
      };
      const result = await recordDeath(db, key, death, clock.now());
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
    },

    async withdrawConsent(req, res, key) {
      const { register_id } = parseParams(registerIdPathSchema, req.params);
      const body = parseBody(spec.withdrawConsent.body!, req.body ?? {}) as { withdrawn_at?: string };
      const now = clock.now();
      const at = body.withdrawn_at ? new Date(body.withdrawn_at) : now;
      const person = await visibleSurvivor(db, key, register_id);
      if (!person) throw new ApiProblem('not-found', NOT_VISIBLE);
      const problem = withdrawalTimeProblem(at, now, person);
      if (problem)
        throw new ApiProblem('validation', `withdrawn_at ${problem}; nothing was recorded.`, [
          { pointer: '/withdrawn_at', detail: problem },
        ]);
      const result = await withdraw(db, key, register_id, at);
      if (!result) throw new ApiProblem('not-found', NOT_VISIBLE);
      note(res, {
        entity: 'survivor',
        entityId: result.survivorId,
        details: { stepsCancelled: result.stepsCancelled },
      });
      return json(200, {
        register_id,
        status: 'withdrawn',
        withdrawn_at: result.withdrawnAt.toISOString(),
        steps_cancelled: result.stepsCancelled,
      });
    },

    async listInvitations(req, res, key) {
      const q = parseQuery(spec.listInvitations.query!, req.query) as {
        updated_since?: string;
        cursor?: string;
        limit?: number;
      };
      const after = q.cursor === undefined ? undefined : cursorOrProblem('invitations', q.cursor);
      const page = await invitationPage(db, key, { since: q.updated_since, after, limit: q.limit ?? DEFAULT_PAGE });
      note(res, { entity: 'invitation', details: { count: page.data.length, survivorIds: page.survivorIds } });
      return json(200, {
        data: page.data,
        next_cursor: page.next ? encodeCursor('invitations', page.next) : null,
        has_more: page.hasMore,
      });
    },

    async getContactLog(req, res, key) {
      const { register_id } = parseParams(registerIdPathSchema, req.params);
      const survivor = await visibleSurvivor(db, key, register_id);
      if (!survivor) throw new ApiProblem('not-found', NOT_VISIBLE);
      const entries = await survivorContactLog(db, survivor.id);
      note(res, { entity: 'survivor', entityId: survivor.id });
      return json(200, { register_id, entries });
    },

    async listResponses(req, res, key) {
      const q = parseQuery(spec.listResponses.query!, req.query) as {
        since?: string;
        cursor?: string;
        limit?: number;
        format?: 'json' | 'fhir';
        value_set?: string;
      };
      const pseudonymKey = deps.options?.pseudonymKey;
      if (!pseudonymKey)
        throw new ApiProblem('not-configured', 'Results need a pseudonym key (EXPORT_PSEUDONYM_KEY) on this server.');
      const after = q.cursor === undefined ? undefined : cursorOrProblem('responses', q.cursor);
      const valueSet = (q.value_set ?? DEFAULT_VALUE_SET) as ValueSetId;
      const page = await responsePage(db, key, { since: q.since, after, limit: q.limit ?? DEFAULT_PAGE });
      const ctx = exportContext(pseudonymKey, key, valueSet);
      const nextCursor = page.next ? encodeCursor('responses', page.next) : null;
      const format = q.format ?? 'json';
      note(res, {
        entity: 'response',
        details: {
          count: page.rows.length,
          format,
          identifiers: key.scopes.includes('identifiers'),
          survivorIds: page.survivorIds,
        },
      });
      if (format === 'fhir') {
        const base = new URLSearchParams({
          format: 'fhir',
          ...(q.limit ? { limit: String(q.limit) } : {}),
          ...(q.value_set ? { value_set: q.value_set } : {}),
        });
        const self = `${API_PREFIX}/responses?${new URLSearchParams(Object.entries(req.query as Record<string, string>)).toString()}`;
        const next =
          page.hasMore && nextCursor ? `${API_PREFIX}/responses?${base.toString()}&cursor=${nextCursor}` : undefined;
        return {
          status: 200,
          contentType: 'application/fhir+json',
          body: fhirBundle(page.rows, key, ctx, deps.instruments.nb, { self, next }, clock.now()),
        };
      }
      return json(200, {
        value_set: valueSet,
        data: jsonRows(page.rows, key, ctx),
        next_cursor: nextCursor,
        has_more: page.hasMore,
      });
    },
  };
}

// ---- Helpers -----------------------------------------------------------------------------------

/** OpenAPI path → express 5 path: {name} → :name, a literal ':' (survivors:batch) escaped. */
export function expressPath(path: string): string {
  return API_PREFIX.slice('/api'.length) + path.replace(/:/g, '\\:').replace(/\{(\w+)\}/g, ':$1');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireBody(body: unknown): Record<string, unknown> {
  if (body === undefined)
    throw new ApiProblem('validation', 'This call needs a JSON body.', [{ pointer: '', detail: 'is missing' }]);
  if (!isObject(body))
    throw new ApiProblem('validation', 'The body must be a JSON object.', [
      { pointer: '', detail: 'must be an object' },
    ]);
  return body;
}

/** JSON null where the CSV has an empty cell: null e-mail is "", a null optional field is left out. */
function normaliseNulls(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null && k === 'email') out[k] = '';
    else if (v === null && ['given_name', 'family_name', 'address_line', 'postal_code', 'city', 'phone'].includes(k))
      continue;
    else out[k] = v;
  }
  return out;
}

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (!parsed.success) {
    const errors = bodyErrors(parsed.error);
    throw new ApiProblem(
      'validation',
      `The body has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}; see errors.`,
      errors,
    );
  }
  return parsed.data;
}

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse({ ...(query as object) }, { reportInput: true });
  if (!parsed.success)
    throw new ApiProblem(
      'invalid-parameter',
      'A query parameter is not valid; see errors.',
      parameterErrors(parsed.error),
    );
  return parsed.data;
}

function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.output<T> {
  const parsed = schema.safeParse({ ...(params as object) }, { reportInput: true });
  if (!parsed.success)
    throw new ApiProblem(
      'invalid-parameter',
      'The register_id in the path is not valid; see errors.',
      parameterErrors(parsed.error),
    );
  return parsed.data;
}

function cursorOrProblem(kind: CursorKind, text: string) {
  const c = decodeCursor(kind, text);
  if (!c)
    throw new ApiProblem('invalid-parameter', 'The cursor is not one this endpoint gave out.', [
      { parameter: 'cursor', detail: 'is not a cursor of this endpoint' },
    ]);
  return c;
}

const parseJson = express.json({ limit: BODY_LIMIT, type: 'application/json' });

/** JSON bodies only; none at all is fine (the handler decides whether it needs one). */
const jsonBody: RequestHandler = (req, res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (!hasBody) return next();
  if (!req.is('application/json'))
    return next(
      new ApiProblem('unsupported-media-type', 'Send the body as JSON with "Content-Type: application/json".'),
    );
  parseJson(req, res, next);
};

function retryAfter(res: Response): Record<string, string> {
  const reset = (res.getHeader('RateLimit') as string | undefined)?.match(/t=(\d+)/)?.[1];
  return res.getHeader('Retry-After') !== undefined ? {} : { 'Retry-After': reset ?? '60' };
}

function problemAnswer(problem: ApiProblem, req: Request): Answer {
  return {
    status: problem.status,
    body: problem.body(req.baseUrl + req.path),
    contentType: PROBLEM_CONTENT_TYPE,
    headers: problem.headers,
  };
}

/** Any error as a problem: body-parser's by type, database outages 503, the rest 500 (logged by kind only). */
function toProblem(err: unknown, log?: Logger): ApiProblem {
  if (err instanceof ApiProblem) return err;
  const e = err as { type?: string; status?: number; code?: string; message?: string; name?: string };
  switch (e?.type) {
    case 'entity.parse.failed':
      return new ApiProblem('malformed-json', 'The body could not be parsed as JSON (a JSON object is expected).');
    case 'entity.too.large':
      return new ApiProblem('payload-too-large', `The body is larger than ${BODY_LIMIT}.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiProblem('unsupported-media-type', 'Send the body as UTF-8 JSON.');
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiProblem('malformed-json', 'The body did not arrive whole.');
  }
  if (isDatabaseDown(err)) return new ApiProblem('unavailable', 'The database did not answer; try again later.');
  log?.error({ err }, 'api: request failed');
  return new ApiProblem('internal', 'Something went wrong on the server; try again later.');
}

function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001'].includes(e?.code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(e?.message ?? '')
  );
}

/** For app.ts: an error that reached the app's handler on an /api path is still answered as a problem. */
export function apiErrorAnswer(err: unknown, req: Request, res: Response): void {
  const problem = toProblem(err, req.log);
  res
    .status(problem.status)
    .set({ 'Cache-Control': 'no-store', ...problem.headers })
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.body(req.originalUrl.split('?')[0])));
}

export const isApiPath = (req: Request) =>
  req.originalUrl === '/api' || req.originalUrl.startsWith('/api/') || req.originalUrl.startsWith('/api?');
