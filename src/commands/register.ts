// `prom register set <file.json>` and `prom register show`: the register's profile (who asks,
// why, how to reach them). Every change is a new version and an audit row.
import { readFileSync } from 'node:fs';
import { audit } from '../audit/log.ts';
import {
  currentRegisterProfile,
  PROFILE_FIELDS,
  saveRegisterProfile,
  type RegisterProfile,
} from '../register/profile.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const registerCommands: CommandGroup = {
  help: [
    'prom register set <file.json>                 set the register profile (who asks, why, contact); a new version',
    'prom register show                            the register profile in force',
  ],
  commands: { register },
};

async function register(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  const [sub, file] = positionals;
  if (sub === 'show' && positionals.length === 1) return show();
  if (sub === 'set' && file && positionals.length === 2) return set(file);
  throw new UsageError('Usage: prom register set <file.json> | prom register show');
}

function show(): Promise<number> {
  return withServices('prom register show', false, async (s) => {
    const current = await currentRegisterProfile(s.database.db);
    if (!current) console.log('No register profile set');
    else printProfile(current.version, current.profile);
    return 0;
  });
}

async function set(file: string): Promise<number> {
  const input = readJson(file);
  if (input === undefined) return 1;
  return withServices('prom register set', false, async (s) => {
    const saved = await saveRegisterProfile(s.database.db, input, 'prom register set');
    await audit(s.database.db, {
      actor: 'prom register set',
      source: 'cli',
      action: 'change',
      entity: 'register_profile',
      entityId: saved.version,
      details: { changed: saved.changed },
    });
    printProfile(saved.version, saved.profile);
    return 0;
  });
}

/** The file's JSON, or undefined after saying why not. (Wrong shapes are the schema's to name.) */
function readJson(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    console.error(`${file}: not JSON (${(err as Error).message})`);
    return undefined;
  }
}

function printProfile(version: number, profile: RegisterProfile): void {
  console.log(`Register profile version ${version}:`);
  for (const field of PROFILE_FIELDS) {
    const value = profile[field];
    if (value === undefined) continue;
    if (typeof value === 'string') console.log(`  ${field}: ${oneLine(value)}`);
    else
      for (const [lang, v] of Object.entries(value as Record<string, string>))
        console.log(`  ${field}.${lang}: ${oneLine(v)}`);
  }
}

const oneLine = (s: string) => s.replace(/\n/g, '\\n');
