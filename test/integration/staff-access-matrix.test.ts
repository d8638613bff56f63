// docs/staff-access.md's access matrix cannot drift from the code: its rows are the route table
// read from the app's router stack (test/support/access-matrix.ts), and every cell is then
// asked of the running app — no session, and each role signed in — so a tag that lied would fail
// too. A new or changed /staff route fails here until the document is regenerated:
//   WRITE_ACCESS_MATRIX=1 node --import tsx --test test/integration/staff-access-matrix.test.ts
// (notes written by hand in the last column are kept).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import {
  cells,
  MATRIX_END,
  MATRIX_START,
  parseMatrix,
  renderMatrix,
  ROLES,
  routeKey,
  staffRoutes,
  type RouteAccess,
} from '../support/access-matrix.ts';
import { ROOT } from '../support/processes.ts';
import { createStaff, signIn, type Agent } from '../support/staff.ts';
import { writeTestHospitals } from '../support/staff-cohort.ts';
import { createWorld, TEST_SESSION_SECRET, type World } from '../support/world.ts';

const DOC = `${ROOT}docs/staff-access.md`;
let world: World;
let routes: RouteAccess[];

before(async () => {
  world = await createWorld();
  await writeTestHospitals(world.database.db);
  routes = staffRoutes(world.app());
});
after(async () => {
  await world?.close();
});

test('the access matrix in docs/staff-access.md is the route table of the code, row for row', () => {
  const doc = readFileSync(DOC, 'utf8');
  const documented = parseMatrix(doc);
  if (process.env.WRITE_ACCESS_MATRIX === '1') {
    const notes = new Map([...documented].map(([k, v]) => [k, v.note]));
    const start = doc.indexOf(MATRIX_START);
    writeFileSync(
      DOC,
      doc.slice(0, start) + renderMatrix(routes, notes) + doc.slice(doc.indexOf(MATRIX_END) + MATRIX_END.length),
    );
    return;
  }
  const inCode = new Map(routes.map((r) => [routeKey(r), cells(r)]));
  assert.deepEqual(
    [...documented.keys()].sort(),
    [...inCode.keys()].sort(),
    'every /staff route of the code is in the matrix and nothing else is (regenerate with WRITE_ACCESS_MATRIX=1, see the top of this file)',
  );
  for (const [key, want] of inCode)
    assert.deepEqual(documented.get(key)?.cells, want, `${key}: the matrix says what the code does`);
  // What the issue found missing: every paper and erasure route is there, with admins on paper.
  assert.ok(routes.filter((r) => r.path.startsWith('/staff/paper')).length >= 7);
  assert.ok(routes.some((r) => r.path.startsWith('/staff/erasure')));
  assert.ok(
    routes
      .filter((r) => r.path.startsWith('/staff/paper'))
      .every((r) => r.roles.includes('admin') && r.roles.includes('registrar') && !r.roles.includes('analyst')),
  );
});

/** A path with its parameters filled in; ids that exist or not, the answer before the handler decides. */
const filled = (path: string) => path.replace(':code', 'OUS').replace(/:[a-z]+/g, '1');

test('each cell of the matrix is what the app answers: no session, and each role signed in', async () => {
  const app = world.app();
  const agents = {} as Record<(typeof ROLES)[number], { agent: Agent; csrf: string }>;
  for (const role of ROLES) {
    const who = await createStaff(world.database.db, TEST_SESSION_SECRET, {
      email: `${role}@matrix.test`,
      role,
      hospitals: role === 'registrar' ? ['OUS'] : [],
    });
    agents[role] = await signIn(app, who);
  }
  const wrong: string[] = [];
  for (const r of routes.filter((x) => x.session)) {
    const path = filled(r.path);
    const anon =
      r.method === 'GET' ? await request(app).get(path) : await request(app).post(path).type('form').send({});
    if (String(anon.status) !== cells(r)[0]) wrong.push(`${routeKey(r)} without a session: ${anon.status}`);
    for (const role of ROLES) {
      const allowed = r.roles.includes(role);
      // Only refusals are asked of POST routes: an allowed POST would change data.
      if (r.method === 'POST' && allowed) continue;
      const { agent, csrf } = agents[role];
      const res =
        r.method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ _csrf: csrf });
      if ((res.status === 403) !== !allowed)
        wrong.push(`${routeKey(r)} as ${role}: ${res.status}, the matrix says ${allowed ? 'let through' : '403'}`);
    }
  }
  assert.deepEqual(wrong, []);
});
