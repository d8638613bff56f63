// Serves one side of the submit benchmark on an ephemeral loopback port, in its own process so the
// load generator never shares its event loop: `service` is the real app (createApp on PostgreSQL),
// `baseline` a bare express app with urlencoded parsing that upserts the same answer_drafts row.
import express from 'express';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';

const [mode, url] = [process.argv[2], process.argv[3]!];
const PAGES = ['mobility', 'self_care', 'usual_activities', 'pain_discomfort', 'anxiety_depression', 'vas'];
let close: () => Promise<void>;
let app: express.Express;

if (mode === 'service' || mode === 'embedded' || mode === 'embedded-nosync') {
  // embedded: `url` is a PGlite data folder, with each commit synced to disk (the default) or not.
  const handle =
    mode === 'service'
      ? await openDatabase({ databaseUrl: url })
      : await openDatabase({ pgliteDir: url, pgliteDurable: mode === 'embedded' });
  app = createApp({
    db: handle.db,
    views: createViews(),
    instruments: loadInstruments(),
    clock: systemClock,
    sessionSecret: 'bench-secret-bench-secret-bench-secret-0123',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
  });
  close = () => handle.close();
} else {
  // Same pool size as the service's default (10) and the same statement saveAnswer issues.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  app = express();
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  app.post('/s/q/:n', async (req, res, next) => {
    try {
      const body = req.body as Record<string, string>;
      const page = PAGES[Number(req.params.n) - 1]!;
      const patch = JSON.stringify({ [page]: Number(body.answer) });
      await pool.query(
        `insert into answer_drafts (invitation_id, answers) values ($1, $2::jsonb)
         on conflict (invitation_id) do update set answers = answer_drafts.answers || $2::jsonb, version = answer_drafts.version + 1, updated_at = now()`,
        [Number(body.inv), patch],
      );
      res.redirect(303, Number(req.params.n) < 6 ? `/s/q/${Number(req.params.n) + 1}` : '/s/check');
    } catch (err) {
      next(err);
    }
  });
  close = () => pool.end();
}

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  // Requests cut off by the load tool's stop still finish their queries before the pool closes.
  setTimeout(() => void close().finally(() => process.exit(0)), 500);
});
