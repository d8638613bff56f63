// What every staff route shares: dependencies, the signed-in person as loaded for this request,
// page rendering in the staff layout, texts, and audit entries stamped with who and where.
import type { Instruments } from '../instruments/eq5d-texts.ts';
import type { Request, Response } from 'express';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { StaffRole } from '../db/schema.ts';
import type { Queues } from '../queue/queues.ts';
import type { TextVars, Views } from '../i18n/views.ts';
import { audit, type AuditEntry } from '../audit/log.ts';
import type { LoginProvider } from './login.ts';

export interface StaffDeps {
  db: Db;
  views: Views;
  clock: Clock;
  previewTexts: boolean;
  /** Also the source of the key that encrypts TOTP secrets at rest (see totp.ts). */
  sessionSecret: string;
  /** As for the app: the session cookie is `__Host-prom` when true (logout clears it by name). */
  secureCookies?: boolean | undefined;
  /** BullMQ queues for the queue health page; without them the page says so. */
  queues?: Queues | undefined;
  /** Key for the pseudonyms in analyst downloads; without it the download is unavailable. */
  exportPseudonymKey?: string | undefined;
  /** How people sign in; the local password + TOTP login unless another provider is given. */
  login?: LoginProvider | undefined;
  /** k of the analyst outputs' disclosure control (SMALL_CELL_THRESHOLD; default 5). */
  smallCellThreshold?: number | undefined;
  /** Instrument texts (the comparison report labels dimensions with them). */
  instruments?: Instruments | undefined;
  /** ERASURE_KEY: without it, erasure at a person's request is unavailable. */
  erasureKey?: string | undefined;
  /** PUBLIC_URL, written on letters drawn again after an erasure. */
  publicUrl?: string | undefined;
}

/** The signed-in person, re-read from the database on every request. */
export interface CurrentStaff {
  id: number;
  email: string;
  role: StaffRole;
  hospitals: string[];
}

export type PageData = Record<string, unknown> & { heading: string };

export interface StaffContext {
  deps: StaffDeps;
  t: (key: string, vars?: TextVars) => string;
  /** The text for `key`, or `fallback` when there is none (e.g. a cancel reason added later). */
  tOr: (key: string, fallback: string) => string;
  page(req: Request, res: Response, status: number, name: string, data: PageData): void;
  message(req: Request, res: Response, status: number, key: string): void;
  /** An audit entry as the signed-in person (or `anonymous`), with the client address. */
  audit(req: Request, res: Response, e: Omit<AuditEntry, 'source' | 'actor'> & { actor?: string }): Promise<void>;
}

export function current(res: Response): CurrentStaff | undefined {
  return res.locals.staff as CurrentStaff | undefined;
}

/** Only call behind requireStaff. */
export function me(res: Response): CurrentStaff {
  const s = current(res);
  if (!s) throw new Error('no signed-in staff member on this request');
  return s;
}

const NAV: { href: string; key: string; roles: StaffRole[] }[] = [
  { href: '/staff', key: 'staff.nav.dashboard', roles: ['admin', 'registrar', 'analyst'] },
  { href: '/staff/worklists', key: 'staff.nav.worklists', roles: ['registrar'] },
  { href: '/staff/survivors', key: 'staff.nav.survivors', roles: ['registrar'] },
  { href: '/staff/paper', key: 'staff.nav.paper', roles: ['registrar', 'admin'] },
  { href: '/staff/exports', key: 'staff.nav.exports', roles: ['admin', 'registrar', 'analyst'] },
  { href: '/staff/report', key: 'staff.nav.report', roles: ['admin', 'analyst'] },
  { href: '/staff/users', key: 'staff.nav.users', roles: ['admin'] },
  { href: '/staff/hospitals', key: 'staff.nav.hospitals', roles: ['admin'] },
  { href: '/staff/audit', key: 'staff.nav.audit', roles: ['admin'] },
  { href: '/staff/register', key: 'registerAdmin.nav', roles: ['admin'] },
  { href: '/staff/queues', key: 'staff.nav.queues', roles: ['admin'] },
  { href: '/staff/erasure', key: 'erasure.nav', roles: ['admin'] },
];

export function createContext(deps: StaffDeps): StaffContext {
  const t = (key: string, vars?: TextVars) => deps.views.t('nb', key, vars);
  const tOr = (key: string, fallback: string) => {
    try {
      return t(key);
    } catch {
      return fallback;
    }
  };
  const page: StaffContext['page'] = (req, res, status, name, data) => {
    const staff = current(res);
    const path = req.baseUrl + req.path;
    const nav = staff
      ? NAV.filter((n) => n.roles.includes(staff.role)).map((n) => ({
          href: n.href,
          text: t(n.key),
          current: n.href === '/staff' ? path === '/staff' : path === n.href || path.startsWith(`${n.href}/`),
        }))
      : [];
    res.status(status).set('Cache-Control', 'no-store');
    res.send(
      deps.views.render(
        name,
        {
          lang: 'nb',
          csrfToken: req.csrfToken?.(),
          staff: staff && {
            ...staff,
            roleName: t(`staff.roles.${staff.role}`),
            hospitalsText: staff.hospitals.join(', '),
          },
          nav,
          previewTexts: deps.previewTexts,
          ...data,
        },
        'layouts/staff',
      ),
    );
  };
  return {
    deps,
    t,
    tOr,
    page,
    message(req, res, status, key) {
      page(req, res, status, 'staff/message', { heading: t(`${key}Title`), body: t(`${key}Body`) });
    },
    async audit(req, res, e) {
      const staff = current(res);
      await audit(deps.db, {
        ...e,
        actor: e.actor ?? staff?.email ?? 'anonymous',
        actorRole: e.actorRole ?? staff?.role ?? null,
        actorId: e.actorId ?? staff?.id ?? null,
        source: req.ip ?? null,
      });
    },
  };
}
