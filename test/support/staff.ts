// Staff users with an authenticator already enrolled, and the two-step login the way a browser
// without JavaScript does it (password page, then code page), with codes made by otplib.
import request from 'supertest';
import type { Express } from 'express';
import type { Clock } from '../../src/clock.ts';
import { systemClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import { setTotpSecret } from '../../src/staff/login-local.ts';
import { codeAt, newTotpSecret } from '../../src/staff/totp.ts';
import { addUser } from '../../src/staff/users.ts';
import { csrfFrom } from './browser-less.ts';

export const STAFF_PASSWORD = 'a long and secret password';

export interface TestStaff {
  id: number;
  email: string;
  role: StaffRole;
  password: string;
  /** The authenticator secret (base32), as the person's app holds it. */
  secret: string;
}

export async function createStaff(
  db: Db,
  sessionSecret: string,
  u: { email: string; role: StaffRole; hospitals?: string[] },
): Promise<TestStaff> {
  const added = await addUser(db, {
    email: u.email,
    role: u.role,
    hospitals: u.hospitals ?? [],
    password: STAFF_PASSWORD,
  });
  const secret = newTotpSecret();
  await setTotpSecret({ db, sessionSecret }, added.id, secret, new Date());
  return { id: added.id, email: added.email, role: added.role, password: STAFF_PASSWORD, secret };
}

export type Agent = ReturnType<typeof request.agent>;

/**
 * Signs in through both steps and returns the agent with its session. Each call uses the next
 * 30-second time step after the last one this helper used for the person, so repeated logins in
 * one test never trip the replay check (codes are accepted one step either side of now).
 */
const lastStep = new Map<string, number>();
export async function signIn(
  app: Express,
  staff: TestStaff,
  clock: Clock = systemClock,
): Promise<{ agent: Agent; csrf: string }> {
  const agent = request.agent(app);
  const page = await agent.get('/staff/login').expect(200);
  await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: staff.email, password: staff.password })
    .expect(303)
    .expect('Location', '/staff/login/code');
  const codePage = await agent.get('/staff/login/code').expect(200);
  await agent
    .post('/staff/login/code')
    .type('form')
    .send({ _csrf: csrfFrom(codePage.text), code: await nextCode(staff, clock) })
    .expect(303)
    .expect('Location', '/staff');
  const home = await agent.get('/staff').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}

export async function nextCode(staff: TestStaff, clock: Clock = systemClock): Promise<string> {
  const now = clock.now();
  const current = Math.floor(now.getTime() / 30_000);
  const previous = lastStep.get(staff.email);
  const step = previous === undefined || previous < current ? current : previous + 1;
  if (step > current + 1)
    throw new Error(`${staff.email} signed in three times within 30 s; use another user or advance the clock`);
  lastStep.set(staff.email, step);
  return codeAt(staff.secret, new Date(step * 30_000 + 1000));
}
