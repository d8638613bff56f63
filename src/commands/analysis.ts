import { writeFileSync } from 'node:fs';
import { isValueSetId, listValueSets } from '../reports/eq5d/engine.ts';
import { buildComparison, renderComparison } from '../reports/comparison/report.ts';
import { readNormFile, saveNormSet } from '../reports/norms/store.ts';
import { audit } from '../staff/audit.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const analysisCommands: CommandGroup = {
  help: [
    'prom norms import <file> [--id ID] [--version V] [--value-set ID]   a prom-norms JSON file, or norm microdata CSV',
    'prom report --out <file.html> [--year Y] [--hospital CODE] [--type OHCA|IHCA] [--norms ID] [--value-set ID]',
  ],
  commands: { norms, report },
};

function valueSetOption(value: string | undefined) {
  if (value === undefined) return undefined;
  if (!isValueSetId(value)) throw new UsageError(`--value-set: unknown id "${value}". Known: ${listValueSets().map((v) => v.id).join(', ')}.`);
  return value;
}

async function norms(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'import') throw new UsageError('Usage: prom norms import <file> [--id ID] [--version V] [--value-set ID]');
  const { values, positionals } = parse(rest, { id: { type: 'string' }, version: { type: 'string' }, 'value-set': { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('prom norms import takes one file.');
  const set = readNormFile(positionals[0]!, { id: values.id, version: values.version, valueSet: valueSetOption(values['value-set']) });
  return withServices('prom norms import', false, async (s) => {
    await saveNormSet(s.database.db, set);
    console.log(`Norm set ${set.id} version ${set.version} imported with ${set.strata.length} strata.`);
    return 0;
  });
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    year: { type: 'string' },
    hospital: { type: 'string' },
    type: { type: 'string' },
    norms: { type: 'string' },
    'value-set': { type: 'string' },
  });
  if (!values.out || positionals.length > 0) throw new UsageError('Usage: prom report --out <file.html> [--year Y] [--hospital CODE] [--type OHCA|IHCA]');
  const year = values.year === undefined ? undefined : Number(values.year);
  if (year !== undefined && !(Number.isInteger(year) && year >= 2000 && year <= 2100)) throw new UsageError(`--year: "${values.year}" is not a year.`);
  if (values.type !== undefined && values.type !== 'OHCA' && values.type !== 'IHCA') throw new UsageError('--type must be OHCA or IHCA.');
  const filters = { year, hospital: values.hospital, arrestType: values.type as 'OHCA' | 'IHCA' | undefined };
  return withServices('prom report', false, async (s) => {
    const comparison = await buildComparison(s.database.db, filters, { normSet: values.norms, valueSet: valueSetOption(values['value-set']) });
    writeFileSync(values.out!, renderComparison(s.views, s.instruments, comparison, true), { mode: 0o600 });
    await audit(s.database.db, { actor: `cli:${process.env.USER ?? 'unknown'}`, action: 'report', entity: 'comparison', details: { filters } });
    console.log(`Report written to ${values.out} (${comparison.groups.map((g) => `${g.label} n = ${g.n}`).join(', ')}).`);
    return 0;
  });
}
