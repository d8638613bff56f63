// Opens what a process needs (database, Redis and queues, mailer, templates) from the config,
// and closes it again in reverse order. Used by main.ts and the command line.
import type { Config } from './config.ts';
import { openDatabase, type DbHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createMailer, type Mailer } from './invitations/mailer.ts';
import { queuePrefixFor } from './installation.ts';
import { openQueues, type Queues } from './queue/queues.ts';
import { connectRedis, pingRedis, type RedisHandle } from './queue/redis.ts';
import { loadInstruments, type Instruments } from './instruments/eq5d-texts.ts';
import { createViews, type Views } from './i18n/views.ts';

export interface Services {
  config: Config;
  database: DbHandle;
  redis: RedisHandle | undefined;
  queues: Queues | undefined;
  mailer: Mailer;
  views: Views;
  instruments: Instruments;
  redisAlive: () => Promise<boolean>;
  close(): Promise<void>;
}

export async function openServices(config: Config, opts: { command: string; redis: boolean }): Promise<Services> {
  const views = createViews();
  const instruments = loadInstruments(config.instrumentDir);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.pgliteDir,
    command: opts.command,
  });
  let redis: RedisHandle | undefined;
  let queues: Queues | undefined;
  try {
    await migrate(database.db);
    if (opts.redis) {
      redis = await connectRedis(config.redisUrl, config.dataDir);
      queues = openQueues(redis.url, await queuePrefixFor(database.db, config.queuePrefix));
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const mailer = createMailer({ smtpUrl: config.smtpUrl, outboxDir: config.outboxDir, from: config.mailFrom });
  return {
    config,
    database,
    redis,
    queues,
    mailer,
    views,
    instruments,
    redisAlive: () => (redis ? pingRedis(redis.url) : Promise.resolve(false)),
    close: async () => {
      mailer.close();
      await queues?.close();
      await database.close();
      await redis?.close();
    },
  };
}
