// Prometheus metrics (prom-client) at /metrics. HTTP latency is measured in this process; what
// the register cares about — messages by state, responses by mode, queue depths — is read from
// the database and Redis when scraped, so every process reports the same truth, including sends
// made by `prom schedule --drain`. Reads are cached briefly so scraping cannot load the database.
import type { NextFunction, Request, Response } from 'express';
import proxyaddr from 'proxy-addr';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database.ts';
import type { Channel, OutboxState } from '../db/schema.ts';
import type { Queues } from '../queue/queues.ts';
import { JOB_STATES, queueHealth } from '../queue/health.ts';
import { routeLabel } from './logger.ts';

// Every known series is reported, zeros included, so dashboards and alerts never see gaps.
const CHANNELS: Channel[] = ['email', 'paper'];
const OUTBOX_STATES: OutboxState[] = ['pending', 'sending', 'sent', 'failed', 'unknown', 'cancelled', 'print', 'held'];
const MODES = ['web', 'paper'] as const;

export interface Metrics {
  registry: Registry;
  /** Express middleware timing every request by route pattern. */
  httpTimer: (req: Request, res: Response, next: NextFunction) => void;
  /** The /metrics handler, answering only addresses in the allow list (404 for others). */
  endpoint: (req: Request, res: Response) => Promise<void>;
}

export interface MetricsOptions {
  db: Db;
  queues?: Queues | undefined;
  /** Who may scrape: proxy-addr terms such as "loopback", "10.0.0.0/8", "192.0.2.7". */
  allow: string[];
  /** Seconds a database/Redis reading is reused between scrapes. */
  cacheSeconds?: number;
}

export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const readings = cachedReadings(opts, (opts.cacheSeconds ?? 10) * 1000);
  new Gauge({
    name: 'prom_outbox_messages',
    help: 'Planned and made contacts (outbox rows) by channel and state: sent, failed, unknown, pending, ...',
    labelNames: ['channel', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const channel of CHANNELS) for (const state of OUTBOX_STATES) this.set({ channel, state }, 0);
      for (const r of (await readings()).outbox) this.set({ channel: r.channel, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'prom_responses',
    help: 'Responses received, by mode (web, paper).',
    labelNames: ['mode'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const mode of MODES) this.set({ mode }, 0);
      for (const r of (await readings()).responses) this.set({ mode: r.mode }, r.n);
    },
  });
  new Gauge({
    name: 'prom_queue_jobs',
    help: 'BullMQ jobs by queue and state (absent while Redis does not answer; see prom_redis_up).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await readings()).queues ?? []) this.set({ queue: r.queue, state: r.state }, r.n);
    },
  });
  if (opts.queues) {
    new Gauge({
      name: 'prom_redis_up',
      help: '1 when Redis answered the last queue reading, else 0.',
      registers: [registry],
      async collect() {
        this.set((await readings()).queues ? 1 : 0);
      },
    });
  }

  const allowed = proxyaddr.compile(opts.allow);
  return {
    registry,
    httpTimer: (req, res, next) => {
      const stop = http.startTimer();
      res.on('finish', () => stop({ method: req.method, route: routeLabel(req), status_code: String(res.statusCode) }));
      next();
    },
    endpoint: async (req, res) => {
      // The socket's address, not X-Forwarded-For: a proxy in front must not open the door.
      const from = req.socket.remoteAddress;
      if (!from || !allowed(from, 0)) {
        res.status(404).set('Cache-Control', 'no-store').type('text').send('Not found');
        return;
      }
      res
        .set('Cache-Control', 'no-store')
        .type(registry.contentType)
        .send(await registry.metrics());
    },
  };
}

interface Readings {
  outbox: { channel: string; state: string; n: number }[];
  responses: { mode: string; n: number }[];
  /** undefined: Redis did not answer. */
  queues: { queue: string; state: string; n: number }[] | undefined;
}

/** One reading of the database and Redis shared by the gauges of a scrape and reused for `ttlMs`. */
function cachedReadings(opts: MetricsOptions, ttlMs: number): () => Promise<Readings> {
  let last: { at: number; value: Promise<Readings> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > ttlMs) {
      const value = read(opts);
      last = { at: now, value };
      value.catch(() => (last = undefined)); // a failed reading is not cached
    }
    return last.value;
  };
}

async function read({ db, queues }: MetricsOptions): Promise<Readings> {
  const [outbox, responses, jobs] = await Promise.all([
    db
      .selectFrom('outbox')
      .select(['channel', 'state', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy(['channel', 'state'])
      .execute(),
    db
      .selectFrom('responses')
      .select(['mode', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('mode')
      .execute(),
    queueDepths(queues),
  ]);
  return {
    outbox: outbox.map((r) => ({ channel: r.channel, state: r.state, n: Number(r.n) })),
    responses: responses.map((r) => ({ mode: r.mode, n: Number(r.n) })),
    queues: jobs,
  };
}

async function queueDepths(queues: Queues | undefined): Promise<Readings['queues']> {
  const health = await queueHealth(queues);
  if (!health.available) return queues ? undefined : [];
  return health.queues.flatMap((q) => JOB_STATES.map((state) => ({ queue: q.name, state, n: q.counts[state] })));
}
