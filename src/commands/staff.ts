import { addUser } from '../staff/users.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const staffCommands: CommandGroup = {
  help: ['prom user add --email E --role admin|registrar|analyst [--hospital CODE]…   (password on stdin)'],
  commands: { user },
};

async function user(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new UsageError('Usage: prom user add --email E --role admin|registrar|analyst [--hospital CODE]… (password on stdin)');
  const { values } = parse(rest, { email: { type: 'string' }, role: { type: 'string' }, hospital: { type: 'string', multiple: true } });
  if (!values.email || !values.role) throw new UsageError('prom user add needs --email and --role.');
  const password = await readPassword();
  return withServices('prom user add', false, async (s) => {
    const added = await addUser(s.database.db, { email: values.email!, role: values.role as 'admin', hospitals: values.hospital ?? [], password });
    console.log(`Added ${added.role} ${added.email}.`);
    return 0;
  });
}

/** The password comes on standard input, so it never shows in the process list or shell history. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
