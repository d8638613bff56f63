// Two rate limits: refused keys per client address (guessing), and calls per valid key.
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { problemAnswer, type ApiOptions, type Send } from '../answer.ts';
import { ApiProblem } from '../problem.ts';
import { keyOf } from './audit.ts';

/** Guards the 401 answer only: it runs after a key was refused, so valid keys never count. */
export function failedAuthLimiter(opts: ApiOptions, send: Send): RequestHandler {
  return rateLimit({
    windowMs: opts.failedAuthLimit?.windowMs ?? 15 * 60 * 1000,
    limit: opts.failedAuthLimit?.limit ?? 30,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      req.log.warn({ ip: req.ip }, 'api: refused keys over the limit');
      const detail = 'Too many calls with a missing or refused API key from this address.';
      // Not audited: a flood of guesses would otherwise flood the audit log too.
      void send(req, res, limited(detail, req, res), false);
    },
  });
}

/** Counted per key, not per address: integrations often share one egress address. */
export function perKeyLimiter(opts: ApiOptions, send: Send): RequestHandler {
  return rateLimit({
    windowMs: opts.rateLimit?.windowMs ?? 60 * 1000,
    limit: opts.rateLimit?.limit ?? 600,
    keyGenerator: (_req, res) => `key:${keyOf(res)!.id}`,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      void send(req, res, limited('This API key made too many calls; wait and try again.', req, res));
    },
  });
}

function limited(detail: string, req: Request, res: Response) {
  return problemAnswer(new ApiProblem('rate-limited', detail, undefined, retryAfter(res)), req);
}

function retryAfter(res: Response): Record<string, string> {
  const reset = (res.getHeader('RateLimit') as string | undefined)?.match(/t=(\d+)/)?.[1];
  return res.getHeader('Retry-After') !== undefined ? {} : { 'Retry-After': reset ?? '60' };
}
