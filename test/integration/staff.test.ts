// Staff login and dashboard against the real database: redirects without a session, CSRF on
// the login form, argon2id passwords, TOTP enrolment and codes, a new session id at each login
// step, audit rows, real counts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { addUser } from '../../src/staff/users.ts';
import { createWorld, type World } from '../support/world.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { codeAt } from '../../src/staff/totp.ts';

let world: World;
before(async () => {
  world = await createWorld();
  await addUser(world.database.db, {
    email: 'kari@register.test',
    role: 'admin',
    password: 'a long and secret password',
  });
});
after(async () => {
  await world?.close();
});

async function loginPage(agent: ReturnType<typeof request.agent>) {
  const page = await agent.get('/staff/login').expect(200);
  return csrfFrom(page.text);
}

test('/staff without a session answers 303 to /staff/login', async () => {
  await request(world.app()).get('/staff').expect(303).expect('Location', '/staff/login');
});

test('a login POST without a valid CSRF token answers 403', async () => {
  const agent = request.agent(world.app());
  await loginPage(agent);
  await agent
    .post('/staff/login')
    .type('form')
    .send({ email: 'kari@register.test', password: 'a long and secret password' })
    .expect(403);
  await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: 'forged', email: 'kari@register.test', password: 'x' })
    .expect(403);
  await request(world.app())
    .post('/staff/login')
    .type('form')
    .send({ _csrf: 'x', email: 'a', password: 'b' })
    .expect(403);
});

test('a wrong password is refused without saying which part was wrong, and audited', async () => {
  const agent = request.agent(world.app());
  const csrf = await loginPage(agent);
  const res = await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrf, email: 'kari@register.test', password: 'wrong password!' })
    .expect(401);
  assert.match(res.text, /<title>Feil: /);
  assert.match(res.text, /E-postadressen eller passordet er feil/);
  const unknown = await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrf, email: 'nobody@register.test', password: 'wrong password!' })
    .expect(401);
  assert.match(unknown.text, /E-postadressen eller passordet er feil/);
  const failed = await world.database.db
    .selectFrom('audit_log')
    .select('action')
    .where('action', '=', 'login-failed')
    .execute();
  assert.equal(failed.length, 2);
});

test('login is two steps: password, then enrolment of an authenticator (QR) and a code; each step gives a new session id; logout ends it', async () => {
  await seedInvitations(world, { sentOnly: 3, answered: 1 });
  const agent = request.agent(world.app());
  const before = await agent.get('/staff/login').expect(200);
  const cookieBefore = sessionCookie(before.headers['set-cookie']);
  const login = await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrfFrom(before.text), email: 'KARI@register.test', password: 'a long and secret password' })
    .expect(303)
    .expect('Location', '/staff/login/enrol');
  const cookieHalf = sessionCookie(login.headers['set-cookie']);
  assert.ok(cookieHalf && cookieHalf !== cookieBefore, 'session id changes after the password');
  assert.match(login.headers['set-cookie']!.toString(), /HttpOnly/);
  assert.match(login.headers['set-cookie']!.toString(), /SameSite=Lax/);

  // Half-way, the staff pages are still closed.
  await agent.get('/staff').expect(303).expect('Location', '/staff/login');

  const enrol = await agent.get('/staff/login/enrol').expect(200);
  assert.match(
    enrol.text,
    /<img class="qr" src="data:image\/png;base64,[A-Za-z0-9+/]+(&#x3D;)*" alt="[^"]+"/,
    'QR code as a data: URL with a text alternative',
  );
  const secret = /<code class="secret" id="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!.replace(/ /g, '');
  const again = await agent.get('/staff/login/enrol').expect(200);
  assert.ok(
    again.text.includes(/<code class="secret" id="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!),
    'a reload shows the same key',
  );
  const stored = await world.database.db
    .selectFrom('staff_users')
    .select(['totp_secret', 'totp_enrolled_at'])
    .where('email', '=', 'kari@register.test')
    .executeTakeFirstOrThrow();
  assert.equal(stored.totp_enrolled_at, null, 'not enrolled before a code proves the app has the key');

  await agent
    .post('/staff/login/enrol')
    .type('form')
    .send({ _csrf: csrfFrom(enrol.text), code: '000000' })
    .expect(401);
  const done = await agent
    .post('/staff/login/enrol')
    .type('form')
    .send({ _csrf: csrfFrom(enrol.text), code: await codeAt(secret, new Date()) })
    .expect(303)
    .expect('Location', '/staff');
  const cookieAfter = sessionCookie(done.headers['set-cookie']);
  assert.ok(cookieAfter && cookieAfter !== cookieHalf, 'session id changes again once signed in');
  const enrolled = await world.database.db
    .selectFrom('staff_users')
    .select(['totp_secret', 'totp_enrolled_at'])
    .where('email', '=', 'kari@register.test')
    .executeTakeFirstOrThrow();
  assert.ok(enrolled.totp_enrolled_at);
  assert.ok(
    enrolled.totp_secret?.startsWith('v1.') && !enrolled.totp_secret.includes(secret),
    'the secret is stored encrypted',
  );

  const dashboard = await agent.get('/staff').expect(200);
  assert.equal(field(dashboard.text, 'invited'), '4');
  assert.equal(field(dashboard.text, 'answered'), '1');
  assert.equal(field(dashboard.text, 'rate'), '25,0 %');
  assert.match(dashboard.text, /forhåndsvisningstekster/, 'staff see that preview texts are in use');
  assert.equal(dashboard.headers['cache-control'], 'no-store');
  assert.doesNotMatch(dashboard.text, new RegExp(secret), 'the key is never shown again');

  await agent
    .post('/staff/logout')
    .type('form')
    .send({ _csrf: csrfFrom(dashboard.text) })
    .expect(303)
    .expect('Location', '/staff/login');
  await agent.get('/staff').expect(303).expect('Location', '/staff/login');
  // The old cookie is worth nothing now: its session row is gone.
  await request(world.app()).get('/staff').set('Cookie', cookieAfter).expect(303).expect('Location', '/staff/login');
  const sessions = await world.database.db.selectFrom('sessions').select('sid').execute();
  assert.ok(
    sessions.every((s) => !cookieAfter.includes(s.sid)),
    'session ids are stored hashed',
  );
  const logins = await world.database.db
    .selectFrom('audit_log')
    .select(['actor', 'action'])
    .where('action', '=', 'login')
    .execute();
  assert.deepEqual(logins, [{ actor: 'kari@register.test', action: 'login' }]);

  // The next login asks for a code, not a new enrolment.
  const next = request.agent(world.app());
  const page = await next.get('/staff/login').expect(200);
  await next
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: 'kari@register.test', password: 'a long and secret password' })
    .expect(303)
    .expect('Location', '/staff/login/code');
});

function field(html: string, name: string): string | undefined {
  return new RegExp(`data-field="${name}">([^<]*)<`).exec(html)?.[1];
}

function sessionCookie(header: string | string[] | undefined): string {
  const all = Array.isArray(header) ? header : header ? [header] : [];
  return all.find((c) => c.startsWith('prom.sid='))?.split(';')[0] ?? '';
}

/** Invitations with a sent e-mail, some answered; counts the dashboard must reproduce. */
async function seedInvitations(w: World, n: { sentOnly: number; answered: number }) {
  const db = w.database.db;
  for (let i = 0; i < n.sentOnly + n.answered; i++) {
    const s = await db
      .insertInto('survivors')
      .values({
        register_id: `S${i}`,
        national_id: `0000000000${i}`,
        birth_date: '1950-01-01',
        sex: 'male',
        language: 'nb',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const e = await db
      .insertInto('arrest_events')
      .values({ survivor_id: s.id, arrest_date: '2026-01-01', arrest_type: 'OHCA', hospital: 'OUS' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const answered = i < n.answered;
    const inv = await db
      .insertInto('invitations')
      .values({
        arrest_event_id: e.id,
        state: answered ? 'answered' : 'sent',
        opens_on: '2026-04-01',
        closes_on: '2026-07-03',
        language: 'nb',
        created_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('outbox')
      .values({
        invitation_id: inv.id,
        step: 'invitation',
        channel: 'email',
        state: 'sent',
        due_at: new Date(),
        created_at: new Date(),
      })
      .execute();
    if (answered) {
      await db
        .insertInto('responses')
        .values({
          id: randomUUID(),
          invitation_id: inv.id,
          mode: 'web',
          language: 'nb',
          mobility: 1,
          self_care: 1,
          usual_activities: 1,
          pain_discomfort: 1,
          anxiety_depression: 1,
          vas: 90,
          completed_at: new Date(),
        })
        .execute();
    }
  }
  // A planned invitation whose e-mail has not gone out is not "invited".
  const s = await db
    .insertInto('survivors')
    .values({ register_id: 'P1', national_id: '00000000099', birth_date: '1950-01-01', sex: 'female', language: 'nb' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const e = await db
    .insertInto('arrest_events')
    .values({ survivor_id: s.id, arrest_date: '2026-01-01', arrest_type: 'IHCA', hospital: 'HUS' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('invitations')
    .values({
      arrest_event_id: e.id,
      opens_on: '2026-04-01',
      closes_on: '2026-07-03',
      language: 'nb',
      created_at: new Date(),
    })
    .execute();
}
