#!/usr/bin/env node
// `npm test`: lint (npm run lint), type check, unit tests, every integration test against
// embedded PGlite and against PostgreSQL (TEST_PG_URL, default the machine's postgres@127.0.0.1:5432),
// and the browser tests in test/e2e (headless Debian Chromium with axe-core).
//
// Lint, type check and unit tests run first, side by side. Then every test file of the other parts
// is one job in a single pool of JOBS processes, longest first: the integration tests spend much
// of their time waiting on a database, a `prom` child process or SMTP, and a pool keeps both cores
// busy to the end, where parts run one after another left the machine half idle in each part's
// tail. A file's output is printed whole when it ends, with its part and duration.
//
// A file whose header says `// @databases pglite` runs on PGlite only: these drive the `prom`
// command as a child process, and their subject is the command itself (arguments, messages, exit
// codes, files); PGlite is the quick start's database and the one whose folder lock and durable
// commits a command meets. The data functions under each command run on both databases in their
// own tests.
//
// Ends with one line "N passed, N failed" over all runs; exit code 1 if anything failed.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

const only = process.argv[2]; // unit | pglite | postgres | e2e | undefined (all)
const JOBS = Number(process.env.TEST_JOBS ?? 4);
const files = (dir) => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `${dir}/${f}`);
  } catch {
    return [];
  }
};
const totals = { passed: 0, failed: 0 };
const startedAt = Date.now();
const minutes = (ms) => `${(ms / 60000).toFixed(1)} min`;

/**
 * Files that took longest in the last full run (2026-12-06, fresh clone, 2 quiet cores: 0.7 to
 * 2.6 minutes each, the rest mostly under half a minute), longest first, so that none of them is
 * the last one running. The browser files start first: each holds a Chromium for its whole run.
 */
const LONGEST_FIRST = [
  'test/e2e/first-click.test.ts',
  'test/e2e/pages.test.ts',
  'test/integration/norms-import.test.ts',
  'test/integration/import-million.test.ts',
  'test/integration/staff-forms-fuzz.test.ts',
  'test/integration/paper-cli.test.ts',
  'test/integration/staff-cli.test.ts',
  'test/integration/report-cli.test.ts',
  'test/integration/lifecycle-simulation.test.ts',
  'test/integration/demo.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/api-cli.test.ts',
  'test/integration/session-end.test.ts',
  'test/integration/register-cli.test.ts',
  'test/integration/lifecycle-cli.test.ts',
  'test/integration/server.test.ts',
  'test/integration/respondent-disclosure.test.ts',
  'test/e2e/staff.test.ts',
  'test/integration/security-routes.test.ts',
  'test/integration/instruments-cli.test.ts',
  'test/integration/date-edges.test.ts',
  'test/integration/readme-walkthrough.test.ts',
];
const rank = (file) => {
  const i = LONGEST_FIRST.indexOf(file);
  return i === -1 ? LONGEST_FIRST.length : i;
};

const pgliteOnly = (file) => /^\/\/ @databases pglite\b/m.test(readFileSync(file, 'utf8').slice(0, 2000));

/** Tallies a test runner's closing "# pass N" / "# fail N"; a crash without them is one failure. */
function tally(output, code) {
  const tail = output.slice(-4000);
  const pass = Number(/^# pass (\d+)/m.exec(tail)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(tail)?.[1] ?? 0);
  return { pass, fail: fail + (code !== 0 && fail === 0 ? 1 : 0) };
}

/**
 * Runs one command with its output held back; prints it when it ends. `check`: a tool that is
 * not a test runner (lint, type check) counts as one test, passed or failed.
 */
function run(label, command, args, { env = {}, check = false } = {}) {
  return new Promise((resolve) => {
    const began = Date.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      process.stdout.write(`\n=== ${label} (${minutes(Date.now() - began)}) ===\n${output}`);
      const result = check ? { pass: code === 0 ? 1 : 0, fail: code === 0 ? 0 : 1 } : tally(output, code);
      totals.passed += result.pass;
      totals.failed += result.fail;
      resolve({ ...result, ms: Date.now() - began });
    });
  });
}

async function postgresReachable() {
  const client = new pg.Client({
    connectionString: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    console.error(
      `PostgreSQL is not reachable (${err.message}). The suite runs against PostgreSQL too: start it, set TEST_PG_URL, or run "npm run test:pglite".`,
    );
    return false;
  }
}

const nodeTest = ['--import', 'tsx', '--test', '--test-reporter=tap'];
const PARTS = {
  pglite: { name: 'integration on PGlite', files: () => files('test/integration'), db: 'pglite' },
  postgres: {
    name: 'integration on PostgreSQL',
    files: () => files('test/integration').filter((f) => !pgliteOnly(f)),
    db: 'postgres',
  },
  e2e: { name: 'browser (Chromium, axe-core)', files: () => files('test/e2e'), db: 'pglite' },
};

/** Every file of the given parts through one pool, longest first; a summary line per part. */
async function pool(partNames) {
  const jobs = partNames
    .flatMap((part) => PARTS[part].files().map((file) => ({ part, file })))
    .sort((a, b) => rank(a.file) - rank(b.file));
  const sums = Object.fromEntries(partNames.map((p) => [p, { pass: 0, fail: 0, ms: 0, files: 0 }]));
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const { name, db } = PARTS[job.part];
      const r = await run(`${name}: ${job.file}`, process.execPath, [...nodeTest, job.file], { env: { TEST_DB: db } });
      const s = sums[job.part];
      s.pass += r.pass;
      s.fail += r.fail;
      s.ms += r.ms;
      s.files++;
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  for (const part of partNames) {
    const s = sums[part];
    console.log(
      `\n${PARTS[part].name}: ${s.files} files, ${s.pass} passed, ${s.fail} failed (${minutes(s.ms)} of file time)`,
    );
  }
  return partNames.every((p) => sums[p].fail === 0);
}

let ok = true;
if (!only) {
  const first = await Promise.all([
    run('lint (ESLint, Prettier, knip)', 'npm', ['run', '--silent', 'lint'], { check: true }),
    run('type check', 'npx', ['tsc', '--noEmit'], { check: true }),
    run('unit tests', process.execPath, [...nodeTest, ...files('test/unit')]),
  ]);
  ok = first.every((r) => r.fail === 0);
} else if (only === 'unit') {
  ok = (await run('unit tests', process.execPath, [...nodeTest, ...files('test/unit')])).fail === 0;
}
const parts = only ? [only].filter((p) => p in PARTS) : ['pglite', 'postgres', 'e2e'];
if (parts.includes('postgres') && !(await postgresReachable())) {
  totals.failed++;
  ok = false;
  parts.splice(parts.indexOf('postgres'), 1);
}
if (parts.length > 0) ok = (await pool(parts)) && ok;

console.log(`\n${totals.passed} passed, ${totals.failed} failed (${minutes(Date.now() - startedAt)})`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
