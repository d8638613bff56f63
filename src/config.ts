// Environment → typed, validated configuration. A wrong value stops the process with a
// message that names the variable; nothing else in the code reads process.env.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import { Refusal } from './refusal.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const roles = ['all', 'web', 'worker'] as const;
export type Role = (typeof roles)[number];

const optionalUrl = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || isUrlWith(v, protocols), {
      message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}, e.g. ${example}`,
    });

function isUrlWith(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const secret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .refine((v) => v === undefined || v.length >= 32, { message: 'must be at least 32 characters long' });

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: z.coerce
    .number({ message: 'must be a whole number between 1 and 65535' })
    .int('must be a whole number between 1 and 65535')
    .min(1, 'must be a whole number between 1 and 65535')
    .max(65535, 'must be a whole number between 1 and 65535')
    .default(3000),
  // Unset: http://localhost:$PORT (below), so a changed PORT does not break every link.
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || isUrlWith(v, ['http:', 'https:']), {
      message: 'must be an http:// or https:// address, e.g. https://prom.example.no',
    })
    .transform((v) => v?.replace(/\/+$/, '')),
  DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:'], 'postgres://user@127.0.0.1:5432/prom'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  // Unset: prom-<installation id>, kept in the database, so installations sharing a Redis
  // never share queues. Set it only to share queues on purpose.
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -')
    .optional(),
  SMTP_URL: optionalUrl(['smtp:', 'smtps:'], 'smtp://mail.example.no:587'),
  MAIL_FROM: z
    .string()
    .min(3, 'must be an address such as "Spørreskjema <noreply@example.no>"')
    .default('Spørreskjema <noreply@localhost>'),
  ROLE: z.enum(roles, { message: `must be one of ${roles.join(', ')}` }).default('all'),
  SESSION_SECRET: secret,
  EXPORT_PSEUDONYM_KEY: secret,
  // Keys the hash of an erased person's national id in their tombstone (docs/security.md).
  ERASURE_KEY: secret,
  INSTRUMENT_DIR: z.string().optional(),
  // Oslo hour (0–23) of the daily print batch job (docs/paper.md); unset: no daily job.
  LETTER_BATCH_HOUR: z.coerce
    .number({ message: 'must be a whole hour from 0 to 23' })
    .int('must be a whole hour from 0 to 23')
    .min(0, 'must be a whole hour from 0 to 23')
    .max(23, 'must be a whole hour from 0 to 23')
    .optional(),
  // Which reverse proxies to believe for the client address and https (express "trust proxy"):
  // a hop count, or addresses/subnets such as "loopback" or "10.0.0.0/8". Unset: none.
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|[A-Za-z0-9.:/, _-]+)$/,
      'must be a number of proxy hops (e.g. 1) or addresses/subnets (e.g. loopback, 10.0.0.0/8)',
    )
    .optional(),
  // Analyst outputs publish no count of 1 to k − 1 people (docs/analysis.md); below 3 a pair could still tell each other apart.
  SMALL_CELL_THRESHOLD: z.coerce
    .number({ message: 'must be a whole number of people, at least 3' })
    .int('must be a whole number of people, at least 3')
    .min(3, 'must be a whole number of people, at least 3')
    .default(5),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  // Who may read /metrics (by the connecting socket's address): "off", or a comma-separated list
  // of addresses/subnets and the names loopback, linklocal, uniquelocal.
  METRICS_ALLOW: z
    .string()
    .default('loopback')
    .transform((v) =>
      v.trim() === 'off'
        ? []
        : v
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
    )
    .refine(compiles, { message: 'must be "off" or addresses/subnets such as loopback, 10.0.0.0/8, 192.0.2.7' }),
});

function compiles(terms: string[]): boolean {
  try {
    proxyaddr.compile(terms);
    return true;
  } catch {
    return false;
  }
}

export interface Config {
  production: boolean;
  port: number;
  publicUrl: string;
  secureCookies: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  pgliteDir: string;
  redisUrl: string | undefined;
  /** QUEUE_PREFIX; undefined: prom-<installation id> (src/installation.ts). */
  queuePrefix: string | undefined;
  smtpUrl: string | undefined;
  outboxDir: string;
  mailFrom: string;
  role: Role;
  sessionSecret: string;
  exportPseudonymKey: string;
  /** Keys the national-id hash kept when a person is erased at their request. */
  erasureKey: string;
  instrumentDir: string | undefined;
  /** express "trust proxy": false, a hop count, or an address list. */
  trustProxy: boolean | number | string;
  /** Oslo hour of the daily print batch; undefined = off. Batches go to `letterDir/<batch id>/`. */
  letterBatchHour: number | undefined;
  letterDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** proxy-addr terms allowed to read /metrics; empty: /metrics is off. */
  metricsAllow: string[];
  /** k: analyst outputs never publish a count of 1 to k − 1 people. */
  smallCellThreshold: number;
}

export class ConfigError extends Refusal {}

/** Parse the environment. Throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (VAR= in a compose file) means "not set", as for an unset one.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}: ${i.message} (got ${JSON.stringify(env[name])})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.DATA_DIR);
  const missing = production
    ? (['SESSION_SECRET', 'EXPORT_PSEUDONYM_KEY', 'ERASURE_KEY'] as const).filter((k) => !e[k])
    : [];
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((k) => `  ${k}: must be set when NODE_ENV=production (at least 32 random characters)`).join('\n')}`,
    );
  }
  const secrets = production ? undefined : localSecrets(dataDir);
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  return {
    production,
    port: e.PORT,
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: path.join(dataDir, 'pglite'),
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    smtpUrl: e.SMTP_URL,
    outboxDir: path.join(dataDir, 'outbox'),
    mailFrom: e.MAIL_FROM,
    role: e.ROLE,
    sessionSecret: e.SESSION_SECRET ?? secrets!.sessionSecret,
    exportPseudonymKey: e.EXPORT_PSEUDONYM_KEY ?? secrets!.exportPseudonymKey,
    erasureKey: e.ERASURE_KEY ?? secrets!.erasureKey,
    instrumentDir: e.INSTRUMENT_DIR ? path.resolve(e.INSTRUMENT_DIR) : undefined,
    letterBatchHour: e.LETTER_BATCH_HOUR,
    letterDir: path.join(dataDir, 'letters'),
    logLevel: e.LOG_LEVEL,
    metricsAllow: e.METRICS_ALLOW,
    smallCellThreshold: e.SMALL_CELL_THRESHOLD,
    trustProxy:
      e.TRUST_PROXY === undefined ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
  };
}

interface LocalSecrets {
  sessionSecret: string;
  exportPseudonymKey: string;
  erasureKey: string;
}

/**
 * Outside production, missing secrets are generated once and kept in DATA_DIR/secrets.json; a
 * secret added in a later version is added to an existing file, the others kept.
 */
function localSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  const fresh = () => randomBytes(32).toString('base64url');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets> & Omit<LocalSecrets, 'erasureKey'>;
    if (kept.erasureKey) return kept as LocalSecrets;
    const secrets = { ...kept, erasureKey: fresh() };
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    return secrets;
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets = { sessionSecret: fresh(), exportPseudonymKey: fresh(), erasureKey: fresh() };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return secrets;
}
