// The embedded database makes a commit durable: PostgreSQL inside PGlite runs with fsync on, and
// its fsync reaches the disk (fdatasync on the file) before the commit returns. PGlite's own
// defaults are fsync=off and a Node file system whose fsync does nothing (docs/operations.md).
// PGlite only: a PostgreSQL server's durability is its own setting.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fdatasyncSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { DurableNodeFS, durableStartParams } from '../../src/db/pglite-durable.ts';
import { TEST_DB } from '../support/db.ts';

const skip = TEST_DB !== 'pglite' && 'PGlite only';
const dirs: string[] = [];
const folder = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'prom-durable-'));
  dirs.push(d);
  return path.join(d, 'pglite');
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('the embedded database on a folder runs with fsync on and says it is durable', { skip }, async () => {
  const handle = await openDatabase({ pgliteDir: folder(), command: 'durability test' });
  try {
    assert.equal((await sql<{ fsync: string }>`SHOW fsync`.execute(handle.db)).rows[0]!.fsync, 'on');
    assert.equal(handle.durable, true);
  } finally {
    await handle.close();
  }
});

test('every commit is synced to disk (fdatasync) before it returns', { skip }, async () => {
  const { PGlite } = await import('@electric-sql/pglite');
  let syncs = 0;
  const fs = new DurableNodeFS(folder(), (fd) => {
    syncs++;
    fdatasyncSync(fd);
  });
  const pg = await PGlite.create({ fs, startParams: durableStartParams(PGlite.defaultStartParams) });
  try {
    await pg.query('CREATE TABLE t (id int)');
    const commits = 50;
    const before = syncs;
    const started = Date.now();
    for (let i = 0; i < commits; i++) await pg.query('INSERT INTO t VALUES ($1)', [i]);
    console.log(`# ${commits} commits: ${syncs - before} fdatasync calls, ${Date.now() - started} ms`);
    assert.ok(syncs - before >= commits, `${syncs - before} fdatasync calls for ${commits} commits`);
  } finally {
    await pg.close();
  }
});
