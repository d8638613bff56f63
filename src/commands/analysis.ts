import { writeFileSync } from 'node:fs';
import { isValueSetId, listValueSets } from '../reports/eq5d/engine.ts';
import { buildComparison, renderComparison, reportHospitals } from '../reports/comparison/report.ts';
import { longCsv, longTable } from '../reports/comparison/table.ts';
import { checkStoredNormSets, listNormSets, readNormFile, saveNormSet } from '../reports/norms/store.ts';
import { audit } from '../audit/log.ts';
import { parse, UsageError, withServices, type CommandGroup } from './command.ts';
import { RESPONDENTS } from '../instruments/respondent.ts';
import type { ArrestType, Respondent } from '../db/schema.ts';

export const analysisCommands: CommandGroup = {
  help: [
    'prom norms import <file> [--id ID] [--version V] [--value-set ID]   a prom-norms JSON file, or norm microdata CSV',
    'prom norms list                               norm sets: id, version, value set, title (one per line)',
    'prom norms check                              checks every stored norm set again; exits 1 naming each set that fails',
    'prom report --out <file.html> [--year Y] [--hospital CODE] [--type OHCA|IHCA] [--respondent self|assisted|proxy] [--norms ID] [--value-set ID]',
    'prom report --format csv [--out FILE] [same filters]   the same figures as one long table (stdout without --out)',
  ],
  commands: { norms, report },
};

/** --type: the arrest type to restrict the report to, if any. */
function arrestTypeOption(value: string | undefined): ArrestType | undefined {
  if (value === undefined || value === 'OHCA' || value === 'IHCA') return value;
  throw new UsageError('--type must be OHCA or IHCA.');
}

function respondentOption(value: string | undefined): Respondent | undefined {
  const found = RESPONDENTS.find((r) => r === value);
  if (value === undefined || found) return found;
  throw new UsageError(`--respondent: "${value}" is not one of ${RESPONDENTS.join(', ')}.`);
}

function valueSetOption(value: string | undefined) {
  if (value === undefined) return undefined;
  if (!isValueSetId(value))
    throw new UsageError(
      `--value-set: unknown id "${value}". Known: ${listValueSets()
        .map((v) => v.id)
        .join(', ')}.`,
    );
  return value;
}

async function norms(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list' && rest.length === 0) return listNorms();
  if (sub === 'check' && rest.length === 0) return checkNorms();
  if (sub !== 'import')
    throw new UsageError(
      'Usage: prom norms import <file> [--id ID] [--version V] [--value-set ID], prom norms list or prom norms check',
    );
  const { values, positionals } = parse(rest, {
    id: { type: 'string' },
    version: { type: 'string' },
    'value-set': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('prom norms import takes one file.');
  const set = readNormFile(positionals[0]!, {
    id: values.id,
    version: values.version,
    valueSet: valueSetOption(values['value-set']),
  });
  return withServices('prom norms import', false, async (s) => {
    await saveNormSet(s.database.db, set);
    console.log(`Norm set ${set.id} version ${set.version} imported with ${set.strata.length} strata.`);
    return 0;
  });
}

async function listNorms(): Promise<number> {
  return withServices('prom norms list', false, async (s) => {
    for (const n of await listNormSets(s.database.db))
      console.log(
        [
          n.id,
          n.version,
          n.valueSet ?? '-',
          `${n.title}${n.shipped ? ' (shipped)' : ''}${n.faults.length > 0 ? ' (not used: fails the checks, see prom norms check)' : ''}`,
        ].join('\t'),
      );
    return 0;
  });
}

/** Sets stored before today's checks existed are checked again; each faulty one is named once, with its faults. */
async function checkNorms(): Promise<number> {
  return withServices('prom norms check', false, async (s) => {
    const results = await checkStoredNormSets(s.database.db);
    const faulty = results.filter((r) => r.faults.length > 0);
    for (const r of faulty)
      console.error(
        `Norm set ${r.id} version ${r.version}${r.newest ? ' (the version reports use)' : ''} fails the checks and is not used:\n${r.faults.map((f) => `  ${f}`).join('\n')}`,
      );
    console.log(
      `${results.length} stored norm set version${results.length === 1 ? '' : 's'} checked: ${faulty.length === 0 ? 'all pass' : `${faulty.length} fail${faulty.length === 1 ? 's' : ''}`}.`,
    );
    return faulty.length === 0 ? 0 : 1;
  });
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    format: { type: 'string' },
    year: { type: 'string' },
    hospital: { type: 'string' },
    type: { type: 'string' },
    respondent: { type: 'string' },
    norms: { type: 'string' },
    'value-set': { type: 'string' },
  });
  const format = values.format ?? 'html';
  if (format !== 'html' && format !== 'csv') throw new UsageError(`--format: "${format}" is not one of html, csv.`);
  if (positionals.length > 0 || (format === 'html' && !values.out)) {
    throw new UsageError(
      'Usage: prom report --out <file.html> | --format csv [--out FILE] [--year Y] [--hospital CODE] [--type OHCA|IHCA] [--respondent self|assisted|proxy] [--norms ID] [--value-set ID]',
    );
  }
  const year = values.year === undefined ? undefined : Number(values.year);
  if (year !== undefined && !(Number.isInteger(year) && year >= 2000 && year <= 2100))
    throw new UsageError(`--year: "${values.year}" is not a year.`);
  const filters = {
    year,
    hospital: values.hospital,
    arrestType: arrestTypeOption(values.type),
    respondent: respondentOption(values.respondent),
  };
  const valueSet = valueSetOption(values['value-set']);
  return withServices('prom report', false, async (s) => {
    if (filters.hospital !== undefined && !(await reportHospitals(s.database.db)).includes(filters.hospital)) {
      console.error(
        `--hospital: unknown hospital "${filters.hospital}": no arrest in the register has this hospital code.`,
      );
      return 1;
    }
    const comparison = await buildComparison(s.database.db, filters, {
      normSet: values.norms,
      valueSet,
      threshold: s.config.smallCellThreshold,
    });
    const body =
      format === 'csv' ? longCsv(longTable(comparison)) : renderComparison(s.views, s.instruments, comparison, true);
    if (values.out) writeFileSync(values.out, body, { mode: 0o600 });
    else process.stdout.write(body);
    await audit(s.database.db, {
      actor: `cli:${process.env.USER ?? 'unknown'}`,
      action: 'report',
      entity: 'comparison',
      details: { filters, format },
    });
    // Only published sizes: a suppressed group's n must not reach a terminal either.
    const sizes = comparison.groups.map((g) => `${g.label} ${g.suppressed ? 'suppressed' : `n = ${g.n}`}`).join(', ');
    if (values.out) console.log(`Report written to ${values.out} (${sizes}).`);
    return 0;
  });
}
