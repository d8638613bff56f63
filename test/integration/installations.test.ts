// Jobs belong to their database. Two installations on one Redis with the default QUEUE_PREFIX
// (different databases) never share queues: installation A's running server takes none of
// installation B's delivery jobs, and B's `prom schedule --drain` sends them all. A worker
// handed a job whose outbox row its database does not hold (a deliberately shared prefix)
// drops it untouched and says so; the drain then reports those e-mails as lost, not "retrying".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixedClock, parseNow } from '../../src/clock.ts';
import { installationId, queuePrefixFor } from '../../src/installation.ts';
import { waitForDrain } from '../../src/invitations/drain.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { deliveryJobQueued } from '../../src/queue/jobs/delivery.ts';
import { startWorkers } from '../../src/jobs/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { useCliWorld } from '../support/cli-world.ts';
import { importPeople, lifecycleCsv } from '../support/lifecycle.ts';
import { person } from '../support/people.ts';
import { ROOT, prom, sparePort } from '../support/processes.ts';
import { deletePrefix, openTestQueues } from '../support/redis.ts';
import { createWorld, type World } from '../support/world.ts';

const PEOPLE = 10;
const people = Array.from({ length: PEOPLE }, (_, i) =>
  person(i + 1, { register_id: `Q${i + 1}`, arrest_date: '2026-01-01' }),
);
const NOW = '2026-04-01T10:00+02:00'; // day 90, after 09:00: every invitation is due

// QUEUE_PREFIX unset: each installation's default prefix.
const a = useCliWorld('inst-a', { QUEUE_PREFIX: undefined });
const b = useCliWorld('inst-b', { QUEUE_PREFIX: undefined });

function startServer(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** A guard against a server that never starts (a first start takes over 30 s on a busy machine). */
async function healthy(port: number, child: ChildProcess): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 120_000; await new Promise((r) => setTimeout(r, 200))) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
  }
  throw new Error('the server did not become healthy');
}

test('two installations on one Redis with the default QUEUE_PREFIX: B sends all its e-mails, A takes none of its jobs', async () => {
  const file = path.join(b.dir, 'people.csv');
  writeFileSync(file, lifecycleCsv(people));
  assert.equal((await prom(['import', file], b.env)).code, 0);
  const idB = await b.withDatabase((h) => installationId(h.db));
  const port = await sparePort();
  const server = startServer({ ...a.env, PORT: String(port) });
  try {
    await healthy(port, server.child);
    const drain = await prom(['schedule', '--now', NOW, '--drain', '--timeout', '10'], b.env);
    console.log(`# B's drain: ${drain.stdout.trim().split('\n').pop()} ${drain.stderr.trim()}`);
    assert.equal(drain.code, 0, drain.stdout + drain.stderr);
    assert.match(drain.stdout, new RegExp(`Drained: ${PEOPLE} sent, 0 cancelled`));
    assert.equal(b.smtp.messages.length, PEOPLE);
    assert.doesNotMatch(server.output(), /does not hold/, "A's worker was handed none of B's jobs");
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    const idA = await a.withDatabase((h) => installationId(h.db));
    assert.notEqual(idA, idB);
    await deletePrefix(`prom-${idA}`);
    await deletePrefix(`prom-${idB}`);
  }
});

test('the same database gives the same prefix to every process; QUEUE_PREFIX wins when set', async () => {
  const [p1, p2, set] = await b.withDatabase(async (h) => [
    await queuePrefixFor(h.db, undefined),
    await queuePrefixFor(h.db, undefined),
    await queuePrefixFor(h.db, 'shared'),
  ]);
  assert.equal(p1, p2);
  assert.match(p1, /^prom-[0-9a-f]{12}$/);
  assert.equal(set, 'shared');
});

sharedPrefix();

/** A prefix shared on purpose: the foreign worker drops the jobs untouched; the drain calls them lost. */
function sharedPrefix() {
  let owner: World;
  let other: TestDatabase;
  before(async () => {
    owner = await createWorld();
    other = await createTestDatabase();
  });
  after(async () => {
    await other?.drop();
    await owner?.close();
  });

  test('a worker handed a job its database does not hold logs it and drops it untouched; the drain reports it lost', async () => {
    const queues = openTestQueues(owner.queues.prefix); // the same prefix for both databases
    const foreign: number[] = [];
    const otherWorkers = startWorkers({ ...owner.deps, db: other.db }, queues, fixedClock(parseNow(NOW)!), {
      scheduler: false,
      onForeignJob: (id) => foreign.push(id),
    });
    try {
      await importPeople(owner.database.db, people.slice(0, 3));
      const pass = await runSchedulingPass(owner.database.db, owner.queues, fixedClock(parseNow(NOW)!));
      assert.equal(pass.dueOutboxIds.length, 3);
      const queued = deliveryJobQueued(owner.queues);
      const drained = await waitForDrain(owner.database.db, pass.dueOutboxIds, 10_000, 100, queued);
      assert.deepEqual(
        [...foreign].sort(),
        [...pass.dueOutboxIds].sort(),
        "every job went to the other database's worker",
      );
      assert.deepEqual({ waiting: drained.waiting, lost: drained.lost }, { waiting: 3, lost: 3 });
      const rows = await owner.database.db
        .selectFrom('outbox')
        .select(['state', 'attempts'])
        .where('id', 'in', pass.dueOutboxIds)
        .execute();
      assert.deepEqual(
        rows.map((r) => `${r.state}/${r.attempts}`),
        ['pending/0', 'pending/0', 'pending/0'],
        'nothing touched',
      );
      assert.equal(owner.smtp.messages.length, 0);
    } finally {
      await otherWorkers.close();
      await queues.close();
    }
  });
}
