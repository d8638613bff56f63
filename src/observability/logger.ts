// Structured JSON logs (pino), one object per line on stdout. What may be logged is decided
// here once: requests are logged by route pattern, method, status and duration, never by URL
// (a URL can hold a survey token), never with headers, bodies or the client address; errors
// by kind and code only, since a database error can quote the values of a row.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { pinoHttp } from 'pino-http';

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

/**
 * Request logging: every request gets an id (X-Request-Id, echoed in the answer), `req.log` is a
 * child logger carrying it, and one line ("request", at error level for a 5xx) is written when
 * the answer is finished.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    // Probes and scrapes every few seconds would drown the lines that matter.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    wrapSerializers: false,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: errorKind,
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (req, _res, val: object) => ({ ...val, route: routeLabel(req as Request) }),
    // A 5xx line: the error itself is logged where it is handled; pino-http's is only "status 500".
    customErrorObject: (req, _res, _err, { err: _synthetic, ...val }: Record<string, unknown>) => ({
      ...val,
      route: routeLabel(req as Request),
    }),
  });
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
