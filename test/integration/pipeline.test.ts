// The pipelined connection of the hot statements (src/db/pipeline.ts), on a real PostgreSQL
// whatever TEST_DB says (PGlite has no such connection): answers reach the statement that asked,
// one failure stays with its statement, a lost connection is replaced, a lock wait is bounded,
// and closing the database ends the connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresPipeline, postgresPool } from '../../src/db/database.ts';
import { Pipeline } from '../../src/db/pipeline.ts';
import { ADMIN_PG_URL, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { saveDraftAnswer } from '../../src/invitations/answers.ts';
import { osloDay } from '../../src/clock.ts';

let database: TestDatabase;
let pipeline: Pipeline;
before(async () => {
  database = await createTestDatabase({ kind: 'postgres' });
  pipeline = postgresPipeline(database.db)!;
});
after(async () => {
  await database?.drop();
});

const backendPid = async () =>
  (await pipeline.query<{ pid: number }>({ text: 'select pg_backend_pid() as pid' })).rows[0]!.pid;

/** The SQLSTATE of a statement's error. */
const codeOf = (err: unknown) => (err as { code?: string }).code;

/** Connections to this test's database other than the admin one asking. */
async function connectionsTo(url: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [new URL(url).pathname.slice(1)],
    );
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}

describe('the pipelined connection', () => {
  test('200 statements sent at once, named and plain, each get their own answer on one connection', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2
          ? pipeline.query<{ n: number; pid: number }>({
              name: 'pipeline_test_echo',
              text: 'select $1::int as n, pg_backend_pid() as pid',
              values: [i],
            })
          : pipeline.query<{ n: number; pid: number }>({
              text: 'select $1::int as n, pg_backend_pid() as pid',
              values: [i],
            }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.rows[0]!.n),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.equal(new Set(answers.map((a) => a.rows[0]!.pid)).size, 1);
  });

  test('a failing statement fails alone: those before and after it are answered', async () => {
    const [before, failed, afterIt] = await Promise.allSettled([
      pipeline.query({ text: 'select 1 as n' }),
      pipeline.query({ text: 'select 1 / 0 as n' }),
      pipeline.query({ text: 'select 3 as n' }),
    ]);
    assert.equal(before.status, 'fulfilled');
    assert.equal(failed.status === 'rejected' && codeOf(failed.reason), '22012', 'division_by_zero');
    assert.equal(afterIt.status === 'fulfilled' && afterIt.value.rows[0]!.n, 3);
  });

  test('a connection the server ends is replaced: the next statements run on a new one', async () => {
    const old = await backendPid();
    await postgresPool(database.db)!.query('select pg_terminate_backend($1)', [old]);
    let fresh: number | undefined;
    for (let i = 0; i < 50 && fresh === undefined; i++) {
      // Statements sent before the client has heard of the end fail with it; later ones reconnect.
      fresh = await backendPid().catch(() => undefined);
      if (fresh === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(fresh !== undefined && fresh !== old, `new backend ${fresh}, old ${old}`);
  });

  test('a statement waiting on a row lock gives up after the lock timeout; the ones behind it are answered', async () => {
    const pool = postgresPool(database.db)!;
    await pool.query('create table pipeline_lock_test (id int primary key)');
    await pool.query('insert into pipeline_lock_test values (1)');
    const holder = await pool.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from pipeline_lock_test where id = 1 for update');
      const started = Date.now();
      const [waiting, behind] = await Promise.allSettled([
        pipeline.query({ text: 'update pipeline_lock_test set id = id where id = 1' }),
        pipeline.query<{ n: number }>({ text: 'select 42 as n' }),
      ]);
      const waited = Date.now() - started;
      assert.equal(waiting.status === 'rejected' && codeOf(waiting.reason), '55P03', 'lock_not_available');
      assert.equal(behind.status === 'fulfilled' && behind.value.rows[0]!.n, 42);
      assert.ok(waited >= 1_500 && waited < 10_000, `waited ${waited} ms`);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
  });
});

test('a draft save held up by a row lock past the timeout waits on a pooled connection and is stored', async () => {
  const inv = await createInvitation(database.db);
  const today = osloDay(new Date());
  assert.equal(await saveDraftAnswer(database.db, inv.invitationId, 'mobility', 1, today), true);
  const holder = await postgresPool(database.db)!.connect();
  try {
    await holder.query('begin');
    await holder.query('select * from answer_drafts where invitation_id = $1 for update', [inv.invitationId]);
    const started = Date.now();
    const saving = saveDraftAnswer(database.db, inv.invitationId, 'self_care', 4, today);
    // Past the pipeline's lock timeout, while the save waits on the pool; the pipeline is free again.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal((await pipeline.query<{ n: number }>({ text: 'select 7 as n' })).rows[0]!.n, 7);
    await holder.query('commit');
    assert.equal(await saving, true);
    assert.ok(Date.now() - started >= 3_000);
  } finally {
    holder.release();
  }
  const draft = await database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(draft.answers, { mobility: 1, self_care: 4 });
});

test('a connection with nothing to do is closed after the idle time, and the next statement opens a new one', async () => {
  const idle = new Pipeline({ connectionString: database.url! }, { idleMs: 200 });
  try {
    const pid = async () =>
      (await idle.query<{ pid: number }>({ text: 'select pg_backend_pid() as pid' })).rows[0]!.pid;
    const first = await pid();
    assert.ok((await connectionsTo(database.url!)).includes(first));
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(!(await connectionsTo(database.url!)).includes(first), 'closed when idle');
    assert.notEqual(await pid(), first);
  } finally {
    await idle.close();
  }
});

test('closing the database ends the pipelined connection, and a statement after it is refused', async () => {
  const other = await createTestDatabase({ kind: 'postgres' });
  try {
    const p = postgresPipeline(other.db)!;
    const pid = (await p.query<{ pid: number }>({ text: 'select pg_backend_pid() as pid' })).rows[0]!.pid;
    assert.ok((await connectionsTo(other.url!)).includes(pid));
    await other.close();
    assert.ok(!(await connectionsTo(other.url!)).includes(pid), 'the pipelined backend is gone');
    await assert.rejects(p.query({ text: 'select 1' }), /the database is closed/);
  } finally {
    await other.drop();
  }
});
