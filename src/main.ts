// `npm start`: runs the web server, the workers and the scheduler (ROLE=all), or one of them.
// Every role answers /healthz on PORT. SIGTERM and SIGINT shut down gracefully.
import { createServer, type Server } from 'node:http';
import express from 'express';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { runSchedulingPass } from './invitations/scheduler.ts';
import { registerRepeatableJobs, schedulePrintBatches } from './queue/jobs/scheduler.ts';
import { startWorkers, type Workers, printBatchDeps, printBatchProcessor } from './jobs/index.ts';
import { safeUrl } from './queue/redis.ts';
import { createLogger, logRequests, type Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { openServices, type Services } from './services.ts';
import { createApp } from './web/app.ts';
import { Refusal } from './refusal.ts';

let logger: Logger = createLogger();

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ level: config.logLevel });
  if (!config.databaseUrl && config.role !== 'all') {
    throw new ConfigError(
      `ROLE: must be "all" with the embedded database (got "${config.role}"): PGlite allows one process, so web and worker must share it. Set DATABASE_URL to run them apart.`,
    );
  }
  // The port first: a port in use stops the start at once, before the database opens or a worker
  // claims a message. Until the app is ready the port answers 503.
  const server = await bindPort(config.port);
  const services = await openServices(config, { command: `prom server (ROLE=${config.role})`, redis: true });
  logger.info(
    {
      kind: services.database.kind,
      durable: services.database.durable,
      redis: safeUrl(services.redis!.url),
      embeddedRedis: Boolean(services.redis!.child),
    },
    'database ready',
  );
  if (services.database.kind === 'pglite') {
    logger.warn(
      services.database.durable
        ? 'embedded database: for trying and small single-machine use (one process, commits are synced to disk); use DATABASE_URL in production'
        : 'embedded database: for trying and small single-machine use; recent answers can be lost on power loss; use DATABASE_URL in production',
    );
  }
  const workers = config.role === 'web' ? undefined : await startBackground(services);
  server.removeAllListeners('request');
  server.on('request', appFor(config, services));
  logger.info(
    {
      port: config.port,
      role: config.role,
      publicUrl: config.publicUrl,
      metrics: config.metricsAllow.length > 0 ? config.metricsAllow : 'off',
    },
    'listening',
  );
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
    onForeignJob: (outboxId, queuePrefix) =>
      logger.warn(
        { outboxId, queuePrefix },
        'delivery job for an outbox row this database does not hold; dropped untouched (another installation using the same QUEUE_PREFIX?)',
      ),
    printBatch:
      hour === undefined ? undefined : printBatchProcessor(printBatchDeps(s), s.config.letterDir, systemClock),
  });
  await registerRepeatableJobs(s.queues!);
  await schedulePrintBatches(s.queues!, hour);
  // Start-up reconcile: queue every due step whose job Redis may have lost.
  const pass = await runSchedulingPass(s.database.db, s.queues, systemClock);
  const { dueOutboxIds, ...counts } = pass;
  logger.info({ ...counts, queued: dueOutboxIds.length }, 'start-up pass');
  return workers;
}

function bindPort(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res
      .writeHead(503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Retry-After': '5' })
      .end('{"status":"starting"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(portError(err, port)));
    server.listen(port, () => resolve(server));
  });
}

function appFor(config: Config, s: Services) {
  const metrics =
    config.metricsAllow.length > 0
      ? createMetrics({ db: s.database.db, queues: s.queues, allow: config.metricsAllow })
      : undefined;
  return config.role === 'worker'
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
        erasureKey: config.erasureKey,
        publicUrl: config.publicUrl,
        smallCellThreshold: config.smallCellThreshold,
        trustProxy: config.trustProxy,
        logger,
        metrics,
      });
}

export class PortUnavailable extends Refusal {}

function portError(err: Error, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new PortUnavailable(
      `PORT: ${port} is already in use by another program. Stop it, or set PORT to a free port.`,
    );
  if (code === 'EACCES')
    return new PortUnavailable(
      `PORT: this user may not listen on ${port}. Choose a port above 1023, or set PORT to one it may use.`,
    );
  return err;
}

/** A worker answers only /healthz and, if allowed, /metrics. */
function workerApp(s: Services, metrics: Metrics | undefined) {
  const app = express();
  app.disable('x-powered-by');
  logRequests(app, logger);
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
  if (err instanceof Refusal) {
    console.error(err.message);
  } else {
    console.error('Start-up failed:', err);
  }
  process.exit(1);
});
