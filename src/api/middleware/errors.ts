// Every error of /api is answered as RFC 9457 problem+json, whether the router or the app's own
// error handler (for errors that escape the router) catches it.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../observability/logger.ts';
import { problemAnswer, type Send } from '../answer.ts';
import { ApiProblem, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { BODY_LIMIT } from './body.ts';

/** Any error as a problem: body-parser's by type, database outages 503, the rest 500 (logged by kind only). */
export function toProblem(err: unknown, log?: Logger): ApiProblem {
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

/** The router's last two steps: no such endpoint, and any error as a problem. */
export function notFound(send: Send): RequestHandler {
  return (req, res) => {
    const path = (req.baseUrl + req.path).slice(0, 200);
    void send(req, res, problemAnswer(new ApiProblem('not-found', `There is no ${req.method} ${path}.`), req));
  };
}

export function problemOnError(send: Send): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    void send(req, res, problemAnswer(toProblem(err, req.log), req));
  };
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
