// Every answer of an authenticated call, and every refused key, goes to the audit log (actor
// `api:<key name>`; never the key or a national id). Handlers add what they touched with note().
import type { Request, Response } from 'express';
import type { Db } from '../../db/database.ts';
import { audit } from '../../audit/log.ts';
import { problemAnswer, type Answer, type Send } from '../answer.ts';
import type { ApiKey } from '../keys.ts';
import { API_PREFIX, type OperationSpec } from '../spec.ts';
import { toProblem } from './errors.ts';

/** What the audit entry of a call says besides who and the outcome. */
interface AuditNote {
  entity?: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

// res.locals is untyped in express; these accessors keep its shape in one place.
export const keyOf = (res: Response) => res.locals.apiKey as ApiKey | undefined;
const operationOf = (res: Response) => res.locals.apiOperation as OperationSpec | undefined;
export const note = (res: Response, n: AuditNote) => {
  res.locals.apiAudit = { ...(res.locals.apiAudit as AuditNote | undefined), ...n };
};

/** send() for one router: audits the call (before answering: no unaudited read leaves), then answers. */
export function auditedSend(db: Db): Send {
  return async (req, res, answer, withAudit = true) => {
    if (withAudit) answer = await auditOrFailClosed(db, req, res, answer);
    res
      .status(answer.status)
      .set(answer.headers ?? {})
      .type(answer.contentType)
      .send(JSON.stringify(answer.body));
  };
}

async function auditOrFailClosed(db: Db, req: Request, res: Response, answer: Answer): Promise<Answer> {
  try {
    await auditCall(db, req, res, answer.status);
    return answer;
  } catch (err) {
    // Fail closed: data that could not be audited is not sent.
    const sent = answer.status < 400 ? problemAnswer(toProblem(err, req.log), req) : answer;
    req.log.error({ err }, 'api: audit failed');
    return sent;
  }
}

async function auditCall(db: Db, req: Request, res: Response, status: number): Promise<void> {
  const key = keyOf(res);
  const op = operationOf(res);
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
