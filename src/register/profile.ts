// The register's profile: who asks, why, and how to reach them — shown in every e-mail, letter and
// respondent page (GDPR articles 13 and 14). A versioned record like the programme: a change makes
// a new version, so what a message said can be explained later. Every text is either one string
// or an object with the texts in bokmål, nynorsk and English.
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { LANGUAGES, type Lang } from '../i18n/views.ts';

export type Text = string | Record<Lang, string>;

/** Why a text was refused: a code (the staff page translates it) and the message the CLI prints. */
export const REASONS = {
  required: 'is required',
  notText: 'must be a text, or an object with the texts "nb", "nn" and "en"',
  notLanguage: 'is not a language (use nb, nn and en)',
  empty: 'must not be empty',
  tooLong: 'is too long',
  oneLine: 'must be one line',
  phone: 'must be a telephone number, e.g. +47 00 00 00 00',
  email: 'must be an e-mail address',
  url: 'must be a web address starting with https://',
  header: 'must not contain < > @ or "',
  unknownField: 'is not a profile field',
} as const;
export type Reason = keyof typeof REASONS;

type Check = (s: string) => Reason | undefined;

const oneLine: Check = (s) => (/[\r\n]/.test(s) ? 'oneLine' : undefined);
const phone: Check = (s) => (/^\+?[0-9][0-9 ()-]{3,28}[0-9]$/.test(s) ? undefined : 'phone');
const email: Check = (s) => (z.email().safeParse(s).success ? undefined : 'email');
const url: Check = (s) => (/^https?:\/\/[^\s/]+\.[^\s]*$/.test(s) && URL.canParse(s) ? undefined : 'url');
// Header fields: no address brackets or at-signs, so the display name cannot pose as an address.
const header: Check = (s) => oneLine(s) ?? (/[<>@"]/.test(s) ? 'header' : undefined);

function issue(ctx: z.RefinementCtx, reason: Reason, path: PropertyKey[], extra = ''): void {
  ctx.addIssue({ code: 'custom', message: REASONS[reason] + extra, path, params: { reason } });
}

/** A text field: a string, or { nb, nn, en } with all three; each variant passes `check`. */
function text(max: number, check?: Check) {
  return z.unknown().superRefine((value, ctx) => {
    const variants: [string[], unknown][] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? textVariants(value as Record<string, unknown>, ctx)
        : [[[], value]];
    for (const [path, v] of variants) {
      const reason: Reason | undefined =
        v === undefined
          ? 'required'
          : typeof v !== 'string'
            ? 'notText'
            : v.trim() === ''
              ? 'empty'
              : v.length > max
                ? 'tooLong'
                : check?.(v);
      if (reason) issue(ctx, reason, path, reason === 'tooLong' ? ` (at most ${max} characters)` : '');
    }
  }) as unknown as z.ZodType<Text>;
}

function textVariants(value: Record<string, unknown>, ctx: z.RefinementCtx): [string[], unknown][] {
  for (const key of Object.keys(value)) {
    if (!(LANGUAGES as readonly string[]).includes(key)) issue(ctx, 'notLanguage', [key]);
  }
  return LANGUAGES.map((l) => [[l], value[l]]);
}

const FIELD_LIST =
  'name, organisation, controller, address, phone, email, website, privacyUrl, purpose, signature, senderName, subject';

const profileShape = {
  name: text(200, oneLine),
  organisation: text(200, oneLine),
  controller: text(200, oneLine),
  phone: text(40, phone),
  address: text(300).optional(),
  email: text(200, email).optional(),
  website: text(300, url).optional(),
  privacyUrl: text(300, url).optional(),
  purpose: text(1000).optional(),
  signature: text(300).optional(),
  senderName: text(80, header).optional(),
  subject: text(150, oneLine).optional(),
};

/** Unknown fields are named one by one (a typo like "phon" must not pass silently). */
export const registerProfileSchema = z
  .looseObject(profileShape)
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!(key in profileShape)) issue(ctx, 'unknownField', [key], ` (known: ${FIELD_LIST})`);
    }
  })
  .transform(
    (value) =>
      Object.fromEntries(
        Object.entries(value).filter(([k, v]) => k in profileShape && v !== undefined),
      ) as RegisterProfile,
  );

type Required = 'name' | 'organisation' | 'controller' | 'phone';
export type ProfileField = keyof typeof profileShape;
export type RegisterProfile = { [K in Required]: Text } & { [K in Exclude<ProfileField, Required>]?: Text };
export const PROFILE_FIELDS = [
  'name',
  'organisation',
  'controller',
  'address',
  'phone',
  'email',
  'website',
  'privacyUrl',
  'purpose',
  'signature',
  'senderName',
  'subject',
] as const satisfies readonly ProfileField[];
/** The profile in one language: every text a string (absent optional fields undefined). */
export type LocalProfile = { [K in Required]: string } & {
  [K in Exclude<ProfileField, Required>]: string | undefined;
} & {
  /** `tel:` address of the phone number. */
  phoneHref: string;
  /** The number with no-break spaces, for running text on pages (it must not wrap at 320 px). */
  phoneUnbroken: string;
  /** The website without its scheme, as people write it. */
  websiteShown: string | undefined;
};

export interface ProfileVersion {
  version: number;
  profile: RegisterProfile;
}

function textIn(value: Text | undefined, lang: Lang): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : value[lang];
}

export function profileIn(profile: RegisterProfile, lang: Lang): LocalProfile {
  const local = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, textIn(profile[f], lang)])) as LocalProfile;
  local.phoneHref = `tel:${local.phone.replace(/[^+0-9]/g, '')}`;
  local.phoneUnbroken = local.phone.replace(/ /g, '\u00a0');
  local.websiteShown = local.website?.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return local;
}

/** The version in force (the highest), or undefined while none has been set. */
export async function currentRegisterProfile(db: Db): Promise<ProfileVersion | undefined> {
  const row = await db
    .selectFrom('register_profiles')
    .select(['version', 'profile'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { version: row.version, profile: storedRegisterProfile(row.profile) };
}

/**
 * How long a respondent page may show the profile it read before: an edit through the staff page
 * (saveRegisterProfile in this process) shows at once; one made by another process (`prom register
 * set`, a second web process) shows within this time.
 */
const PAGE_PROFILE_MAX_AGE_MS = 5_000;
const shown = new WeakMap<Db, { readAt: number; read: Promise<ProfileVersion | undefined> }>();

/**
 * The profile respondent pages show, read at most once per PAGE_PROFILE_MAX_AGE_MS per process
 * (every page carries it, and it changes a few times a year). Only for display on pages: letters,
 * e-mails and the profile hold read the table themselves (currentRegisterProfile), so what a
 * message says, and the version it names, is always the one in force when it is made.
 */
export function pageRegisterProfile(db: Db, now = Date.now()): Promise<ProfileVersion | undefined> {
  const known = shown.get(db);
  if (known && now - known.readAt < PAGE_PROFILE_MAX_AGE_MS) return known.read;
  const read = currentRegisterProfile(db);
  const entry = { readAt: now, read };
  shown.set(db, entry);
  // A failed read (an outage) is not kept: the next page tries again.
  read.catch(() => {
    if (shown.get(db) === entry) shown.delete(db);
  });
  return read;
}

/** A stored version, checked again as it is read (a row written by hand must not reach a letter). */
export function storedRegisterProfile(stored: unknown): RegisterProfile {
  return registerProfileSchema.parse(stored);
}

/** Stores a valid profile as the next version. Invalid input throws a ZodError naming the field. */
export async function saveRegisterProfile(
  db: Db,
  input: unknown,
  createdBy: string,
): Promise<ProfileVersion & { changed: ProfileField[] }> {
  const profile = registerProfileSchema.parse(input);
  const saved = await db.transaction().execute(async (trx) => {
    const current = await currentRegisterProfile(trx);
    const version = (current?.version ?? 0) + 1;
    await trx
      .insertInto('register_profiles')
      .values({ version, profile: JSON.stringify(profile), created_by: createdBy })
      .execute();
    const changed = PROFILE_FIELDS.filter((f) => JSON.stringify(profile[f]) !== JSON.stringify(current?.profile[f]));
    return { version, profile, changed };
  });
  // Pages of this process show the new version from the next request on.
  shown.delete(db);
  return saved;
}
