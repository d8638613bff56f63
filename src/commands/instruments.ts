// `prom instruments add|list|show`: questionnaires (FHIR R4 Questionnaire) as data.
import { readFile } from 'node:fs/promises';
import { answerItems } from '../instruments/model.ts';
import { addInstrument, findInstrument, InstrumentRefused, listInstruments } from '../instruments/store.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const instrumentCommands: CommandGroup = {
  help: [
    'prom instruments add <questionnaire.json>      validate a FHIR R4 Questionnaire, store it with its version',
    'prom instruments list                          the instruments and their versions',
    'prom instruments show <id> [--version V]       one instrument: its items, types and texts',
  ],
  commands: { instruments },
};

async function instruments(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') return add(rest);
  if (sub === 'list' && rest.length === 0) return list();
  if (sub === 'show') return show(rest);
  throw new UsageError('Usage: prom instruments add <questionnaire.json> | list | show <id> [--version V]');
}

async function add(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length !== 1) throw new UsageError('Usage: prom instruments add <questionnaire.json>');
  let resource: unknown;
  try {
    resource = JSON.parse(await readFile(positionals[0]!, 'utf8'));
  } catch (err) {
    console.error(`${positionals[0]}: cannot read it as JSON (${(err as Error).message})`);
    return 1;
  }
  return withServices('prom instruments add', false, async (s) => {
    try {
      const stored = await addInstrument(s.database.db, resource, `cli:${process.env.USER ?? 'unknown'}`);
      console.log(stored.id);
      console.error(`Stored ${stored.id} version ${stored.version} (${answerItems(stored.instrument).length} items).`);
      return 0;
    } catch (err) {
      if (!(err instanceof InstrumentRefused)) throw err;
      console.error(err.message);
      return 1;
    }
  });
}

async function list(): Promise<number> {
  return withServices('prom instruments list', false, async (s) => {
    console.log('id\tversion\titems\turl\tadded\tproxy of');
    for (const i of await listInstruments(s.database.db, s.instruments))
      console.log(
        [
          i.id,
          i.version,
          answerItems(i.instrument).length,
          i.url,
          i.addedAt?.toISOString() ?? 'built in',
          i.proxyOf?.split('|')[0] ?? '',
        ].join('\t'),
      );
    return 0;
  });
}

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { version: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('Usage: prom instruments show <id> [--version V]');
  return withServices('prom instruments show', false, async (s) => {
    const found = await findInstrument(s.database.db, s.instruments, positionals[0]!, values.version);
    if (!found) {
      console.error(`No instrument "${positionals[0]}"${values.version ? ` version ${values.version}` : ''}.`);
      return 1;
    }
    console.log(`${found.id} version ${found.version} (${found.url})`);
    for (const page of found.instrument.pages)
      for (const item of page.items) {
        const range = item.min !== undefined ? ` ${item.min}–${item.max}${item.slider ? ' slider' : ''}` : '';
        const codes = item.options.length > 0 ? ` [${item.options.map((o) => o.code).join(', ')}]` : '';
        const when = item.enableWhen.length > 0 ? ' (only when asked)' : '';
        console.log(
          `  ${item.linkId}\t${item.type}${range}${codes}${item.required ? ' required' : ''}${when}\t${item.text.nb}`,
        );
      }
    return 0;
  });
}
