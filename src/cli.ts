// The `prom` command line: dispatches to the command groups in src/commands/. Each command
// parses its arguments, calls one module function and prints the result.
// Exit codes: 0 done, 1 refused input or failure, 2 wrong usage.
import { ZodError } from 'zod';
import { ConfigError } from './config.ts';
import { ImportRefused } from './cohort/import.ts';
import { DataDirInUseError } from './db/pglite-lock.ts';
import { RedisUnavailable } from './queue/redis.ts';
import { UserExists } from './staff/users.ts';
import { UsageError, type CommandGroup } from './commands/command.ts';
import { databaseCommands } from './commands/database.ts';
import { cohortCommands } from './commands/cohort.ts';
import { invitationCommands } from './commands/invitations.ts';
import { lifecycleCommands } from './commands/lifecycle.ts';
import { reportCommands } from './commands/reports.ts';
import { staffCommands } from './commands/staff.ts';
import { hospitalCommands } from './commands/hospitals.ts';
import { analysisCommands } from './commands/analysis.ts';
import { apiKeyCommands } from './commands/apikeys.ts';
import { letterCommands } from './commands/letters.ts';
import { registerCommands } from './commands/register.ts';
import { demoCommands } from './commands/demo.ts';
import { instrumentCommands } from './commands/instruments.ts';
import { DemoRefused } from './reports/demo.ts';
import { FaultyNormSet, NormFileRefused } from './reports/norms/store.ts';
import { UnknownNormSet } from './reports/comparison/report.ts';

const groups: CommandGroup[] = [
  databaseCommands,
  cohortCommands,
  invitationCommands,
  lifecycleCommands,
  reportCommands,
  staffCommands,
  hospitalCommands,
  analysisCommands,
  apiKeyCommands,
  letterCommands,
  registerCommands,
  demoCommands,
  instrumentCommands,
];
const commands = Object.assign({}, ...groups.map((g) => g.commands)) as CommandGroup['commands'];

const HELP = `prom — PROM survey service command line

Usage:
${groups
  .flatMap((g) => g.help)
  .map((l) => `  ${l}`)
  .join('\n')}

Settings come from the environment (see README). With the embedded database, stop the server first.`;

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

/** Errors people can act on print their message only; anything else prints in full. */
const EXPECTED = [
  ConfigError,
  DataDirInUseError,
  RedisUnavailable,
  ImportRefused,
  UserExists,
  NormFileRefused,
  FaultyNormSet,
  UnknownNormSet,
  DemoRefused,
];

/**
 * process.exit drops what a pipe has not taken yet (a long list of import problems was cut off);
 * an empty write's callback runs once everything written before it is handed over.
 */
function exit(code: number): void {
  let open = 2;
  const done = () => {
    if (--open === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

run(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\nRun "prom --help" for usage.`);
      return exit(2);
    }
    if (err instanceof ZodError) {
      console.error(err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
      return exit(1);
    }
    console.error(EXPECTED.some((k) => err instanceof k) ? (err as Error).message : err);
    exit(1);
  },
);
