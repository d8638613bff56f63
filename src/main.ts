// `npm start`: runs the web server, the workers and the scheduler (ROLE=all), or one of them.
// Every role answers /healthz on PORT. SIGTERM and SIGINT shut down gracefully.
import type { Server } from 'node:http';
import express from 'express';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DataDirInUseError } from './db/pglite-lock.ts';
import { runSchedulingPass } from './invitations/scheduler.ts';
import { registerRepeatableJobs } from './queue/queues.ts';
import { RedisUnavailable, safeUrl } from './queue/redis.ts';
import { startWorkers, type Workers } from './queue/workers.ts';
import { printBatchDeps, printBatchProcessor, schedulePrintBatches } from '../jobs/print-batch.ts';
import { createLogger, requestLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { openServices, type Services } from './services.ts';
import { createApp } from './web/app.ts';

let logger: Logger = createLogger();

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ level: config.logLevel });
  if (!config.databaseUrl && config.role !== 'all') {
    throw new ConfigError(
      `ROLE: must be "all" with the embedded database (got "${config.role}"): PGlite allows one process, so web and worker must share it. Set DATABASE_URL to run them apart.`,
    );
  }
  const services = await openServices(config, { command: `prom server (ROLE=${config.role})`, redis: true });
  logger.info({ kind: services.database.kind, redis: safeUrl(services.redis!.url), embeddedRedis: Boolean(services.redis!.child) }, 'database ready');
  const workers = config.role === 'web' ? undefined : await startBackground(services);
  const server = await listen(config, services);
  logger.info({ port: config.port, role: config.role, publicUrl: config.publicUrl, metrics: config.metricsAllow.length > 0 ? config.metricsAllow : 'off' }, 'listening');
  onShutdown(async () => {
    logger.info('shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await workers?.close();
    await services.close();
  });
}

async function startBackground(s: Services): Promise<Workers> {
  const deps = { db: s.database.db, views: s.views, mailer: s.mailer, publicUrl: s.config.publicUrl };
  const hour = s.config.letterBatchHour;
  const workers = startWorkers(deps, s.queues!, systemClock, {
    // Logged by kind only (the err serializer): an SMTP answer can quote the recipient's address.
    onError: (err) => logger.warn({ err }, 'worker error'),
    printBatch: hour === undefined ? undefined : printBatchProcessor(printBatchDeps(s), s.config.letterDir, systemClock),
  });
  await registerRepeatableJobs(s.queues!);
  await schedulePrintBatches(s.queues!, hour);
  // Start-up reconcile: queue every due step whose job Redis may have lost.
  const pass = await runSchedulingPass(s.database.db, s.queues, systemClock);
  const { dueOutboxIds, ...counts } = pass;
  logger.info({ ...counts, queued: dueOutboxIds.length }, 'start-up pass');
  return workers;
}

function listen(config: Config, s: Services): Promise<Server> {
  const metrics = config.metricsAllow.length > 0 ? createMetrics({ db: s.database.db, queues: s.queues, allow: config.metricsAllow }) : undefined;
  const app =
    config.role === 'worker'
      ? workerApp(s, metrics)
      : createApp({
          db: s.database.db,
          views: s.views,
          instruments: s.instruments,
          clock: systemClock,
          sessionSecret: config.sessionSecret,
          secureCookies: config.secureCookies,
          redisAlive: s.redisAlive,
          queues: s.queues,
          exportPseudonymKey: config.exportPseudonymKey,
          smallCellThreshold: config.smallCellThreshold,
          trustProxy: config.trustProxy,
          logger,
          metrics,
        });
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, () => resolve(server));
    server.once('error', reject);
  });
}

/** A worker answers only /healthz and, if allowed, /metrics. */
function workerApp(s: Services, metrics: Metrics | undefined) {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogger(logger));
  app.get('/healthz', async (_req, res) => {
    const ok = await s.redisAlive();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', role: 'worker' });
  });
  if (metrics) app.get('/metrics', metrics.endpoint);
  return app;
}

function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirInUseError || err instanceof RedisUnavailable) {
    console.error(err.message);
  } else {
    console.error('Start-up failed:', err);
  }
  process.exit(1);
});
