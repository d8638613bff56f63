// What a handler or a middleware hands to send(): the answer is built first and sent only after
// the call is audited (see middleware/audit.ts), so nothing is written to the response early.
import type { Request, Response } from 'express';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Instruments } from '../instruments/eq5d-texts.ts';
import type { ApiKey } from './keys.ts';
import { type ApiProblem, PROBLEM_CONTENT_TYPE } from './problem.ts';

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

export interface Answer {
  status: number;
  body: unknown;
  contentType: string;
  headers?: Record<string, string>;
}

export type Handler = (req: Request, res: Response, key: ApiKey) => Promise<Answer>;

/** Sends an answer after auditing it; withAudit=false only for the failed-key limiter. */
export type Send = (req: Request, res: Response, answer: Answer, withAudit?: boolean) => Promise<void>;

export const json = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({
  status,
  body,
  contentType: 'application/json',
  ...(headers ? { headers } : {}),
});

export function problemAnswer(problem: ApiProblem, req: Request): Answer {
  return {
    status: problem.status,
    body: problem.body(req.baseUrl + req.path),
    contentType: PROBLEM_CONTENT_TYPE,
    headers: problem.headers,
  };
}
