// `prom apikey create|revoke|list`: keys for the integration API (docs/api.md). The key is
// printed once, alone on standard output (so a script can capture it); only its hash is kept.
import { ApiKeyRefused, createApiKey, listApiKeys, revokeApiKey, SCOPES } from '../api/keys.ts';
import { audit } from '../audit/log.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

const USAGE = `Usage:
  prom apikey create --name NAME --scope ${SCOPES.join(',')} [--hospital CODE]…
  prom apikey revoke <id>
  prom apikey list`;

export const apiKeyCommands: CommandGroup = {
  help: [
    `prom apikey create --name N --scope intake,status,results[,identifiers] [--hospital CODE]…   key for the integration API (shown once)`,
    'prom apikey revoke <id> | prom apikey list           revoke a key at once; list keys (never the keys themselves)',
  ],
  commands: { apikey },
};

async function apikey(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') return create(rest);
  if (sub === 'revoke') return revoke(rest);
  if (sub === 'list') return list(rest);
  throw new UsageError(USAGE);
}

async function create(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    hospital: { type: 'string', multiple: true },
  });
  if (positionals.length > 0 || !values.name || !values.scope)
    throw new UsageError(`prom apikey create needs --name and --scope.\n${USAGE}`);
  const scopes = values.scope
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const hospitals = (values.hospital ?? [])
    .flatMap((h) => h.split(','))
    .map((h) => h.trim())
    .filter(Boolean);
  return withServices('prom apikey create', false, async (s) => {
    const db = s.database.db;
    let made;
    try {
      made = await createApiKey(db, {
        name: values.name!,
        scopes: scopes as never,
        hospitals,
        createdBy: 'command line',
      });
    } catch (err) {
      if (!(err instanceof ApiKeyRefused)) throw err;
      console.error(err.message);
      return 1;
    }
    await audit(db, {
      actor: 'command line',
      action: 'change',
      entity: 'api_key',
      entityId: made.id,
      details: { op: 'create', name: made.name, scopes: made.scopes, hospitals: made.hospitals },
    });
    console.error(
      `Created API key ${made.id} "${made.name}" (prefix ${made.prefix}) with scopes ${made.scopes.join(', ')}` +
        `${made.hospitals.length ? ` for hospitals ${made.hospitals.join(', ')}` : ' for every hospital'}.\n` +
        'The key is printed below once; store it now — only its hash is kept.',
    );
    console.log(made.key);
    return 0;
  });
}

async function revoke(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length !== 1 || !/^\d{1,15}$/.test(positionals[0]!))
    throw new UsageError(`prom apikey revoke takes the key's id (see prom apikey list).\n${USAGE}`);
  const id = Number(positionals[0]);
  return withServices('prom apikey revoke', false, async (s) => {
    const db = s.database.db;
    const name = await revokeApiKey(db, id, new Date());
    if (name === undefined) {
      console.error(`There is no API key ${id} in use.`);
      return 1;
    }
    await audit(db, {
      actor: 'command line',
      action: 'change',
      entity: 'api_key',
      entityId: id,
      details: { op: 'revoke', name },
    });
    console.log(`Revoked API key ${id} "${name}"; it is refused from now on.`);
    return 0;
  });
}

async function list(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length > 0) throw new UsageError(USAGE);
  return withServices('prom apikey list', false, async (s) => {
    const keys = await listApiKeys(s.database.db);
    if (keys.length === 0) {
      console.log('No API keys yet. Create one with: prom apikey create --name NAME --scope intake');
      return 0;
    }
    console.log(['id', 'name', 'prefix', 'scopes', 'hospitals', 'created', 'last used', 'revoked'].join('\t'));
    for (const k of keys) {
      const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');
      console.log(
        [
          k.id,
          k.name,
          k.prefix,
          k.scopes.join(','),
          k.hospitals.join(',') || 'all',
          day(k.createdAt),
          day(k.lastUsedAt),
          day(k.revokedAt),
        ].join('\t'),
      );
    }
    return 0;
  });
}
