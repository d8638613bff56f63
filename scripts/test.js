#!/usr/bin/env node
// `npm test`: lint (npm run lint), type check, unit tests, every integration test twice — against
// embedded PGlite and against PostgreSQL (TEST_PG_URL, default the machine's postgres@127.0.0.1:5432) —
// and the browser tests in test/e2e once (headless Debian Chromium with axe-core).
// Stages that do not depend on each other run side by side (lint, type check and unit tests; then the
// two databases; then the browser): ESLint, tsc and a unit-test process each use one core, and the
// integration tests spend much of their time waiting on a database, a `prom` child process or SMTP,
// so one stage alone leaves the machine half idle. A stage's output is printed whole when it ends.
// Ends with one line "N passed, N failed" over all runs; exit code 1 if anything failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';

const only = process.argv[2]; // unit | pglite | postgres | e2e | undefined (all)
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
 * Runs one stage with its output held back; prints it when the stage ends. `check`: a tool that is
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
      const tail = output.slice(-4000);
      const pass = Number(/^# pass (\d+)/m.exec(tail)?.[1] ?? 0);
      const fail = Number(/^# fail (\d+)/m.exec(tail)?.[1] ?? 0);
      if (check) {
        if (code === 0) totals.passed++;
        else totals.failed++;
      } else {
        totals.passed += pass;
        totals.failed += fail + (code !== 0 && fail === 0 ? 1 : 0);
      }
      resolve(code === 0);
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
const integration = (db) => () =>
  run(
    `integration tests on ${db === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
    process.execPath,
    [...nodeTest, '--test-concurrency=2', ...files('test/integration')],
    { env: { TEST_DB: db } },
  );

const stages = [];
if (!only) {
  stages.push([
    () => run('lint (ESLint, Prettier, knip)', 'npm', ['run', '--silent', 'lint'], { check: true }),
    () => run('type check', 'npx', ['tsc', '--noEmit'], { check: true }),
    () => run('unit tests', process.execPath, [...nodeTest, ...files('test/unit')]),
  ]);
} else if (only === 'unit') {
  stages.push([() => run('unit tests', process.execPath, [...nodeTest, ...files('test/unit')])]);
}
const browser = () =>
  run(
    'browser tests (Chromium, axe-core)',
    process.execPath,
    [...nodeTest, '--test-concurrency=2', ...files('test/e2e')],
    {
      env: { TEST_DB: 'pglite' },
    },
  );
const postgres = async () => {
  if (await postgresReachable()) return integration('postgres')();
  totals.failed++;
  return false;
};
if (!only) stages.push([integration('pglite'), postgres], [browser]);
if (only === 'pglite') stages.push([integration('pglite')]);
if (only === 'postgres') stages.push([postgres]);
if (only === 'e2e' && files('test/e2e').length > 0) stages.push([browser]);

let ok = true;
for (const group of stages) {
  const results = await Promise.all(group.map((stage) => stage()));
  ok = results.every(Boolean) && ok;
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed (${minutes(Date.now() - startedAt)})`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
