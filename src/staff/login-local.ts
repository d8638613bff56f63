// The local login: e-mail and password (argon2id), then a TOTP code — enrolled with a QR code
// at the first login. Two steps, each its own page and form:
//   GET/POST /staff/login         password   → 303 /staff/login/code (or /staff/login/enrol)
//   GET/POST /staff/login/code    code       → signIn → 303 /staff
//   GET/POST /staff/login/enrol   QR + code  → signIn → 303 /staff
// Between the steps the session holds only { userId, stage, at } (session.ts), for 5 minutes.
// Failed passwords and codes count together towards the account lockout (users.ts); every POST
// is also rate limited per client address, and carries the CSRF token (app.ts).
import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { sql } from 'kysely';
import { z } from 'zod';
import type { StaffUser } from '../db/schema.ts';
import type { LoginContext, LoginProvider } from './login.ts';
import { PENDING_MS, regenerate, type PendingLogin } from './session.ts';
import {
  checkCode,
  decryptSecret,
  encryptSecret,
  groupedSecret,
  newTotpSecret,
  otpauthUri,
  qrDataUrl,
  totpKeyFrom,
} from './totp.ts';
import { checkPassword, findById, isLocked, recordFailure } from './users.ts';
import { readForm, text, trimmedText } from '../form-fields.ts';

export function localLogin(): LoginProvider {
  return { method: 'password+totp', router: localRouter };
}

function localRouter(ctx: LoginContext): Router {
  const r = Router();
  const { db, clock } = ctx.deps;
  const key = totpKeyFrom(ctx.deps.sessionSecret);
  const heading = () => ctx.t('staff.loginTitle');
  const loginPage = (req: Request, res: Response, status: number, data: Record<string, unknown> = {}) =>
    ctx.page(req, res, status, 'staff/login', { heading: heading(), ...data });
  const errorsFor = (text: string, href: string) => [{ text, href }];

  const limiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // A 429 counts as failed too, so a burst keeps the window closed.
    handler: (req, res) => loginPage(req, res, 429, { errors: errorsFor(ctx.t('staff.tooMany'), '#email') }),
  });

  /** The pending login, if it is still fresh and at this stage. */
  const pending = (req: Request, stage: PendingLogin['stage']): PendingLogin | undefined => {
    const p = req.session.staffLogin;
    if (!p || p.stage !== stage || clock.now().getTime() - p.at > PENDING_MS) return undefined;
    return p;
  };

  /** A wrong code: counts towards the lockout; a lock ends the half-done login. */
  const wrongCode = async (req: Request, res: Response, user: StaffUser, again: () => void | Promise<void>) => {
    const { locked } = await recordFailure(db, user.id, clock.now());
    await ctx.audit(req, res, {
      actor: user.email,
      actorRole: user.role,
      actorId: user.id,
      action: 'login-failed',
      entity: 'staff_user',
      entityId: user.id,
      details: { step: 'code', locked },
    });
    if (locked) {
      delete req.session.staffLogin;
      return loginPage(req, res, 401, { errors: errorsFor(ctx.t('staff.locked'), '#email') });
    }
    return again();
  };

  r.get('/staff/login', (req, res) => {
    if (req.session.staff) return res.redirect(303, '/staff');
    loginPage(req, res, 200);
  });

  const loginForm = z.object({ email: trimmedText, password: text });
  r.post('/staff/login', limiter, async (req, res) => {
    const { email, password }: z.infer<typeof loginForm> = readForm(loginForm, req.body);
    if (!email || !password) {
      return loginPage(req, res, 400, {
        email,
        errors: errorsFor(ctx.t('staff.loginMissing'), email ? '#password' : '#email'),
      });
    }
    const now = clock.now();
    const check = await checkPassword(db, email, password, now);
    if (!check.ok) {
      await ctx.audit(req, res, {
        actor: check.user?.email ?? 'anonymous',
        actorRole: check.user?.role ?? null,
        actorId: check.user?.id ?? null,
        action: 'login-failed',
        entity: 'staff_user',
        entityId: check.user?.id ?? null,
        details: { step: 'password', reason: check.reason },
      });
      // Locked, disabled and wrong all read the same, so the page tells nobody which accounts exist.
      return loginPage(req, res, 401, { email, errors: errorsFor(ctx.t('staff.loginFailed'), '#email') });
    }
    const user = check.user;
    await regenerate(req);
    const stage = user.totp_enrolled_at && user.totp_secret ? 'code' : 'enrol';
    req.session.staffLogin = { userId: user.id, stage, at: now.getTime() };
    res.redirect(303, stage === 'code' ? '/staff/login/code' : '/staff/login/enrol');
  });

  r.get('/staff/login/code', (req, res) => {
    if (!pending(req, 'code')) return res.redirect(303, '/staff/login');
    ctx.page(req, res, 200, 'staff/login-code', { heading: ctx.t('staff.codeTitle') });
  });

  const codeForm = z.object({ code: text });
  r.post('/staff/login/code', limiter, async (req, res) => {
    const p = pending(req, 'code');
    if (!p) return res.redirect(303, '/staff/login');
    const { code }: z.infer<typeof codeForm> = readForm(codeForm, req.body);
    const again = () =>
      ctx.page(req, res, 401, 'staff/login-code', {
        heading: ctx.t('staff.codeTitle'),
        errors: errorsFor(ctx.t('staff.codeWrong'), '#code'),
      });
    const user = await findById(db, p.userId);
    const now = clock.now();
    if (!user || user.disabled_at || isLocked(user, now) || !user.totp_secret) {
      delete req.session.staffLogin;
      return loginPage(req, res, 401, { errors: errorsFor(ctx.t('staff.loginFailed'), '#email') });
    }
    const step = await checkCode(decryptSecret(key, user.id, user.totp_secret), code, now, user.totp_last_step);
    if (step === undefined) return wrongCode(req, res, user, again);
    // Claim the time step; a second use of the same code (replay, or a race) finds it taken.
    const claimed = await db
      .updateTable('staff_users')
      .set({ totp_last_step: step })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return wrongCode(req, res, user, again);
    await ctx.signIn(req, res, user);
  });

  const enrolPage = async (
    req: Request,
    res: Response,
    status: number,
    p: PendingLogin,
    user: StaffUser,
    errors?: unknown,
  ) => {
    const secret = decryptSecret(key, user.id, p.enrolSecret!);
    const uri = otpauthUri(user.email, secret);
    ctx.page(req, res, status, 'staff/login-enrol', {
      heading: ctx.t('staff.enrolTitle'),
      qr: await qrDataUrl(uri),
      secret: groupedSecret(secret),
      errors,
    });
  };

  r.get('/staff/login/enrol', async (req, res) => {
    const p = pending(req, 'enrol');
    const user = p && (await findById(db, p.userId));
    if (!p || !user || user.disabled_at) return res.redirect(303, '/staff/login');
    // One secret per half-done login: a reload shows the same one, a new login makes a new one.
    p.enrolSecret ??= encryptSecret(key, user.id, newTotpSecret());
    await enrolPage(req, res, 200, p, user);
  });

  r.post('/staff/login/enrol', limiter, async (req, res) => {
    const p = pending(req, 'enrol');
    const user = p && (await findById(db, p.userId));
    if (!p || !p.enrolSecret || !user || user.disabled_at) return res.redirect(303, '/staff/login');
    const now = clock.now();
    if (isLocked(user, now)) {
      delete req.session.staffLogin;
      return loginPage(req, res, 401, { errors: errorsFor(ctx.t('staff.loginFailed'), '#email') });
    }
    const { code }: z.infer<typeof codeForm> = readForm(codeForm, req.body);
    const secret = decryptSecret(key, user.id, p.enrolSecret);
    const step = await checkCode(secret, code, now, null);
    if (step === undefined)
      return wrongCode(req, res, user, () =>
        enrolPage(req, res, 401, p, user, errorsFor(ctx.t('staff.codeWrong'), '#code')),
      );
    // Stored re-encrypted (fresh IV); only an account without an authenticator can enrol one.
    const stored = await db
      .updateTable('staff_users')
      .set({ totp_secret: encryptSecret(key, user.id, secret), totp_enrolled_at: now, totp_last_step: step })
      .where('id', '=', user.id)
      .where('totp_enrolled_at', 'is', null)
      .executeTakeFirst();
    if (Number(stored.numUpdatedRows) !== 1) return res.redirect(303, '/staff/login');
    await ctx.audit(req, res, {
      actor: user.email,
      actorRole: user.role,
      actorId: user.id,
      action: 'change',
      entity: 'staff_user',
      entityId: user.id,
      details: { change: 'totp-enrolled' },
    });
    await ctx.signIn(req, res, { ...user, totp_enrolled_at: now });
  });

  return r;
}

/** Test and CLI helper: gives an account an authenticator secret directly (no QR step). */
export async function setTotpSecret(
  ctx: { db: LoginContext['deps']['db']; sessionSecret: string },
  userId: number,
  secret: string,
  now: Date,
): Promise<void> {
  const key = totpKeyFrom(ctx.sessionSecret);
  await ctx.db
    .updateTable('staff_users')
    .set({ totp_secret: encryptSecret(key, userId, secret), totp_enrolled_at: now, totp_last_step: sql`NULL` })
    .where('id', '=', userId)
    .execute();
}
