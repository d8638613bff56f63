// The contact and consent rules have one owner (src/invitations/, docs/architecture.md
// "Transitions"): no other code inserts into, updates or deletes from the tables whose rows those
// rules govern. Migrations and tests are outside this check; the exemptions below say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const OWNER = 'src/invitations/';
const OWNED = [
  'invitations',
  'outbox',
  'letters',
  'print_batches',
  'responses',
  'answer_drafts',
  'invitation_tokens',
  'short_codes',
  'uncounted_returns',
  'erasures',
];

/** Files allowed to write owned tables without a transition, and why. */
const EXEMPT: Record<string, string> = {
  'test/bench/submit.ts': 'benchmark seed: bulk COPY-style inserts of 10,000s of rows measured against a baseline',
  'test/bench/submit-child.ts': "benchmark baseline: the bare upsert the service's draft save is compared with",
  'test/bench/dashboard.ts': 'benchmark seed: a million invitations inserted with generate_series',
  'test/bench/export.ts': 'benchmark seed: a million responses inserted with generate_series',
  'test/bench/deliver.ts': 'benchmark seed: due e-mail steps inserted with generate_series',
  'test/bench/startup.ts':
    'benchmark seed: 100,000 survivors with invitations and responses inserted with generate_series',
};

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((entry) => {
    const rel = path.posix.join(dir, entry);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : /\.(ts|js)$/.test(entry) ? [rel] : [];
  });
}

const table = OWNED.join('|');
const WRITES = [
  new RegExp(`(insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\\(\\s*['"\`](${table})\\b`, 'g'),
  new RegExp(`\\b(insert\\s+into|update|delete\\s+from)\\s+(${table})\\b`, 'gi'),
];

/** `file:line: the write` for every write of an owned table. */
export function writesIn(file: string, text: string): string[] {
  const found: string[] = [];
  for (const pattern of WRITES) {
    for (const m of text.matchAll(pattern)) found.push(`${file}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
  }
  return found;
}

test('outside the rules owner, nothing writes the tables its transitions own', () => {
  const scanned = [...files('src'), ...files('scripts'), ...files('bin'), ...files('test/bench')].filter(
    (f) => !f.startsWith(OWNER),
  );
  assert.ok(scanned.length > 80, `scanned ${scanned.length} files`);
  const offenders = scanned
    .filter((f) => !(f in EXEMPT))
    .flatMap((f) => writesIn(f, readFileSync(path.join(root, f), 'utf8')));
  assert.deepEqual(
    offenders,
    [],
    'write these through a transition of src/invitations/ (or list an exemption with its reason)',
  );
});

test('every exemption is still needed, so the list cannot hide a new writer', () => {
  for (const file of Object.keys(EXEMPT)) {
    assert.ok(
      writesIn(file, readFileSync(path.join(root, file), 'utf8')).length > 0,
      `${file} no longer writes an owned table: drop its exemption`,
    );
  }
});

test('the check finds writes in every form the code uses', () => {
  assert.equal(writesIn('x.ts', "db.insertInto('responses').values({})").length, 1);
  assert.equal(writesIn('x.ts', "trx\n  .updateTable('outbox as o')").length, 1);
  assert.equal(writesIn('x.ts', 'sql`delete from answer_drafts where true`').length, 1);
  assert.equal(writesIn('x.ts', "c.query('INSERT INTO invitations (id) VALUES (1)')").length, 1);
  assert.equal(writesIn('x.ts', "db.selectFrom('responses')").length, 0);
  assert.equal(writesIn('x.ts', "db.insertInto('paper_entries')").length, 0);
});
