// The `prom` command line: dispatches to the command groups in src/commands/. Each command
// parses its arguments, calls one module function and prints the result.
// Exit codes: 0 done, 1 refused input or failure, 2 wrong usage.
import { ZodError } from 'zod';
import { Refusal } from './refusal.ts';
import { UsageError } from './commands/command.ts';
import { COMMAND_GROUPS, loadCommandGroup } from './commands/index.ts';

async function help(): Promise<string> {
  const groups = await Promise.all(COMMAND_GROUPS.map((g) => g.load()));
  return `prom — PROM survey service command line

Usage:
${groups
  .flatMap((g) => g.help)
  .map((l) => `  ${l}`)
  .join('\n')}

Settings come from the environment (see README). With the embedded database, stop the server first.`;
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return name ? 0 : 2;
  }
  const group = await loadCommandGroup(name);
  const found = group?.commands[name];
  if (!found) throw new UsageError(`Unknown command "${name}".`);
  return found(rest);
}

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
    // A refusal is written for the person who ran the command; anything else prints in full.
    console.error(err instanceof Refusal ? err.message : err);
    exit(1);
  },
);
