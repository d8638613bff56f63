// Ending a staff session sticks while requests of that session are in flight: logout, the admin's
// "end sessions", `prom user disable` and `prom user reset-2fa` (the functions those commands
// call), each raced against 12 concurrent requests carrying the session's cookie, 20 trials each.
// A request that loaded the session before the end and saves it after must not write it back.
// The requests open the queue page, which asks Redis: real I/O between loading and saving the
// session, so with the in-process PGlite too they overlap the end instead of running one by one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import request from 'supertest';
import type { Clock } from '../../src/clock.ts';
import { setTotpSecret } from '../../src/staff/login-local.ts';
import { disableUser, enableUser, resetSecondFactor } from '../../src/staff/users.ts';
import { createWorld, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import { createStaff, signIn, type Agent, type TestStaff } from '../support/staff.ts';
import { TEST_DB } from '../support/db.ts';

const TRIALS = 20;
const CONCURRENT = 12;

let world: World;
let server: Server;
let base: string;
let admin: TestStaff;
let target: TestStaff;
/**
 * Real time (each request moves the session's last-seen time, so it is saved), jumping 31 s ahead
 * per sign-in so every login uses a fresh TOTP step (the replay check stays on).
 */
let ahead = 0;
const clock: Clock = { now: () => new Date(Date.now() + ahead) };

before(async () => {
  world = await createWorld();
  admin = await createStaff(world.database.db, TEST_SESSION_SECRET, { email: 'admin@end.test', role: 'admin' });
  target = await createStaff(world.database.db, TEST_SESSION_SECRET, { email: 'target@end.test', role: 'admin' });
  server = world.app(clock).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await world?.close();
});

async function signedIn(who: TestStaff): Promise<{ agent: Agent; csrf: string; cookie: string }> {
  ahead += 31_000;
  const { agent, csrf } = await signIn(server as never, who, clock);
  const cookie = agent.jar.getCookie('prom.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
  assert.ok(cookie, 'signed in with a session cookie');
  return { agent, csrf, cookie: `prom.sid=${cookie.value}` };
}

async function sessionRows(userId: number): Promise<number> {
  const row = await world.database.db
    .selectFrom('sessions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where(sql`data->'staff'->>'id'`, '=', String(userId))
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * One trial: half the requests, the end, the other half, all at once. Returns true when the
 * session came back (its row exists again, or its cookie still opens a staff page).
 */
async function resurrected(end: (s: { csrf: string; cookie: string }) => Promise<void>): Promise<boolean> {
  const s = await signedIn(target);
  const hit = () =>
    fetch(`${base}/staff/queues`, { headers: { cookie: s.cookie }, redirect: 'manual' }).then((r) => r.arrayBuffer());
  const half = CONCURRENT / 2;
  await Promise.all([...Array.from({ length: half }, hit), end(s), ...Array.from({ length: half }, hit)]);
  const after = await request(server).get('/staff/users').set('Cookie', s.cookie);
  return (await sessionRows(target.id)) > 0 || after.status !== 303;
}

async function runTrials(
  name: string,
  end: (s: { csrf: string; cookie: string }) => Promise<void>,
  reset: () => Promise<void> = async () => {},
) {
  let back = 0;
  const started = Date.now();
  for (let i = 0; i < TRIALS; i++) {
    if (await resurrected(end)) back++;
    await reset();
  }
  console.log(
    `# ${name}: ${back} of ${TRIALS} trials resurrected the session (${TEST_DB}, ${Date.now() - started} ms)`,
  );
  assert.equal(back, 0, `${name}: the ended session came back in ${back} of ${TRIALS} trials`);
}

describe('an ended staff session stays ended with 12 requests in flight', () => {
  test('logout', async () => {
    await runTrials('logout', async (s) => {
      const res = await fetch(`${base}/staff/logout`, {
        method: 'POST',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: s.csrf }),
        redirect: 'manual',
      });
      assert.equal(res.status, 303);
    });
  });

  test('"end sessions" by an admin', async () => {
    const a = await signedIn(admin);
    await runTrials('end sessions', async () => {
      const res = await a.agent.post(`/staff/users/${target.id}/end-sessions`).type('form').send({ _csrf: a.csrf });
      assert.equal(res.status, 303);
    });
  });

  test('prom user disable', async () => {
    await runTrials(
      'prom user disable',
      async () => void (await disableUser(world.database.db, target.email, clock.now())),
      async () => void (await enableUser(world.database.db, target.email)),
    );
  });

  test('prom user reset-2fa', async () => {
    await runTrials(
      'prom user reset-2fa',
      async () => void (await resetSecondFactor(world.database.db, target.email)),
      () =>
        setTotpSecret(
          { db: world.database.db, sessionSecret: TEST_SESSION_SECRET },
          target.id,
          target.secret,
          clock.now(),
        ),
    );
  });
});
