import { createWriteStream } from 'node:fs';
import { eq5dIndex, isValueSetId, listValueSets, DEFAULT_VALUE_SET } from '../reports/eq5d/engine.ts';
import { exportResponsesCsv } from '../reports/exports/responses.ts';
import { answeredInstruments } from '../instruments/programme.ts';
import { writeAnalysisExport } from '../reports/exports/analysis.ts';
import { audit } from '../audit/log.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';

export const reportCommands: CommandGroup = {
  help: [
    'prom score <state>… [--value-set ID]          EQ-5D-5L index per state (unrounded), e.g. prom score 11111 55555',
    'prom score --list                             value sets with their citations',
    'prom export responses --format csv [--out FILE]   identifiable (register_id), for the register',
    'prom export analysis --format wide|long|fhir --out DIR [--export-key NAME] [--value-set ID]',
    '                                              pseudonymous, with codebook and R/Stata/SPSS label scripts',
  ],
  // A usage error in the synchronous score still rejects the command's promise, as for the others.
  commands: { score: (args) => Promise.resolve().then(() => score(args)), export: exportCommand },
};

function score(args: string[]): number {
  const { values, positionals } = parse(args, { 'value-set': { type: 'string' }, list: { type: 'boolean' } });
  if (values.list) {
    for (const v of listValueSets()) console.log(`${v.id}\t${v.citation}`);
    return 0;
  }
  const id = values['value-set'] ?? DEFAULT_VALUE_SET;
  if (!isValueSetId(id))
    throw new UsageError(
      `--value-set: unknown id "${id}". Known: ${listValueSets()
        .map((v) => v.id)
        .join(', ')}.`,
    );
  if (positionals.length === 0)
    throw new UsageError('prom score needs at least one state, e.g. prom score 11111 12345');
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
  if (args[0] === 'analysis') return exportAnalysis(args.slice(1));
  const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' } });
  if (positionals[0] !== 'responses' || positionals.length !== 1)
    throw new UsageError('Usage: prom export responses --format csv [--out FILE], or prom export analysis …');
  const format = values.format ?? 'csv';
  if (format !== 'csv') throw new UsageError(`--format: "${format}" is not supported; use csv.`);
  return withServices('prom export', false, async (s) => {
    const out = values.out ? createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
    const count = await exportResponsesCsv(s.database.db, out, s.instruments);
    await audit(s.database.db, {
      actor: cliActor(),
      action: 'export',
      entity: 'responses',
      details: { format: 'csv', identifiable: true, rows: count },
    });
    if (values.out) console.error(`${count} responses written to ${values.out}.`);
    return 0;
  });
}

async function exportAnalysis(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: 'string' },
    out: { type: 'string' },
    'export-key': { type: 'string' },
    'value-set': { type: 'string' },
  });
  const format = values.format ?? 'wide';
  if (positionals.length > 0 || !values.out)
    throw new UsageError(
      'Usage: prom export analysis --format wide|long|fhir --out DIR [--export-key NAME] [--value-set ID]',
    );
  if (format !== 'wide' && format !== 'long' && format !== 'fhir')
    throw new UsageError(`--format: "${format}" is not one of wide, long, fhir.`);
  const valueSet = values['value-set'] ?? DEFAULT_VALUE_SET;
  if (!isValueSetId(valueSet)) throw new UsageError(`--value-set: unknown id "${valueSet}".`);
  const exportKey = values['export-key'] ?? 'default';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(exportKey))
    throw new UsageError('--export-key may contain only letters, digits, ".", "_" and "-".');
  return withServices('prom export analysis', false, async (s) => {
    const result = await writeAnalysisExport(s.database.db, values.out!, {
      format,
      valueSet,
      exportKey,
      pseudonymKey: s.config.exportPseudonymKey,
      instrument: s.instruments.nb,
      extraInstruments: await answeredInstruments(s.database.db, s.instruments),
    });
    await audit(s.database.db, {
      actor: cliActor(),
      action: 'export',
      entity: 'responses',
      details: { format, pseudonymous: true, exportKey, valueSet, rows: result.rows },
    });
    console.log(`${result.rows} responses written to ${values.out}: ${result.files.join(', ')}.`);
    return 0;
  });
}

function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}
