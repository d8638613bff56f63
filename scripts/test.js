#!/usr/bin/env node
// `npm test`: lint (npm run lint), type check, unit tests, every integration test twice — against embedded PGlite
// and against PostgreSQL (TEST_PG_URL, default the machine's postgres@127.0.0.1:5432) — and the
// browser tests in test/e2e once (headless Debian Chromium with axe-core).
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

function run(label, command, args, env = {}) {
  console.log(`\n=== ${label} ===`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    });
    child.on('close', (code) => {
      const pass = Number(/^# pass (\d+)/m.exec(tail)?.[1] ?? 0);
      const fail = Number(/^# fail (\d+)/m.exec(tail)?.[1] ?? 0);
      totals.passed += pass;
      totals.failed += fail + (code !== 0 && fail === 0 ? 1 : 0);
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
/** A check that is not a test runner (lint, type check) counts as one test, passed or failed. */
async function check(label, command, args) {
  const passed = await run(label, command, args);
  if (passed) totals.passed++;
  return passed;
}

let ok = true;
if (!only) ok = (await check('lint (ESLint, Prettier, knip)', 'npm', ['run', '--silent', 'lint'])) && ok;
if (!only) ok = (await check('type check', 'npx', ['tsc', '--noEmit'])) && ok;
if (!only || only === 'unit')
  ok = (await run('unit tests', process.execPath, [...nodeTest, ...files('test/unit')])) && ok;
if (!only || only === 'pglite') {
  ok =
    (await run(
      'integration tests on PGlite',
      process.execPath,
      [...nodeTest, '--test-concurrency=2', ...files('test/integration')],
      { TEST_DB: 'pglite' },
    )) && ok;
}
if (!only || only === 'postgres') {
  if (await postgresReachable()) {
    ok =
      (await run(
        'integration tests on PostgreSQL',
        process.execPath,
        [...nodeTest, '--test-concurrency=2', ...files('test/integration')],
        { TEST_DB: 'postgres' },
      )) && ok;
  } else {
    ok = false;
    totals.failed++;
  }
}
if ((!only || only === 'e2e') && files('test/e2e').length > 0) {
  ok =
    (await run('browser tests (Chromium, axe-core)', process.execPath, [...nodeTest, ...files('test/e2e')], {
      TEST_DB: 'pglite',
    })) && ok;
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
