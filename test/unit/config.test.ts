import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'prom-config-'));
  dirs.push(d);
  return d;
};
const env = (over: Record<string, string> = {}) => ({ DATA_DIR: freshDir(), ...over });
const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(40);

/** Asserts loadConfig refuses and the message names the variable on its own line. */
function refuses(over: Record<string, string>, variable: string, hint?: RegExp) {
  assert.throws(
    () => loadConfig(env(over)),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, 'is a ConfigError');
      assert.match(err.message, new RegExp(`^  ${variable}: `, 'm'));
      if (hint) assert.match(err.message, hint);
      return true;
    },
  );
}

test('defaults', () => {
  const c = loadConfig(env());
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.role, 'all');
  assert.equal(c.production, false);
  assert.equal(c.secureCookies, false);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.smtpUrl, undefined);
  assert.equal(c.queuePrefix, undefined, 'unset: prom-<installation id> from the database');
  assert.equal(c.pgliteDir, path.join(c.dataDir, 'pglite'));
  assert.equal(c.outboxDir, path.join(c.dataDir, 'outbox'));
});

test('the default sender says nothing about the illness', () => {
  const { mailFrom } = loadConfig(env());
  assert.equal(mailFrom, 'Spørreskjema <noreply@localhost>');
  assert.doesNotMatch(mailFrom, /hjerte|heart|cardiac|stans|arrest|register/i);
});

test('bad values give a ConfigError naming the variable', () => {
  refuses({ PORT: 'abc' }, 'PORT', /between 1 and 65535/);
  refuses({ PORT: '70000' }, 'PORT', /between 1 and 65535.*\(got "70000"\)/);
  refuses({ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL', /http:\/\/ or https:\/\//);
  refuses({ ROLE: 'both' }, 'ROLE', /all, web, worker/);
  refuses({ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis:\/\//);
  refuses({ SMTP_URL: 'nonsense' }, 'SMTP_URL', /smtp:\/\//);
  refuses({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres:\/\//);
  refuses({ SESSION_SECRET: 'short' }, 'SESSION_SECRET', /at least 32 characters/);
});

test('production without secrets names every secret variable', () => {
  assert.throws(
    () => loadConfig(env({ NODE_ENV: 'production' })),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^ {2}SESSION_SECRET: must be set when NODE_ENV=production/m);
      assert.match(err.message, /^ {2}EXPORT_PSEUDONYM_KEY: must be set when NODE_ENV=production/m);
      assert.match(err.message, /^ {2}ERASURE_KEY: must be set when NODE_ENV=production/m);
      return true;
    },
  );
  refuses({ NODE_ENV: 'production', SESSION_SECRET: SECRET_A }, 'EXPORT_PSEUDONYM_KEY');
  refuses({ NODE_ENV: 'production', SESSION_SECRET: SECRET_A, EXPORT_PSEUDONYM_KEY: SECRET_B }, 'ERASURE_KEY');
});

test('production with every secret works and writes no secrets.json', () => {
  const e = env({
    NODE_ENV: 'production',
    SESSION_SECRET: SECRET_A,
    EXPORT_PSEUDONYM_KEY: SECRET_B,
    ERASURE_KEY: 'c'.repeat(32),
  });
  const c = loadConfig(e);
  assert.equal(c.production, true);
  assert.equal(c.sessionSecret, SECRET_A);
  assert.equal(c.exportPseudonymKey, SECRET_B);
  assert.equal(existsSync(path.join(e.DATA_DIR, 'secrets.json')), false);
});

test('outside production, secrets are generated once into DATA_DIR/secrets.json', () => {
  const e = env();
  const first = loadConfig(e);
  const file = path.join(e.DATA_DIR, 'secrets.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(first.sessionSecret, /^[A-Za-z0-9_-]{43}$/);
  assert.match(first.exportPseudonymKey, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(first.sessionSecret, first.exportPseudonymKey);
  assert.match(first.erasureKey, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    sessionSecret: first.sessionSecret,
    exportPseudonymKey: first.exportPseudonymKey,
    erasureKey: first.erasureKey,
  });
  const second = loadConfig(e);
  assert.equal(second.sessionSecret, first.sessionSecret);
  assert.equal(second.exportPseudonymKey, first.exportPseudonymKey);
  // A different data folder gets different secrets.
  assert.notEqual(loadConfig(env()).sessionSecret, first.sessionSecret);
});

test('secureCookies only for https, trailing slashes stripped', () => {
  const https = loadConfig(env({ PUBLIC_URL: 'https://prom.example.no/' }));
  assert.equal(https.publicUrl, 'https://prom.example.no');
  assert.equal(https.secureCookies, true);
  const http = loadConfig(env({ PUBLIC_URL: 'http://prom.example.no//' }));
  assert.equal(http.publicUrl, 'http://prom.example.no');
  assert.equal(http.secureCookies, false);
});

test('valid explicit values are kept', () => {
  const c = loadConfig(
    env({
      PORT: '8080',
      ROLE: 'worker',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SMTP_URL: 'smtps://mail.example.no:465',
      DATABASE_URL: 'postgresql://u@h/prom',
    }),
  );
  assert.equal(c.port, 8080);
  assert.equal(c.publicUrl, 'http://localhost:8080', 'without PUBLIC_URL the links follow PORT');
  assert.equal(c.role, 'worker');
  assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
  assert.equal(c.smtpUrl, 'smtps://mail.example.no:465');
  assert.equal(c.databaseUrl, 'postgresql://u@h/prom');
});

test('an empty variable counts as unset, so compose files with VAR= start with defaults', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-config-'));
  const c = loadConfig({ DATA_DIR: dir, PORT: '', ROLE: '', PUBLIC_URL: '', MAIL_FROM: '' });
  assert.equal(c.port, 3000);
  assert.equal(c.role, 'all');
  assert.equal(c.publicUrl, 'http://localhost:3000');
});

test('TRUST_PROXY: unset trusts no proxy; a hop count or an address list passes through; junk names the variable', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-config-'));
  assert.equal(loadConfig({ DATA_DIR: dir }).trustProxy, false);
  assert.equal(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({ DATA_DIR: dir, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy, 'loopback, 10.0.0.0/8');
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, TRUST_PROXY: 'a;rm -rf' }),
    /TRUST_PROXY: must be a number of proxy hops/,
  );
});

test('METRICS_ALLOW: loopback by default, "off" turns /metrics off, junk names the variable; LOG_LEVEL checked', () => {
  assert.deepEqual(loadConfig(env()).metricsAllow, ['loopback']);
  assert.deepEqual(loadConfig(env({ METRICS_ALLOW: 'off' })).metricsAllow, []);
  assert.deepEqual(loadConfig(env({ METRICS_ALLOW: 'loopback, 10.0.0.0/8,192.0.2.7' })).metricsAllow, [
    'loopback',
    '10.0.0.0/8',
    '192.0.2.7',
  ]);
  refuses({ METRICS_ALLOW: 'everyone' }, 'METRICS_ALLOW', /addresses\/subnets/);
  refuses({ METRICS_ALLOW: '10.0.0.0/99' }, 'METRICS_ALLOW');
  assert.equal(loadConfig(env()).logLevel, 'info');
  assert.equal(loadConfig(env({ LOG_LEVEL: 'warn' })).logLevel, 'warn');
  refuses({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of fatal, error, warn, info/);
});

test('SMALL_CELL_THRESHOLD: 5 by default, a whole number of at least 3, otherwise refused by name', () => {
  assert.equal(loadConfig(env()).smallCellThreshold, 5);
  assert.equal(loadConfig(env({ SMALL_CELL_THRESHOLD: '3' })).smallCellThreshold, 3);
  assert.equal(loadConfig(env({ SMALL_CELL_THRESHOLD: '10' })).smallCellThreshold, 10);
  refuses({ SMALL_CELL_THRESHOLD: '2' }, 'SMALL_CELL_THRESHOLD', /at least 3/);
  refuses({ SMALL_CELL_THRESHOLD: '4.5' }, 'SMALL_CELL_THRESHOLD', /whole number/);
  refuses({ SMALL_CELL_THRESHOLD: 'five' }, 'SMALL_CELL_THRESHOLD');
});
