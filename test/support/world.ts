// Everything one integration test file needs, on real services: a fresh database, a Redis key
// prefix, an SMTP sink on loopback, the mailer, templates and the express app.
import type { Clock } from '../../src/clock.ts';
import { systemClock } from '../../src/clock.ts';
import { createMailer, type Mailer } from '../../src/invitations/mailer.ts';
import type { DeliveryDeps } from '../../src/invitations/delivery.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { pingRedis } from '../../src/queue/redis.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { openTestQueues, TEST_REDIS_URL } from './redis.ts';
import { startSmtpSink, type SmtpSink } from './smtp.ts';

export const PUBLIC_URL = 'http://prom.test';
export const TEST_SESSION_SECRET = 'test-secret-test-secret-test-secret-0123';
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-test-pseudonym-key-0123';

export interface World {
  database: TestDatabase;
  queues: ReturnType<typeof openTestQueues>;
  smtp: SmtpSink;
  mailer: Mailer;
  deps: DeliveryDeps;
  app(clock?: Clock): ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/** `registerProfile: false`: no register profile, so nobody is contacted until the test sets one. */
export async function createWorld(opts: { registerProfile?: boolean } = {}): Promise<World> {
  const database = await createTestDatabase(opts);
  const queues = openTestQueues();
  const smtp = await startSmtpSink();
  const mailer = createMailer({
    smtpUrl: smtp.url,
    outboxDir: '/nonexistent',
    from: 'Spørreskjema <noreply@prom.test>',
  });
  const views = createViews();
  const instruments = loadInstruments();
  const deps: DeliveryDeps = { db: database.db, views, mailer, publicUrl: PUBLIC_URL };
  return {
    database,
    queues,
    smtp,
    mailer,
    deps,
    app: (clock = systemClock) =>
      createApp({
        db: database.db,
        views,
        instruments,
        clock,
        sessionSecret: TEST_SESSION_SECRET,
        secureCookies: false,
        redisAlive: () => pingRedis(TEST_REDIS_URL),
        queues,
        exportPseudonymKey: TEST_PSEUDONYM_KEY,
        erasureKey: 'test-erasure-key-test-erasure-key-0123456',
      }),
    close: async () => {
      mailer.close();
      await smtp.close();
      await queues.cleanup();
      await database.drop();
    },
  };
}
