// Structured JSON logs (pino), one object per line on stdout. What may be logged is decided
// here once: requests are logged by route pattern, method, status and duration, never by URL
// (a URL can hold a survey token), never with headers, bodies or the client address; errors
// by kind and code only, since a database error can quote the values of a row.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request } from 'express';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** The process logger; `destination` lets tests read the lines. */
export function createLogger(opts: { level?: LevelWithSilent; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errorKind },
    },
    opts.destination,
  );
}

/** A logger that writes nothing (library use and tests that do not read logs). */
export const silentLogger: Logger = pino({ enabled: false });

/** Only the kind of an error: its name and code, never its message (which can quote data). */
function errorKind(err: unknown): { type: string; code?: string } {
  const e = err as { name?: unknown; code?: unknown } | null;
  const type = typeof e?.name === 'string' ? e.name : typeof err;
  return typeof e?.code === 'string' || typeof e?.code === 'number' ? { type, code: String(e.code) } : { type };
}

/** A caller's X-Request-Id is kept when it is a plain token, so lines join up across a proxy. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

declare module 'node:http' {
  interface IncomingMessage {
    /** This request's id (logRequests): the caller's X-Request-Id when it is a plain token, else a new UUID. */
    id: string;
    /** The process logger bound to this request's id, made when first used (logRequests). */
    log: Logger;
  }
}

const boundLog = Symbol('request log');

/**
 * Request logging for an express app: every request gets an id (X-Request-Id, echoed in the
 * answer), `req.log` is a logger carrying it, and one line ("request", at error level for a 5xx)
 * is written when the answer is finished or the client has gone.
 *
 * Written here rather than with pino-http: on the busiest path (saving a survey page) pino-http's
 * two child loggers and three listeners per request cost 0.11 ms of the service's 0.76 ms of CPU
 * time per save (test/bench/submit.ts, docs/performance.md). `req.log` is used only on error and
 * security paths, so its child logger is made on first use.
 */
export function logRequests(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: IncomingMessage & { [boundLog]?: Logger }) {
      return (this[boundLog] ??= logger.child({ reqId: this.id }));
    },
  });
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    // Probes and scrapes every few seconds would drown the lines that matter.
    if (req.url !== '/healthz' && req.url !== '/metrics') {
      const start = Date.now();
      res.once('close', () => logAnswer(logger, req, res, start));
    }
    next();
  });
}

function logAnswer(logger: Logger, req: Request, res: ServerResponse, start: number): void {
  const level = res.statusCode >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      reqId: req.id,
      req: { id: req.id, method: req.method },
      res: { statusCode: res.statusCode },
      responseTime: Date.now() - start,
      route: routeLabel(req),
      // The client went away before the answer was sent.
      ...(res.writableFinished ? {} : { aborted: true }),
    },
    'request',
  );
}

/**
 * The route pattern that answered ("/s/:token", "/api/v1/survivors"), never the URL itself.
 * Also the `route` label of the HTTP metrics, so its values stay few.
 */
export function routeLabel(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}` || '/';
  const path = (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';
  if (path.startsWith('/static/')) return '/static';
  return '(unmatched)';
}
