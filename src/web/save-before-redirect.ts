// express-session saves a changed session when the response ends, but the redirect's headers
// leave first, so a browser can ask for the next address before the session row exists (a new
// survey link then showed "session ended"). Every redirect after a session change waits for the
// save instead.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** The session's content without its cookie, as express-session compares it. */
const content = (req: Request) => JSON.stringify(req.session, (k, v: unknown) => (k === 'cookie' ? undefined : v));

export function saveBeforeRedirect(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const loadedId = req.sessionID;
    const loaded = content(req);
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = (...args: unknown[]) => {
      const changed = req.session && (req.sessionID !== loadedId || content(req) !== loaded);
      if (!changed) return redirect(...args);
      req.session.save((err) => (err ? next(err) : redirect(...args)));
    };
    next();
  };
}
