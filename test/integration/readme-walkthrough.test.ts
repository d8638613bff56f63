// The README's first walk-through, run as written with the real `prom` command:
// import, schedule and send, add an admin and a registrar; then the registrar signs in (enrolling
// an authenticator, as a first login does), finds a survivor of their hospital and opens the
// survivor page with its contact log — and the admin, who was made by the same lines, is refused
// survivor pages. If the README's commands stop working or stop making a registrar, this fails.
// @databases pglite — the subject is the `prom` command itself; npm test runs this file on PGlite
// only (scripts/test.js). TEST_DB=postgres still runs it on PostgreSQL by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { systemClock } from '../../src/clock.ts';
import { codeAt } from '../../src/staff/totp.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { person, toCsv } from '../support/people.ts';
import { prom, ROOT } from '../support/processes.ts';

const SECRET = 'readme-walk-secret-readme-walk-secret-01';
const world = useCliWorld('readme', { SESSION_SECRET: SECRET, USER: 'tester' });

interface Step {
  args: string[];
  stdin?: string;
}

/** Splits a shell line into words (single quotes only, as the README uses), without its comment. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.replace(/\s+#\s.*$/, '').matchAll(/'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

/** The `npx prom …` lines of the walk-through, with a password piped in by printf as stdin. */
function walkThrough(readme: string): Step[] {
  const start = readme.indexOf('A first walk through');
  const block = readme.slice(
    readme.indexOf('```sh', start) + 5,
    readme.indexOf('```', readme.indexOf('```sh', start) + 5),
  );
  return block
    .split('\n')
    .filter((l) => l.includes('npx prom '))
    .map((l) => {
      const [feed, command] = l.includes(' | ') ? l.split(' | ') : [undefined, l];
      const args = words(command).slice(2);
      return feed ? { args, stdin: `${words(feed).at(-1)}\n` } : { args };
    });
}

/** First login: password, then the enrolment page's key (shown as text) and a code from it. */
async function firstLogin(app: ReturnType<typeof createApp>, email: string, password: string) {
  const agent = request.agent(app);
  const page = await agent.get('/staff/login').expect(200);
  await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password })
    .expect(303)
    .expect('Location', '/staff/login/enrol');
  const enrol = await agent.get('/staff/login/enrol').expect(200);
  const key = /id="totp-secret">([A-Z2-7 ]+)</.exec(enrol.text)?.[1]?.replace(/ /g, '');
  assert.ok(key, 'the enrolment page shows the key as text');
  await agent
    .post('/staff/login/enrol')
    .type('form')
    .send({ _csrf: csrfFrom(enrol.text), code: await codeAt(key, new Date()) })
    .expect(303)
    .expect('Location', '/staff');
  const home = await agent.get('/staff').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}

test("the README's walk-through makes an admin and a registrar, and the registrar opens a survivor page", async () => {
  const steps = walkThrough(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const users = steps.filter((s) => s.args[0] === 'user' && s.args[1] === 'add');
  assert.deepEqual(
    users.map((s) => s.args[s.args.indexOf('--role') + 1]).sort(),
    ['admin', 'registrar'],
    'the walk-through adds an admin and a registrar',
  );
  const registrarStep = users.find((s) => s.args.includes('registrar'))!;
  const hospital = registrarStep.args[registrarStep.args.indexOf('--hospital') + 1]!;
  const file = path.join(world.dir, 'survivors.csv');
  writeFileSync(
    file,
    toCsv([
      person(1, { hospital, family_name: 'Nordmann' }),
      person(2, { hospital: 'ELSEWHERE', family_name: 'Nordmann' }),
    ]),
  );

  for (const step of steps) {
    const args = step.args.map((a) =>
      a === 'survivors.csv' ? file : a === 'responses.csv' ? path.join(world.dir, a) : a,
    );
    const run = await prom(args, world.env, step.stdin);
    assert.equal(run.code, 0, `prom ${args.join(' ')}: ${run.stderr}`);
  }
  assert.equal(world.smtp.messages.length, 2, 'schedule --drain sent the invitations');

  const email = (role: string) => users.find((s) => s.args.includes(role))!;
  const field = (s: Step, name: string) => s.args[s.args.indexOf(name) + 1]!;
  await world.withDatabase(async (h) => {
    const app = createApp({
      db: h.db,
      views: createViews(),
      instruments: loadInstruments(),
      clock: systemClock,
      sessionSecret: SECRET,
      secureCookies: false,
      redisAlive: () => Promise.resolve(true),
    });
    const registrar = await firstLogin(app, field(email('registrar'), '--email'), email('registrar').stdin!.trim());
    const found = await registrar.agent
      .post('/staff/survivors/search')
      .type('form')
      .send({ _csrf: registrar.csrf, q: 'Nordmann' })
      .expect(200);
    const links = [...found.text.matchAll(/href="(\/staff\/survivors\/\d+)"/g)].map((m) => m[1]!);
    assert.equal(links.length, 1, 'only the survivor of the registrar’s hospital is found');
    const page = await registrar.agent.get(links[0]!).expect(200);
    assert.match(page.text, /Test1 Nordmann/);
    assert.match(page.text, new RegExp(`<td>${hospital}</td>|>${hospital}<`));
    const other = await h.db
      .selectFrom('survivors')
      .select('id')
      .where('register_id', '=', person(2).register_id)
      .executeTakeFirstOrThrow();
    await registrar.agent.get(`/staff/survivors/${other.id}`).expect(404);

    const admin = await firstLogin(app, field(email('admin'), '--email'), email('admin').stdin!.trim());
    await admin.agent.get(links[0]!).expect(403);
  });
});
