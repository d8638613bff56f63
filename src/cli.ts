// The `prom` command line. Each command parses its arguments, calls one module function and
// prints the result; exit code 1 for refused input, 2 for wrong usage.
import { createWriteStream } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fixedClock, parseNow, systemClock, type Clock } from './clock.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataDirInUseError } from './db/pglite-lock.ts';
import { importSurvivorsFile, ImportRefused } from './cohort/import.ts';
import { runSchedulingPass } from './invitations/scheduler.ts';
import { RedisUnavailable } from './queue/redis.ts';
import { startWorkers } from './queue/workers.ts';
import { eq5dIndex, isValueSetId, listValueSets, DEFAULT_VALUE_SET } from './reports/eq5d/engine.ts';
import { exportResponsesCsv } from './reports/export.ts';
import { openServices, type Services } from './services.ts';
import { addUser, UserExists } from './staff/users.ts';
import { waitUntilSettled } from './invitations/drain.ts';
import { ZodError } from 'zod';

class UsageError extends Error {}

const HELP = `prom — PROM survey service command line

Usage:
  prom migrate                                  run database migrations
  prom import <file.csv> [--dry-run]            import or update survivors from the register
  prom schedule [--now <date|time>] [--drain] [--timeout <seconds>]
                                                one scheduling pass; --drain also sends what it made due
  prom score <state>… [--value-set ID]          EQ-5D-5L index per state (unrounded), e.g. prom score 11111 55555
  prom score --list                             value sets with their citations
  prom export responses --format csv [--out FILE]
  prom user add --email E --role admin|registrar|analyst [--hospital CODE]…   (password on stdin)

Settings come from the environment (see README). With the embedded database, stop the server first.`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  migrate: async () => withServices('prom migrate', false, async () => {
    console.log('Database is up to date.');
    return 0;
  }),
  import: importCommand,
  schedule: scheduleCommand,
  score: scoreCommand,
  export: exportCommand,
  user: userCommand,
};

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`Unknown command "${name}".`);
  return command(rest);
}

async function withServices(command: string, redis: boolean, fn: (s: Services) => Promise<number>): Promise<number> {
  const services = await openServices(loadConfig(), { command, redis });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { 'dry-run': { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('prom import takes one file: prom import <file.csv> [--dry-run]');
  return withServices('prom import', false, async (s) => {
    const report = await importSurvivorsFile(s.database.db, positionals[0]!, { dryRun: values['dry-run'] === true });
    for (const p of report.problems) console.error(p);
    const verb = values['dry-run'] ? 'would be' : 'were';
    console.log(`${report.inserted} new and ${report.updated} updated survivors ${verb} imported; ${report.rejected} rows rejected.`);
    return report.rejected > 0 ? 1 : 0;
  });
}

async function scheduleCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { now: { type: 'string' }, drain: { type: 'boolean' }, timeout: { type: 'string' } });
  let clock: Clock = systemClock;
  if (values.now !== undefined) {
    const at = parseNow(values.now);
    if (!at) throw new UsageError(`--now: "${values.now}" is not a date (YYYY-MM-DD) or an ISO time with offset (2026-05-01T08:30+02:00).`);
    clock = fixedClock(at);
  }
  const timeoutS = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError('--timeout must be a positive number of seconds.');
  return withServices('prom schedule', true, async (s) => {
    const deps = { db: s.database.db, views: s.views, mailer: s.mailer, publicUrl: s.config.publicUrl };
    // Workers start before the pass so the jobs it queues are taken here, with the same clock.
    const workers = values.drain ? startWorkers(deps, s.queues!, clock, { scheduler: false }) : undefined;
    try {
      const pass = await runSchedulingPass(s.database.db, s.queues, clock);
      console.log(`Pass at ${clock.now().toISOString()}: ${pass.invited} invited, ${pass.neverInvited} outside the window or stopped, ${pass.dueOutboxIds.length} e-mails due.`);
      if (pass.markedUnknown > 0) console.log(`${pass.markedUnknown} sends left unfinished by a stopped worker are now "unknown" for staff.`);
      if (!workers) return 0;
      const settled = await waitUntilSettled(s.database.db, pass.dueOutboxIds, timeoutS * 1000);
      console.log(`Drained: ${settled.counts.sent} sent, ${settled.counts.cancelled} cancelled, ${settled.counts.failed} failed, ${settled.counts.unknown} unknown.`);
      if (settled.waiting > 0) {
        console.error(`${settled.waiting} e-mails are still waiting after ${timeoutS} s (temporary errors); the running workers will retry them.`);
        return 1;
      }
      return 0;
    } finally {
      await workers?.close();
    }
  });
}

async function scoreCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { 'value-set': { type: 'string' }, list: { type: 'boolean' } });
  if (values.list) {
    for (const v of listValueSets()) console.log(`${v.id}\t${v.citation}`);
    return 0;
  }
  const id = values['value-set'] ?? DEFAULT_VALUE_SET;
  if (!isValueSetId(id)) throw new UsageError(`--value-set: unknown id "${id}". Known: ${listValueSets().map((v) => v.id).join(', ')}.`);
  if (positionals.length === 0) throw new UsageError('prom score needs at least one state, e.g. prom score 11111 12345');
  let bad = 0;
  for (const state of positionals) {
    const index = eq5dIndex(state, id);
    if (index === null) {
      console.error(`${state}: not an EQ-5D-5L state (five digits, each 1–5)`);
      bad++;
    } else console.log(`${state},${index}`);
  }
  return bad > 0 ? 1 : 0;
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' } });
  if (positionals[0] !== 'responses' || positionals.length !== 1) throw new UsageError('Usage: prom export responses --format csv [--out FILE]');
  const format = values.format ?? 'csv';
  if (format !== 'csv') throw new UsageError(`--format: "${format}" is not supported; use csv.`);
  return withServices('prom export', false, async (s) => {
    const out = values.out ? createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
    const count = await exportResponsesCsv(s.database.db, out);
    if (values.out) console.error(`${count} responses written to ${values.out}.`);
    return 0;
  });
}

async function userCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new UsageError('Usage: prom user add --email E --role admin|registrar|analyst [--hospital CODE]… (password on stdin)');
  const { values } = parse(rest, { email: { type: 'string' }, role: { type: 'string' }, hospital: { type: 'string', multiple: true } });
  if (!values.email || !values.role) throw new UsageError('prom user add needs --email and --role.');
  const password = await readPassword();
  return withServices('prom user add', false, async (s) => {
    const user = await addUser(s.database.db, { email: values.email!, role: values.role as 'admin', hospitals: values.hospital ?? [], password });
    console.log(`Added ${user.role} ${user.email}.`);
    return 0;
  });
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function parse<const T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true } as const);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\nRun "prom --help" for usage.`);
      process.exit(2);
    }
    if (err instanceof ZodError) {
      console.error(err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
      process.exit(1);
    }
    const known = [ConfigError, DataDirInUseError, RedisUnavailable, ImportRefused, UserExists].some((k) => err instanceof k);
    console.error(known ? (err as Error).message : err);
    process.exit(1);
  },
);
