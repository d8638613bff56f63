// Express composition: security headers, sessions, CSRF, the respondent and staff routers,
// /healthz, and error pages. Routes stay thin; the modules they call do the work.
import express, { type Request, type Response, type NextFunction } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Queues } from '../queue/queues.ts';
import { ping } from '../db/database.ts';
import { staffRouter } from '../staff/routes.ts';
import { apiErrorAnswer, apiRouter, isApiPath, type ApiOptions } from '../api/router.ts';
import type { Instruments } from '../instruments/eq5d-texts.ts';
import { surveyRouter } from '../survey/routes.ts';
import { sessionWithSurveyState } from '../survey/session-state.ts';
import { langOf } from '../survey/language.ts';
import { logRequests, routeLabel, silentLogger, type Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { registerLocals, registerView } from '../register/web.ts';
import { DbSessionStore } from './session-store.ts';
import { readForm } from '../form-fields.ts';
import { saveBeforeRedirect } from './save-before-redirect.ts';
import { renewSessionCookie } from './session-cookie.ts';
import type { Views } from '../i18n/views.ts';
import './session-data.ts';

export interface AppDeps {
  /** express "trust proxy" (TRUST_PROXY): needed behind a TLS proxy for Secure cookies and per-client limits. */
  trustProxy?: boolean | number | string;
  db: Db;
  views: Views;
  instruments: Instruments;
  clock: Clock;
  sessionSecret: string;
  secureCookies: boolean;
  /** Answers whether Redis is reachable, for /healthz. */
  redisAlive: () => Promise<boolean>;
  /** The BullMQ queues, for the staff queue health page (optional: without them it says so). */
  queues?: Queues | undefined;
  /** Key for pseudonyms in the staff analyst download (optional: without it that download is off). */
  exportPseudonymKey?: string | undefined;
  /** ERASURE_KEY and PUBLIC_URL, for erasure at a person's request (optional: without the key it is off). */
  erasureKey?: string | undefined;
  publicUrl?: string | undefined;
  /** k of the analyst outputs' disclosure control (SMALL_CELL_THRESHOLD; default 5). */
  smallCellThreshold?: number | undefined;
  /** Integration API limits (docs/api.md); its result pseudonyms use exportPseudonymKey. */
  api?: Omit<ApiOptions, 'pseudonymKey'>;
  /** Request and security-event logs (default: none). */
  logger?: Logger;
  /** HTTP timings and /metrics (default: no /metrics route). */
  metrics?: Metrics;
}

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const publicDir = fileURLToPath(new URL('../../public', import.meta.url));

export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  if (deps.metrics) app.use(deps.metrics.httpTimer);
  logRequests(app, deps.logger ?? silentLogger);
  app.use(securityHeaders());
  app.get('/healthz', health(deps));
  if (deps.metrics) app.get('/metrics', deps.metrics.endpoint);
  app.use('/static', express.static(publicDir, { maxAge: '1h', index: false }));
  // Pages and redirects can carry personal data or set a session: never stored by any cache.
  // Routes that may be cached (the API's public description) set their own policy.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Before the body parsers, sessions and CSRF: bearer keys, its own JSON parser and problem answers.
  app.use(
    '/api',
    apiRouter({
      db: deps.db,
      clock: deps.clock,
      instruments: deps.instruments,
      options: { ...deps.api, pseudonymKey: deps.exportPseudonymKey, erasureKey: deps.erasureKey },
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  app.use(registerLocals(deps.db));
  app.use('/staff', refuseNul(deps.views));
  // A respondent's invitation and draft come with the session row (src/survey/session-state.ts).
  const sessions = new DbSessionStore(deps.db, SESSION_TTL_MS, sessionWithSurveyState(deps.db));
  app.use(
    session({
      name: deps.secureCookies ? '__Host-prom' : 'prom.sid',
      secret: deps.sessionSecret,
      store: sessions,
      resave: false,
      saveUninitialized: false,
      // Sent when the session changes, and at least hourly while it is used (renewSessionCookie).
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/', maxAge: SESSION_TTL_MS },
    }),
  );
  app.use(saveBeforeRedirect());
  const { csrfSynchronisedProtection } = csrfSync({
    getTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });
  // Every browser POST carries the session's token; GET pages get req.csrfToken() to embed it.
  app.use(csrfSynchronisedProtection);
  // After the CSRF check, so that a refused POST writes nothing, not even a renewed cookie.
  app.use(renewSessionCookie(sessions, deps.clock));
  app.use(surveyRouter(deps));
  app.use(staffRouter({ ...deps, previewTexts: deps.instruments.preview }));
  app.use((req, res) => messagePage(deps.views, req, res, 404, 'errors.pageNotFound'));
  app.use(errorHandler(deps.views));
  return app;
}

function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

function health(deps: AppDeps) {
  return async (_req: Request, res: Response) => {
    const [database, redis] = await Promise.all([
      withTimeout(
        ping(deps.db).then(() => true),
        2000,
      ).catch(() => false),
      withTimeout(deps.redisAlive(), 2000).catch(() => false),
    ]);
    const ok = database && redis;
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({
        status: ok ? 'ok' : 'unavailable',
        database: database ? 'ok' : 'unreachable',
        redis: redis ? 'ok' : 'unreachable',
      });
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

function messagePage(views: Views, req: Request, res: Response, status: number, key: string) {
  const lang = langOf(req);
  const title = views.t(lang, `${key}Title`);
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .send(
      views.render('survey/message', {
        lang,
        heading: title,
        title,
        body: views.t(lang, `${key}Body`),
        register: registerView(res, lang),
      }),
    );
}

/**
 * PostgreSQL cannot store or compare text with a NUL character (it answers with an error, which
 * would be a 500), and no person types one: a staff form or query with one gets a 400 page.
 * (Respondent pages check each answer against its allowed values and say so on the question.)
 */
function refuseNul(views: Views) {
  const hasNul = (v: unknown): boolean =>
    typeof v === 'string' ? v.includes('\u0000') : Array.isArray(v) ? v.some(hasNul) : false;
  return (req: Request, res: Response, next: NextFunction) => {
    const fields = [...Object.values((req.body ?? {}) as Record<string, unknown>), ...Object.values(req.query ?? {})];
    if (fields.some(hasNul)) return messagePage(views, req, res, 400, 'errors.invalidCharacter');
    next();
  };
}

/** CSRF failures get 403, database outages 503 ("try again"), everything else a generic 500. */
function errorHandler(views: Views) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { code?: string; status?: number; type?: string };
    if (isApiPath(req)) return apiErrorAnswer(err, req, res);
    if (e.code === 'EBADCSRFTOKEN') return messagePage(views, req, res, 403, 'errors.csrf');
    if (e.type === 'entity.too.large' || e.type === 'parameters.too.many')
      return messagePage(views, req, res, 413, 'errors.tooLarge');
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return messagePage(views, req, res, e.status, 'errors.pageNotFound');
    if (isDatabaseDown(err))
      return req.method === 'POST' && req.path.startsWith('/s/')
        ? retryPage(views, req, res)
        : messagePage(views, req, res, 503, 'errors.unavailable');
    // Error messages can quote values (a database error names the row), so only their kind is logged.
    req.log.error({ err, route: routeLabel(req) }, 'error while answering');
    messagePage(views, req, res, 500, 'errors.server');
  };
}

/** Fields of a respondent's form that may be carried into the "try again" page: one string, at most 2000 characters. */
const kept = z.string().max(2000).optional().catch(undefined);
const retryForm = z.object({ _csrf: kept, answer: kept, return: kept, kode: kept, confirm: kept });

/**
 * The database did not answer while a respondent saved a page: a 503 page that keeps what they
 * typed in a form that sends it again, so nothing is lost to the outage.
 */
function retryPage(views: Views, req: Request, res: Response) {
  const lang = langOf(req);
  const fields = Object.entries(readForm(retryForm, req.body)).flatMap(([name, value]) =>
    value === undefined ? [] : [{ name, value }],
  );
  const title = views.t(lang, 'errors.unavailableTitle');
  res.status(503).set({ 'Cache-Control': 'no-store', 'Retry-After': '30' });
  res.send(
    views.render('survey/retry', {
      lang,
      heading: title,
      title,
      body: views.t(lang, 'errors.retryBody'),
      action: req.originalUrl,
      fields,
      register: registerView(res, lang),
    }),
  );
}

function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001'].includes(e.code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(e.message ?? '')
  );
}
