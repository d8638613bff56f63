// Norm sets in the database, with the shipped Norwegian 2019 set as the fallback, and the
// import of a norm file (prom-norms JSON) or of norm microdata (CSV) that is aggregated first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { DEFAULT_VALUE_SET, type ValueSetId } from '../eq5d/engine.ts';
import { normSetSchema, type NormSet } from './format.ts';
import { aggregateMicrodata, type NormRespondent } from './microdata.ts';
import { normSetProblems } from './checks.ts';
import { Refusal } from '../../refusal.ts';

const SHIPPED = fileURLToPath(new URL('../../../norms/no-2019.json', import.meta.url));
export const DEFAULT_NORM_SET = 'NO-2019';

export class NormFileRefused extends Refusal {}

/** A stored norm set that fails today's checks (it may have been imported before they existed): the report does not use it. */
class FaultyNormSet extends Refusal {
  constructor(
    readonly id: string,
    readonly version: string,
    readonly faults: string[],
  ) {
    super(
      `Norm set ${id} (version ${version}) is not used: it fails the checks on norm files — ${faults.join('; ')}. Import a corrected file with prom norms import, or choose another set.`,
    );
  }
}

/**
 * Today's checks on a set as it is stored: its shape (format.ts) and the checks on its figures
 * (checks.ts). Sets imported before a check existed are read through this, so a duplicate
 * stratum or an impossible figure never reaches a report. Each fault once.
 */
function storedSetFaults(data: unknown): { set: NormSet | null; faults: string[] } {
  const json = typeof data === 'string' ? safeJson(data) : data;
  const parsed = normSetSchema.safeParse(json);
  if (!parsed.success)
    return {
      set: null,
      faults: [...new Set(parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`))],
    };
  const faults = [...new Set(normSetProblems(parsed.data))];
  return { set: faults.length === 0 ? parsed.data : null, faults };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function shippedNorms(): NormSet {
  return normSetSchema.parse(JSON.parse(readFileSync(SHIPPED, 'utf8')));
}

/** The newest imported version of a set, or the shipped one; throws FaultyNormSet when the stored set fails today's checks. */
export async function loadNormSet(db: Db, id = DEFAULT_NORM_SET): Promise<NormSet | undefined> {
  const row = await db
    .selectFrom('norm_sets')
    .select(['data', 'version'])
    .where('id', '=', id)
    .orderBy('imported_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row) {
    const { set, faults } = storedSetFaults(row.data);
    if (!set) throw new FaultyNormSet(id, row.version, faults);
    return set;
  }
  return id === DEFAULT_NORM_SET ? shippedNorms() : undefined;
}

/** Every stored version of every set, checked again (prom norms check). */
export async function checkStoredNormSets(
  db: Db,
): Promise<{ id: string; version: string; newest: boolean; faults: string[] }[]> {
  const rows = await db
    .selectFrom('norm_sets')
    .select(['id', 'version', 'data'])
    .orderBy('id')
    .orderBy('imported_at', 'desc')
    .execute();
  const seen = new Set<string>();
  return rows.map((r) => {
    const newest = !seen.has(r.id);
    seen.add(r.id);
    return { id: r.id, version: r.version, newest, faults: storedSetFaults(r.data).faults };
  });
}

/**
 * One line per norm set: the newest version (the one reports use), and the shipped set unless
 * replaced. A stored set that fails today's checks is listed with its faults (and not used).
 */
export async function listNormSets(
  db: Db,
): Promise<
  { id: string; version: string; title: string; valueSet: string | null; shipped: boolean; faults: string[] }[]
> {
  const rows = await db
    .selectFrom('norm_sets')
    .select(['id', 'version', 'data'])
    .orderBy('id')
    .orderBy('imported_at', 'desc')
    .execute();
  const out = new Map<
    string,
    { id: string; version: string; title: string; valueSet: string | null; shipped: boolean; faults: string[] }
  >();
  const describe = (set: NormSet, shipped: boolean) => ({
    id: set.id,
    version: set.version,
    title: set.title,
    valueSet: set.strata.find((x) => x.index.valueSet)?.index.valueSet ?? null,
    shipped,
    faults: [],
  });
  for (const r of rows) {
    if (out.has(r.id)) continue;
    const { set, faults } = storedSetFaults(r.data);
    const title =
      (typeof r.data === 'object' && r.data !== null && typeof (r.data as { title?: unknown }).title === 'string'
        ? (r.data as { title: string }).title
        : '') || r.id;
    out.set(
      r.id,
      set ? describe(set, false) : { id: r.id, version: r.version, title, valueSet: null, shipped: false, faults },
    );
  }
  if (!out.has(DEFAULT_NORM_SET)) out.set(DEFAULT_NORM_SET, describe(shippedNorms(), true));
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export async function saveNormSet(db: Db, set: NormSet): Promise<void> {
  const data = JSON.stringify(set);
  await db
    .insertInto('norm_sets')
    .values({ id: set.id, version: set.version, data })
    .onConflict((oc) => oc.columns(['id', 'version']).doUpdateSet({ data }))
    .execute();
}

/** Reads a prom-norms JSON file or a microdata CSV; throws NormFileRefused with the reason(s), naming the file. */
export function readNormFile(
  file: string,
  opts: { id?: string; version?: string; valueSet?: ValueSetId } = {},
): NormSet {
  const text = readText(file);
  const set = text.trimStart().startsWith('{')
    ? readJson(file, text)
    : aggregateMicrodata(readMicrodata(file, text), {
        id: opts.id ?? path.basename(file).replace(/\.[^.]+$/, ''),
        version: opts.version ?? new Date().toISOString().slice(0, 10),
        title: `Norms computed from microdata in ${path.basename(file)}`,
        population: 'As described by the microdata file (weighted with its weight column).',
        sourceName: path.basename(file),
        valueSet: opts.valueSet ?? DEFAULT_VALUE_SET,
      });
  const problems = normSetProblems(set, opts.valueSet);
  if (problems.length > 0)
    throw new NormFileRefused(
      `${file} was not imported (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`,
    );
  return set;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NormFileRefused(
      `Cannot read the norm file ${file}: ${code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}.`,
    );
  }
}

function readJson(file: string, text: string): NormSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NormFileRefused(`${file} is not valid JSON (${(err as Error).message}); nothing was imported.`);
  }
  const parsed = normSetSchema.safeParse(json);
  if (!parsed.success)
    throw new NormFileRefused(
      `${file} is not a valid norm file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

const level = z.union([z.literal(''), z.coerce.number().int().min(1).max(5)]).transform((v) => (v === '' ? null : v));
const rowSchema = z.object({
  // An empty cell is refused, not read as age 0.
  age: z
    .string()
    .min(1, 'is empty')
    .transform(Number)
    .pipe(z.number({ message: 'must be a number' }).int('must be whole years').min(0).max(130)),
  sex: z.enum(['female', 'male'], { message: 'must be female or male' }),
  mobility: level,
  self_care: level,
  usual_activities: level,
  pain_discomfort: level,
  anxiety_depression: level,
  vas: z.union([z.literal(''), z.coerce.number().int().min(0).max(100)]).transform((v) => (v === '' ? null : v)),
  weight: z
    .union([z.literal(''), z.coerce.number().positive('must be positive')])
    .optional()
    .transform((v) => (v === undefined || v === '' ? 1 : v)),
});
const REQUIRED = [
  'age',
  'sex',
  'mobility',
  'self_care',
  'usual_activities',
  'pain_discomfort',
  'anxiety_depression',
  'vas',
];
const KNOWN = [...REQUIRED, 'weight'];

function readMicrodata(file: string, text: string): NormRespondent[] {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  if (header.includes('\t') && !/[,;]/.test(header)) {
    throw new NormFileRefused(
      `${file} looks tab-separated; save it as comma- or semicolon-separated CSV (columns ${REQUIRED.join(', ')}, optional weight) and import again.`,
    );
  }
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      delimiter: [',', ';'],
    });
  } catch (err) {
    throw new NormFileRefused(
      `${file} cannot be read as CSV: ${(err as Error).message.replace(/\.$/, '')}; nothing was imported.`,
    );
  }
  checkColumns(
    file,
    Object.keys(records[0] ?? {}).length > 0
      ? Object.keys(records[0]!)
      : header.split(/[,;]/).map((c) => c.trim().toLowerCase()),
  );
  const problems: string[] = [];
  const rows: NormRespondent[] = [];
  records.forEach((rec, i) => {
    const r = rowSchema.safeParse(rec);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push(`line ${i + 2}: ${String(issue.path[0])}: ${issue.message}`);
      return;
    }
    const d = r.data;
    rows.push({
      age: d.age,
      sex: d.sex,
      levels: [d.mobility, d.self_care, d.usual_activities, d.pain_discomfort, d.anxiety_depression],
      vas: d.vas,
      weight: d.weight,
    });
  });
  if (problems.length > 0)
    throw new NormFileRefused(
      `The microdata file ${file} has ${problems.length} problem(s); nothing was imported:\n${problems.slice(0, 50).join('\n')}`,
    );
  if (rows.length === 0) throw new NormFileRefused(`The microdata file ${file} has no rows.`);
  return rows;
}

/** Unknown and missing columns, each named once (not once per line). */
function checkColumns(file: string, columns: string[]): void {
  const unknown = columns.filter((c) => !KNOWN.includes(c));
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (unknown.length === 0 && missing.length === 0) return;
  const hint = (c: string) => {
    const near = KNOWN.find((k) => distance(k, c) <= 2);
    return near ? `"${c}" (did you mean ${near}?)` : `"${c}"`;
  };
  const parts = [
    unknown.length > 0 ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map(hint).join(', ')}` : '',
    missing.length > 0 ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
  ].filter(Boolean);
  throw new NormFileRefused(
    `${file}: ${parts.join('; ')}. Columns are ${REQUIRED.join(', ')} and optionally weight; nothing was imported.`,
  );
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}
