// No file name taken from input can leave its folder or break a header. Proves that
//  - Content-Disposition of every download helper is `attachment; filename="<safe>"` whatever name
//    it is given (path segments, "..", quotes that would add filename*=, CR/LF, NUL), never a 500;
//    the real download routes are checked in security-routes.test.ts;
//  - print batches (the daily job's DATA_DIR/letters/<batch id>/, `prom letters --out`, a reprint)
//    write only batch-<id>… files inside the one folder, even for survivors named like paths;
//  - the `prom letters` and `prom export analysis` commands refuse a batch id or export key that
//    is not what they expect (../../etc/x, a/b, .., NUL, a newline) with a usage message, before
//    touching the database or the disk;
//  - the development mail outbox names its .eml files from the message id without path parts;
//  - the analysis export writes its fixed file names into --out and nothing else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import type { Job } from 'bullmq';
import { printBatchProcessor } from '../../src/jobs/index.ts';
import { systemClock } from '../../src/clock.ts';
import { UsageError } from '../../src/commands/command.ts';
import { letterCommands } from '../../src/commands/letters.ts';
import { reportCommands } from '../../src/commands/reports.ts';
import type { Db } from '../../src/db/database.ts';
import { createMailer } from '../../src/invitations/mailer.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { letterCodeKey, reprintBatch, type BatchDeps } from '../../src/paper/batch.ts';
import { DEFAULT_VALUE_SET } from '../../src/reports/eq5d/engine.ts';
import { DATA_FILES, writeAnalysisExport } from '../../src/reports/exports/analysis.ts';
import { attachmentHeader, sendCsv, startCsv } from '../../src/staff/exports.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { importPeople, withAddress } from '../support/lifecycle.ts';
import { person } from '../support/people.ts';
import { createWorld, PUBLIC_URL, TEST_PSEUDONYM_KEY, TEST_SESSION_SECRET, type World } from '../support/world.ts';

const HOSTILE_NAMES = [
  '../../etc/x',
  'a/b',
  '..',
  '.',
  '..\\..\\win.ini',
  'x\0y',
  'x\ny',
  'x\r\nSet-Cookie: a=1',
  `x"; filename*=UTF-8''evil.html`,
  '',
  '.htaccess',
  'rapport æøå.csv',
];

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .sort();
}

let world: World;
let db: Db;
let deps: BatchDeps;
const root = mkdtempSync(path.join(tmpdir(), 'prom-files-'));

before(async () => {
  world = await createWorld();
  db = world.database.db;
  deps = {
    db,
    views: createViews(),
    instruments: loadInstruments(),
    publicUrl: PUBLIC_URL,
    codeKey: letterCodeKey(TEST_SESSION_SECRET),
  };
  // Survivors on paper whose names and addresses look like paths.
  await importPeople(
    db,
    ['../../etc/x', 'a/b', '..'].map((name, i) => ({
      ...person(i + 1, { register_id: `F${i + 1}`, email: '', given_name: name, family_name: '../..' }),
      ...withAddress,
      city: name,
    })),
  );
  await runSchedulingPass(db, undefined, systemClock);
});
after(async () => {
  await world?.close();
});

describe('Content-Disposition', () => {
  test('the header helper keeps only a safe last segment of any name', () => {
    for (const name of HOSTILE_NAMES) {
      const header = attachmentHeader(name);
      assert.match(
        header,
        /^attachment; filename="[A-Za-z0-9][A-Za-z0-9._-]*"$/,
        `${JSON.stringify(name)} → ${header}`,
      );
      assert.doesNotMatch(header, /\.\.|\/|\\/, `${JSON.stringify(name)} → ${header}`);
    }
    assert.equal(
      attachmentHeader('svar-pseudonymisert.csv'),
      'attachment; filename="svar-pseudonymisert.csv"',
      'the names in use are unchanged',
    );
    assert.equal(attachmentHeader('../../etc/x'), 'attachment; filename="x"');
  });

  test('both download helpers answer with it, never a 500, whatever name they are handed', async () => {
    const app = express();
    // Each name is sent as one query value; anything else would show as JSON.
    const nameOf = (req: express.Request) =>
      typeof req.query.name === 'string' ? req.query.name : JSON.stringify(req.query.name);
    app.get('/send', (req, res) => sendCsv(res, nameOf(req), 'a,b\n'));
    app.get('/stream', (req, res) => {
      startCsv(res, nameOf(req));
      res.end('a,b\n');
    });
    for (const route of ['/send', '/stream']) {
      for (const name of HOSTILE_NAMES) {
        const res = await request(app).get(route).query({ name });
        assert.equal(res.status, 200, `${route} ${JSON.stringify(name)}`);
        assert.match(String(res.headers['content-disposition']), /^attachment; filename="[A-Za-z0-9][A-Za-z0-9._-]*"$/);
        assert.equal(res.headers['set-cookie'], undefined, 'no header injected');
      }
    }
  });
});

describe('print batch files', () => {
  test('the daily job writes only <letter dir>/<batch id>/batch-<id>.pdf and its manifest, whatever the names', async () => {
    const letterDir = path.join(root, 'data', 'letters');
    const result = (await printBatchProcessor(deps, letterDir, systemClock)({} as Job)) as {
      batchId: number;
      letters: number;
    };
    assert.equal(result.letters, 3);
    const id = result.batchId;
    assert.deepEqual(filesUnder(root), [
      `data/letters/${id}/batch-${id}-manifest.csv`,
      `data/letters/${id}/batch-${id}.pdf`,
    ]);

    const reprintDir = path.join(root, 'reprints');
    const reprint = await reprintBatch(deps, id, reprintDir, 'test', new Date());
    assert.equal(reprint.kind, 'reprinted');
    if (reprint.kind !== 'reprinted') return;
    assert.deepEqual(filesUnder(reprintDir), [
      `batch-${id}-reprint-${reprint.reprintId}-manifest.csv`,
      `batch-${id}-reprint-${reprint.reprintId}.pdf`,
    ]);
    assert.equal(filesUnder(root).length, 4, 'nothing written anywhere else');
  });
});

describe('command-line arguments that name files or batches', () => {
  /** Runs a command in this process with DATA_DIR in a sandbox, so a command that did not refuse could not touch real data. */
  async function refused(run: () => Promise<number>, message: RegExp) {
    const sandbox = mkdtempSync(path.join(tmpdir(), 'prom-files-cli-'));
    const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
    process.env.DATA_DIR = path.join(sandbox, 'data');
    delete process.env.DATABASE_URL;
    try {
      await assert.rejects(run(), (err: unknown) => err instanceof UsageError && message.test(err.message));
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    assert.deepEqual(filesUnder(sandbox), [], 'nothing written');
  }

  test('prom letters confirm|reprint take only a number as the batch id', async () => {
    const out = path.join(root, 'cli-out');
    for (const id of ['../../etc/x', 'a/b', '..', '1/../2', '1\0', '1\n2', '1.5', '']) {
      await refused(
        () => letterCommands.commands.letters!(['reprint', id, '--out', out]),
        /^Usage: prom letters reprint <batch-id> --out <dir>$/,
      );
      await refused(
        () => letterCommands.commands.letters!(['confirm', id]),
        /^Usage: prom letters confirm <batch-id>$/,
      );
    }
    await refused(() => letterCommands.commands.letters!(['confirm', '-1']), /^Unknown option '-1'/);
    await refused(() => letterCommands.commands.letters!(['reprint', '1']), /--out <dir>/);
    await refused(
      () => letterCommands.commands.letters!(['reprint', '1', '2', '--out', out]),
      /^Usage: prom letters reprint/,
    );
    assert.throws(() => statSync(out), /ENOENT/, 'no folder made');
  });

  test('prom export analysis refuses an export key, format or value set that is not a plain name', async () => {
    // (The export key only keys the pseudonyms; file names are fixed. It is still kept to a plain name.)
    const out = path.join(root, 'analysis-refused');
    for (const key of ['../../etc/x', 'a/b', 'x\0y', 'x\ny', '']) {
      await refused(
        () => reportCommands.commands.export!(['analysis', '--out', out, '--export-key', key]),
        /^--export-key may contain only letters, digits/,
      );
    }
    await refused(
      () => reportCommands.commands.export!(['analysis', '--out', out, '--format', '../wide']),
      /^--format: "\.\.\/wide" is not one of wide, long, fhir\.$/,
    );
    await refused(
      () => reportCommands.commands.export!(['analysis', '--out', out, '--value-set', '../x']),
      /^--value-set: unknown id/,
    );
    assert.throws(() => statSync(out), /ENOENT/);
  });

  test('the analysis export writes its fixed names into --out and nothing else', async () => {
    const out = path.join(root, 'analysis');
    const result = await writeAnalysisExport(db, out, {
      format: 'long',
      valueSet: DEFAULT_VALUE_SET,
      exportKey: 'k',
      pseudonymKey: TEST_PSEUDONYM_KEY,
      instrument: deps.instruments.nb,
    });
    assert.deepEqual(filesUnder(out), [...result.files].sort());
    assert.ok(result.files.includes(DATA_FILES.long) && result.files.every((f) => /^[A-Za-z0-9._-]+$/.test(f)));
  });
});

test('the development mail outbox names files from the message id without its path parts', async () => {
  const outbox = path.join(root, 'outbox', 'mail');
  mkdirSync(outbox, { recursive: true });
  const mailer = createMailer({ smtpUrl: undefined, outboxDir: outbox, from: 'noreply@prom.test' });
  try {
    for (const messageId of [
      '<../../../escaped@prom.test>',
      '<..\\..\\escaped@prom.test>',
      '<a/b/../../c@prom.test>',
    ]) {
      await mailer.send({ to: 'x@example.test', subject: 'S', text: 't', html: '<p>t</p>', messageId });
    }
  } finally {
    mailer.close();
  }
  const files = filesUnder(path.join(root, 'outbox'));
  assert.equal(files.length, 3);
  for (const f of files) assert.match(f, /^mail\/[A-Za-z0-9._-]+\.eml$/, f);
});
