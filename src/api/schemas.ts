// The zod schemas of the integration API. Routes validate with exactly these objects, and
// openapi.ts builds the OpenAPI 3.1 document from them, so the two cannot drift apart. Intake
// fields are the CSV import's own field schemas (src/cohort/survivor-row.ts, deaths-import.ts)
// with descriptions attached; `.meta()` adds documentation only, never a rule.
import { z } from 'zod';
import 'zod-openapi';
import { calendarDateProblem, EARLIEST_DAY, LATEST_DAY } from '../calendar-date.ts';
import { deathRowSchema } from '../cohort/deaths-import.ts';
import { survivorRowSchema } from '../cohort/survivor-row.ts';
import { listValueSets, type ValueSetId } from '../reports/eq5d/engine.ts';
import { analysisVariables } from '../reports/exports/variables.ts';

const MAX_BATCH = 1000;
const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

const row = survivorRowSchema.shape;
/** JSON null is accepted where the CSV allows an empty cell (see normaliseNulls in router.ts). */
const nullable = { override: { type: ['string', 'null'] } } as const;
const isoDate = (description: string, example: string) => ({ description, example, format: 'date' });

const registerIdSchema = row.register_id.meta({
  description: "The register's id of this registration: letters, digits, '.', '_' and '-', at most 64.",
  example: 'NHR-2026-00042',
});

const describedRow = survivorRowSchema.extend({
  register_id: registerIdSchema,
  national_id: row.national_id.meta({
    description:
      'Fødselsnummer or D-number, 11 digits, valid under either check-digit rule (until 2031 and from 2032). Never returned by the API.',
    example: '41024200068',
  }),
  birth_date: row.birth_date.meta(
    isoDate('Date of birth, YYYY-MM-DD (never derived from the national id).', '1950-06-15'),
  ),
  sex: row.sex.meta({ description: 'Sex as registered.' }),
  arrest_date: row.arrest_date.meta(
    isoDate('Date of the cardiac arrest, YYYY-MM-DD; the survey is sent from day 90.', '2026-03-01'),
  ),
  arrest_type: row.arrest_type.meta({ description: 'OHCA (out of hospital) or IHCA (in hospital).' }),
  hospital: row.hospital.meta({
    description: 'Hospital code of the arrest event, at most 64 characters.',
    example: 'OUS',
  }),
  email: row.email.meta({
    description: 'E-mail address; an empty string or null means none (the survivor is contacted on paper).',
    example: 'name@example.no',
    ...nullable,
  }),
  language: row.language.meta({ description: 'Language of the survey and messages: bokmål, nynorsk or English.' }),
  given_name: row.given_name.meta({ description: 'At most 200 characters. Empty or null: none.', ...nullable }),
  family_name: row.family_name.meta({ description: 'At most 200 characters. Empty or null: none.', ...nullable }),
  address_line: row.address_line.meta({
    description: 'Postal address line for letters, at most 300 characters.',
    ...nullable,
  }),
  postal_code: row.postal_code.meta({
    description: 'Four digits, kept as text, e.g. 0450.',
    example: '0450',
    ...nullable,
  }),
  city: row.city.meta({ description: 'At most 100 characters.', ...nullable }),
  phone: row.phone.meta({ description: 'At most 40 characters.', ...nullable }),
});

/** One survivor with their arrest event, as in one CSV row; unknown fields are refused. */
export const survivorRecordSchema = describedRow.strict().meta({
  id: 'SurvivorRecord',
  description: 'A survivor and their arrest event: the same fields and rules as one row of the CSV import, as JSON.',
});

/** The PUT body: the same record, where register_id may be left out (the path names it). */
export const survivorPutSchema = describedRow.extend({ register_id: registerIdSchema.optional() }).strict().meta({
  id: 'SurvivorPut',
  description: 'As SurvivorRecord; register_id may be omitted, and if given must equal the one in the path.',
});

export const batchSchema = z
  .object({
    records: z
      .array(survivorRecordSchema)
      .min(1, 'needs at least one record')
      .max(MAX_BATCH, `may hold at most ${MAX_BATCH} records`),
  })
  .strict()
  .meta({ id: 'SurvivorBatch', description: `Up to ${MAX_BATCH} records; each is validated and written on its own.` });

/** The batch envelope, checked first; each record is then checked with survivorRecordSchema. */
export const batchEnvelopeSchema = z
  .object({
    records: z
      .array(z.unknown())
      .min(1, 'needs at least one record')
      .max(MAX_BATCH, `may hold at most ${MAX_BATCH} records`),
  })
  .strict();

export const deathSchema = deathRowSchema
  .extend({
    national_id: deathRowSchema.shape.national_id.meta({
      description: 'Fødselsnummer or D-number of the person who died.',
      example: '41024200068',
    }),
    date_of_death: deathRowSchema.shape.date_of_death.meta(isoDate('Date of death, YYYY-MM-DD.', '2026-05-02')),
  })
  .strict()
  .meta({
    id: 'Death',
    description: 'A death from the population register or the hospital; also accepted for people not sent yet.',
  });

/**
 * An ISO date and time whose day is within src/calendar-date.ts's range (PostgreSQL refuses year
 * 0000). Only the range is checked here: a malformed value already has its own message.
 */
const inRange = (v: string) => !calendarDateProblem(v.slice(0, 10))?.startsWith('must be between');
const RANGE_MESSAGE = `must be a day between ${EARLIEST_DAY} and ${LATEST_DAY}`;

export const withdrawalSchema = z
  .object({
    withdrawn_at: z.iso
      .datetime({ offset: true, message: 'must be a date and time such as 2026-05-02T10:00:00Z' })
      .refine(inRange, RANGE_MESSAGE)
      .optional()
      .meta({
        description:
          'When consent was withdrawn; defaults to now, may not be in the future or before the cardiac arrest.',
      }),
  })
  .strict()
  .meta({ id: 'Withdrawal', description: 'An empty body (or none) means "now".' });

const since = (what: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be a date and time with offset, e.g. 2026-05-01T00:00:00Z' })
    .refine(inRange, RANGE_MESSAGE)
    .optional()
    .meta({ description: what, example: '2026-05-01T00:00:00Z' });
const cursor = z.string().optional().meta({
  description:
    'Opaque position from `next_cursor` of the previous page. Given a cursor, the time filter is not needed.',
});
const limit = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, `must be between 1 and ${MAX_PAGE}`)
  .max(MAX_PAGE, `must be between 1 and ${MAX_PAGE}`)
  .optional()
  .meta({ description: `Page size, 1–${MAX_PAGE} (default ${DEFAULT_PAGE}).` });

export const invitationsQuerySchema = z
  .object({
    updated_since: since('Invitations changed at or after this time (state, or any of their steps).'),
    cursor,
    limit,
  })
  .strict();

const VALUE_SET_IDS = listValueSets().map((v) => v.id) as [ValueSetId, ...ValueSetId[]];
export const responsesQuerySchema = z
  .object({
    since: since('Responses completed at or after this time.'),
    cursor,
    limit,
    format: z
      .enum(['json', 'fhir'], { message: 'must be json or fhir' })
      .optional()
      .meta({ description: 'json (default) or fhir: a FHIR R4 searchset Bundle of QuestionnaireResponse.' }),
    value_set: z
      .enum(VALUE_SET_IDS, { message: `must be one of ${VALUE_SET_IDS.join(', ')}` })
      .optional()
      .meta({ description: 'EQ-5D-5L value set for eq5d_index (default NO-2024).' }),
  })
  .strict();

export const registerIdPathSchema = z.object({ register_id: registerIdSchema });

// ---- Answers ---------------------------------------------------------------------------------

const fieldErrorSchema = z
  .object({
    pointer: z.string().optional().meta({ description: 'JSON pointer (RFC 6901) to the field in the request body.' }),
    parameter: z.string().optional().meta({ description: 'The query or path parameter.' }),
    header: z.string().optional().meta({ description: 'The request header.' }),
    detail: z.string(),
  })
  .meta({ id: 'FieldError' });

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'Problem type URI; the types are listed on /api/v1/docs.' }),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(fieldErrorSchema).optional().meta({ description: 'Field-level errors, for validation problems.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

const isoTimestamp = z.iso.datetime({ offset: true });
const dateOnly = z.iso.date();

export const survivorWriteResultSchema = z
  .object({ register_id: z.string(), status: z.enum(['created', 'updated']) })
  .meta({ id: 'SurvivorWriteResult' });

export const batchResultSchema = z
  .object({
    summary: z.object({ created: z.int(), updated: z.int(), rejected: z.int() }),
    results: z.array(
      z.object({
        index: z.int().meta({ description: 'Position of the record in `records`, from 0.' }),
        register_id: z.string().nullable(),
        status: z.enum(['created', 'updated', 'rejected']),
        problems: z.array(fieldErrorSchema),
      }),
    ),
  })
  .meta({ id: 'BatchResult', description: 'One result per record, in the order sent.' });

export const deathResultSchema = z
  .object({
    status: z.literal('recorded'),
    date_of_death: dateOnly,
    survivor: z.object({ register_id: z.string() }).nullable().meta({
      description:
        'The survivor this death is about, if the register has sent them and this key may see them; otherwise null.',
    }),
    invitations_stopped: z.int().meta({ description: 'Open invitations of that survivor stopped now.' }),
  })
  .meta({ id: 'DeathResult' });

export const withdrawalResultSchema = z
  .object({
    register_id: z.string(),
    status: z.literal('withdrawn'),
    withdrawn_at: isoTimestamp.meta({
      description: 'When consent was first recorded as withdrawn (a repeat keeps the first time).',
    }),
    steps_cancelled: z.int().meta({ description: 'Waiting messages stopped by this call.' }),
  })
  .meta({ id: 'WithdrawalResult' });

const stepSchema = z.object({
  step: z.string().meta({ description: 'invitation, reminder1, reminder2 or paper_request.' }),
  channel: z.enum(['email', 'paper']),
  state: z.string().meta({ description: 'pending, sending, sent, failed, unknown, cancelled, print or held.' }),
  due_at: isoTimestamp,
  sent_at: isoTimestamp.nullable(),
});

const invitationStatusSchema = z
  .object({
    invitation_id: z.int(),
    register_id: z.string(),
    hospital: z.string(),
    state: z.enum(['planned', 'sent', 'reminded', 'answered', 'expired', 'cancelled']),
    reason: z.string().nullable().meta({ description: 'Why it stopped: died, withdrawn, opted_out, window_closed, …' }),
    channel: z
      .enum(['email', 'paper'])
      .nullable()
      .meta({ description: 'Channel of the latest message that went out; null before any.' }),
    language: z.enum(['nb', 'nn', 'en']),
    opens_on: dateOnly,
    closes_on: dateOnly,
    first_sent_at: isoTimestamp.nullable(),
    last_sent_at: isoTimestamp.nullable(),
    answered_at: isoTimestamp.nullable(),
    created_at: isoTimestamp,
    updated_at: isoTimestamp.meta({
      description: 'Last change of the invitation or any of its steps; the paging order.',
    }),
    steps: z.array(stepSchema),
  })
  .meta({ id: 'InvitationStatus' });

const page = <T extends z.ZodType>(item: T, id: string, extra: z.ZodRawShape = {}) =>
  z
    .object({
      ...extra,
      data: z.array(item),
      next_cursor: z.string().nullable().meta({
        description:
          'Pass as `cursor` for the next page, or later to see what changed since. Null only when nothing was ever read.',
      }),
      has_more: z.boolean().meta({ description: 'True when the next page already has data.' }),
    })
    .meta({ id });

export const invitationPageSchema = page(invitationStatusSchema, 'InvitationPage');

export const contactLogSchema = z
  .object({
    register_id: z.string(),
    entries: z.array(
      z.object({
        invitation_id: z.int(),
        invitation_state: z.string(),
        invitation_reason: z.string().nullable(),
        step: z.string(),
        channel: z.enum(['email', 'paper']),
        state: z.string(),
        intended_at: isoTimestamp,
        actual_at: isoTimestamp.nullable(),
        sent_at: isoTimestamp.nullable(),
        outcome: z
          .string()
          .nullable()
          .meta({ description: 'SMTP reply or stop reason, e.g. answered, address_missing.' }),
        attempts: z.int(),
      }),
    ),
  })
  .meta({ id: 'ContactLog', description: 'Every step of every invitation, oldest first, including planned ones.' });

/** Columns that always have a value; the others are null when missing. */
const ALWAYS = new Set([
  'pid',
  'rid',
  'arrest_type',
  'hospital',
  'arrest_year',
  'arrest_month',
  'sex',
  'age',
  'mode',
  'language',
  'completed_year',
]);

function variableSchema(v: ReturnType<typeof analysisVariables>[number]): z.ZodType {
  const base = v.type === 'string' ? z.string() : v.type === 'integer' ? z.int() : z.number();
  const labels = v.valueLabels
    ? ` Values: ${v.valueLabels.map(([value, label]) => `${value} = ${label}`).join('; ')}.`
    : '';
  return (ALWAYS.has(v.name) ? base : base.nullable()).meta({ description: v.label + labels });
}

export const responseRowSchema = z
  .object({
    ...Object.fromEntries(analysisVariables('NO-2024').map((v) => [v.name, variableSchema(v)])),
    register_id: z.string().optional().meta({ description: 'Only for keys with the identifiers scope.' }),
    completed_at: isoTimestamp.optional().meta({ description: 'Only for keys with the identifiers scope.' }),
    items: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional()
      .meta({
        description:
          "Answers to the added instruments' items by linkId (a choice's code, a number, true/false, text or a date); absent when the response was given to EQ-5D-5L only. The variables are in the analyst export's codebook.",
      }),
  })
  .meta({
    id: 'ResponseRow',
    description:
      'One counted response with the variables of the analyst export (see its codebook); pseudonyms are keyed per API key name.',
  });

export const responsePageSchema = page(responseRowSchema, 'ResponsePage', {
  value_set: z.string().meta({ description: 'Value set of eq5d_index.' }),
});

export const fhirBundleSchema = z
  .looseObject({
    resourceType: z.literal('Bundle'),
    type: z.literal('searchset'),
    timestamp: isoTimestamp,
    link: z.array(z.object({ relation: z.string(), url: z.string() })),
    entry: z.array(
      z.looseObject({
        fullUrl: z.string(),
        resource: z.looseObject({ resourceType: z.enum(['Questionnaire', 'QuestionnaireResponse']) }),
        search: z.object({ mode: z.enum(['match', 'include']) }),
      }),
    ),
  })
  .meta({
    id: 'FhirBundle',
    description:
      'FHIR R4 Bundle (searchset): the Questionnaire (mode include) and, per response, one QuestionnaireResponse for EQ-5D-5L and one for each added instrument it was given with (mode match; `questionnaire` is the canonical url|version). The `next` link holds the cursor.',
  });
