import { createWriteStream } from 'node:fs';
import { eq5dIndex, isValueSetId, listValueSets, DEFAULT_VALUE_SET } from '../reports/eq5d/engine.ts';
import { exportResponsesCsv } from '../reports/export.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const reportCommands: CommandGroup = {
  help: [
    'prom score <state>… [--value-set ID]          EQ-5D-5L index per state (unrounded), e.g. prom score 11111 55555',
    'prom score --list                             value sets with their citations',
    'prom export responses --format csv [--out FILE]',
  ],
  commands: { score, export: exportCommand },
};

async function score(args: string[]): Promise<number> {
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
