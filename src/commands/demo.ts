// `prom demo`: builds the synthetic register in a database of its own, never in the real one.
//   no option            embedded PGlite in DATA_DIR/demo (a data folder of its own), unless
//                        DATABASE_URL is set: then it refuses rather than guess
//   --database-url URL   PostgreSQL at URL, even if URL equals DATABASE_URL
// Either way createDemo refuses, in its transaction, a database holding anyone it did not make.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { openDatabase, type DbHandle } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createDemo, DemoRefused, type DemoResult } from '../reports/demo.ts';
import { parse, UsageError, type CommandGroup } from './command.ts';

export const demoCommands: CommandGroup = {
  help: [
    'prom demo [--survivors N] [--database-url URL]  a SYNTHETIC register in a database of its own (DATA_DIR/demo, or URL)',
  ],
  commands: { demo },
};

/** Where the demo goes: the environment a server on it needs, and how to open it. */
interface Target {
  env: Record<string, string>;
  description: string;
  open(): Promise<DbHandle>;
}

async function demo(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { survivors: { type: 'string' }, 'database-url': { type: 'string' } });
  if (positionals.length > 0) throw new UsageError('Usage: prom demo [--survivors N] [--database-url URL]');
  const count = values.survivors === undefined ? 600 : Number(values.survivors);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new UsageError('--survivors must be a whole number from 1 to 100000.');
  const target = chooseTarget(values['database-url']);
  const handle = await target.open();
  let result: DemoResult;
  try {
    await migrate(handle.db);
    result = await createDemo(handle.db, { survivors: count });
    // REGISTER PROFILE: the demo database gets the example register profile here once register
    // profiles exist (added in another branch); load it into `handle.db` before printing.
  } finally {
    await handle.close();
  }
  printNextSteps(result, target);
  return 0;
}

function chooseTarget(url: string | undefined): Target {
  const config = loadConfig();
  if (url !== undefined) {
    if (!isPostgresUrl(url))
      throw new UsageError(
        `--database-url must be a postgres:// or postgresql:// address, e.g. postgres://user@127.0.0.1:5432/prom_demo (got "${url}").`,
      );
    return {
      env: { DATABASE_URL: url },
      description: `the PostgreSQL database ${redacted(url)}`,
      open: async () => openDatabase({ databaseUrl: url, poolSize: 2 }),
    };
  }
  if (config.databaseUrl) {
    throw new DemoRefused(
      'DATABASE_URL is set, and prom demo does not write into the database a server uses by default.\n' +
        'Name a database of its own for the demo with --database-url URL (one with no survivors, or only demo ones),\n' +
        'or unset DATABASE_URL to build an embedded demo in DATA_DIR/demo.',
    );
  }
  const dataDir = path.join(config.dataDir, 'demo');
  return {
    env: { DATA_DIR: dataDir },
    description: `its own embedded database in ${dataDir} (nothing in ${config.dataDir}/pglite was touched)`,
    open: () => openDatabase({ pgliteDir: path.join(dataDir, 'pglite'), command: 'prom demo' }),
  };
}

function printNextSteps(r: DemoResult, target: Target): void {
  // A queue prefix of its own, so a demo server's worker never takes the real server's jobs.
  const env = Object.entries({ ...target.env, QUEUE_PREFIX: 'prom-demo' })
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  const dbEnv = Object.entries(target.env)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  console.log(
    [
      `SYNTHETIC demo data: ${r.survivors} survivors (register ids DEMO-…), ${r.responses} responses, norm set DEMO from ${r.normRespondents} synthetic respondents,`,
      `built into ${target.description}.`,
      '',
      'Start a server on it (on another port if your own server runs, e.g. PORT=3001):',
      `  ${env} npm start`,
      'Add staff users to it (the password is read from standard input), then sign in at /staff/login:',
      `  printf '%s\\n' 'a long password' | ${dbEnv} npx prom user add --email admin@example.no --role admin`,
      `  printf '%s\\n' 'another long password' | ${dbEnv} npx prom user add --email registrar@example.no --role registrar --hospital DEMO-OUS`,
      'The comparison with the synthetic norms:',
      `  ${dbEnv} npx prom report --norms DEMO --out demo-report.html`,
    ].join('\n'),
  );
}

function isPostgresUrl(v: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** The URL without its password, for the sentence that says where the demo went. */
function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
