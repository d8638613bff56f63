// This installation's id (one row in the database, migration 0009) and the queue prefix it
// gives: web and worker processes of one installation read the same id, so they share their
// queues; another installation on the same Redis has its own. QUEUE_PREFIX overrides it.
import type { Db } from './db/database.ts';

export async function installationId(db: Db): Promise<string> {
  const row = await db.selectFrom('installation').select('id').executeTakeFirstOrThrow();
  return row.id;
}

/** QUEUE_PREFIX when set, else `prom-<installation id>`. */
export async function queuePrefixFor(db: Db, configured: string | undefined): Promise<string> {
  return configured ?? `prom-${await installationId(db)}`;
}
