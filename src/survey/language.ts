// The respondent's language: which one a request is in (set for this response, asked for in the
// address, kept in the session, else bokmål) and the links that reload a page in the others.
import type { Request } from 'express';
import { LANGUAGES, isLang, type Lang, type Views } from '../i18n/views.ts';

/** A language set for this response, else the query's (pages without a session), else the session's, else bokmål. */
export function langOf(req: Request): Lang {
  if (isLang(req.res?.locals.lang)) return req.res.locals.lang;
  if (isLang(req.query?.lang)) return req.query.lang;
  return isLang(req.session?.lang) ? req.session.lang : 'nb';
}

/** The address a language link reloads: the page itself for GET, its GET twin after a POST. */
export function selfAddress(req: Request): string {
  return req.method === 'GET' ? withoutLang(req.originalUrl) : req.path;
}

export function withoutLang(url: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.delete('lang');
  return u.pathname + u.search;
}

export function languageLinks(views: Views, address: string, current: Lang) {
  return LANGUAGES.filter((l) => l !== current).map((l) => {
    const u = new URL(address, 'http://x');
    u.searchParams.set('lang', l);
    return { lang: l, href: u.pathname + u.search, name: views.t(l, 'site.langName') };
  });
}
