import { systemClock } from '../clock.ts';
import { addUser, disableUser, enableUser, listUsers, resetSecondFactor, UserNotFound } from '../staff/users.ts';
import { audit } from '../audit/log.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

const USAGE = `Usage:
  prom user add --email E --role admin|registrar|analyst [--hospital CODE]…   (password on stdin)
  prom user disable --email E      disable the account and end all its sessions
  prom user enable --email E       enable it again (also lifts a lockout)
  prom user reset-2fa --email E    forget the authenticator; the next login enrols a new one
  prom user list                   list staff users`;

export const staffCommands: CommandGroup = {
  help: [
    'prom user add --email E --role admin|registrar|analyst [--hospital CODE]…   (password on stdin)',
    'prom user disable|enable|reset-2fa --email E  disable (ends sessions), enable, or reset the second factor',
    'prom user list                                list staff users',
  ],
  commands: { user },
};

async function user(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return add(rest);
    case 'disable':
    case 'enable':
    case 'reset-2fa':
      return change(sub, rest);
    case 'list':
      return list(rest);
    default:
      throw new UsageError(USAGE);
  }
}

async function add(rest: string[]): Promise<number> {
  const { values } = parse(rest, {
    email: { type: 'string' },
    role: { type: 'string' },
    hospital: { type: 'string', multiple: true },
  });
  if (!values.email || !values.role) throw new UsageError('prom user add needs --email and --role.');
  const password = await readPassword();
  return withServices('prom user add', false, async (s) => {
    const added = await addUser(s.database.db, {
      email: values.email!,
      role: values.role as 'admin',
      hospitals: values.hospital ?? [],
      password,
    });
    await audit(s.database.db, {
      actor: cliActor(),
      action: 'change',
      entity: 'staff_user',
      entityId: added.id,
      details: { change: 'added', role: added.role, via: 'cli' },
    });
    console.log(`Added ${added.role} ${added.email}. A TOTP authenticator is set up at the first login.`);
    return 0;
  });
}

async function change(sub: 'disable' | 'enable' | 'reset-2fa', rest: string[]): Promise<number> {
  const { values } = parse(rest, { email: { type: 'string' } });
  if (!values.email) throw new UsageError(`prom user ${sub} needs --email.`);
  return withServices(`prom user ${sub}`, false, async (s) => {
    const db = s.database.db;
    try {
      const u =
        sub === 'disable'
          ? await disableUser(db, values.email!, systemClock.now())
          : sub === 'enable'
            ? await enableUser(db, values.email!)
            : await resetSecondFactor(db, values.email!);
      await audit(db, {
        actor: cliActor(),
        action: 'change',
        entity: 'staff_user',
        entityId: u.id,
        details: { change: sub, via: 'cli' },
      });
      const done = {
        disable: 'disabled; all its sessions have ended',
        enable: 'enabled',
        'reset-2fa': 'will set up a new authenticator at the next login; its sessions have ended',
      }[sub];
      console.log(`${u.email} ${done}.`);
      return 0;
    } catch (err) {
      if (!(err instanceof UserNotFound)) throw err;
      console.error(err.message);
      return 1;
    }
  });
}

async function list(rest: string[]): Promise<number> {
  parse(rest, {});
  return withServices('prom user list', false, async (s) => {
    const users = await listUsers(s.database.db, systemClock.now());
    console.log(['email', 'role', 'hospitals', 'second_factor', 'status', 'last_login'].join('\t'));
    for (const u of users) {
      const status = u.disabled ? 'disabled' : u.locked ? 'locked' : 'active';
      console.log(
        [
          u.email,
          u.role,
          u.hospitals.join(',') || '-',
          u.enrolled ? 'enrolled' : 'not-enrolled',
          status,
          u.lastLoginAt?.toISOString() ?? '-',
        ].join('\t'),
      );
    }
    return 0;
  });
}

function cliActor(): string {
  return `cli:${process.env.USER ?? 'unknown'}`;
}

/** The password comes on standard input, so it never shows in the process list or shell history. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
