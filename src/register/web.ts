// The register's profile on respondent pages: set on every request (from pageRegisterProfile, a
// one-row read kept for a few seconds), so every page — questions, receipts, error pages — can
// carry who asks and how to reach them.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/database.ts';
import type { Lang } from '../i18n/views.ts';
import { pageRegisterProfile, profileIn, type LocalProfile, type RegisterProfile } from './profile.ts';

export function registerLocals(db: Db): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/staff')) return next();
    // A database outage must still show its own error page, only without the contact line.
    pageRegisterProfile(db).then(
      (found) => {
        res.locals.registerProfile = found?.profile;
        next();
      },
      () => next(),
    );
  };
}

/** The profile in the page's language, or undefined while none is set. */
export function registerView(res: Response | undefined, lang: Lang): LocalProfile | undefined {
  const profile = res?.locals.registerProfile as RegisterProfile | undefined;
  return profile && profileIn(profile, lang);
}
