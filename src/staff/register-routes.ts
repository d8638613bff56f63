// /staff/register: admins view and edit the register profile. Each save is a new version and an
// audit row (what changed, by whom); a wrong field is named in an error summary, the form kept.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allow } from './access.ts';
import { me, type StaffContext } from './context.ts';
import { LANGUAGES } from '../i18n/views.ts';
import { readForm, text } from '../form-fields.ts';
import { heldForProfile } from '../invitations/profile-hold.ts';
import {
  currentRegisterProfile,
  PROFILE_FIELDS,
  registerProfileSchema,
  saveRegisterProfile,
  type ProfileField,
  type Reason,
  type RegisterProfile,
  type Text,
} from '../register/profile.ts';

/** Fields with a text per language in the form (others become so if the stored value is per language). */
const PER_LANGUAGE: readonly ProfileField[] = ['purpose', 'signature', 'subject'];
const MULTI_LINE: readonly ProfileField[] = ['purpose', 'signature', 'address'];
const REQUIRED: readonly ProfileField[] = ['name', 'organisation', 'controller', 'phone'];

type FormValues = Partial<Record<ProfileField, Text>>;

export function registerAdminRoutes(ctx: StaffContext): Router {
  const r = Router();
  const admin = allow(ctx, 'admin');
  const { db } = ctx.deps;

  const show = async (
    req: Request,
    res: Response,
    status: number,
    values: FormValues | undefined,
    errors?: { text: string; href: string }[],
  ) => {
    const current = await currentRegisterProfile(db);
    const flash = req.session.staffFlash;
    delete req.session.staffFlash;
    ctx.page(req, res, status, 'staff/register', {
      heading: ctx.t('registerAdmin.title'),
      version: current?.version,
      missing: current ? undefined : ctx.t('registerAdmin.missing', { held: await heldForProfile(db) }),
      fields: formFields(ctx, values ?? current?.profile ?? {}),
      errors,
      flash,
    });
  };

  r.get('/staff/register', admin, (req, res) => show(req, res, 200, undefined));

  // The form's fields by name (`name`, `purpose.nb` …), gathered into the profile's shape; the
  // profile itself is checked by registerProfileSchema, as `prom register set` is.
  const registerForm = z.record(z.string(), text).transform(fromForm);
  r.post('/staff/register', admin, async (req, res) => {
    const values: z.infer<typeof registerForm> = readForm(registerForm, req.body);
    const parsed = registerProfileSchema.safeParse(values);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => {
        const [field = '', lang] = i.path.map(String);
        const reason = (i as { params?: { reason?: Reason } }).params?.reason ?? 'notText';
        const label =
          ctx.tOr(`registerAdmin.fields.${field}`, field) +
          (lang ? ` (${ctx.t(`registerAdmin.languages.${lang}`)})` : '');
        return {
          text: `${label}: ${ctx.t(`registerAdmin.reasons.${reason}`)}`,
          href: `#rp-${field}${lang ? `-${lang}` : ''}`,
        };
      });
      return show(req, res, 400, values, errors);
    }
    const saved = await saveRegisterProfile(db, parsed.data, `staff:${me(res).email}`);
    await ctx.audit(req, res, {
      action: 'change',
      entity: 'register_profile',
      entityId: saved.version,
      details: { changed: saved.changed },
    });
    req.session.staffFlash = ctx.t('registerAdmin.saved', { version: saved.version });
    res.redirect(303, '/staff/register');
  });

  return r;
}

/** One entry per field: a single input, or one per language. */
function formFields(ctx: StaffContext, values: FormValues | RegisterProfile) {
  return PROFILE_FIELDS.map((field) => {
    const value = (values as FormValues)[field];
    const perLanguage = PER_LANGUAGE.includes(field) || (value !== undefined && typeof value !== 'string');
    const base = {
      field,
      id: `rp-${field}`,
      label: ctx.t(`registerAdmin.fields.${field}`),
      hint: ctx.tOr(`registerAdmin.hints.${field}`, ''),
      required: REQUIRED.includes(field),
      multiLine: MULTI_LINE.includes(field),
    };
    if (!perLanguage) return { ...base, value: typeof value === 'string' ? value : '' };
    return {
      ...base,
      languages: LANGUAGES.map((lang) => ({
        name: `${field}.${lang}`,
        id: `rp-${field}-${lang}`,
        label: ctx.t(`registerAdmin.languages.${lang}`),
        value: typeof value === 'string' ? value : (value?.[lang] ?? ''),
      })),
    };
  });
}

/** `name` → a string; `purpose.nb`, `purpose.nn`, `purpose.en` → an object. Empty optional fields are left out. */
function fromForm(body: Record<string, string>): FormValues {
  const str = (k: string) => (body[k] ?? '').replace(/\r\n/g, '\n').trim();
  const out: FormValues = {};
  for (const field of PROFILE_FIELDS) {
    const perLanguage = LANGUAGES.some((l) => `${field}.${l}` in body);
    if (perLanguage) {
      const texts = Object.fromEntries(LANGUAGES.map((l) => [l, str(`${field}.${l}`)])) as Record<
        (typeof LANGUAGES)[number],
        string
      >;
      if (Object.values(texts).some(Boolean) || REQUIRED.includes(field)) out[field] = texts;
    } else if (str(field) || REQUIRED.includes(field)) {
      out[field] = str(field);
    }
  }
  return out;
}
