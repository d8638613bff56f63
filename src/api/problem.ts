// RFC 9457 problem details for the integration API. Every error answer is
// `application/problem+json` with a stable `type` (a URN listed on /api/v1/docs), a title that
// never changes for the type, a detail for this occurrence, and — for validation — a list of
// field-level errors, each naming the field with a JSON pointer (RFC 6901), a query parameter
// or a header.
import type { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem types, their HTTP status and their fixed title. */
export const PROBLEM_TYPES = {
  unauthenticated: {
    status: 401,
    title: 'A valid API key is required',
    about:
      'The Authorization header is missing, is not "Bearer <key>", or names a key that does not exist or was revoked.',
  },
  'insufficient-scope': {
    status: 403,
    title: 'The API key lacks the scope for this call',
    about: 'The key is valid but was not given the scope this endpoint needs (intake, status or results).',
  },
  'hospital-not-allowed': {
    status: 403,
    title: 'The API key may not write for this hospital',
    about: "The key is restricted to some hospitals and the record's hospital is not one of them.",
  },
  'not-found': {
    status: 404,
    title: 'Not found',
    about:
      "No such endpoint, or no survivor with this register_id that this key may see. A survivor of a hospital outside the key's restriction is reported the same way.",
  },
  'malformed-json': {
    status: 400,
    title: 'The request body is not valid JSON',
    about: 'The body could not be parsed as JSON.',
  },
  'invalid-parameter': {
    status: 400,
    title: 'A query parameter or header is not valid',
    about: 'See `errors`: each entry names the `parameter` or `header` and says what is wrong.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'The request body must be application/json',
    about: 'Send JSON in UTF-8 with `Content-Type: application/json`.',
  },
  'payload-too-large': {
    status: 413,
    title: 'The request body is too large',
    about: 'Bodies are limited to 2 MB; send at most 1,000 records per batch.',
  },
  validation: {
    status: 422,
    title: 'The request body does not pass validation',
    about:
      'See `errors`: one entry per problem, with a JSON `pointer` to the field and a `detail`. The rules are those of the CSV import.',
  },
  'national-id-conflict': {
    status: 409,
    title: 'The national id belongs to another survivor',
    about: 'Another register_id already holds this national id; nothing was written.',
  },
  erased: {
    status: 409,
    title: 'The person was erased at their request',
    about:
      'This national id belongs to a person whose data was erased at their request; they are not stored again. Nothing was written.',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'The Idempotency-Key was used with a different request',
    about: 'An Idempotency-Key may only be repeated with exactly the same method, path and body (within 24 hours).',
  },
  'idempotency-in-progress': {
    status: 409,
    title: 'A request with this Idempotency-Key is still being processed',
    about: 'Wait for the first request to finish, then repeat it to get its answer.',
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    about:
      'The key (or, without a valid key, the client address) made too many calls. Wait for the number of seconds in `Retry-After`.',
  },
  'not-configured': {
    status: 503,
    title: 'This part of the API is not configured on this server',
    about: 'The server has no pseudonym key for results; the operator must set EXPORT_PSEUDONYM_KEY.',
  },
  unavailable: {
    status: 503,
    title: 'The service is temporarily unavailable',
    about: 'The database did not answer. Try again later; POSTs with an Idempotency-Key are safe to repeat.',
  },
  internal: {
    status: 500,
    title: 'Internal server error',
    about: 'Something failed on the server. Nothing identifying is logged; try again later.',
  },
} as const satisfies Record<string, { status: number; title: string; about: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export const problemTypeUri = (t: ProblemType) => `urn:prom-survey:api:problem:${t}`;

/** One field-level error: exactly one of pointer (body), parameter (query/path) or header. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  header?: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** Thrown by handlers; the router turns it into the answer (and stores it for idempotent replays). */
export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemType,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return PROBLEM_TYPES[this.kind].status;
  }

  body(instance?: string): ProblemBody {
    const t = PROBLEM_TYPES[this.kind];
    return {
      type: problemTypeUri(this.kind),
      title: t.title,
      status: t.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** JSON pointer (RFC 6901) for a zod issue path under a base pointer. */
export function pointerOf(path: readonly PropertyKey[], base = ''): string {
  return base + path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** zod issues as field errors on the body; an unknown property is reported at its own pointer. */
export function bodyErrors(error: z.ZodError, base = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys)
        out.push({ pointer: pointerOf([...issue.path, k], base), detail: 'is not a known field' });
    } else out.push({ pointer: pointerOf(issue.path, base), detail: readable(issue) });
  }
  return out;
}

/** zod issues as field errors on query or path parameters. */
export function parameterErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ parameter: k, detail: 'is not a known parameter' }))
      : [{ parameter: String(issue.path[0] ?? ''), detail: readable(issue) }],
  );
}

/**
 * Type errors get one wording whatever the schema says (the CSV rules call every type error
 * "is missing", which misleads for a number or null in JSON). Needs `reportInput: true`.
 */
function readable(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined) return 'is missing';
    if (typeof input === 'number' && Number.isNaN(input)) return `must be a ${issue.expected}`;
    return `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected} (got ${input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input})`;
  }
  return issue.message;
}
