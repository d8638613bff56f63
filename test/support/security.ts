// Helpers for the security tests: the routes an express 5 app registers (walked from its router
// stack), a cookie-keeping client that can speak "https" through a trusted proxy header (supertest's
// agent will not send a Secure cookie over http), header and cookie checks, and a fingerprint of
// the database to show that a refused request wrote nothing.
import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { systemClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp, type AppDeps } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { pingRedis } from '../../src/queue/redis.ts';
import { csrfFrom } from './browser-less.ts';
import { TEST_REDIS_URL } from './redis.ts';
import { setTotpSecret } from '../../src/staff/login-local.ts';
import { newTotpSecret } from '../../src/staff/totp.ts';
import { addUser } from '../../src/staff/users.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import { nextCode, STAFF_PASSWORD, type TestStaff } from './staff.ts';
import { TEST_PSEUDONYM_KEY, TEST_SESSION_SECRET, type World } from './world.ts';

const views = createViews();
const instruments = loadInstruments();

/** The app as world.app() makes it, with options changed (secureCookies, trustProxy, …). */
export function appFor(world: World, overrides: Partial<AppDeps> = {}): Express {
  return createApp({
    db: world.database.db,
    views,
    instruments,
    clock: systemClock,
    sessionSecret: TEST_SESSION_SECRET,
    secureCookies: false,
    redisAlive: () => pingRedis(TEST_REDIS_URL),
    queues: world.queues,
    exportPseudonymKey: TEST_PSEUDONYM_KEY,
    erasureKey: 'test-erasure-key-test-erasure-key-0123456',
    ...overrides,
  }) as Express;
}

interface Layer {
  name: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route of the app as "METHOD /path" (express path syntax, e.g. "GET /s/:token"), and every
 * handler mounted at a path other than "/" that is not a router as "USE /path" (express.static,
 * the staff 404). Mount paths come from the layer's `rawPath` (router 2.3, express 5); if a future
 * version drops it, this throws rather than silently walking less.
 */
export function registeredRoutes(app: Express): string[] {
  const root = (app as unknown as { router?: { stack?: Layer[] } }).router;
  if (!root?.stack) throw new Error('app.router.stack is missing: express changed how it exposes its router');
  const out = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          if (typeof p !== 'string')
            throw new Error(`route with a non-string path ${String(p)}: extend registeredRoutes`);
          for (const m of Object.keys(layer.route.methods))
            out.add(`${m === '_all' ? 'ALL' : m.toUpperCase()} ${prefix}${p}`);
        }
        continue;
      }
      if (!('rawPath' in layer) || typeof layer.rawPath !== 'string') {
        throw new Error(`layer ${layer.name} has no string rawPath: express changed how mount paths are kept`);
      }
      const mount = layer.rawPath === '/' ? '' : layer.rawPath;
      if (layer.handle?.stack) walk(layer.handle.stack, prefix + mount);
      else if (mount !== '') out.add(`USE ${prefix}${mount}`);
    }
  };
  walk(root.stack, '');
  return [...out].sort();
}

export type Method = 'GET' | 'POST' | 'PUT';

export interface Sent {
  method: Method;
  path: string;
  res: request.Response;
}

/**
 * A browser without JavaScript: keeps its cookies itself (so Secure cookies work over the test's
 * plain http when `https` is set: the request then carries X-Forwarded-Proto: https, which the
 * app trusts with trustProxy) and records every response for later checks.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly app: Express,
    readonly https = false,
    readonly log: Sent[] = [],
  ) {}

  async send(
    method: Method,
    path: string,
    opts: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<request.Response> {
    const agent = request(this.app);
    let req = method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : agent.put(path);
    if (this.https) req = req.set('X-Forwarded-Proto', 'https');
    if (this.cookies.size > 0) req = req.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
    if (opts.form) req = req.type('form').send(opts.form);
    else if (opts.json !== undefined) req = req.type('json').send(JSON.stringify(opts.json));
    const res = await req;
    for (const c of setCookies(res)) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const expires = attrs.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      if (expires && Date.parse(expires.slice(8)) <= Date.now()) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(eq + 1).trim());
    }
    this.log.push({ method, path, res });
    return res;
  }

  get(path: string) {
    return this.send('GET', path);
  }

  post(path: string, form: Record<string, string>) {
    return this.send('POST', path, { form });
  }

  /** The session cookie's value (whatever its name), or undefined. */
  get session(): string | undefined {
    return [...this.cookies].find(([k]) => k === 'prom.sid' || k === '__Host-prom')?.[1];
  }
}

export function setCookies(res: request.Response): string[] {
  const raw = res.headers['set-cookie'] as string | string[] | undefined;
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
}

/** Signs in through the password and code pages; returns the session's CSRF token. */
export async function signInAs(b: Browser, staff: TestStaff): Promise<string> {
  const page = await b.get('/staff/login');
  const pw = await b.post('/staff/login', { _csrf: csrfFrom(page.text), email: staff.email, password: staff.password });
  if (pw.status !== 303 || pw.headers.location !== '/staff/login/code')
    throw new Error(`password step: ${pw.status} ${pw.headers.location}`);
  const codePage = await b.get('/staff/login/code');
  const code = await b.post('/staff/login/code', { _csrf: csrfFrom(codePage.text), code: await nextCode(staff) });
  if (code.status !== 303 || code.headers.location !== '/staff')
    throw new Error(`code step: ${code.status} ${code.headers.location}`);
  return csrfFrom((await b.get('/staff')).text);
}

/** What is wrong with a response's security headers (empty when nothing is). */
export function headerProblems(res: request.Response, cache: 'no-store' | 'static' | 'public-document'): string[] {
  const h = res.headers;
  const problems: string[] = [];
  const csp = String(h['content-security-policy'] ?? '');
  if (!/(^|;)\s*frame-ancestors 'none'\s*(;|$)/.test(csp))
    problems.push(`CSP without frame-ancestors 'none': "${csp}"`);
  if (!/(^|;)\s*default-src 'self'\s*(;|$)/.test(csp)) problems.push(`CSP without default-src 'self': "${csp}"`);
  if (!/max-age=31536000/.test(String(h['strict-transport-security'] ?? '')))
    problems.push(`Strict-Transport-Security: ${h['strict-transport-security']}`);
  if (h['referrer-policy'] !== 'no-referrer') problems.push(`Referrer-Policy: ${h['referrer-policy']}`);
  if (h['x-content-type-options'] !== 'nosniff')
    problems.push(`X-Content-Type-Options: ${h['x-content-type-options']}`);
  if (h['x-powered-by'] !== undefined) problems.push(`X-Powered-By: ${h['x-powered-by']}`);
  const cc = String(h['cache-control'] ?? '');
  const noStore = /(^|,)\s*no-store\s*(,|$)/.test(cc);
  if (cache === 'no-store' && !noStore) problems.push(`Cache-Control: "${cc}" (want no-store)`);
  if (cache === 'public-document' && !/no-store|public/.test(cc))
    problems.push(`Cache-Control: "${cc}" (want an explicit policy)`);
  return problems;
}

/** What is wrong with each Set-Cookie (empty when nothing is). */
export function cookieProblems(res: request.Response, secure: boolean): string[] {
  const problems: string[] = [];
  for (const c of setCookies(res)) {
    const [pair, ...rest] = c.split(';').map((s) => s.trim());
    const name = pair!.slice(0, pair!.indexOf('='));
    const attrs = new Map(
      rest.map((a) => {
        const i = a.indexOf('=');
        return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
      }),
    );
    const say = (what: string) => problems.push(`cookie ${name}: ${what} (${c.replace(/=[^;]*/, '=…')})`);
    if (!attrs.has('httponly')) say('not HttpOnly');
    if (!/^(lax|strict)$/i.test(attrs.get('samesite') ?? '')) say(`SameSite=${attrs.get('samesite')}`);
    if (attrs.get('path') !== '/') say(`Path=${attrs.get('path')}`);
    if (attrs.has('domain')) say('has a Domain');
    if (secure) {
      if (!name.startsWith('__Host-')) say('name without __Host-');
      if (!attrs.has('secure')) say('not Secure');
    }
  }
  return problems;
}

/** The server must neither cache-poison nor leak: a safe Content-Disposition for downloads. */
export function dispositionProblems(res: request.Response): string[] {
  const cd = res.headers['content-disposition'];
  if (cd === undefined) return [];
  return /^attachment; filename="[A-Za-z0-9][A-Za-z0-9._-]*"$/.test(cd) ? [] : [`Content-Disposition: ${cd}`];
}

const FINGERPRINT_TABLES = [
  'survivors',
  'arrest_events',
  'invitations',
  'outbox',
  'invitation_tokens',
  'answer_drafts',
  'responses',
  'staff_users',
  'short_codes',
  'audit_log',
  'hospitals',
  'api_keys',
  'print_batches',
  'letters',
  'paper_entries',
  'paper_settings',
  'deaths',
  'uncounted_returns',
  'erasures',
] as const;

type FingerprintTable = (typeof FINGERPRINT_TABLES)[number] | 'sessions';

/**
 * Everything a request could write, one digest per table (md5 of its rows as text, sorted),
 * computed by the database in one statement: sessions by id and data (their expiry moves on any
 * request), every other table whole. `omit`: tables not to read at all (the audit log of a
 * long fuzz only grows). Any change to a row changes its table's digest.
 */
export async function fingerprint(db: Db, omit: readonly FingerprintTable[] = []): Promise<Record<string, string>> {
  const digest = (table: string, row: string) =>
    sql`select ${table}::text as t, coalesce(md5(string_agg(r, E'\\n' order by r)), '') as d from (select ${sql.raw(row)} as r from ${sql.table(table)} x) rows`;
  const parts = FINGERPRINT_TABLES.filter((t) => !omit.includes(t)).map((t) => digest(t, 'x::text'));
  if (!omit.includes('sessions')) parts.push(digest('sessions', '(x.sid, x.data)::text'));
  const rows = await sql<{ t: string; d: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.t, r.d]));
}

/** Table names whose contents differ between two fingerprints. */
export function changedTables(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(a).filter((t) => a[t] !== b[t]);
}

/**
 * Like createStaff (support/staff.ts), but only the first user per database pays for an argon2
 * hash: the others get a copy of it (same password), which keeps files with many users fast.
 */
const hashes = new WeakMap<Db, string>();
export async function quickStaff(
  db: Db,
  u: { email: string; role: StaffRole; hospitals?: string[] },
): Promise<TestStaff> {
  let hash = hashes.get(db);
  if (!hash) {
    const first = await addUser(db, {
      email: 'hash.template@security.test',
      role: 'analyst',
      password: STAFF_PASSWORD,
    });
    hash = (
      await db.selectFrom('staff_users').select('password_hash').where('id', '=', first.id).executeTakeFirstOrThrow()
    ).password_hash;
    hashes.set(db, hash);
  }
  const row = await db
    .insertInto('staff_users')
    .values({
      email: u.email.toLowerCase(),
      role: u.role,
      hospitals: u.role === 'registrar' ? (u.hospitals ?? []) : [],
      password_hash: hash,
    })
    .returning(['id', 'email', 'role'])
    .executeTakeFirstOrThrow();
  const secret = newTotpSecret();
  await setTotpSecret({ db, sessionSecret: TEST_SESSION_SECRET }, row.id, secret, new Date());
  return { id: row.id, email: row.email, role: row.role, password: STAFF_PASSWORD, secret };
}
