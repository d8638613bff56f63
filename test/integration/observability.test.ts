// Operability: structured request logs with a request id on every line, and Prometheus metrics
// whose counts equal the database, readable only from the configured addresses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import request from 'supertest';
import { sql } from 'kysely';
import { systemClock } from '../../src/clock.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { openQueues } from '../../src/queue/queues.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp, type AppDeps } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { answerSurvey } from '../support/browser-less.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { captureLogs } from '../support/logs.ts';
import { sparePort } from '../support/processes.ts';
import { openTestQueues } from '../support/redis.ts';
import { createInvitation } from '../support/survey-fixtures.ts';

let database: TestDatabase;
let queues: ReturnType<typeof openTestQueues>;
const views = createViews();
const instruments = loadInstruments();

before(async () => {
  database = await createTestDatabase();
  queues = openTestQueues();
});
after(async () => {
  await queues?.cleanup();
  await database?.drop();
});

function app(extra: Partial<AppDeps> = {}) {
  return createApp({
    db: database.db,
    views,
    instruments,
    clock: systemClock,
    sessionSecret: 'observability-test-secret-0123456789abcdef',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
    ...extra,
  });
}

test('every request gets an id, echoed as X-Request-Id and on each of its log lines; URLs are never logged', async () => {
  const logs = captureLogs();
  const a = app({ logger: logs.logger });
  const token = 'Q'.repeat(43);
  const guess = await request(a).get(`/s/${token}?email=someone@example.test`).expect(404);
  const id = guess.headers['x-request-id'];
  assert.match(id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const own = logs.entries().filter((e) => e.reqId === id);
  assert.deepEqual(
    own.map((e) => e.msg),
    ['unknown survey link', 'request'],
  );
  assert.equal(own[1]!.route, '/s/:token');
  assert.deepEqual(own[1]!.res, { statusCode: 404 });
  assert.equal(typeof own[1]!.responseTime, 'number');

  // A proxy's id is kept when it is a plain token; anything else is replaced.
  const kept = await request(a).get('/kode').set('X-Request-Id', 'edge-7f3a9c21').expect(200);
  assert.equal(kept.headers['x-request-id'], 'edge-7f3a9c21');
  const replaced = await request(a).get('/kode').set('X-Request-Id', 'x" injected\\n{').expect(200);
  assert.notEqual(replaced.headers['x-request-id'], 'x" injected\\n{');
  await request(a).get('/a/b/some-secret-path').expect(404);

  const text = logs.text();
  assert.doesNotMatch(text, /QQQQQQQQ|example\.test|some-secret-path|injected/);
  assert.ok(logs.entries().some((e) => e.route === '(unmatched)'));
  for (const e of logs.entries()) {
    assert.ok(typeof e.reqId === 'string', `request id on ${JSON.stringify(e)}`);
    assert.equal(
      e.req === undefined ||
        Object.keys(e.req as object)
          .sort()
          .join() === 'id,method',
      true,
      'no headers, URL or address in req',
    );
  }
});

test('a request its client abandons is logged once, marked aborted, with its id', async () => {
  const logs = captureLogs();
  const server = app({ logger: logs.logger }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    // Headers and half a form, then the connection drops: the body parser is still waiting.
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write(
      'POST /s/q/1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 100\r\nX-Request-Id: abandoned-7f3a9c21\r\n\r\nanswer=',
    );
    await once(socket, 'connect');
    await setTimeout(200);
    socket.destroy();
    const mine = () => logs.entries().filter((e) => e.reqId === 'abandoned-7f3a9c21');
    for (let i = 0; i < 50 && mine().length === 0; i++) await setTimeout(100);
    await setTimeout(200);
    assert.equal(mine().length, 1, JSON.stringify(mine()));
    assert.equal(mine()[0]!.msg, 'request');
    assert.equal(mine()[0]!.aborted, true);
    const answered = await request(server).get('/kode').expect(200);
    const line = logs.entries().find((e) => e.reqId === answered.headers['x-request-id']);
    assert.equal(line?.aborted, undefined, 'a finished answer is not marked');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('/metrics counts equal the database, read fresh after the cache time', async () => {
  const metrics = createMetrics({ db: database.db, queues, allow: ['loopback'], cacheSeconds: 0 });
  const a = app({ metrics });
  const answered = await createInvitation(database.db);
  const other = await createInvitation(database.db);
  for (const [invitation, step, channel, state] of [
    [answered.invitationId, 'invitation', 'email', 'sent'],
    [answered.invitationId, 'reminder1', 'email', 'unknown'],
    [other.invitationId, 'invitation', 'email', 'failed'],
    [other.invitationId, 'reminder2', 'paper', 'print'],
  ] as const) {
    await database.db
      .insertInto('outbox')
      .values({ invitation_id: invitation, step, channel, state, due_at: new Date(), created_at: new Date() })
      .execute();
  }
  await answerSurvey(request.agent(a), answered.token, [1, 2, 3, 4, 5], 60);
  await queues.delivery.add('deliver', { outboxId: 999999 }, { delay: 60_000, jobId: 'ob-999999' });

  const body = (
    await request(a)
      .get('/metrics')
      .expect(200)
      .expect('content-type', /text\/plain/)
  ).text;
  const outbox = await sql<{
    channel: string;
    state: string;
    n: number;
  }>`select channel, state, count(*)::int as n from outbox group by 1, 2`.execute(database.db);
  for (const r of outbox.rows)
    assert.match(body, new RegExp(`^prom_outbox_messages\\{channel="${r.channel}",state="${r.state}"\\} ${r.n}$`, 'm'));
  assert.match(body, /^prom_outbox_messages\{channel="email",state="unknown"\} 1$/m);
  assert.match(body, /^prom_responses\{mode="web"\} 1$/m);
  assert.match(body, /^prom_queue_jobs\{queue="delivery",state="delayed"\} 1$/m);
  assert.match(body, /^prom_redis_up 1$/m);
  assert.match(body, /^http_request_duration_seconds_count\{method="POST",route="\/s\/submit",status_code="303"\} 1$/m);
  assert.match(body, /^process_resident_memory_bytes \d+/m);
  assert.doesNotMatch(body, new RegExp(answered.token), 'route patterns, never tokens');

  // A paper answer shows up on the next scrape (cache time 0 here).
  await database.db
    .insertInto('responses')
    .values({
      id: randomUUID(),
      invitation_id: other.invitationId,
      mode: 'paper',
      language: 'nb',
      mobility: 2,
      self_care: 1,
      usual_activities: 1,
      pain_discomfort: 3,
      anxiety_depression: 1,
      vas: 70,
      completed_at: new Date(),
    })
    .execute();
  assert.match((await request(a).get('/metrics').expect(200)).text, /^prom_responses\{mode="paper"\} 1$/m);
});

test('/metrics answers only the configured addresses, by socket address whatever X-Forwarded-For says', async () => {
  const closed = app({ metrics: createMetrics({ db: database.db, allow: ['10.0.0.0/8'] }), trustProxy: true });
  const refused = await request(closed).get('/metrics').set('X-Forwarded-For', '10.1.2.3').expect(404);
  assert.doesNotMatch(refused.text, /prom_|process_/);
  await request(app({ metrics: createMetrics({ db: database.db, allow: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] }) }))
    .get('/metrics')
    .expect(200);
  await request(app()).get('/metrics').expect(404); // no metrics configured: no route
});

test('Redis down: /metrics still answers at once, with prom_redis_up 0 and no queue series', async () => {
  const port = await sparePort();
  const dead = openQueues(`redis://127.0.0.1:${port}`, 'dead');
  for (const q of [dead.scheduler, dead.delivery]) q.on('error', () => {}); // the outage is the point
  try {
    const a = app({ metrics: createMetrics({ db: database.db, queues: dead, allow: ['loopback'] }) });
    const started = Date.now();
    const body = (await request(a).get('/metrics').expect(200)).text;
    assert.ok(Date.now() - started < 5000, 'bounded by the 2 s Redis timeout');
    assert.match(body, /^prom_redis_up 0$/m);
    assert.doesNotMatch(body, /^prom_queue_jobs\{/m);
    assert.match(body, /^prom_responses\{mode="web"\} \d+$/m, 'database readings are still there');
  } finally {
    await dead.close();
  }
});

test('a request that fails is logged at error level with the kind of error and its request id, never its message', async () => {
  const logs = captureLogs();
  // A database whose reads fail with an error quoting a national id, as a constraint error would.
  const failing = new Proxy(database.db, {
    get: (target, name) =>
      name === 'selectFrom'
        ? () => {
            throw new TypeError('row (national_id)=(12345678901)');
          }
        : (Reflect.get(target, name) as unknown),
  });
  const res = await request(app({ db: failing, logger: logs.logger }))
    .get(`/s/${'F'.repeat(43)}`)
    .expect(500);
  const lines = logs.entries().filter((e) => e.reqId === res.headers['x-request-id']);
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      ['error', 'error while answering'],
      ['error', 'request'],
    ],
  );
  assert.deepEqual(lines[0]!.err, { type: 'TypeError' });
  assert.deepEqual(lines[1]!.res, { statusCode: 500 });
  assert.equal(lines[1]!.err, undefined, 'no second, made-up error');
  for (const line of lines) assert.equal(line.route, '/s/:token');
  assert.doesNotMatch(logs.text(), /12345678901/);
});
