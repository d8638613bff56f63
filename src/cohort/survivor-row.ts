// One survivor as the register sends it (a CSV row or an API body): the same rules everywhere.
import { z } from 'zod';
import { calendarDateSchema } from '../calendar-date.ts';
import { checkNationalId } from './national-id.ts';

export const REQUIRED_COLUMNS = [
  'register_id',
  'national_id',
  'birth_date',
  'sex',
  'arrest_date',
  'arrest_type',
  'hospital',
  'email',
  'language',
] as const;
export const OPTIONAL_COLUMNS = ['given_name', 'family_name', 'address_line', 'postal_code', 'city', 'phone'] as const;

/** One message per bad date: the shape, whether the day exists, then the accepted range. */
const isoDate = calendarDateSchema();

/** Control characters (NUL, tabs, line breaks, DEL) have no place in names and codes. */
const isControl = (c: string) => c.charCodeAt(0) <= 0x1f || c.charCodeAt(0) === 0x7f;
const noControl = (v: string | null) => v === null || !Array.from(v).some(isControl);
const CONTROL_MESSAGE = 'contains control characters (such as line breaks or NUL)';

/** Empty cells become null for optional text. */
const optionalText = (max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()))
    .refine((v) => v === null || v.length <= max, `must be at most ${max} characters`)
    .refine(noControl, CONTROL_MESSAGE);

const required = (what: string) =>
  z.string({ message: 'is missing' }).trim().min(1, `is empty; ${what}`).refine(noControl, CONTROL_MESSAGE);

export const survivorRowSchema = z.object({
  register_id: required('every row needs the register id')
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"'),
  national_id: z
    .string({ message: 'is missing' })
    .trim()
    .superRefine((v, ctx) => {
      const problem = checkNationalId(v);
      if (problem === 'format') ctx.addIssue({ code: 'custom', message: 'must be 11 digits' });
      if (problem === 'check-digits')
        ctx.addIssue({
          code: 'custom',
          message: 'is not a valid fødselsnummer or D-number (check digits do not match)',
        });
    }),
  birth_date: isoDate,
  sex: z.enum(['female', 'male'], { message: 'must be female or male' }),
  arrest_date: isoDate,
  arrest_type: z.enum(['OHCA', 'IHCA'], { message: 'must be OHCA or IHCA' }),
  hospital: required('every row needs the hospital code').max(64, 'must be at most 64 characters'),
  email: z
    .string({ message: 'is missing' })
    .trim()
    .transform((v) => (v === '' ? null : v))
    .refine((v) => v === null || z.email().safeParse(v).success, 'is not a valid e-mail address'),
  language: z.enum(['nb', 'nn', 'en'], { message: 'must be nb, nn or en' }),
  given_name: optionalText(200),
  family_name: optionalText(200),
  address_line: optionalText(300),
  postal_code: optionalText(4).refine((v) => v === null || /^\d{4}$/.test(v), 'must be four digits, e.g. 0450'),
  city: optionalText(100),
  phone: optionalText(40),
});

export type SurvivorRow = z.infer<typeof survivorRowSchema>;
