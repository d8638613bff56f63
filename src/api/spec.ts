// The endpoints of /api/v1 as data: method, path, scope, the zod schemas that validate the
// request, and the answers. router.ts mounts exactly these (one handler per id) and openapi.ts
// documents exactly these, so routes, validation and the document come from one list.
import type { z } from 'zod';
import type { ApiScope } from './keys.ts';
import type { ProblemType } from './problem.ts';
import {
  batchResultSchema,
  batchSchema,
  contactLogSchema,
  deathResultSchema,
  deathSchema,
  fhirBundleSchema,
  invitationPageSchema,
  invitationsQuerySchema,
  registerIdPathSchema,
  responsePageSchema,
  responsesQuerySchema,
  survivorPutSchema,
  survivorWriteResultSchema,
  withdrawalResultSchema,
  withdrawalSchema,
} from './schemas.ts';

export const API_PREFIX = '/api/v1';

export interface Success {
  status: number;
  description: string;
  content: Partial<Record<'application/json' | 'application/fhir+json', z.ZodType>>;
}

export interface OperationSpec {
  id:
    | 'putSurvivor'
    | 'batchSurvivors'
    | 'recordDeath'
    | 'withdrawConsent'
    | 'listInvitations'
    | 'getContactLog'
    | 'listResponses';
  method: 'get' | 'put' | 'post';
  /** OpenAPI path under /api/v1, e.g. /survivors/{register_id}. */
  path: string;
  scope: ApiScope;
  tag: 'Intake' | 'Status' | 'Results';
  summary: string;
  description: string;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A body may be left out altogether (withdrawal). */
  bodyOptional?: boolean;
  success: Success[];
  /** Problem types beyond those every call can meet (401, 403 scope, 429, 500, 503). */
  problems: ProblemType[];
  /** Audit action for the staff audit log. */
  action: 'change' | 'view' | 'export';
}

const BODY_PROBLEMS: ProblemType[] = ['malformed-json', 'unsupported-media-type', 'payload-too-large', 'validation'];
const IDEMPOTENCY_PROBLEMS: ProblemType[] = ['idempotency-key-reused', 'idempotency-in-progress', 'invalid-parameter'];

export const OPERATIONS: OperationSpec[] = [
  {
    id: 'putSurvivor',
    method: 'put',
    path: '/survivors/{register_id}',
    scope: 'intake',
    tag: 'Intake',
    summary: 'Create or update one survivor and their arrest event',
    description:
      'Idempotent upsert by register_id with the rules of the CSV import: repeating the same body changes nothing. A key restricted to hospitals may only write records of its hospitals, and gets 404 for a register_id that belongs to another hospital.',
    pathParams: registerIdPathSchema,
    body: survivorPutSchema,
    success: [
      { status: 201, description: 'Created.', content: { 'application/json': survivorWriteResultSchema } },
      {
        status: 200,
        description: 'Updated (or unchanged).',
        content: { 'application/json': survivorWriteResultSchema },
      },
    ],
    problems: [
      ...BODY_PROBLEMS,
      'invalid-parameter',
      'hospital-not-allowed',
      'not-found',
      'national-id-conflict',
      'erased',
    ],
    action: 'change',
  },
  {
    id: 'batchSurvivors',
    method: 'post',
    path: '/survivors:batch',
    scope: 'intake',
    tag: 'Intake',
    summary: 'Create or update up to 1,000 survivors',
    description:
      'Each record is validated and written on its own and answered in `results` (created, updated or rejected with its problems); good records are written even when others are rejected. The answer is 200 whenever the envelope is valid.',
    body: batchSchema,
    success: [
      { status: 200, description: 'One result per record.', content: { 'application/json': batchResultSchema } },
    ],
    problems: [...BODY_PROBLEMS, ...IDEMPOTENCY_PROBLEMS, 'national-id-conflict', 'erased'],
    action: 'change',
  },
  {
    id: 'recordDeath',
    method: 'post',
    path: '/deaths',
    scope: 'intake',
    tag: 'Intake',
    summary: 'Record a death',
    description:
      "Recorded at once, also for people not sent yet, exactly as `prom deaths import` does: every open invitation of that person stops and nothing more is sent. Repeating it is harmless; a later date replaces an earlier one. A date in the future, before the person's date of birth or before their cardiac arrest is refused (422, `/date_of_death`) and stops nothing.",
    body: deathSchema,
    success: [{ status: 200, description: 'Recorded.', content: { 'application/json': deathResultSchema } }],
    problems: [...BODY_PROBLEMS, ...IDEMPOTENCY_PROBLEMS],
    action: 'change',
  },
  {
    id: 'withdrawConsent',
    method: 'post',
    path: '/survivors/{register_id}/withdrawal',
    scope: 'intake',
    tag: 'Intake',
    summary: 'Record that the survivor withdrew consent',
    description:
      'Stops every open invitation and waiting message at once. Repeating it keeps the first time. A `withdrawn_at` in the future or before the cardiac arrest is refused (422, `/withdrawn_at`) and stops nothing.',
    pathParams: registerIdPathSchema,
    body: withdrawalSchema,
    bodyOptional: true,
    success: [{ status: 200, description: 'Withdrawn.', content: { 'application/json': withdrawalResultSchema } }],
    problems: [...BODY_PROBLEMS, ...IDEMPOTENCY_PROBLEMS, 'not-found'],
    action: 'change',
  },
  {
    id: 'listInvitations',
    method: 'get',
    path: '/invitations',
    scope: 'status',
    tag: 'Status',
    summary: 'Invitations changed since a time',
    description:
      'Oldest change first, paged with an opaque cursor over (last change, id). Keep the last `next_cursor` and ask with it later to get only what changed since.',
    query: invitationsQuerySchema,
    success: [{ status: 200, description: 'One page.', content: { 'application/json': invitationPageSchema } }],
    problems: ['invalid-parameter'],
    action: 'view',
  },
  {
    id: 'getContactLog',
    method: 'get',
    path: '/survivors/{register_id}/contact-log',
    scope: 'status',
    tag: 'Status',
    summary: "A survivor's contact log",
    description: 'Every step of every invitation with its intended and actual time, channel and outcome, oldest first.',
    pathParams: registerIdPathSchema,
    success: [{ status: 200, description: 'The log.', content: { 'application/json': contactLogSchema } }],
    problems: ['invalid-parameter', 'not-found'],
    action: 'view',
  },
  {
    id: 'listResponses',
    method: 'get',
    path: '/responses',
    scope: 'results',
    tag: 'Results',
    summary: 'Counted responses completed since a time',
    description:
      'As the analyst export: pseudonymous (keyed HMAC; the API key name is the export key, so pseudonyms stay the same for that name), or with register_id and the exact time for keys with the identifiers scope. `format=fhir` answers a FHIR R4 searchset Bundle of QuestionnaireResponse.',
    query: responsesQuerySchema,
    success: [
      {
        status: 200,
        description: 'One page.',
        content: { 'application/json': responsePageSchema, 'application/fhir+json': fhirBundleSchema },
      },
    ],
    problems: ['invalid-parameter', 'not-configured'],
    action: 'export',
  },
];

/** Problems any authenticated call can meet. */
export const COMMON_PROBLEMS: ProblemType[] = [
  'unauthenticated',
  'insufficient-scope',
  'rate-limited',
  'internal',
  'unavailable',
];
