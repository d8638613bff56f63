// Each endpoint with a body parses its own JSON (the router sits before the app's body parsers),
// and only after the key and scope are known.
import express, { type RequestHandler } from 'express';
import { ApiProblem } from '../problem.ts';

export const BODY_LIMIT = '2mb';

const parseJson = express.json({ limit: BODY_LIMIT, type: 'application/json' });

/** JSON bodies only; none at all is fine (the handler decides whether it needs one). */
export const jsonBody: RequestHandler = (req, res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (!hasBody) return next();
  if (!req.is('application/json'))
    return next(
      new ApiProblem('unsupported-media-type', 'Send the body as JSON with "Content-Type: application/json".'),
    );
  parseJson(req, res, next);
};
