// PostgreSQL lost while a respondent submits: a friendly 503 "try again" page that keeps what
// they typed, nothing half written, and the retry succeeds once the database is back.
// (PostgreSQL only: the embedded PGlite runs inside the process and has no connection to cut.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { systemClock } from '../../src/clock.ts';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { TEST_DB, createPostgresDatabase, dropPostgresDatabase, ADMIN_PG_URL } from '../support/db.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { csrfFrom } from '../support/browser-less.ts';

if (TEST_DB === 'postgres') {
  let url: string;
  let proxy: TcpProxy;
  let direct: DbHandle;
  let viaProxy: DbHandle;

  before(async () => {
    url = await createPostgresDatabase();
    direct = await openDatabase({ databaseUrl: url });
    await migrate(direct.db);
    proxy = await startTcpProxy(Number(new URL(ADMIN_PG_URL).port || 5432));
    const proxied = new URL(url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    viaProxy = await openDatabase({ databaseUrl: proxied.toString(), poolSize: 4 });
  });
  after(async () => {
    await viaProxy?.close();
    await proxy?.close();
    await direct?.close();
    if (url) await dropPostgresDatabase(url);
  });

  test('a save during an outage gets 503 with the answer kept; the retry saves it once', async () => {
    const app = createApp({
      db: viaProxy.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: 'outage-test-secret-outage-test-secret-01',
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
    const invitation = await createInvitation(direct.db);
    const agent = request.agent(app);
    await agent.get(`/s/${invitation.token}`).expect(303);
    const csrf = csrfFrom((await agent.get('/s/q/1').expect(200)).text);

    proxy.cut();
    const failed = await agent.post('/s/q/1').type('form').send({ _csrf: csrf, answer: '3' }).expect(503);
    assert.match(failed.text, /Prøv igjen om litt/);
    assert.match(failed.text, /<input type="hidden" name="answer" value="3">/, 'what they typed is in the retry form');
    assert.match(failed.text, /<form method="post" action="\/s\/q\/1"/);
    assert.equal(failed.headers['retry-after'], '30');
    const health = await agent.get('/healthz').expect(503);
    assert.equal((health.body as { database: string }).database, 'unreachable');
    const drafts = await direct.db
      .selectFrom('answer_drafts')
      .selectAll()
      .where('invitation_id', '=', invitation.invitationId)
      .execute();
    assert.equal(drafts.length, 0, 'nothing written half-way');

    proxy.restore();
    // The retry page's form sends exactly the kept fields again.
    const fields = Object.fromEntries(
      [...failed.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
        (m) => [m[1]!, m[2]!] as const,
      ),
    );
    await agent.post('/s/q/1').type('form').send(fields).expect(303).expect('Location', '/s/q/2');
    const saved = await direct.db
      .selectFrom('answer_drafts')
      .select('answers')
      .where('invitation_id', '=', invitation.invitationId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(saved.answers, { mobility: 3 });
  });
}
